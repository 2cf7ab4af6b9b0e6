//! `cargo xtask cycles`: fails when, inside any crate of the workspace, a module imports
//! (directly or through others) a module that imports it back.
//!
//! Every target of every workspace package is a crate: libraries, binaries, tests, benches,
//! examples, build scripts. Each is read from its root file with `syn` (a real parser, so
//! comments, strings and nested modules are understood; it builds in seconds), following `mod`
//! declarations. Every module is a node, nested ones included; `a` depends on `b` when a `use`
//! or a path written in `a` (in code, in macro tokens, in a `#[serde(with = "…")]` string) names
//! something `b` defines, following re-exports to the item's home. A `pub use` is no edge of
//! the module that writes it (a facade names what it publishes; it doesn't use it), so a
//! `mod.rs` of `mod` and `pub use` lines sits above its children as aws-sigv4's do. Code under
//! `#[cfg(test)]` that reaches its own module or an ancestor makes no edge: a test module uses
//! its parent.
//!
//! A cycle is printed as `a -> b -> a`, with the file and line of one import per step; the
//! cycles printed for one crate pass through every edge that takes part in a cycle.

mod graph;
mod paths;
mod resolve;
mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::util::{metadata, workspace_root, Result};

/// A module cycle of one crate, ready to print.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cycle {
    /// Module names in order, `crate` for the root; the last one leads back to the first.
    pub(crate) modules: Vec<String>,
    /// One piece of evidence per step, `modules[i] -> modules[i + 1]` (wrapping around).
    pub(crate) steps: Vec<Step>,
}

/// Where one step of a cycle is written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    /// The path as written, `use crate::a::B` or `crate::a::f`.
    pub(crate) text: String,
}

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`cycles` takes no arguments (got `{extra}`)"));
    }
    check_workspace()
}

/// Checks every crate of the workspace; prints each cycle and fails when there is one.
pub(crate) fn check_workspace() -> Result {
    let root = workspace_root();
    let mut crates = 0;
    let mut modules = 0;
    let mut failing = Vec::new();
    let mut report = String::new();
    for (label, src) in crate_roots()? {
        let tree = tree::load(&src, &tree::Disk).map_err(|e| format!("{label}: {e}"))?;
        for warning in &tree.warnings {
            eprintln!("cycles: {label}: {warning}");
        }
        crates += 1;
        modules += tree.modules.len();
        let found = find_cycles(&tree);
        if !found.is_empty() {
            report.push_str(&render(&label, &found, &root));
            failing.push(format!("{label}: {}", found.len()));
        }
    }
    if failing.is_empty() {
        eprintln!("module cycles: none in {crates} crates ({modules} modules)");
        return Ok(());
    }
    print!("{report}");
    Err(format!(
        "module import cycles in {} of {crates} crates ({}); give what both sides share a home \
         in a module below its users",
        failing.len(),
        failing.join(", ")
    ))
}

/// `(label, root file)` of every target of every workspace package.
fn crate_roots() -> Result<Vec<(String, PathBuf)>> {
    let meta = metadata(true)?;
    let mut out = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default();
        for target in package["targets"].as_array().into_iter().flatten() {
            let kind = target["kind"][0].as_str().unwrap_or("?");
            let target_name = target["name"].as_str().unwrap_or_default();
            let Some(src) = target["src_path"].as_str() else {
                continue;
            };
            let label = match kind {
                "lib" | "rlib" | "proc-macro" => format!("{name} (lib)"),
                "custom-build" => format!("{name} (build script)"),
                _ => format!("{name} ({kind} {target_name})"),
            };
            out.push((label, PathBuf::from(src)));
        }
    }
    out.sort();
    Ok(out)
}

/// The module cycles of one crate.
fn find_cycles(tree: &tree::Tree) -> Vec<Cycle> {
    // The first place (in source order) each module depends on each other one.
    let mut first: BTreeMap<(usize, usize), resolve::Edge> = BTreeMap::new();
    for edge in resolve::edges(tree) {
        first.entry((edge.from, edge.to)).or_insert(edge);
    }
    let pairs: BTreeSet<(usize, usize)> = first.keys().copied().collect();
    graph::cycles(tree.modules.len(), &pairs)
        .into_iter()
        .map(|nodes| {
            let steps = (0..nodes.len())
                .map(|i| {
                    let edge = &first[&(nodes[i], nodes[(i + 1) % nodes.len()])];
                    Step {
                        file: tree.modules[edge.from].file.clone(),
                        line: edge.line,
                        text: edge.text.clone(),
                    }
                })
                .collect();
            Cycle {
                modules: nodes.iter().map(|&m| tree.modules[m].name()).collect(),
                steps,
            }
        })
        .collect()
}

fn render(label: &str, cycles: &[Cycle], root: &Path) -> String {
    let mut out = format!("{label}: {} module cycle(s)\n", cycles.len());
    for cycle in cycles {
        let mut names = cycle.modules.clone();
        names.push(cycle.modules[0].clone());
        let _ = writeln!(out, "  {}", names.join(" -> "));
        for (i, step) in cycle.steps.iter().enumerate() {
            let file = step.file.strip_prefix(root).unwrap_or(&step.file);
            let _ = writeln!(
                out,
                "    {} -> {}: {}:{}: {}",
                names[i],
                names[i + 1],
                file.display(),
                step.line,
                step.text
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
