//! `cargo xtask release [--dry-run] [--bump patch|minor|major]`: checks, version bump in lockstep,
//! changelog, and the publish plan in dependency order.
//!
//! Publishing itself is left to a person running `cargo publish -p <crate>` in the printed order:
//! this command never uploads anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::util::{capture_cmd, cargo, metadata, run_cmd, workspace_root, Result};

/// Files every published crate must ship, beyond its sources and manifest.
const REQUIRED_IN_PACKAGE: &[(&str, &[&str])] = &[
    (
        "tc-sign",
        &[
            "tests/data/tc3-published.json",
            "tests/data/README.md",
            "README.md",
        ],
    ),
    (
        "mongodb-errors",
        &["tests/data/error-codes.json", "README.md"],
    ),
    (
        "mongodb-models",
        &[
            "spec/mongodb-2019-07-25.json",
            "spec/overlay.json",
            "spec/help.json",
            "README.md",
        ],
    ),
    ("mongodb-client-blocking", &["README.md"]),
    ("mongodb-emulator", &["README.md"]),
    ("tcmongo", &["README.md"]),
];

/// Path fragments that must never be in a published package.
const STRAY: &[&str] = &["target/", ".part", ".orig", ".rej", "backups/", ".DS_Store"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bump {
    Patch,
    Minor,
    Major,
}

pub(crate) fn run(args: &[String]) -> Result {
    let mut dry_run = false;
    let mut bump = None;
    let mut skip_checks = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--skip-checks" => skip_checks = true,
            "--bump" => {
                bump = Some(match it.next().map(String::as_str) {
                    Some("patch") => Bump::Patch,
                    Some("minor") => Bump::Minor,
                    Some("major") => Bump::Major,
                    other => {
                        return Err(format!(
                            "--bump takes patch, minor or major (got {other:?})"
                        ))
                    }
                })
            }
            other => {
                return Err(format!(
                "unknown release option `{other}`; usage: cargo xtask release [--dry-run] [--bump patch|minor|major] [--skip-checks]"
            ))
            }
        }
    }

    if !skip_checks {
        crate::ci::run(&[])?;
    }
    crate::policy::check_licenses_and_duplicates()?;

    let plan = publish_order()?;
    for krate in &plan {
        check_package_list(krate)?;
    }

    let current = current_version()?;
    let next = match bump {
        Some(b) => bump_version(&current, b)?,
        None => current.clone(),
    };

    if let Some(b) = bump {
        if dry_run {
            eprintln!("dry run: would bump {current} -> {next} ({b:?}) and update CHANGELOG.md");
        } else {
            write_version(&current, &next)?;
            update_changelog(&next)?;
            eprintln!("bumped {current} -> {next}; CHANGELOG.md updated");
        }
    }

    println!("publish plan (version {next}), in dependency order:");
    for (i, krate) in plan.iter().enumerate() {
        println!("  {}. cargo publish -p {krate}", i + 1);
    }
    if dry_run {
        println!("dry run: nothing was changed and nothing was published");
    } else {
        println!("nothing was published: run the commands above in order to publish");
    }
    Ok(())
}

/// The publishable workspace crates, topologically sorted by their workspace dependencies
/// (ties broken by the layer order of the design).
pub(crate) fn publish_order() -> Result<Vec<String>> {
    let meta = metadata(true)?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &packages {
        let publishable = !matches!(p["publish"].as_array(), Some(list) if list.is_empty());
        if !publishable {
            continue;
        }
        let name = p["name"].as_str().unwrap_or_default().to_string();
        deps.entry(name).or_default();
    }
    let names: BTreeSet<String> = deps.keys().cloned().collect();
    for p in &packages {
        let name = p["name"].as_str().unwrap_or_default();
        if let Some(set) = deps.get_mut(name) {
            for d in p["dependencies"].as_array().into_iter().flatten() {
                let kind = d["kind"].as_str();
                let dep = d["name"].as_str().unwrap_or_default();
                // Dev-dependencies don't constrain publish order.
                if kind != Some("dev") && names.contains(dep) {
                    set.insert(dep.to_string());
                }
            }
        }
    }
    let rank = |n: &str| {
        [
            "tc-sign",
            "mongodb-errors",
            "mongodb-models",
            "mongodb-client-blocking",
            "mongodb-emulator",
            "tcmongo",
        ]
        .iter()
        .position(|x| *x == n)
        .unwrap_or(usize::MAX)
    };
    let mut order = Vec::new();
    let mut done = BTreeSet::new();
    while done.len() < deps.len() {
        let mut ready: Vec<&String> = deps
            .iter()
            .filter(|(n, ds)| !done.contains(*n) && ds.iter().all(|d| done.contains(d)))
            .map(|(n, _)| n)
            .collect();
        if ready.is_empty() {
            return Err("dependency cycle among workspace crates".into());
        }
        ready.sort_by_key(|n| (rank(n), (*n).clone()));
        let next = ready[0].clone();
        done.insert(next.clone());
        order.push(next);
    }
    Ok(order)
}

fn check_package_list(krate: &str) -> Result {
    let out = capture_cmd(
        &cargo(),
        &["package", "--list", "--allow-dirty", "-p", krate],
    )?;
    let files: Vec<&str> = out.lines().map(str::trim).collect();
    let required = REQUIRED_IN_PACKAGE
        .iter()
        .find(|(name, _)| *name == krate)
        .map(|(_, files)| *files)
        .unwrap_or(&[]);
    let missing: Vec<&&str> = required.iter().filter(|f| !files.contains(f)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "`{krate}` would be published without {missing:?}; add them to the package (check `include`/`exclude`)"
        ));
    }
    let stray: Vec<&&str> = files
        .iter()
        .filter(|f| **f != "Cargo.toml.orig" && STRAY.iter().any(|s| f.contains(s)))
        .collect();
    if !stray.is_empty() {
        return Err(format!(
            "`{krate}` would ship stray files {stray:?}; exclude them"
        ));
    }
    eprintln!(
        "package {krate}: {} files, required data present",
        files.len()
    );
    Ok(())
}

fn current_version() -> Result<String> {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml"))
        .map_err(|e| format!("reading Cargo.toml: {e}"))?;
    let in_package = manifest
        .split("[workspace.package]")
        .nth(1)
        .ok_or("no [workspace.package] in Cargo.toml")?;
    in_package
        .lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix("version = \"")
                .and_then(|r| r.strip_suffix('"'))
        })
        .map(str::to_string)
        .ok_or_else(|| "no version in [workspace.package]".to_string())
}

fn bump_version(v: &str, bump: Bump) -> Result<String> {
    let parts: Vec<u64> = v
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("version `{v}` is not MAJOR.MINOR.PATCH"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("version `{v}` is not MAJOR.MINOR.PATCH"));
    };
    Ok(match bump {
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Major => format!("{}.0.0", major + 1),
    })
}

/// Rewrites the workspace version and every path dependency's `version = "…"` in lockstep.
fn write_version(current: &str, next: &str) -> Result {
    let path = workspace_root().join("Cargo.toml");
    let manifest = fs::read_to_string(&path).map_err(|e| format!("reading Cargo.toml: {e}"))?;
    let updated: String = manifest
        .lines()
        .map(|line| {
            let is_package_version = line.trim() == format!("version = \"{current}\"");
            let is_path_dep = line.contains("path = \"crates/")
                && line.contains(&format!("version = \"{current}\""));
            if is_package_version || is_path_dep {
                line.replace(&format!("\"{current}\""), &format!("\"{next}\""))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    fs::write(&path, updated).map_err(|e| format!("writing Cargo.toml: {e}"))?;
    run_cmd(&cargo(), &["update", "--workspace", "--offline"], &[])
}

fn update_changelog(next: &str) -> Result {
    let path = workspace_root().join("CHANGELOG.md");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|_| "# Changelog\n\n## Unreleased\n".into());
    let date = capture_cmd("date", &["-u", "+%Y-%m-%d"])?;
    let heading = format!("## Unreleased\n\n## {next} - {}", date.trim());
    if !text.contains("## Unreleased") {
        return Err("CHANGELOG.md has no `## Unreleased` section to release".into());
    }
    let updated = text.replacen("## Unreleased", &heading, 1);
    fs::write(&path, updated).map_err(|e| format!("writing CHANGELOG.md: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_semver() {
        assert_eq!(bump_version("0.1.0", Bump::Patch).unwrap(), "0.1.1");
        assert_eq!(bump_version("0.1.9", Bump::Minor).unwrap(), "0.2.0");
        assert_eq!(bump_version("1.4.2", Bump::Major).unwrap(), "2.0.0");
        assert!(bump_version("1.4", Bump::Major).is_err());
    }

    #[test]
    fn publish_order_puts_layers_first() {
        let order = publish_order().unwrap();
        let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
        assert_eq!(order.first().map(String::as_str), Some("tc-sign"));
        assert!(pos("mongodb-errors") < pos("mongodb-models"));
        assert!(pos("mongodb-models") < pos("mongodb-client-blocking"));
        assert!(pos("mongodb-client-blocking") < pos("tcmongo"));
        assert!(pos("mongodb-emulator") < pos("tcmongo"));
        assert!(!order
            .iter()
            .any(|n| n == "xtask" || n == "mongodb-sdk-tests"));
    }
}
