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
//! The waiting and downloading are the client's (`wait_async_request`, `wait_backup_download`,
//! `download_backup`); this module only strings the calls together and reports progress.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{json, Value};

use mongodb_client_blocking::{DownloadOptions, DownloadProgress, Progress as WaitProgress};

use crate::cli::{print_stdout, Globals, Session};
use crate::exit::{self, Failure};
use crate::output::{self, OutputFormat};
use crate::progress::Unit;

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
                .about("List an instance's backups (a table unless --output json)")
                .arg(instance_arg()),
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
            let method = method_code(sub);
            let remark = sub.get_one::<String>("remark").map(String::as_str);
            if sub.get_flag("wait") {
                let created = create_and_wait(&session, &instance, method, remark)?;
                print_created(g, &instance, &created)
            } else {
                let resp = start_backup(&session, &instance, method, remark)?;
                print_stdout(&output::render(
                    &resp,
                    g.output.unwrap_or(OutputFormat::Json),
                ))
            }
        }
        "list" => {
            let backups = list_backups(&session, &instance)?;
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
            let method = method_code(sub);
            let remark = sub.get_one::<String>("remark").map(String::as_str);
            let created = create_and_wait(&session, &instance, method, remark)?;
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

/// The wire value of `--method`.
fn method_code(m: &ArgMatches) -> i64 {
    match m.get_one::<String>("method").map(String::as_str) {
        Some("physical") | Some("1") => 1,
        Some("snapshot") | Some("3") => 3,
        _ => 0,
    }
}

/// What `create --wait` learned.
#[derive(Debug)]
struct Created {
    async_request_id: String,
    backup_name: String,
}

/// `CreateBackupDBInstance`; returns the response object.
fn start_backup(
    s: &Session,
    instance: &str,
    method: i64,
    remark: Option<&str>,
) -> Result<Value, Failure> {
    let mut params = json!({ "InstanceId": instance, "BackupMethod": method });
    if let Some(r) = remark {
        params["BackupRemark"] = json!(r);
    }
    Ok(s.client.call_json("CreateBackupDBInstance", params)?)
}

/// Starts a backup, waits for its async request, and finds the backup it created: the newest
/// backup of the instance that was not listed before the request.
fn create_and_wait(
    s: &Session,
    instance: &str,
    method: i64,
    remark: Option<&str>,
) -> Result<Created, Failure> {
    let before: BTreeSet<String> = list_backups(s, instance)?.iter().map(backup_key).collect();
    let resp = start_backup(s, instance, method, remark)?;
    let async_request_id = text(&resp["AsyncRequestId"]).ok_or_else(|| Failure::Other {
        code: exit::NETWORK,
        message: format!("CreateBackupDBInstance answered without an AsyncRequestId: {resp}"),
    })?;
    let task = s.reporter.spinner(
        &format!("backup {instance}"),
        &format!("request {async_request_id}: started"),
    );
    let opts = s.wait_options().on_progress({
        let task = task.clone();
        let id = async_request_id.clone();
        move |p: &WaitProgress| task.set_message(&format!("request {id}: {}", p.status))
    });
    match s.client.wait_async_request(&async_request_id, &opts) {
        Ok(_) => {}
        Err(e) => {
            task.fail(&format!("request {async_request_id}: failed"));
            return Err(e.into());
        }
    }
    let after = list_backups(s, instance)?;
    let newest = newest_new_backup(&after, &before, method);
    let Some(backup_name) = newest else {
        task.fail(&format!(
            "request {async_request_id}: success, but no new backup"
        ));
        return Err(Failure::Other {
            code: exit::SERVICE,
            message: format!(
                "backup request {async_request_id} finished, but no new backup of {instance} is listed"
            ),
        });
    };
    task.finish(&format!("done: {backup_name}"));
    Ok(Created {
        async_request_id,
        backup_name,
    })
}

/// What identifies a backup record: its record id and name (two backups started in the same
/// minute may share a name).
fn backup_key(b: &Value) -> String {
    format!(
        "{}|{}",
        text(&b["BackId"]).unwrap_or_default(),
        text(&b["BackupName"]).unwrap_or_default()
    )
}

/// The name of the newest backup in `after` that is not in `before`, preferring backups made
/// with `method`.
fn newest_new_backup(after: &[Value], before: &BTreeSet<String>, method: i64) -> Option<String> {
    let fresh: Vec<&Value> = after
        .iter()
        .filter(|b| text(&b["BackupName"]).is_some() && !before.contains(&backup_key(b)))
        .collect();
    let same_method: Vec<&Value> = fresh
        .iter()
        .copied()
        .filter(|b| b["BackupMethod"].as_i64() == Some(method))
        .collect();
    let pool = if same_method.is_empty() {
        fresh
    } else {
        same_method
    };
    pool.into_iter()
        .max_by_key(|b| text(&b["StartTime"]).unwrap_or_default())
        .and_then(|b| text(&b["BackupName"]))
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

/// Every backup of an instance (`DescribeDBBackups`, page by page).
fn list_backups(s: &Session, instance: &str) -> Result<Vec<Value>, Failure> {
    const PAGE: usize = 100;
    let mut all = Vec::new();
    loop {
        let resp = s.client.call_json(
            "DescribeDBBackups",
            json!({ "InstanceId": instance, "Limit": PAGE, "Offset": all.len() }),
        )?;
        let page = match resp.get("BackupList") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let total = resp["TotalCount"].as_u64().map(|t| t as usize);
        let n = page.len();
        all.extend(page);
        if n < PAGE || total.is_some_and(|t| all.len() >= t) {
            return Ok(all);
        }
    }
}

/// The replica sets (or shards) of an instance, from `DescribeDBInstances`.
fn instance_replica_sets(s: &Session, instance: &str) -> Result<Vec<String>, Failure> {
    let resp = s
        .client
        .call_json("DescribeDBInstances", json!({ "InstanceIds": [instance] }))?;
    let detail = resp["InstanceDetails"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|i| text(&i["InstanceId"]).as_deref() == Some(instance))
        })
        .ok_or_else(|| Failure::Other {
            code: exit::SERVICE,
            message: format!("instance {instance} not found"),
        })?;
    let sets: Vec<String> = detail["ReplicaSets"]
        .as_array()
        .map(|l| l.iter().filter_map(|r| text(&r["ReplicaSetId"])).collect())
        .unwrap_or_default();
    if sets.is_empty() {
        Ok(vec![format!("{instance}_0")])
    } else {
        Ok(sets)
    }
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
        instance_replica_sets(s, instance)?
    } else {
        only.to_vec()
    };
    std::fs::create_dir_all(out).map_err(|e| Failure::Other {
        code: exit::NETWORK,
        message: format!("cannot create {}: {e}", out.display()),
    })?;
    let backup_sets: Vec<Value> = sets
        .iter()
        .map(|id| json!({ "ReplicaSetId": id }))
        .collect();
    s.client.call_json(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": instance, "BackupName": backup_name, "BackupSets": backup_sets }),
    )?;

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
    let opts = s.wait_options().on_progress({
        let bars = bars.clone();
        let sets = sets.clone();
        move |p: &WaitProgress| {
            let per_task = task_states(&p.status);
            for (bar, id) in bars.iter().zip(&sets) {
                match per_task.iter().find(|(set, _, _)| set == id) {
                    Some((_, state, pct)) => {
                        bar.set_position(*pct);
                        bar.set_message(state);
                    }
                    None => bar.set_message(&p.status),
                }
            }
        }
    });
    let tasks = match s
        .client
        .wait_backup_download_for(instance, backup_name, &sets, &opts)
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
    task: &mongodb_models::BackupDownloadTask,
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

/// Splits a download waiter's status (`"<set>: <state> <n>%, …"`) into (set, state, percent).
fn task_states(status: &str) -> Vec<(String, String, u64)> {
    status
        .split(", ")
        .filter_map(|entry| {
            let (set, rest) = entry.split_once(": ")?;
            let (state, pct) = rest.rsplit_once(' ')?;
            let pct: u64 = pct.strip_suffix('%')?.trim().parse().ok()?;
            Some((set.to_string(), state.to_string(), pct.min(100)))
        })
        .collect()
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

/// A scalar as text (strings bare, numbers printed), for ids that arrive as either.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
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

    #[test]
    fn waiter_status_splits_per_task() {
        assert_eq!(
            task_states("cmgo-x_0: preparing 40%, cmgo-x_1: waiting for retry 0%"),
            vec![
                ("cmgo-x_0".to_string(), "preparing".to_string(), 40),
                ("cmgo-x_1".to_string(), "waiting for retry".to_string(), 0),
            ]
        );
        assert!(task_states("no download task yet").is_empty());
    }

    #[test]
    fn the_new_backup_is_found() {
        let old = json!({"BackId": 1, "BackupName": "x_2024-05-01 10:00", "BackupMethod": 0,
                         "StartTime": "2024-05-01 10:00:01"});
        let before: BTreeSet<String> = [backup_key(&old)].into();
        let same_minute = json!({"BackId": 2, "BackupName": "x_2024-05-01 10:00", "BackupMethod": 0,
                                 "StartTime": "2024-05-01 10:00:30"});
        let other_method = json!({"BackId": 3, "BackupName": "x_2024-05-01 10:01", "BackupMethod": 1,
                                  "StartTime": "2024-05-01 10:01:00"});
        let after = vec![old.clone(), same_minute, other_method];
        assert_eq!(
            newest_new_backup(&after, &before, 0).as_deref(),
            Some("x_2024-05-01 10:00")
        );
        assert_eq!(
            newest_new_backup(&after, &before, 1).as_deref(),
            Some("x_2024-05-01 10:01")
        );
        assert_eq!(newest_new_backup(&[old], &before, 0), None);
    }

    #[test]
    fn text_of_ids() {
        assert_eq!(text(&json!(4773)).as_deref(), Some("4773"));
        assert_eq!(text(&json!("4773")).as_deref(), Some("4773"));
        assert_eq!(text(&json!(null)), None);
    }
}
