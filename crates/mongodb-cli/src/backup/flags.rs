//! The flags of the `backup` commands and how their values are read. A leaf: clap `Arg`s
//! and parsing only.

use std::path::PathBuf;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches};
use mongodb_client_blocking::models::BackupMethod;
use mongodb_client_blocking::{DownloadOptions, InstanceFilter, DEFAULT_EXPORT_WORKERS};

use crate::exit::Failure;

const METHODS: [&str; 6] = ["logical", "physical", "snapshot", "0", "1", "3"];

/// `--instance-id ID`, required, once.
pub fn instance() -> Arg {
    Arg::new("instance-id")
        .long("instance-id")
        .value_name("ID")
        .required(true)
        .help("Instance id, e.g. cmgo-demo0001")
}

/// `--method`, once, logical by default (create, run).
pub fn method() -> Arg {
    Arg::new("method")
        .long("method")
        .value_name("METHOD")
        .value_parser(METHODS)
        .default_value("logical")
        .help("Backup method: logical (0), physical (1) or snapshot (3)")
}

/// `--method`, repeatable, no default (list).
pub fn method_filter() -> Arg {
    Arg::new("method")
        .long("method")
        .value_name("METHOD")
        .value_parser(METHODS)
        .action(ArgAction::Append)
        .help(
            "Only backups made this way: logical (0), physical (1) or snapshot (3) \
             (repeatable) [default: every method]",
        )
}

/// `--remark TEXT`.
pub fn remark() -> Arg {
    Arg::new("remark")
        .long("remark")
        .value_name("TEXT")
        .help("Remark stored with the backup")
}

/// `--replica-set ID`, repeatable.
pub fn replica_set() -> Arg {
    Arg::new("replica-set")
        .long("replica-set")
        .value_name("ID")
        .action(ArgAction::Append)
        .help("Replica set or shard to download, e.g. cmgo-demo0002_1 (repeatable) [default: all]")
}

/// `--out DIR`, required.
pub fn out() -> Arg {
    Arg::new("out")
        .long("out")
        .value_name("DIR")
        .required(true)
        .value_parser(value_parser!(PathBuf))
        .help("Directory to write the files and manifest.json to (created if missing)")
}

/// The flags that choose the instances of `backup run`, and how many run at once.
pub fn instances() -> Vec<Arg> {
    vec![
        Arg::new("instance-id")
            .long("instance-id")
            .value_name("ID")
            .action(ArgAction::Append)
            .required_unless_present("all")
            .conflicts_with("all")
            .help(
                "Instance to back up, e.g. cmgo-demo0001 (repeatable; with several, each \
                 gets a subdirectory of --out named after it)",
            ),
        Arg::new("all").long("all").action(ArgAction::SetTrue).help(
            "Back up every instance the credentials see in the region, each into a \
                 subdirectory of --out named after it",
        ),
        Arg::new("project-id")
            .long("project-id")
            .value_name("N")
            .value_parser(value_parser!(u64))
            .action(ArgAction::Append)
            .help("With --all: only instances of this project (repeatable)"),
        Arg::new("tag")
            .long("tag")
            .value_name("KEY=VALUE")
            .action(ArgAction::Append)
            .help("With --all: only instances with this tag (repeatable)"),
        Arg::new("jobs")
            .long("jobs")
            .value_name("N")
            .value_parser(value_parser!(u32).range(1..=64))
            .default_value(DEFAULT_JOBS)
            .help("Instances exported at once (they share one client and its rate limit)"),
    ]
}

/// `--jobs` when not given: the client's default (a test keeps them in step).
const DEFAULT_JOBS: &str = "4";

/// The flags that tune each file's download.
pub fn download() -> Vec<Arg> {
    vec![
        Arg::new("parts")
            .long("parts")
            .value_name("N")
            .value_parser(value_parser!(u32).range(1..=32))
            .help("Connections per file, each fetching a byte range [default: 1 below 64 MiB, up to 4 by size]"),
        Arg::new("min-throughput")
            .long("min-throughput")
            .value_name("BYTES_PER_SEC")
            .value_parser(value_parser!(u64))
            .help("Drop and resume a connection slower than this, averaged over --throughput-window; 0 turns it off [default: 1024]"),
        Arg::new("throughput-window")
            .long("throughput-window")
            .value_name("SECS")
            .help("The window --min-throughput is averaged over [default: 30]"),
        Arg::new("deadline")
            .long("deadline")
            .value_name("SECS")
            .help("Give up a file's download after this long (its partial file is kept for the next run) [default: none]"),
    ]
}

/// A required string argument.
pub fn string(m: &ArgMatches, id: &str) -> Result<String, Failure> {
    m.get_one::<String>(id)
        .cloned()
        .ok_or_else(|| Failure::usage(format!("--{id} is required")))
}

/// Every value of a repeatable string argument.
pub fn strings(m: &ArgMatches, id: &str) -> Vec<String> {
    m.get_many::<String>(id)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

/// `--out`.
pub fn out_dir(m: &ArgMatches) -> Result<PathBuf, Failure> {
    m.get_one::<PathBuf>("out")
        .cloned()
        .ok_or_else(|| Failure::usage("--out is required"))
}

/// A `--method` value (already checked by clap) as the typed value.
pub fn parse_method(v: &str) -> BackupMethod {
    match v {
        "physical" | "1" => BackupMethod::Physical,
        "snapshot" | "3" => BackupMethod::Snapshot,
        _ => BackupMethod::Logical,
    }
}

/// The single `--method` (logical by default).
pub fn method_of(m: &ArgMatches) -> BackupMethod {
    parse_method(
        m.get_one::<String>("method")
            .map_or("logical", String::as_str),
    )
}

/// The repeatable `--method` of `list` (empty: every method).
pub fn methods_of(m: &ArgMatches) -> Vec<BackupMethod> {
    strings(m, "method")
        .iter()
        .map(|v| parse_method(v))
        .collect()
}

/// `--jobs`.
pub fn jobs(m: &ArgMatches) -> usize {
    m.try_get_one::<u32>("jobs")
        .ok()
        .flatten()
        .map_or(DEFAULT_EXPORT_WORKERS, |n| *n as usize)
}

/// `--project-id` and `--tag` as the client's filter; they only make sense with `--all`.
pub fn instance_filter(m: &ArgMatches) -> Result<InstanceFilter, Failure> {
    if !m.get_flag("all") {
        for id in ["project-id", "tag"] {
            if m.contains_id(id) {
                return Err(Failure::usage(format!(
                    "--{id} narrows --all; give --all, or name the instances with --instance-id"
                )));
            }
        }
    }
    let mut filter = InstanceFilter::new();
    for id in m.get_many::<u64>("project-id").into_iter().flatten() {
        filter = filter.project_id(*id);
    }
    for tag in strings(m, "tag") {
        let (k, v) = tag
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "invalid value {tag:?} for --tag: expected KEY=VALUE, e.g. --tag env=prod"
                ))
            })?;
        filter = filter.tag(k.trim(), v.trim());
    }
    Ok(filter)
}

/// The download flags applied to the defaults.
pub fn download_options(m: &ArgMatches) -> Result<DownloadOptions<'static>, Failure> {
    let mut opts = DownloadOptions::new();
    if let Some(n) = m.get_one::<u32>("parts") {
        opts = opts.parts(*n);
    }
    let window = seconds(m, "throughput-window")?;
    let floor = m.get_one::<u64>("min-throughput").copied();
    if floor.is_some() || window.is_some() {
        opts = opts.min_throughput(
            floor.unwrap_or(1024),
            window.unwrap_or(Duration::from_secs(30)),
        );
    }
    if let Some(d) = seconds(m, "deadline")? {
        opts = opts.deadline(d);
    }
    Ok(opts)
}

/// A positive number of seconds (fractions allowed).
fn seconds(m: &ArgMatches, id: &str) -> Result<Option<Duration>, Failure> {
    let Some(v) = m.get_one::<String>(id) else {
        return Ok(None);
    };
    match v.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        _ => Err(Failure::usage(format!(
            "invalid value {v:?} for --{id}: expected a positive number of seconds"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_jobs_is_the_clients() {
        assert_eq!(DEFAULT_JOBS, DEFAULT_EXPORT_WORKERS.to_string());
    }
}
