//! Backups: `CreateBackupDBInstance` and `DescribeDBBackups`.

use mongodb_errors::ErrorCode;
use serde_json::{json, Value};

use super::params::{int_param, page, paging, str_param};
use super::Ctx;
use crate::faults::EndAs;
use crate::state::{AsyncEnd, AsyncRequest, Backup};
use crate::util::{format_time, ApiError};

/// Backup methods: 0 logical, 1 physical, 3 snapshot.
const METHODS: [i64; 3] = [0, 1, 3];

fn check_method(method: Option<i64>) -> Result<(), ApiError> {
    match method {
        Some(m) if !METHODS.contains(&m) => Err(ApiError::invalid_value(format!(
            "BackupMethod must be 0 (logical), 1 (physical) or 3 (snapshot); got {m}."
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn create_backup_db_instance(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let instance_id = str_param(p, "InstanceId").unwrap_or_default().to_owned();
    let method = int_param(p, "BackupMethod");
    check_method(method)?;
    let method = method.unwrap_or(0);
    if let Some(days) = int_param(p, "BackupRetentionDays") {
        if !(-2..=7300).contains(&days) {
            return Err(ApiError::invalid_value(format!(
                "BackupRetentionDays must be between -2 and 7300; got {days}."
            )));
        }
    }
    let remark = str_param(p, "BackupRemark").unwrap_or_default().to_owned();
    let now = ctx.now_ms;
    let end = match ctx.end_as {
        Some(EndAs::Paused) => Some(AsyncEnd::Paused),
        Some(EndAs::Failed) => Some(AsyncEnd::Failed),
        Some(EndAs::Undoed) => Some(AsyncEnd::Undoed),
        _ => None,
    };
    let id = ctx.shared.with_state(|s| {
        let Some(instance) = s.instance(&instance_id) else {
            return (Err(ApiError::not_found_instance(&instance_id)), false);
        };
        if instance.status != 2 {
            let status = instance.status;
            return (
                Err(ApiError::new(
                    ErrorCode::InvalidParameterValueIllegalInstanceStatus,
                    format!(
                        "The instance `{instance_id}` is not running (status {status}); backups need a running instance."
                    ),
                )),
                false,
            );
        }
        let backup_name = s.unique_backup_name(&instance_id, now);
        let id = s.take_id();
        let back_id = s.take_id() as i64;
        s.async_requests.push(AsyncRequest {
            id,
            instance_id: instance_id.clone(),
            backup_name,
            method,
            remark,
            created_ms: now,
            polls: 0,
            finished_ms: None,
            end,
            back_id: Some(back_id),
        });
        (Ok(id), true)
    })?;
    log::debug!("backup of {instance_id} started as async request {id}");
    Ok(json!({ "AsyncRequestId": id.to_string() }))
}

fn backup_info(b: &Backup, region: &str) -> Value {
    json!({
        "InstanceId": b.instance_id,
        "BackupType": b.backup_type,
        "BackupName": b.name,
        "BackupDesc": b.remark,
        "BackupSize": b.size_kb(),
        "StartTime": format_time(b.start_ms),
        "EndTime": format_time(b.end_ms),
        "Status": 2,
        "BackupMethod": b.method,
        "BackId": b.back_id,
        "DeleteTime": format_time(b.start_ms + 7 * 86_400_000),
        "BackupRegion": region,
        "RestoreTime": format_time(b.end_ms),
    })
}

/// A backup still being taken: `Status` 1, no size or end yet.
fn running_info(r: &AsyncRequest, region: &str) -> Value {
    json!({
        "InstanceId": r.instance_id,
        "BackupType": 1,
        "BackupName": r.backup_name,
        "BackupDesc": r.remark,
        "BackupSize": 0,
        "StartTime": format_time(r.created_ms),
        "EndTime": "",
        "Status": 1,
        "BackupMethod": r.method,
        "BackId": r.back_id.unwrap_or_default(),
        "DeleteTime": format_time(r.created_ms + 7 * 86_400_000),
        "BackupRegion": region,
        "RestoreTime": "",
    })
}

/// Lists finished and running backups of one method. Without `BackupMethod`
/// only logical (0) backups are listed: a guess at the service's behaviour,
/// which lists no physical backups to a caller that doesn't name the method.
pub(crate) fn describe_db_backups(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let instance_id = str_param(p, "InstanceId").unwrap_or_default().to_owned();
    let method = int_param(p, "BackupMethod");
    check_method(method)?;
    let method = method.unwrap_or(0);
    let (limit, offset) = paging(p, None, 100)?;
    let (progress, now, sizes) = (ctx.progress, ctx.now_ms, ctx.shared.sizes);
    let mut listed: Vec<(i64, i64, Value)> = ctx.shared.with_state(|s| {
        let changed = s.settle_all(progress, now, sizes);
        let Some(instance) = s.instance(&instance_id) else {
            return (Err(ApiError::not_found_instance(&instance_id)), changed);
        };
        let region = instance.region.clone();
        let done = s
            .backups
            .iter()
            .filter(|b| b.instance_id == instance_id && b.method == method)
            .map(|b| (b.start_ms, b.back_id, backup_info(b, &region)));
        let running = s
            .async_requests
            .iter()
            .filter(|r| r.instance_id == instance_id && r.method == method)
            .filter(|r| r.finished_ms.is_none())
            .map(|r| {
                let back_id = r.back_id.unwrap_or_default();
                (r.created_ms, back_id, running_info(r, &region))
            });
        (Ok(done.chain(running).collect()), changed)
    })?;
    // Newest first.
    listed.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let total = listed.len();
    let list: Vec<Value> = page(listed, limit, offset)
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    Ok(json!({ "BackupList": list, "TotalCount": total }))
}
