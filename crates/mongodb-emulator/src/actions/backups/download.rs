//! `CreateBackupDownloadTask` and `DescribeBackupDownloadTask`: one task per
//! replica set or shard of a backup, going 0 → 1 → 2 (and 3 or 4 when a fault
//! says so), the finished ones carrying a pre-signed URL of the file store.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    BackupDownloadTask, BackupDownloadTaskStatus, CreateBackupDownloadTaskRequest,
    CreateBackupDownloadTaskResponse, DescribeBackupDownloadTaskRequest,
    DescribeBackupDownloadTaskResponse,
};

use super::schedule;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{descending, page, paging};
use crate::archive;
use crate::config::Progress;
use crate::download;
use crate::faults::EndAs;
use crate::state::backups::{is_final, DownloadEnd, DownloadTask};
use crate::steps::Step;
use crate::util::{fnv1a, format_time, hex_token, parse_time, ApiError};

pub(super) fn create_backup_download_task(
    ctx: &mut Ctx<'_>,
    req: CreateBackupDownloadTaskRequest,
) -> Result<CreateBackupDownloadTaskResponse, ApiError> {
    let (instance_id, backup_name) = (req.instance_id, req.backup_name);
    if req.backup_sets.is_empty() {
        return Err(errors::invalid(
            "BackupSets must name at least one replica set or shard (BackupSets.0.ReplicaSetId).",
        ));
    }
    let end = match ctx.end_as {
        Some(EndAs::Failed) => Some(DownloadEnd::Failed),
        Some(EndAs::RetryThenComplete) => Some(DownloadEnd::RetryThenComplete),
        _ => None,
    };
    let replica_sets = ctx.checked(&instance_id, Allow::Any)?.replica_set_ids();
    schedule::catch_up(ctx, &instance_id);
    let Some(backup) = ctx
        .region()
        .backups
        .iter()
        .find(|b| b.instance_id == instance_id && b.name == backup_name)
        .cloned()
    else {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueBackupFileNotFound,
            format!("The instance `{instance_id}` has no backup named `{backup_name}`."),
        ));
    };
    let mut wanted: Vec<String> = Vec::new();
    for (n, set) in req.backup_sets.iter().enumerate() {
        let id = set.replica_set_id.clone();
        if !replica_sets.contains(&id) {
            let known = replica_sets.join(", ");
            return Err(errors::invalid(format!(
                "BackupSets.{n}.ReplicaSetId `{id}` is not a replica set or shard of `{instance_id}` (it has: {known})."
            )));
        }
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let (pace, now) = (ctx.pace, ctx.now_ms());
    let mut out = Vec::new();
    for rs in wanted {
        let existing = ctx.region().download_tasks.iter().find(|t| {
            t.instance_id == instance_id && t.backup_name == backup_name && t.replica_set_id == rs
        });
        let st = match existing {
            Some(t) => t.step(pace.progress, now),
            None => {
                let size = backup
                    .files
                    .iter()
                    .find(|f| f.replica_set_id == rs)
                    .map(|f| f.size)
                    .unwrap_or(pace.sizes.0);
                // Exactly the length of the archive served (old state files
                // may hold sizes that aren't archive lengths).
                let size = archive::fit_len(size);
                let id = ctx.take_id();
                ctx.region_mut().download_tasks.push(DownloadTask {
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
                Step::QUEUED
            }
        };
        out.push(
            BackupDownloadTaskStatus::default()
                .with_replica_set_id(rs)
                .with_status(i64::from(st.phase)),
        );
    }
    Ok(CreateBackupDownloadTaskResponse::default().with_tasks(out))
}

fn time(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    match value.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(t) => parse_time(t).map(Some).ok_or_else(|| {
            errors::invalid(format!(
                "{name} must look like `2021-01-02 15:04:05`; got `{t}`."
            ))
        }),
    }
}

pub(super) fn describe_backup_download_task(
    ctx: &mut Ctx<'_>,
    req: DescribeBackupDownloadTaskRequest,
) -> Result<DescribeBackupDownloadTaskResponse, ApiError> {
    let instance_id = req.instance_id;
    let backup_name = req.backup_name.filter(|s| !s.is_empty());
    let start = time("StartTime", req.start_time.as_deref())?;
    let end = time("EndTime", req.end_time.as_deref())?;
    let (limit, offset) = paging(req.limit, req.offset, Some(20), 100)?;
    let by_finish = match req.order_by.as_deref() {
        None | Some("") | Some("createTime") => false,
        Some("finishTime") => true,
        Some(o) => {
            return Err(errors::invalid(format!(
                "OrderBy must be createTime or finishTime; got `{o}`."
            )))
        }
    };
    let Some(desc) = descending(req.order_by_type.as_deref(), true) else {
        return Err(errors::invalid(format!(
            "OrderByType must be asc or desc; got `{}`.",
            req.order_by_type.unwrap_or_default()
        )));
    };
    let statuses = req.status.unwrap_or_default();
    if let Some(bad) = statuses.iter().find(|s| !(0..=4).contains(*s)) {
        return Err(errors::invalid(format!(
            "Status values must be between 0 and 4; got {bad}."
        )));
    }

    let region = ctx.checked(&instance_id, Allow::Any)?.region.clone();
    let (pace, now) = (ctx.pace, ctx.now_ms());
    let tasks = &ctx.region().download_tasks;
    let mut matching: Vec<(usize, Step)> = tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.instance_id == instance_id)
        .filter(|(_, t)| backup_name.as_ref().is_none_or(|n| &t.backup_name == n))
        .filter(|(_, t)| start.is_none_or(|st| t.created_ms >= st))
        .filter(|(_, t)| end.is_none_or(|e| t.created_ms <= e))
        .map(|(i, t)| (i, t.step(pace.progress, now)))
        .filter(|(_, st)| statuses.is_empty() || statuses.contains(&i64::from(st.phase)))
        .collect();
    let key = |i: usize| {
        let t = &tasks[i];
        if by_finish {
            (t.finished_ms.unwrap_or(i64::MAX), t.id)
        } else {
            (t.created_ms, t.id)
        }
    };
    matching.sort_by_key(|(i, _)| key(*i));
    if desc {
        matching.reverse();
    }
    let total = matching.len() as i64;
    let (shared, host) = (ctx.shared, ctx.host.clone());
    let mut out = Vec::new();
    for (i, st) in page(matching, limit, offset) {
        let t = &mut ctx.region_mut().download_tasks[i];
        if is_final(st.phase) && t.finished_ms.is_none() {
            t.finished_ms = Some(now.max(t.created_ms));
        }
        if pace.progress == Progress::PerPoll && !is_final(st.phase) {
            t.polls += 1;
        }
        let done = st.phase == 2;
        let spent = t.finished_ms.unwrap_or(now).saturating_sub(t.created_ms) / 1000;
        let url = if done {
            download::url(shared, &host, t, now)
        } else {
            String::new()
        };
        out.push(
            BackupDownloadTask::default()
                .with_create_time(format_time(t.created_ms))
                .with_backup_name(t.backup_name.as_str())
                .with_replica_set_id(t.replica_set_id.as_str())
                .with_backup_size(archive::fit_len(t.size).min(i64::MAX as u64) as i64)
                .with_status(i64::from(st.phase))
                .with_percent(i64::from(st.percent))
                .with_time_spend(spent.max(0))
                .with_url(url)
                .with_backup_method(t.method)
                .with_backup_desc(t.remark.as_str())
                .with_region(region.as_str())
                .with_bucket("emulator-backup-files"),
        );
    }
    Ok(DescribeBackupDownloadTaskResponse::default()
        .with_total_count(total)
        .with_tasks(out))
}
