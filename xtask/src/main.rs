//! Project automation: `cargo xtask <command>`.
//!
//! One binary, reached through the `xtask` alias in `.cargo/config.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod ci;
mod codegen;
mod fuzz;
mod msrv;
mod policy;
mod release;
mod sdkcheck;
mod spec;

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                 everything CI runs: fmt, clippy, codegen check, tests, docs
  bench [--quick]    performance ratios against same-run floors -> target/bench/summary.json
  deps               dependency policy: permissive licenses, no unexplained duplicate majors
  msrv               build the libraries with the declared rust-version toolchain, if installed
  release [--dry-run] [--bump patch|minor|major]
                     checks, lockstep version bump, changelog, publish plan
  codegen [--check]  regenerate the models (and client methods) from the committed spec
  spec import [--from DIR]
                     merge ../shared/spec/*.api.json into the committed facts-only spec
  sdk-check          drive the emulator with the official Tencent Cloud Python SDK (needs PyPI)
  fuzz --smoke [--seconds N] [TARGET…]
                     run the cargo-fuzz targets in fuzz/ for a bounded time (see fuzz/README.md)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("deps") => policy::run(&args[1..]),
        Some("msrv") => msrv::run(&args[1..]),
        Some("release") => release::run(&args[1..]),
        Some("sdk-check") => sdkcheck::run(&args[1..]),
        Some("codegen") => codegen::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("spec") => spec::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs a command from the workspace root, echoing it first; fails on a non-zero exit.
pub(crate) fn run_cmd(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The cargo that runs us (so `cargo +toolchain xtask` stays on that toolchain).
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Runs a command from the workspace root and returns its stdout; fails on a non-zero exit.
pub(crate) fn capture_cmd(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{program}` printed non-UTF-8: {e}"))
}
