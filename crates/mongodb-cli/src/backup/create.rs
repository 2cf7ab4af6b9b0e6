//! `backup create` (with `--wait`, through the client's `backup_and_wait`) and `backup list`
//! (the client's `list_backups`: every method unless `--method` narrows it).

use std::cell::RefCell;

use clap::ArgMatches;
use serde_json::{json, Value};

use mongodb_client_blocking::models::CreateBackupDBInstanceRequest;
use mongodb_client_blocking::{Error, Progress as WaitProgress, WaitError, WaitErrorKind};

use super::flags;
use crate::exit::{self, Failure};
use crate::output::{self, print_stdout, Format};
use crate::progress::Task;
use crate::session::Session;

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

/// `backup create`: the response object, or with `--wait` the new backup's name (an object
/// with `--output json|text`).
pub fn create(s: &Session, format: Option<Format>, m: &ArgMatches) -> Result<(), Failure> {
    let instance = flags::string(m, "instance-id")?;
    let mut req = CreateBackupDBInstanceRequest::new(instance.as_str(), flags::method_of(m));
    if let Some(r) = m.get_one::<String>("remark") {
        req = req.with_backup_remark(r.as_str());
    }
    if !m.get_flag("wait") {
        let resp = s.client.create_backup_db_instance(&req)?;
        return print_stdout(&output::render(
            &to_json(&resp)?,
            format.unwrap_or(Format::Json),
        ));
    }
    let (async_request_id, backup_name) = create_and_wait(s, &req)?;
    let value = json!({
        "InstanceId": instance,
        "AsyncRequestId": async_request_id,
        "BackupName": backup_name,
    });
    match format {
        None | Some(Format::Table) => print_stdout(&format!("{backup_name}\n")),
        Some(f) => print_stdout(&output::render(&value, f)),
    }
}

/// `backup list`.
pub fn list(s: &Session, format: Option<Format>, m: &ArgMatches) -> Result<(), Failure> {
    let instance = flags::string(m, "instance-id")?;
    let backups: Vec<Value> = s
        .client
        .list_backups(&instance, &flags::methods_of(m))?
        .iter()
        .map(to_json)
        .collect::<Result<_, _>>()?;
    let value = json!({ "TotalCount": backups.len(), "BackupList": backups });
    let text = match format.unwrap_or(Format::Table) {
        Format::Table if backups.is_empty() => format!("no backups of {instance}\n"),
        Format::Table => {
            output::render_table(&json!({ "BackupList": backups }), Some(LIST_COLUMNS))
        }
        f => output::render(&value, f),
    };
    print_stdout(&text)
}

/// A typed answer as the JSON object the output formats render.
fn to_json(v: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| Failure::Other {
        code: exit::NETWORK,
        message: format!("cannot render the answer as JSON: {e}"),
    })
}

/// Starts a backup and waits for it, showing the async request's status on a spinner
/// (created at the first poll, when the request id is known). Returns the request id and the
/// backup's name.
fn create_and_wait(
    s: &Session,
    req: &CreateBackupDBInstanceRequest,
) -> Result<(String, String), Failure> {
    let instance = req.instance_id.as_str();
    let spinner: RefCell<Option<(String, Task)>> = RefCell::new(None);
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
            Ok((created.async_request_id, backup_name))
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

/// How a failed wait reads on its spinner, from the typed error.
pub fn wait_failure_label(e: &Error) -> String {
    match e.wait_error().map(WaitError::kind) {
        Some(WaitErrorKind::AsyncRequestEnded { status, .. }) => status.to_string(),
        Some(WaitErrorKind::NoNewBackup { .. }) => "success, but no new backup".into(),
        Some(WaitErrorKind::TimedOut { .. }) => "still not finished at the deadline".into(),
        _ => "failed".into(),
    }
}
