//! `tcmongo`: a command line for the TencentDB for MongoDB API (service `mongodb`,
//! version 2019-07-25), with backup workflow commands and an embedded emulator.
//!
//! The binary is thin: argument handling and output live here, everything else (signing,
//! retries, waiters, downloads, the emulator) lives in the library crates.

mod action;
mod args;
mod backup;
mod cli;
mod configure;
mod emulator_cmd;
mod exit;
mod input;
mod logging;
mod output;
mod progress;
mod session;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os().collect())
}
