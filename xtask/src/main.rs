//! Project automation: `cargo xtask <command>`.
//!
//! One binary, reached through the `xtask` alias in `.cargo/config.toml`.

use std::process::ExitCode;

mod bench;
mod ci;
mod codegen;
mod cycles;
mod fuzz;
mod msrv;
mod policy;
mod release;
mod sdkcheck;
mod size;
mod spec;
mod util;

// The older modules name these through the crate root; they live in `util`.
pub(crate) use util::{workspace_root, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                 everything CI runs: fmt, clippy, codegen check, module cycles, file
                     sizes, deps, tests, docs
  cycles             fail on a module import cycle inside any crate of the workspace
  size               fail on a hand-written .rs file over 600 lines (generated/ excepted)
  bench [--quick]    performance ratios, ours and a floor interleaved in rounds
                     -> target/bench/summary.json
  deps               dependency policy: permissive licenses, no unexplained duplicate majors
  msrv               build the libraries with the declared rust-version toolchain, if installed
  release [--dry-run] [--bump patch|minor|major]
                     checks, lockstep version bump, changelog, publish plan
  codegen [--check]  regenerate the models (and client methods) from the committed spec
  spec import [--from DIR]
                     merge ../shared/spec/*.api.json into the committed facts-only spec
  sdk-check          drive the emulator with the official Python and Node.js SDKs (needs PyPI, npm)
  fuzz --smoke [--seconds N] [TARGET…]
                     run the cargo-fuzz targets in fuzz/ for a bounded time (see fuzz/README.md)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("cycles") => cycles::run(&args[1..]),
        Some("size") => size::run(&args[1..]),
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
