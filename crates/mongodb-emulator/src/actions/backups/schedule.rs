//! The emulator's automatic backups. Once an instance's backup rules have been
//! set (`SetBackupRules`), every read of its backups first takes the automatic
//! backups that fell due since the last one (at the rules' hour, on their
//! weekdays, by their method) and removes the backups whose time is up (the
//! retention, the long-term retention, or an expiry set by
//! `ModifyBackupExpireTime`). An instance whose rules were never set keeps its
//! backups as they are, except those given an expiry.

use crate::actions::ctx::Ctx;
use crate::state::backups::{NewBackup, AUTOMATIC_BACKUP_MS};
use crate::state::instance::status;
use crate::state::region::Region;

/// What the automatic backups of the emulator write as their remark.
const AUTOMATIC_REMARK: &str = "automatic daily backup";

/// Brings the backups of `instance_id` up to date with its rules at the
/// emulator's clock (nothing happens for an unknown instance).
pub(super) fn catch_up(ctx: &mut Ctx<'_>, instance_id: &str) {
    let now = ctx.now_ms();
    let Some(instance) = ctx.region().instance(instance_id) else {
        return;
    };
    let rules = instance.backup_rules.clone();
    let due = match rules.scheduled_until_ms {
        // Work runs only on a running instance.
        Some(after) if instance.status == status::RUNNING => rules.due(after, now),
        _ => Vec::new(),
    };
    for start in &due {
        let back_id = ctx.take_id() as i64;
        let sizes = ctx.pace.sizes;
        let region = ctx.region_mut();
        let name = region.unique_backup_name(instance_id, *start);
        let backup = NewBackup {
            instance_id,
            name: &name,
            method: rules.method,
            backup_type: 0,
            remark: AUTOMATIC_REMARK,
            start_ms: *start,
            end_ms: start + AUTOMATIC_BACKUP_MS,
            back_id,
        };
        region.record_backup(backup, sizes);
    }
    if !due.is_empty() {
        if let Some(i) = ctx.region_mut().instance_mut(instance_id) {
            i.backup_rules.scheduled_until_ms = Some(now);
        }
    }
    let expired: Vec<String> = ctx
        .region()
        .backups
        .iter()
        .filter(|b| b.instance_id == instance_id && rules.expired(b, now))
        .map(|b| b.name.clone())
        .collect();
    if !expired.is_empty() {
        log::debug!("{instance_id}: backups {expired:?} expired");
        remove_backups(ctx.region_mut(), instance_id, &expired);
    }
}

/// Removes backups of `instance_id` by name, with their download tasks.
pub(super) fn remove_backups(region: &mut Region, instance_id: &str, names: &[String]) {
    region
        .backups
        .retain(|b| !(b.instance_id == instance_id && names.contains(&b.name)));
    region
        .download_tasks
        .retain(|t| !(t.instance_id == instance_id && names.contains(&t.backup_name)));
}
