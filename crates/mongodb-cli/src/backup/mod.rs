//! `tcmongo backup …`: the backup workflow with progress reporting.
//!
//! * `create` starts a backup (`CreateBackupDBInstance`); with `--wait` it waits for the async
//!   request and prints the new backup's name.
//! * `list` shows an instance's backups of every method (`--method` narrows it), oldest first.
//! * `download` exports an existing backup: prepares its files, downloads each (resumed,
//!   verified by CRC-64 and size, expired URLs replaced), and writes `manifest.json`; a rerun
//!   skips the files the manifest proves complete.
//! * `run` is create → wait → download, for one instance, several, or `--all`, several at
//!   once (`--jobs`).
//! * `verify DIR` re-reads an export against its manifest.
//!
//! The workflows are the client's (`list_backups`, `backup_and_wait`, `export_backups`,
//! `Manifest::verify`); these modules only read flags, show progress and print results.
//! Bottom up: `flags` (arguments), `view` (progress of exports), `summary` (their results),
//! `create` (create, list), `export` (run, download), `verify`.

mod create;
mod export;
mod flags;
mod summary;
mod verify;
mod view;

use std::path::PathBuf;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::exit::Failure;
use crate::output::Format;
use crate::progress::Reporter;
use crate::session::{Globals, Session};

/// The `backup` subcommand tree.
pub fn command() -> Command {
    Command::new("backup")
        .about("Backup workflow: create, list, download, run all of it, verify an export")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("create")
                .about("Start a backup of an instance; with --wait, wait and print its name")
                .arg(flags::instance())
                .arg(flags::method())
                .arg(flags::remark())
                .arg(
                    Arg::new("wait")
                        .long("wait")
                        .action(ArgAction::SetTrue)
                        .help("Wait until the backup finishes, then print its name"),
                ),
        )
        .subcommand(
            Command::new("list")
                .about(
                    "List an instance's backups of every method, oldest first \
                     (a table unless --output json or text)",
                )
                .arg(flags::instance())
                .arg(flags::method_filter()),
        )
        .subcommand(
            Command::new("download")
                .about(
                    "Download a backup's files (all replica sets/shards by default), verified, \
                     with manifest.json; a rerun skips the files already complete",
                )
                .arg(flags::instance())
                .arg(
                    Arg::new("backup-name")
                        .long("backup-name")
                        .value_name("NAME")
                        .required(true)
                        .help("Backup name, as `backup list` shows it"),
                )
                .arg(flags::replica_set())
                .arg(flags::out())
                .args(flags::download()),
        )
        .subcommand(
            Command::new("run")
                .about(
                    "Back up instances and download the files, verified, with manifest.json \
                     (several instances: one subdirectory of --out each)",
                )
                .args(flags::instances())
                .arg(flags::out())
                .arg(flags::method())
                .arg(flags::remark())
                .arg(flags::replica_set())
                .args(flags::download()),
        )
        .subcommand(
            Command::new("verify")
                .about(
                    "Re-read an export against its manifest.json (or each export in the \
                     subdirectories); exit 0 all match, 1 a file differs or is missing, \
                     2 no manifest, 3 a read failed",
                )
                .arg(
                    Arg::new("dir")
                        .value_name("DIR")
                        .required(true)
                        .value_parser(value_parser!(PathBuf))
                        .help(
                            "The directory an export was written to (the --out of run or download)",
                        ),
                ),
        )
}

/// Runs a `backup` subcommand.
pub fn run(g: &Globals, m: &ArgMatches) -> Result<(), Failure> {
    let (name, sub) = m
        .subcommand()
        .ok_or_else(|| Failure::usage("missing backup subcommand"))?;
    if name == "verify" {
        // Local files only: no client, no credentials.
        let dir = sub
            .get_one::<PathBuf>("dir")
            .ok_or_else(|| Failure::usage("DIR is required"))?;
        return verify::run(dir, g.format.unwrap_or(Format::Table), &Reporter::detect());
    }
    // The flags of run and download are checked before connecting.
    let plan = match name {
        "run" => Some(export::Plan::run(sub)?),
        "download" => Some(export::Plan::download(sub)?),
        _ => None,
    };
    let session = Session::connect(g)?;
    match (name, plan) {
        (_, Some(plan)) => plan.execute(&session, g.format.unwrap_or(Format::Table)),
        ("create", None) => create::create(&session, g.format, sub),
        ("list", None) => create::list(&session, g.format, sub),
        (other, None) => Err(Failure::usage(format!(
            "unknown backup subcommand {other:?}"
        ))),
    }
}
