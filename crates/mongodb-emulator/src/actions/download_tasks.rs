//! `CreateBackupDownloadTask` and `DescribeBackupDownloadTask`.

use mongodb_errors::ErrorCode;
use serde_json::{json, Value};

use super::params::{int_list, page, paging, str_param};
use super::Ctx;
use crate::archive;
use crate::config::Progress;
use crate::download;
use crate::faults::EndAs;
use crate::state::{is_final, DownloadTask, TaskEnd};
use crate::steps::Step;
use crate::util::{fnv1a, format_time, hex_token, parse_time, ApiError};

pub(crate) fn create_backup_download_task(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let instance_id = str_param(p, "InstanceId").unwrap_or_default().to_owned();
    let backup_name = str_param(p, "BackupName").unwrap_or_default().to_owned();
    let sets: Vec<Option<String>> = p
        .get("BackupSets")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|s| {
                    s.get("ReplicaSetId")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    if sets.is_empty() {
        return Err(ApiError::invalid_value(
            "BackupSets must name at least one replica set or shard (BackupSets.0.ReplicaSetId).",
        ));
    }
    let (progress, now, sizes) = (ctx.progress, ctx.now_ms, ctx.shared.sizes);
    let end = match ctx.end_as {
        Some(EndAs::Failed) => Some(TaskEnd::Failed),
        Some(EndAs::RetryThenComplete) => Some(TaskEnd::RetryThenComplete),
        _ => None,
    };
    ctx.shared.with_state(|s| {
        let mut changed = s.settle_all(progress, now, sizes);
        let Some(instance) = s.instance(&instance_id) else {
            return (Err(ApiError::not_found_instance(&instance_id)), changed);
        };
        let replica_sets = instance.replica_sets.clone();
        let Some(backup) = s
            .backups
            .iter()
            .find(|b| b.instance_id == instance_id && b.name == backup_name)
            .cloned()
        else {
            return (
                Err(ApiError::new(
                    ErrorCode::InvalidParameterValueBackupFileNotFound,
                    format!("The instance `{instance_id}` has no backup named `{backup_name}`."),
                )),
                changed,
            );
        };
        let mut wanted: Vec<String> = Vec::new();
        for (n, set) in sets.iter().enumerate() {
            let id = set.clone().unwrap_or_default();
            if !replica_sets.contains(&id) {
                let known = replica_sets.join(", ");
                return (
                    Err(ApiError::invalid_value(format!(
                        "BackupSets.{n}.ReplicaSetId `{id}` is not a replica set or shard of `{instance_id}` (it has: {known})."
                    ))),
                    changed,
                );
            }
            if !wanted.contains(&id) {
                wanted.push(id);
            }
        }
        let mut out = Vec::new();
        for rs in wanted {
            let existing = s.tasks.iter().find(|t| {
                t.instance_id == instance_id && t.backup_name == backup_name && t.replica_set_id == rs
            });
            let st = match existing {
                Some(t) => t.step(progress, now),
                None => {
                    let size = backup
                        .files
                        .iter()
                        .find(|f| f.replica_set_id == rs)
                        .map(|f| f.size)
                        .unwrap_or(sizes.0);
                    // Exactly the length of the archive served (old state files
                    // may hold sizes that aren't archive lengths).
                    let size = archive::fit_len(size);
                    let id = s.take_id();
                    s.tasks.push(DownloadTask {
                        id,
                        instance_id: instance_id.clone(),
                        backup_name: backup_name.clone(),
                        replica_set_id: rs.clone(),
                        size,
                        method: backup.method,
                        remark: backup.remark.clone(),
                        created_ms: now,
                        polls: 0,
                        finished_ms: None,
                        sign: hex_token(32),
                        seed: fnv1a(&[&instance_id, &backup_name, &rs]),
                        end,
                        backup_start_ms: backup.start_ms,
                        backup_end_ms: backup.end_ms,
                    });
                    changed = true;
                    Step::QUEUED
                }
            };
            out.push(json!({ "ReplicaSetId": rs, "Status": st.phase }));
        }
        (Ok(json!({ "Tasks": out })), changed)
    })
}

pub(crate) fn describe_backup_download_task(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let instance_id = str_param(p, "InstanceId").unwrap_or_default().to_owned();
    let backup_name = str_param(p, "BackupName")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let time = |name: &str| -> Result<Option<i64>, ApiError> {
        match str_param(p, name).filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(t) => parse_time(t).map(Some).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "{name} must look like `2021-01-02 15:04:05`; got `{t}`."
                ))
            }),
        }
    };
    let start = time("StartTime")?;
    let end = time("EndTime")?;
    let (limit, offset) = paging(p, Some(20), 100)?;
    let by_finish = match str_param(p, "OrderBy") {
        None | Some("") | Some("createTime") => false,
        Some("finishTime") => true,
        Some(o) => {
            return Err(ApiError::invalid_value(format!(
                "OrderBy must be createTime or finishTime; got `{o}`."
            )))
        }
    };
    let ascending = match str_param(p, "OrderByType") {
        None | Some("") => false,
        Some(t) if t.eq_ignore_ascii_case("desc") => false,
        Some(t) if t.eq_ignore_ascii_case("asc") => true,
        Some(t) => {
            return Err(ApiError::invalid_value(format!(
                "OrderByType must be asc or desc; got `{t}`."
            )))
        }
    };
    let statuses = int_list(p, "Status");
    if let Some(bad) = statuses.iter().flatten().find(|s| !(0..=4).contains(*s)) {
        return Err(ApiError::invalid_value(format!(
            "Status values must be between 0 and 4; got {bad}."
        )));
    }

    let (progress, now, sizes) = (ctx.progress, ctx.now_ms, ctx.shared.sizes);
    let (host, shared) = (ctx.host.clone(), ctx.shared);
    ctx.shared.with_state(|s| {
        let mut changed = s.settle_all(progress, now, sizes);
        let Some(instance) = s.instance(&instance_id) else {
            return (Err(ApiError::not_found_instance(&instance_id)), changed);
        };
        let region = instance.region.clone();
        let mut matching: Vec<(usize, Step)> = s
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.instance_id == instance_id)
            .filter(|(_, t)| backup_name.as_ref().is_none_or(|n| &t.backup_name == n))
            .filter(|(_, t)| start.is_none_or(|st| t.created_ms >= st))
            .filter(|(_, t)| end.is_none_or(|e| t.created_ms <= e))
            .map(|(i, t)| (i, t.step(progress, now)))
            .filter(|(_, st)| {
                statuses
                    .as_ref()
                    .is_none_or(|l| l.is_empty() || l.contains(&i64::from(st.phase)))
            })
            .collect();
        let key = |i: usize| {
            let t = &s.tasks[i];
            if by_finish {
                (t.finished_ms.unwrap_or(i64::MAX), t.id)
            } else {
                (t.created_ms, t.id)
            }
        };
        matching.sort_by_key(|(i, _)| key(*i));
        if !ascending {
            matching.reverse();
        }
        let total = matching.len();
        let mut tasks = Vec::new();
        for (i, st) in page(matching, limit, offset) {
            let t = &mut s.tasks[i];
            if is_final(st.phase) && t.finished_ms.is_none() {
                t.finished_ms = Some(now.max(t.created_ms));
                changed = true;
            }
            if progress == Progress::PerPoll && !is_final(st.phase) {
                t.polls += 1;
                changed = true;
            }
            let done = st.phase == 2;
            let spent = t.finished_ms.unwrap_or(now).saturating_sub(t.created_ms) / 1000;
            tasks.push(json!({
                "CreateTime": format_time(t.created_ms),
                "BackupName": t.backup_name,
                "ReplicaSetId": t.replica_set_id,
                "BackupSize": archive::fit_len(t.size),
                "Status": st.phase,
                "Percent": st.percent,
                "TimeSpend": spent.max(0),
                "Url": if done { download::url(shared, &host, t, now) } else { String::new() },
                "BackupMethod": t.method,
                "BackupDesc": t.remark,
                "Region": region,
                "Bucket": "emulator-backup-files",
            }));
        }
        (Ok(json!({ "TotalCount": total, "Tasks": tasks })), changed)
    })
}
