//! `CreateBackupDBInstance` and `DescribeDBBackups`.

use mongodb_models::{
    BackupInfo, BackupMethod, CreateBackupDBInstanceRequest, CreateBackupDBInstanceResponse,
    DescribeDBBackupsRequest, DescribeDBBackupsResponse,
};

use super::schedule;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{page, paging, signed};
use crate::state::backups::{Backup, BackupRules, DAY_MS};
use crate::state::effects::{BackupEffect, Effect};
use crate::state::tasks::{Task, TaskKind};
use crate::util::{format_time, ApiError};

/// Backup methods: 0 logical, 1 physical, 3 snapshot.
fn check_method(method: Option<BackupMethod>) -> Result<i64, ApiError> {
    match method {
        Some(m) if !m.is_known() => Err(errors::invalid(format!(
            "BackupMethod must be 0 (logical), 1 (physical) or 3 (snapshot); got {m}."
        ))),
        Some(m) => Ok(m.value()),
        None => Ok(0),
    }
}

pub(super) fn create_backup_db_instance(
    ctx: &mut Ctx<'_>,
    req: CreateBackupDBInstanceRequest,
) -> Result<CreateBackupDBInstanceResponse, ApiError> {
    let method = check_method(Some(req.backup_method))?;
    if let Some(days) = req.backup_retention_days {
        if !(-2..=7300).contains(&days) {
            return Err(errors::invalid(format!(
                "BackupRetentionDays must be between -2 and 7300; got {days}."
            )));
        }
    }
    let instance_id = req.instance_id;
    ctx.checked(&instance_id, Allow::Running)?;
    let now = ctx.now_ms();
    let backup_name = ctx.region().unique_backup_name(&instance_id, now);
    let back_id = ctx.take_id() as i64;
    let effect = Effect::Backup(BackupEffect {
        backup_name,
        method,
        remark: req.backup_remark.unwrap_or_default(),
        back_id,
    });
    let id = ctx.start_task(
        TaskKind::AsyncRequest,
        vec![instance_id.clone()],
        Some(effect),
    );
    log::debug!("backup of {instance_id} started as async request {id}");
    Ok(CreateBackupDBInstanceResponse::default().with_async_request_id(id.to_string()))
}

fn backup_info(b: &Backup, rules: &BackupRules, region: &str) -> BackupInfo {
    BackupInfo::default()
        .with_instance_id(b.instance_id.as_str())
        .with_backup_type(i64::from(b.backup_type))
        .with_backup_name(b.name.as_str())
        .with_backup_desc(b.remark.as_str())
        .with_backup_size(b.size_kb())
        .with_start_time(format_time(b.start_ms))
        .with_end_time(format_time(b.end_ms))
        .with_status(2)
        .with_backup_method(b.method)
        .with_back_id(b.back_id)
        .with_delete_time(format_time(rules.delete_ms(b)))
        .with_backup_region(region)
        .with_restore_time(format_time(b.end_ms))
}

/// A backup still being taken: `Status` 1, no size or end yet.
fn running_info(
    t: &Task,
    b: &BackupEffect,
    keep_days: u64,
    instance_id: &str,
    region: &str,
) -> BackupInfo {
    BackupInfo::default()
        .with_instance_id(instance_id)
        .with_backup_type(1)
        .with_backup_name(b.backup_name.as_str())
        .with_backup_desc(b.remark.as_str())
        .with_backup_size(0)
        .with_start_time(format_time(t.created_ms))
        .with_end_time("")
        .with_status(1)
        .with_backup_method(b.method)
        .with_back_id(b.back_id)
        .with_delete_time(format_time(t.created_ms + keep_days as i64 * DAY_MS))
        .with_backup_region(region)
        .with_restore_time("")
}

/// Lists finished and running backups of one method. Without `BackupMethod`
/// only logical (0) backups are listed: a guess at the service's behaviour,
/// which lists no physical backups to a caller that doesn't name the method.
pub(super) fn describe_db_backups(
    ctx: &mut Ctx<'_>,
    req: DescribeDBBackupsRequest,
) -> Result<DescribeDBBackupsResponse, ApiError> {
    let method = check_method(req.backup_method)?;
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), None, 100)?;
    let instance_id = req.instance_id;
    ctx.checked(&instance_id, Allow::Any)?;
    schedule::catch_up(ctx, &instance_id);
    let instance = ctx.instance(&instance_id)?;
    let (region, rules) = (instance.region.clone(), &instance.backup_rules);
    let r = ctx.region();
    let done = r
        .backups
        .iter()
        .filter(|b| b.instance_id == instance_id && b.method == method)
        .map(|b| (b.start_ms, b.back_id, backup_info(b, rules, &region)));
    let running = r
        .running_backups(&instance_id)
        .filter_map(|t| match &t.effect {
            Some(Effect::Backup(b)) if b.method == method => Some((
                t.created_ms,
                b.back_id,
                running_info(t, b, rules.retention_days, &instance_id, &region),
            )),
            _ => None,
        });
    let mut listed: Vec<(i64, i64, BackupInfo)> = done.chain(running).collect();
    // Newest first.
    listed.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let total = listed.len() as u64;
    let list = page(listed, limit, offset)
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    Ok(DescribeDBBackupsResponse::default()
        .with_backup_list(list)
        .with_total_count(total))
}
