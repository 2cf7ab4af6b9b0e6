//! `cargo xtask deps`: the dependency policy. Every crate in the tree carries a permissive
//! license, and no crate appears in two semver-incompatible versions unless the duplicate is
//! listed below with the reason it can't be avoided today.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::{metadata, Result};

/// License identifiers we accept; an expression passes when an `OR` branch is all accepted.
const PERMISSIVE: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "ISC",
    "0BSD",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "Zlib",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "CDLA-Permissive-2.0",
    "Unlicense",
    "BSL-1.0",
    "CC0-1.0",
];

/// Duplicates pulled in by upstream crates at versions we can't unify from here.
const ALLOWED_DUPLICATES: &[(&str, &str)] = &[
    (
        "syn",
        "build-time only: serde_derive (and xtask) are on 3, zerocopy-derive (through bson's ahash and rand) on 2",
    ),
    (
        "getrandom",
        "rand-family crates (proptest) and ring/rustls are on different majors",
    ),
    (
        "cpufeatures",
        "sha2 0.10 and newer RustCrypto crates used by dependencies",
    ),
    (
        "windows-sys",
        "Windows-only; different dependents pin different releases",
    ),
    (
        "base64",
        "bson 3 (the emulator's backup archives) is on 0.22, ureq 3 on 0.23",
    ),
    (
        "rand",
        "bson 3 (the emulator's backup archives) is on 0.9, proptest (tests only) on 0.10",
    ),
    (
        "rand_core",
        "follows rand: bson 3 on 0.9, proptest (tests only) on 0.10",
    ),
    ("r-efi", "UEFI-only; follows getrandom's two majors"),
];

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`deps` takes no arguments (got `{extra}`)"));
    }
    check_licenses_and_duplicates()
}

pub(crate) fn check_licenses_and_duplicates() -> Result {
    let meta = metadata(false)?;
    let mut bad = Vec::new();
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    for p in &packages {
        let name = p["name"].as_str().unwrap_or_default();
        let version = p["version"].as_str().unwrap_or_default();
        let license = p["license"].as_str().unwrap_or("");
        if !license_is_permissive(license) {
            bad.push(format!("{name} {version}: license `{license}`"));
        }
        versions
            .entry(name.to_string())
            .or_default()
            .insert(major_of(version));
    }
    if !bad.is_empty() {
        return Err(format!(
            "crates without a permissive license:\n  {}",
            bad.join("\n  ")
        ));
    }
    let mut unexplained = Vec::new();
    for (name, majors) in &versions {
        if majors.len() > 1 {
            match ALLOWED_DUPLICATES.iter().find(|(n, _)| n == name) {
                Some((_, why)) => eprintln!("duplicate {name} {majors:?} (allowed: {why})"),
                None => unexplained.push(format!("{name} {majors:?}")),
            }
        }
    }
    if !unexplained.is_empty() {
        return Err(format!(
            "crates in two incompatible versions (unify them or explain them in xtask/src/policy.rs):\n  {}",
            unexplained.join("\n  ")
        ));
    }
    eprintln!(
        "dependency policy: {} crates, all permissively licensed",
        packages.len()
    );
    Ok(())
}

/// The semver-compatibility key: `1.x` → "1", `0.12.x` → "0.12".
fn major_of(version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or("0");
    if major == "0" {
        format!("0.{}", parts.next().unwrap_or("0"))
    } else {
        major.to_string()
    }
}

fn license_is_permissive(expr: &str) -> bool {
    if expr.trim().is_empty() {
        return false;
    }
    // Crates.io still carries the old `/` separator for OR.
    let expr = expr.replace('/', " OR ").replace(['(', ')'], " ");
    expr.split(" OR ").any(|branch| {
        branch.split(" AND ").all(|id| {
            PERMISSIVE.contains(&id.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_expressions() {
        assert!(license_is_permissive("MIT OR Apache-2.0"));
        assert!(license_is_permissive("MIT/Apache-2.0"));
        assert!(license_is_permissive("(MIT OR Apache-2.0) AND Unicode-3.0"));
        assert!(license_is_permissive(
            "MIT OR Apache-2.0 OR LGPL-2.1-or-later"
        ));
        assert!(license_is_permissive(
            "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"
        ));
        assert!(!license_is_permissive("GPL-3.0"));
        assert!(!license_is_permissive("MIT AND GPL-2.0"));
        assert!(!license_is_permissive(""));
    }

    #[test]
    fn semver_keys() {
        assert_eq!(major_of("0.12.3"), "0.12");
        assert_eq!(major_of("1.0.200"), "1");
    }
}
