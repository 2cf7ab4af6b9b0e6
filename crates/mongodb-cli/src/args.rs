//! The command line as given, made ready for clap:
//!
//! * the service word of tccli's syntax (`tcmongo mongodb DescribeDBInstances`) is dropped;
//! * the action's name, in any case and with `-`/`_` anywhere (`describe-db-backups`), is
//!   rewritten to its canonical name (`DescribeDBBackups`), also after `help`;
//! * parameters in dotted form after the action (`--BackupSets.0.ReplicaSetId cmgo-x_0`, or
//!   with `=`) are taken out, to be built into nested values by [`crate::input::dotted`]. A
//!   dotted argument whose first part is no parameter of the action is left for clap to refuse.

use std::ffi::OsString;

use mongodb_models::ActionInfo;

use crate::exit::Failure;
use crate::input::dotted::Dotted;

/// The service word tccli puts before the action.
pub const SERVICE: &str = "mongodb";

/// Subcommands that are not API actions.
pub const BUILTINS: &[&str] = &["backup", "configure", "emulator", "completions", "help"];

/// Flags that take a value, global or an action's own (so values are not read as actions or
/// dotted parameters).
const VALUE_FLAGS: &[&str] = &[
    "--region",
    "--endpoint",
    "--http-method",
    "--timeout",
    "--profile",
    "--ca-bundle",
    "--language",
    "--output",
    "-o",
    "--max-attempts",
    "--cli-input-json",
    "--filter",
    "--waiter",
];

/// The arguments for clap, and the dotted parameters taken out of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// What clap parses (program name first).
    pub args: Vec<OsString>,
    /// The dotted parameters, in the order given.
    pub dotted: Vec<Dotted>,
}

/// Prepares `args` (program name first); a dotted parameter without a value is a usage error.
pub fn prepare(mut args: Vec<OsString>) -> Result<Prepared, Failure> {
    let mut action: Option<(usize, &'static ActionInfo)> = None;
    let mut service_seen = false;
    let mut i = 1;
    while i < args.len() {
        let Some(token) = args[i].to_str() else {
            break;
        };
        if token == "--" {
            break;
        }
        if token.starts_with('-') {
            i += if takes_value(token, None) { 2 } else { 1 };
            continue;
        }
        if token == "help" {
            i += 1;
            continue;
        }
        if token == SERVICE && !service_seen {
            service_seen = true;
            args.remove(i);
            continue;
        }
        if !BUILTINS.contains(&token) {
            if let Some(info) = mongodb_models::find_action(token) {
                args[i] = OsString::from(info.name);
                action = Some((i, info));
            }
        }
        break;
    }
    let dotted = match action {
        Some((at, info)) => take_dotted(&mut args, at + 1, info)?,
        None => Vec::new(),
    };
    Ok(Prepared { args, dotted })
}

/// Removes the dotted parameters of `info` from `args[from..]` and returns them.
fn take_dotted(
    args: &mut Vec<OsString>,
    from: usize,
    info: &'static ActionInfo,
) -> Result<Vec<Dotted>, Failure> {
    let mut dotted = Vec::new();
    let mut i = from;
    while i < args.len() {
        let Some(token) = args[i].to_str() else {
            i += 1;
            continue;
        };
        if token == "--" {
            break;
        }
        let Some(flag) = token.strip_prefix("--") else {
            i += 1;
            continue;
        };
        let (path, inline) = match flag.split_once('=') {
            Some((p, v)) => (p, Some(v)),
            None => (flag, None),
        };
        let top = path.split('.').next().unwrap_or_default();
        if !path.contains('.') || !info.params.iter().any(|p| p.name == top) {
            i += if takes_value(token, Some(info)) { 2 } else { 1 };
            continue;
        }
        let (path, value, used) = match inline {
            Some(v) => (path.to_string(), v.to_string(), 1),
            None => match args.get(i + 1).and_then(|v| v.to_str()) {
                Some(v) if !v.starts_with("--") => (path.to_string(), v.to_string(), 2),
                _ => {
                    return Err(Failure::usage(format!(
                        "--{path} needs a value (e.g. --{path} VALUE)"
                    )))
                }
            },
        };
        dotted.push(Dotted::new(path, value));
        args.drain(i..i + used);
    }
    Ok(dotted)
}

/// Whether `token` is a flag whose value is the next argument.
fn takes_value(token: &str, action: Option<&ActionInfo>) -> bool {
    if token.contains('=') {
        return false;
    }
    VALUE_FLAGS.contains(&token)
        || action.is_some_and(|info| {
            token
                .strip_prefix("--")
                .is_some_and(|name| info.params.iter().any(|p| p.name == name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(args: &[&str]) -> Prepared {
        let mut all = vec![OsString::from("tcmongo")];
        all.extend(args.iter().map(OsString::from));
        prepare(all).unwrap()
    }

    fn strs(p: &Prepared) -> Vec<String> {
        p.args[1..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn the_service_word_is_dropped_and_names_canonical() {
        let p = prep(&["mongodb", "describe-db-instances", "--Limit", "1"]);
        assert_eq!(strs(&p), ["DescribeDBInstances", "--Limit", "1"]);
        let p = prep(&["--region", "mongodb", "mongodb", "describedbbackups"]);
        assert_eq!(strs(&p), ["--region", "mongodb", "DescribeDBBackups"]);
        let p = prep(&["help", "create_backup_db_instance"]);
        assert_eq!(strs(&p), ["help", "CreateBackupDBInstance"]);
        let p = prep(&["backup", "list", "--instance-id", "mongodb"]);
        assert_eq!(strs(&p), ["backup", "list", "--instance-id", "mongodb"]);
    }

    #[test]
    fn dotted_parameters_are_taken_out() {
        let p = prep(&[
            "mongodb",
            "CreateBackupDownloadTask",
            "--InstanceId",
            "cmgo-x",
            "--BackupSets.0.ReplicaSetId",
            "cmgo-x_0",
            "--BackupSets.1.ReplicaSetId=cmgo-x_1",
            "--filter",
            "Tasks[0].a.b",
            "--BackupName",
            "--not.a.dotted",
        ]);
        assert_eq!(
            strs(&p),
            [
                "CreateBackupDownloadTask",
                "--InstanceId",
                "cmgo-x",
                "--filter",
                "Tasks[0].a.b",
                "--BackupName",
                "--not.a.dotted"
            ]
        );
        assert_eq!(
            p.dotted,
            [
                Dotted::new("BackupSets.0.ReplicaSetId", "cmgo-x_0"),
                Dotted::new("BackupSets.1.ReplicaSetId", "cmgo-x_1"),
            ]
        );
    }

    #[test]
    fn unknown_parameters_and_missing_values() {
        let p = prep(&["DescribeDBInstances", "--Bogus.0", "x"]);
        assert_eq!(strs(&p), ["DescribeDBInstances", "--Bogus.0", "x"]);
        assert!(p.dotted.is_empty());
        let err = prepare(
            ["tcmongo", "DescribeDBInstances", "--InstanceIds.0"]
                .iter()
                .map(OsString::from)
                .collect(),
        )
        .unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(err.message().contains("--InstanceIds.0 needs a value"));
    }
}
