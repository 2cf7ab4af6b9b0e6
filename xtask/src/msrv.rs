//! `cargo xtask msrv`: checks the library crates with the toolchain named by `rust-version`.
//!
//! The toolchain is used only when it is already installed; this command never downloads one
//! and says so plainly when it can't check.

use std::fs;

use crate::util::{capture_cmd, run_cmd, workspace_root, Result};

const LIBRARIES: &[&str] = &[
    "tc-sign",
    "mongodb-errors",
    "mongodb-models",
    "mongodb-client-blocking",
    "mongodb-emulator",
];

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`msrv` takes no arguments (got `{extra}`)"));
    }
    let msrv = declared_msrv()?;
    let installed = capture_cmd("rustup", &["toolchain", "list"]).unwrap_or_default();
    if !installed.lines().any(|l| l.starts_with(&msrv)) {
        println!(
            "MSRV {msrv} is declared, but that toolchain is not installed here, so it was NOT checked \
             (install it with `rustup toolchain install {msrv}` and run `cargo xtask msrv` again)"
        );
        return Ok(());
    }
    let toolchain = format!("+{msrv}");
    let mut args = vec![toolchain.as_str(), "check"];
    for lib in LIBRARIES {
        args.push("-p");
        args.push(lib);
    }
    run_cmd("cargo", &args, &[])?;
    println!("MSRV {msrv}: the library crates build");
    Ok(())
}

fn declared_msrv() -> Result<String> {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml"))
        .map_err(|e| format!("reading Cargo.toml: {e}"))?;
    manifest
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("rust-version = \"")
                .and_then(|r| r.strip_suffix('"'))
        })
        .map(str::to_string)
        .ok_or_else(|| "no rust-version in Cargo.toml".to_string())
}
