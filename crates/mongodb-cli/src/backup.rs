//! `tcmongo backup …`: the backup workflow with progress reporting.
//!
//! * `create` starts a backup (`CreateBackupDBInstance`); with `--wait` it waits for the async
//!   request through the client's waiter and prints the new backup's name.
//! * `list` shows an instance's backups (`DescribeDBBackups`), as a table unless `--output json`.
//! * `download` prepares the files of a backup (`CreateBackupDownloadTask`, one task per replica
//!   set or shard), waits for the tasks, downloads each file (resuming partial files, checking
//!   sizes) and prints the paths, one per line.
//! * `run` is create → wait → download in one command.
//!
//! The workflows are the client's (`backup_and_wait`, `replica_set_ids`,
//! `prepare_backup_download`, `download_backup`, the `describe_db_backups_iter` paginator); this
//! module only strings the calls together, reports progress and prints results.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{json, Value};

use mongodb_client_blocking::models::{
    BackupDownloadTask, BackupMethod, CreateBackupDBInstanceRequest,
};
use mongodb_client_blocking::{
    task_state_label, DownloadOptions, DownloadProgress, Error, Progress as WaitProgress,
    WaitError, WaitErrorKind,
};

use crate::exit::{self, Failure};
use crate::output::{self, print_stdout, OutputFormat};
use crate::progress::Unit;
use crate::session::{Globals, Session};

/// Columns of `backup list` as a table.
const LIST_COLUMNS: &[&str] = &[
    "BackupName",
    "BackupMethod",
    "BackupType",
    "Status",
    "BackupSize",
    "StartTime",
    "EndTime",
    "BackupDesc",
];

/// The `backup` subcommand tree.
pub fn command() -> Command {
    Command::new("backup")
        .about("Backup workflow: create, list, download, or run all of it")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("create")
                .about("Start a backup of an instance; with --wait, wait and print its name")
                .arg(instance_arg())
                .arg(method_arg())
                .arg(remark_arg())
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
                     (a table unless --output json)",
                )
                .arg(instance_arg())
                .arg(
                    Arg::new("method")
                        .long("method")
                        .value_name("METHOD")
                        .value_parser(["logical", "physical", "snapshot", "0", "1", "3"])
                        .action(ArgAction::Append)
                        .help(
                            "Only backups made this way: logical (0), physical (1) or \
                             snapshot (3) (repeatable) [default: every method]",
                        ),
                ),
        )
        .subcommand(
            Command::new("download")
                .about("Download a backup's files (all replica sets/shards by default)")
                .arg(instance_arg())
                .arg(
                    Arg::new("backup-name")
                        .long("backup-name")
                        .value_name("NAME")
                        .required(true)
                        .help("Backup name, as `backup list` shows it"),
                )
                .arg(replica_set_arg())
                .arg(out_arg()),
        )
        .subcommand(
            Command::new("run")
                .about("Create a backup, wait for it, and download its files")
                .arg(instance_arg())
                .arg(out_arg())
                .arg(method_arg())
                .arg(remark_arg())
                .arg(replica_set_arg()),
        )
}

fn instance_arg() -> Arg {
    Arg::new("instance-id")
        .long("instance-id")
        .value_name("ID")
        .required(true)
        .help("Instance id, e.g. cmgo-demo0001")
}

fn method_arg() -> Arg {
    Arg::new("method")
        .long("method")
        .value_name("METHOD")
        .value_parser(["logical", "physical", "snapshot", "0", "1", "3"])
        .default_value("logical")
        .help("Backup method: logical (0), physical (1) or snapshot (3)")
}

fn remark_arg() -> Arg {
    Arg::new("remark")
        .long("remark")
        .value_name("TEXT")
        .help("Remark stored with the backup")
}

fn replica_set_arg() -> Arg {
    Arg::new("replica-set")
        .long("replica-set")
        .value_name("ID")
        .action(ArgAction::Append)
        .help("Replica set or shard to download, e.g. cmgo-demo0002_1 (repeatable) [default: all]")
}

fn out_arg() -> Arg {
    Arg::new("out")
        .long("out")
        .value_name("DIR")
        .required(true)
        .value_parser(clap::value_parser!(PathBuf))
        .help("Directory to write the files to (created if missing)")
}

/// Runs a `backup` subcommand.
pub fn run(g: &Globals, m: &ArgMatches) -> Result<(), Failure> {
    let (name, sub) = m
        .subcommand()
        .ok_or_else(|| Failure::usage("missing backup subcommand"))?;
    let instance = arg(sub, "instance-id")?;
    let session = Session::connect(g)?;
    match name {
        "create" => {
            let req = backup_request(sub, &instance);
            if sub.get_flag("wait") {
                let created = create_and_wait(&session, &req)?;
                print_created(g, &instance, &created)
            } else {
                let resp = session.client.create_backup_db_instance(&req)?;
                print_stdout(&output::render(
                    &to_json(&resp)?,
                    g.output.unwrap_or(OutputFormat::Json),
                ))
            }
        }
        "list" => {
            let methods: Vec<BackupMethod> = sub
                .get_many::<String>("method")
                .map(|v| v.map(|m| parse_method(m)).collect())
                .unwrap_or_default();
            let backups = list_backups(&session, &instance, &methods)?;
            let value = json!({ "TotalCount": backups.len(), "BackupList": backups });
            let text = match g.output.unwrap_or(OutputFormat::Table) {
                OutputFormat::Json => output::render_json(&value),
                OutputFormat::Table if backups.is_empty() => {
                    format!("no backups of {instance}\n")
                }
                OutputFormat::Table => {
                    output::render_table(&json!({ "BackupList": backups }), Some(LIST_COLUMNS))
                }
            };
            print_stdout(&text)
        }
        "download" => {
            let backup_name = arg(sub, "backup-name")?;
            let paths = download(
                &session,
                &instance,
                &backup_name,
                &replica_sets(sub),
                out_dir(sub)?,
            )?;
            print_paths(&paths)
        }
        "run" => {
            let created = create_and_wait(&session, &backup_request(sub, &instance))?;
            let paths = download(
                &session,
                &instance,
                &created.backup_name,
                &replica_sets(sub),
                out_dir(sub)?,
            )?;
            print_paths(&paths)
        }
        other => Err(Failure::usage(format!(
            "unknown backup subcommand {other:?}"
        ))),
    }
}

/// A required string argument.
fn arg(m: &ArgMatches, id: &str) -> Result<String, Failure> {
    m.get_one::<String>(id)
        .cloned()
        .ok_or_else(|| Failure::usage(format!("--{id} is required")))
}

fn out_dir(m: &ArgMatches) -> Result<&Path, Failure> {
    m.get_one::<PathBuf>("out")
        .map(PathBuf::as_path)
        .ok_or_else(|| Failure::usage("--out is required"))
}

fn replica_sets(m: &ArgMatches) -> Vec<String> {
    m.get_many::<String>("replica-set")
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

/// The `--method` as the typed value.
fn method(m: &ArgMatches) -> BackupMethod {
    parse_method(
        m.get_one::<String>("method")
            .map_or("logical", String::as_str),
    )
}

/// A `--method` value (already checked by clap) as the typed value.
fn parse_method(v: &str) -> BackupMethod {
    match v {
        "physical" | "1" => BackupMethod::Physical,
        "snapshot" | "3" => BackupMethod::Snapshot,
        _ => BackupMethod::Logical,
    }
}

/// The `CreateBackupDBInstance` request of `create` and `run`.
fn backup_request(m: &ArgMatches, instance: &str) -> CreateBackupDBInstanceRequest {
    let req = CreateBackupDBInstanceRequest::new(instance, method(m));
    match m.get_one::<String>("remark") {
        Some(r) => req.with_backup_remark(r.as_str()),
        None => req,
    }
}

/// A typed answer as the JSON object the output formats render.
fn to_json(v: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| Failure::Other {
        code: exit::NETWORK,
        message: format!("cannot render the answer as JSON: {e}"),
    })
}

/// What `create --wait` learned.
#[derive(Debug)]
struct Created {
    async_request_id: String,
    backup_name: String,
}

/// Starts a backup and waits for it with the client's `backup_and_wait`, showing the async
/// request's status on a spinner (created at the first poll, when the request id is known).
fn create_and_wait(s: &Session, req: &CreateBackupDBInstanceRequest) -> Result<Created, Failure> {
    let instance = req.instance_id.as_str();
    let spinner: RefCell<Option<(String, crate::progress::Task)>> = RefCell::new(None);
    let opts = s.wait_options().on_progress(|p: &WaitProgress| {
        let id = p.async_request_id.clone().unwrap_or_default();
        let message = format!("request {id}: {}", p.status);
        let mut current = spinner.borrow_mut();
        match current.as_ref() {
            Some((_, task)) => task.set_message(&message),
            None => {
                let task = s.reporter.spinner(&format!("backup {instance}"), &message);
                *current = Some((id, task));
            }
        }
    });
    let result = s.client.backup_and_wait(req, &opts);
    drop(opts);
    let spinner = spinner.into_inner();
    match result {
        Ok(created) => {
            let backup_name = created.backup.backup_name.clone().unwrap_or_default();
            if let Some((_, task)) = &spinner {
                task.finish(&format!("done: {backup_name}"));
            }
            Ok(Created {
                async_request_id: created.async_request_id,
                backup_name,
            })
        }
        Err(e) => {
            if let Some((id, task)) = &spinner {
                task.fail(&format!("request {id}: {}", wait_failure_label(&e)));
            }
            // The exit code follows the typed error (see `exit::exit_code`): the service's
            // answer (paused, failed, undone, no new backup) is 1, a deadline is 3.
            Err(e.into())
        }
    }
}

/// How a failed `create --wait` reads on its spinner, from the typed error.
fn wait_failure_label(e: &Error) -> String {
    match e.wait_error().map(WaitError::kind) {
        Some(WaitErrorKind::AsyncRequestEnded { status, .. }) => status.to_string(),
        Some(WaitErrorKind::NoNewBackup { .. }) => "success, but no new backup".into(),
        Some(WaitErrorKind::TimedOut { .. }) => "still not finished at the deadline".into(),
        _ => "failed".into(),
    }
}

/// Prints the result of `create --wait`: the name, or an object with `--output json`.
fn print_created(g: &Globals, instance: &str, c: &Created) -> Result<(), Failure> {
    match g.output {
        Some(OutputFormat::Json) => print_stdout(&output::render_json(&json!({
            "InstanceId": instance,
            "AsyncRequestId": c.async_request_id,
            "BackupName": c.backup_name,
        }))),
        _ => print_stdout(&format!("{}\n", c.backup_name)),
    }
}

/// The backups of an instance made with `methods` (every method when empty), oldest first,
/// as JSON objects.
fn list_backups(
    s: &Session,
    instance: &str,
    methods: &[BackupMethod],
) -> Result<Vec<Value>, Failure> {
    let backups = s.client.list_backups(instance, methods)?;
    backups.iter().map(to_json).collect()
}

/// Prepares, waits for and downloads the files of a backup; returns the local paths.
fn download(
    s: &Session,
    instance: &str,
    backup_name: &str,
    only: &[String],
    out: &Path,
) -> Result<Vec<PathBuf>, Failure> {
    let sets = if only.is_empty() {
        s.client.replica_set_ids(instance)?
    } else {
        only.to_vec()
    };
    std::fs::create_dir_all(out).map_err(|e| Failure::Other {
        code: exit::NETWORK,
        message: format!("cannot create {}: {e}", out.display()),
    })?;

    let bars: Vec<_> = sets
        .iter()
        .map(|id| {
            let t = s
                .reporter
                .counter(&format!("prepare {id}"), Some(100), Unit::Percent);
            t.set_message("waiting");
            t
        })
        .collect();
    let opts = s.wait_options().on_progress(|p: &WaitProgress| {
        for (bar, id) in bars.iter().zip(&sets) {
            match p
                .tasks
                .iter()
                .find(|t| t.replica_set_id.as_deref() == Some(id.as_str()))
            {
                Some(t) => {
                    bar.set_position(t.percent.unwrap_or(0).clamp(0, 100) as u64);
                    bar.set_message(&task_state_label(t));
                }
                None => bar.set_message(&p.status),
            }
        }
    });
    let tasks = match s
        .client
        .prepare_backup_download(instance, backup_name, &sets, &opts)
    {
        Ok(t) => t,
        Err(e) => {
            for b in &bars {
                b.fail("failed");
            }
            return Err(e.into());
        }
    };
    for b in &bars {
        b.set_position(100);
        b.finish("completed");
    }

    let mut paths = Vec::new();
    for id in &sets {
        let task = tasks
            .iter()
            .find(|t| t.replica_set_id.as_deref() == Some(id.as_str()))
            .ok_or_else(|| Failure::Other {
                code: exit::SERVICE,
                message: format!("no download task for {id} of backup {backup_name}"),
            })?;
        let ext = task.url.as_deref().and_then(url_extension);
        let name = file_name(backup_name, id, ext.as_deref().unwrap_or("tar"));
        paths.push(download_file(s, task, id, &out.join(name))?);
    }
    Ok(paths)
}

/// Downloads one task's file to `dest` with a byte counter; a file already there with the
/// announced size is kept as it is, a `.part` file left by an earlier run is resumed.
fn download_file(
    s: &Session,
    task: &BackupDownloadTask,
    replica_set: &str,
    dest: &Path,
) -> Result<PathBuf, Failure> {
    let expected = task.backup_size.and_then(|n| u64::try_from(n).ok());
    let label = format!("download {replica_set}");
    if let (Some(n), Ok(meta)) = (expected, std::fs::metadata(dest)) {
        if meta.is_file() && meta.len() == n {
            s.reporter
                .line(&format!("{label}: already complete at {}", dest.display()));
            return Ok(dest.to_path_buf());
        }
    }
    let bar = s.reporter.counter(&label, expected, Unit::Bytes);
    let opts = DownloadOptions::new().on_progress({
        let bar = bar.clone();
        move |p: &DownloadProgress| {
            if let Some(total) = p.bytes_total {
                bar.set_length(total);
            }
            bar.set_position(p.bytes_done);
        }
    });
    match s.client.download_backup(task, dest, &opts) {
        Ok(report) => {
            let resumed = if report.resumed_from > 0 {
                format!(", resumed from byte {}", report.resumed_from)
            } else {
                String::new()
            };
            bar.finish(&format!(
                "{} bytes{resumed} -> {}",
                report.bytes,
                report.path.display()
            ));
            Ok(report.path)
        }
        Err(e) => {
            bar.fail("failed");
            Err(e.into())
        }
    }
}

/// The local file name for one replica set's file of a backup: the backup name and the set,
/// with characters that are awkward in file names (spaces, colons, slashes) replaced.
fn file_name(backup_name: &str, replica_set: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}__{}.{ext}", clean(backup_name), clean(replica_set))
}

/// The extension of the file a download URL names (`tar`, `tar.gz`, `xb`, …), when it looks
/// like one: short, lower-case letters and digits.
fn url_extension(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let (_, after_scheme) = path.split_once("://")?;
    let (_, path) = after_scheme.split_once('/')?;
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.split_once('.')?;
    let ok = ext.len() <= 12
        && ext.starts_with(|c: char| c.is_ascii_lowercase())
        && ext.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    ok.then(|| ext.to_string())
}

/// Prints one path per line on stdout.
fn print_paths(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut text = String::new();
    for p in paths {
        text.push_str(&p.display().to_string());
        text.push('\n');
    }
    print_stdout(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("cmgo-demo0002_2024-05-01 10:20", "cmgo-demo0002_1", "tar"),
            "cmgo-demo0002_2024-05-01_10_20__cmgo-demo0002_1.tar"
        );
        assert_eq!(file_name("a/b", "x", "xb"), "a_b__x.xb");
    }

    #[test]
    fn extensions_from_urls() {
        let ext = |u: &str| url_extension(u);
        assert_eq!(
            ext("http://h/download/1/a_b.tar?sign=x").as_deref(),
            Some("tar")
        );
        assert_eq!(
            ext("https://cos.x/p/backup.tar.gz").as_deref(),
            Some("tar.gz")
        );
        assert_eq!(ext("https://cos.x/p/backup").as_deref(), None);
        assert_eq!(
            ext("https://cos.x/p/cmgo-x_2024-05-01 10.20").as_deref(),
            None
        );
        assert_eq!(ext("https://cos.x.com?x=a.tar").as_deref(), None);
    }
}
