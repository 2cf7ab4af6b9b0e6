//! `DeleteDBBackups` and `ModifyBackupExpireTime`: backups named by their
//! `BackId` (as `DescribeDBBackups` lists them, every method).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DeleteDBBackupsRequest, DeleteDBBackupsResponse, ModifyBackupExpireTimeRequest,
    ModifyBackupExpireTimeResponse,
};

use super::schedule::{self, remove_backups};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::state::effects::Effect;
use crate::util::{format_time, parse_time, ApiError};

/// Whether `back_id` is the backup `instance_id` is taking now.
fn is_running(ctx: &Ctx<'_>, instance_id: &str, back_id: i64) -> bool {
    ctx.region()
        .running_backups(instance_id)
        .any(|t| matches!(&t.effect, Some(Effect::Backup(b)) if b.back_id == back_id))
}

/// Deletes finished backups with their download tasks. Every id is checked
/// before any backup is deleted.
pub(super) fn delete_db_backups(
    ctx: &mut Ctx<'_>,
    req: DeleteDBBackupsRequest,
) -> Result<DeleteDBBackupsResponse, ApiError> {
    let id = req.instance_id;
    ctx.checked(&id, Allow::NotIsolated)?;
    if req.backup_ids.is_empty() {
        return Err(errors::invalid(
            "BackupIds must name at least one backup (the BackId DescribeDBBackups lists).",
        ));
    }
    schedule::catch_up(ctx, &id);
    let mut names = Vec::new();
    for back_id in &req.backup_ids {
        if is_running(ctx, &id, *back_id) {
            return Err(errors::error(
                ErrorCode::ResourceInUse,
                format!(
                    "The backup {back_id} of `{id}` is still being taken; delete it once DescribeDBBackups shows it finished (Status 2)."
                ),
            ));
        }
        let found = ctx
            .region()
            .backups
            .iter()
            .find(|b| b.instance_id == id && b.back_id == *back_id);
        match found {
            Some(b) => names.push(b.name.clone()),
            None => {
                return Err(errors::error(
                    ErrorCode::InvalidParameterValueBackupFileNotFound,
                    format!(
                        "The instance `{id}` has no backup with BackId {back_id}; DescribeDBBackups lists its backups (ask for each BackupMethod)."
                    ),
                ))
            }
        }
    }
    log::debug!("{id}: deleting backups {names:?}");
    remove_backups(ctx.region_mut(), &id, &names);
    Ok(DeleteDBBackupsResponse::default())
}

/// Sets when backups are deleted; the ids that are not finished backups of the
/// instance come back in `FailedBackups`.
pub(super) fn modify_backup_expire_time(
    ctx: &mut Ctx<'_>,
    req: ModifyBackupExpireTimeRequest,
) -> Result<ModifyBackupExpireTimeResponse, ApiError> {
    let id = req.instance_id;
    ctx.checked(&id, Allow::NotIsolated)?;
    let text = req.expire_time.trim();
    let Some(at) = parse_time(text) else {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueTimeFormatErr,
            format!("ExpireTime must look like `2026-06-06 04:02:00` (UTC+8); got `{text}`."),
        ));
    };
    let now = ctx.now_ms();
    if at <= now {
        return Err(errors::invalid(format!(
            "ExpireTime `{text}` has passed; give a time after {}.",
            format_time(now)
        )));
    }
    if req.backup_ids.is_empty() {
        return Err(errors::invalid(
            "BackupIds must name at least one backup (the BackId DescribeDBBackups lists).",
        ));
    }
    schedule::catch_up(ctx, &id);
    let mut failed = Vec::new();
    for back_id in req.backup_ids {
        let region = ctx.region_mut();
        match region
            .backups
            .iter_mut()
            .find(|b| b.instance_id == id && b.back_id == back_id)
        {
            Some(b) => b.expire_ms = Some(at),
            None => failed.push(back_id),
        }
    }
    Ok(ModifyBackupExpireTimeResponse::default().with_failed_backups(failed))
}
