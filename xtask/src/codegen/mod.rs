//! `cargo xtask codegen [--check]`: generate the models from the committed spec and overlay.
//!
//! Inputs (committed): `crates/mongodb-models/spec/mongodb-2019-07-25.json` (facts imported by
//! `cargo xtask spec import`), `crates/mongodb-models/spec/overlay.json` (hand-written enums
//! and fuller docs) and `crates/mongodb-models/spec/help.json` (one help line per action and
//! member, which must cover the spec: see `help`). Outputs: `crates/mongodb-models/src/generated/*.rs` and, in
//! `crates/mongodb-client-blocking/src/generated/`, `methods.rs` and `paginators.rs`. Every
//! output starts with the "Code generated" header and is formatted with
//! `rustfmt --edition 2021`.
//!
//! This file is the driver: it loads the inputs, builds the [`model::Model`], runs each
//! artefact's generator (one file each, below) and hands every result to
//! [`ensure_file_contents`], which writes it or, with `--check`, reports it stale.
//!
//! Modules, bottom-up: `input` (the files as read) and `text` (header, literals, doc lines) are
//! leaves; `help` checks the help lines against the spec; `model` resolves the inputs; `members` renders struct items; the artefacts
//! (`module`, `enums`, `structures`, `requests`, `responses`, `registry`, `methods`,
//! `paginators`) use those and never each other.

mod enums;
mod help;
mod input;
mod members;
mod methods;
mod model;
mod module;
mod paginators;
mod registry;
mod requests;
mod responses;
mod structures;
mod text;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{workspace_root, Result};

/// The hand-written overlay: enums and fuller docs.
const OVERLAY_PATH: &str = "crates/mongodb-models/spec/overlay.json";
/// The models' generated folder.
const MODELS_OUT: &str = "crates/mongodb-models/src/generated";
/// The client's generated code: typed methods, and iterators over paged actions.
const CLIENT_OUT: &str = "crates/mongodb-client-blocking/src/generated";

/// Whether the generated files are written or only compared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Write every file whose content changed; remove generated files no longer produced.
    Write,
    /// Change nothing; fail naming every file that differs.
    Check,
}

pub(crate) fn run(args: &[String]) -> Result {
    let mode = match args {
        [] => Mode::Write,
        [flag] if flag == "--check" => Mode::Check,
        _ => return Err("usage: cargo xtask codegen [--check]".to_string()),
    };
    codegen(&workspace_root(), mode)
}

/// Generates every artefact and writes (or checks) it under `root`.
pub(crate) fn codegen(root: &Path, mode: Mode) -> Result {
    let files = generate(root)?;
    let mut stale = Vec::new();
    let mut written = 0;
    for (path, text) in &files {
        match ensure_file_contents(root, path, text, mode) {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(e) => stale.push(e),
        }
    }
    for orphan in orphans(root, &files) {
        match mode {
            Mode::Check => stale.push(format!("{orphan} (no longer generated)")),
            Mode::Write => std::fs::remove_file(root.join(&orphan))
                .map_err(|e| format!("cannot remove {orphan}: {e}"))?,
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated code is stale; run `cargo xtask codegen`:\n  {}",
            stale.join("\n  ")
        ));
    }
    match mode {
        Mode::Check => eprintln!("codegen: {} generated files are up to date", files.len()),
        Mode::Write => eprintln!("codegen: {written} of {} files rewritten", files.len()),
    }
    Ok(())
}

/// Makes the file at `root/path` hold `contents`: writes it when it differs (returning whether
/// it wrote), or, in [`Mode::Check`], fails naming the stale file.
pub(crate) fn ensure_file_contents(
    root: &Path,
    path: &str,
    contents: &str,
    mode: Mode,
) -> Result<bool> {
    let full = root.join(path);
    if std::fs::read_to_string(&full).ok().as_deref() == Some(contents) {
        return Ok(false);
    }
    if mode == Mode::Check {
        return Err(path.to_string());
    }
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&full, contents).map_err(|e| format!("cannot write {}: {e}", full.display()))?;
    Ok(true)
}

/// Reads the committed spec and overlay and resolves them.
fn load(root: &Path) -> Result<model::Model> {
    let spec = input::read_json(&root.join(crate::spec::SPEC_PATH))?;
    let overlay = input::read_json(&root.join(OVERLAY_PATH))?;
    let help = input::read_json(&root.join(help::HELP_PATH))?;
    model::Model::new(spec, overlay, help)
}

/// Generates every output file: relative path → formatted content.
fn generate(root: &Path) -> Result<BTreeMap<String, String>> {
    let model = load(root)?;
    let raw: Vec<(&str, String)> = vec![
        ("mod.rs", module::generate(&model)),
        ("enums.rs", enums::generate(&model)),
        ("structures.rs", structures::generate(&model)?),
        ("requests.rs", requests::generate(&model)?),
        ("responses.rs", responses::generate(&model)?),
        ("registry.rs", registry::generate(&model)?),
    ];
    let mut files = BTreeMap::new();
    for (name, text) in raw {
        files.insert(format!("{MODELS_OUT}/{name}"), rustfmt(root, &text, name)?);
    }
    let client: Vec<(&str, String)> = vec![
        ("methods.rs", methods::generate(&model)),
        ("paginators.rs", paginators::generate(&model)?),
    ];
    for (name, text) in client {
        files.insert(format!("{CLIENT_OUT}/{name}"), rustfmt(root, &text, name)?);
    }
    Ok(files)
}

/// Generated model files on disk that the generator no longer produces.
fn orphans(root: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(dir) = std::fs::read_dir(root.join(MODELS_OUT)) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{MODELS_OUT}/{name}");
            if name.ends_with(".rs") && !files.contains_key(&rel) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

fn rustfmt(root: &Path, text: &str, name: &str) -> Result<String> {
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2021"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked".to_string())?
        .map_err(|e| format!("cannot feed rustfmt: {e}"))?;
    if !output.status.success() {
        let dump = std::env::temp_dir().join(format!("xtask-codegen-{name}"));
        let _ = std::fs::write(&dump, text);
        return Err(format!(
            "rustfmt rejected generated {name} (unformatted text in {}):\n{}",
            dump.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated code matches what the generator produces now.
    #[test]
    fn generated_code_is_fresh() {
        if let Err(e) = codegen(&workspace_root(), Mode::Check) {
            panic!("{e}");
        }
    }

    /// Paginators are found by shape: every action whose request has `Offset` and `Limit` and
    /// whose answer has one list and a total, the four once written by hand among them.
    #[test]
    fn every_action_that_pages_gets_a_paginator() {
        let model = load(&workspace_root()).expect("inputs load");
        let paged: Vec<&str> = model
            .spec
            .actions
            .keys()
            .filter(|a| model.paging(a).expect("fields resolve").is_some())
            .map(String::as_str)
            .collect();
        for a in [
            "DescribeDBBackups",
            "DescribeBackupDownloadTask",
            "DescribeDBInstances",
            "DescribeSlowLogs",
            "DescribeInstanceUsers",
        ] {
            assert!(paged.contains(&a), "{a} not paged: {paged:?}");
        }
        assert_eq!(paged.len(), 15, "{paged:?}");
        assert!(
            !paged.contains(&"DescribeAccountUsers"),
            "no Offset/Limit, not paged"
        );
    }

    /// In check mode a differing file is named and left alone; in write mode it is rewritten.
    #[test]
    fn ensure_file_contents_checks_or_writes() {
        let root =
            std::env::temp_dir().join(format!("xtask-codegen-ensure-{}", std::process::id()));
        std::fs::create_dir_all(root.join("gen")).unwrap();
        std::fs::write(root.join("gen/a.rs"), "old").unwrap();
        let err = ensure_file_contents(&root, "gen/a.rs", "new", Mode::Check).unwrap_err();
        assert_eq!(err, "gen/a.rs");
        assert_eq!(
            std::fs::read_to_string(root.join("gen/a.rs")).unwrap(),
            "old"
        );
        assert_eq!(
            ensure_file_contents(&root, "gen/a.rs", "new", Mode::Write),
            Ok(true)
        );
        assert_eq!(
            ensure_file_contents(&root, "gen/a.rs", "new", Mode::Check),
            Ok(false)
        );
        assert_eq!(
            std::fs::read_to_string(root.join("gen/a.rs")).unwrap(),
            "new"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
