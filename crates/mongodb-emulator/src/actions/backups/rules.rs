//! `SetBackupRules` and `DescribeBackupRules`: an instance's automatic backup
//! rules (method, hour, frequency, weekdays, retention, long-term retention,
//! incremental retention, alert threshold). Setting them also starts the
//! emulator's automatic backups on them (see `schedule`).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    BackupMethod, BackupTotalSize, DescribeBackupRulesRequest, DescribeBackupRulesResponse,
    SetBackupRulesRequest, SetBackupRulesResponse,
};

use super::schedule;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors::{self, in_range, one_of};
use crate::catalog;
use crate::state::backups::{days_text, BackupRules, LongTerm};
use crate::state::instance::Instance;
use crate::util::ApiError;

/// Bytes of incremental (oplog) backup the emulator counts per replica set and
/// day kept.
const OPLOG_BYTES_PER_SET_AND_DAY: i64 = 64 << 20;

/// Parses `0,1,2`-style days, each within `min..=max`; sorted, without
/// repeats.
fn parse_days(name: &str, text: &str, (min, max): (u8, u8)) -> Result<Vec<u8>, ApiError> {
    let mut days = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<u8>() {
            Ok(d) if (min..=max).contains(&d) => days.push(d),
            _ => {
                return Err(errors::invalid(format!(
                    "{name} must list days between {min} and {max}, separated by commas (e.g. `{min},{}`); `{part}` is not one.",
                    min + 1
                )))
            }
        }
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

/// The backup method `method` on `instance`, or why it can't be used there.
fn check_method(instance: &Instance, method: BackupMethod) -> Result<i64, ApiError> {
    if !method.is_known() {
        return Err(errors::invalid(format!(
            "BackupMethod must be 0 (logical), 1 (physical) or 3 (snapshot); got {method}."
        )));
    }
    let id = &instance.id;
    let cloud_disk = catalog::machine(&instance.spec.machine_type).is_some_and(|m| m.cloud_disk);
    match method {
        BackupMethod::Logical if cloud_disk => Err(errors::invalid(format!(
            "The instance `{id}` is on cloud disks, which take physical (1) or snapshot (3) backups; BackupMethod 0 (logical) is not available."
        ))),
        BackupMethod::Snapshot if !cloud_disk => Err(errors::invalid(format!(
            "The instance `{id}` is on local disks, which take logical (0) or physical (1) backups; BackupMethod 3 (snapshot) needs a cloud-disk instance."
        ))),
        BackupMethod::Physical if instance.features.tde.enabled => Err(errors::invalid(format!(
            "The instance `{id}` has storage encryption on, which rules out physical backups; choose BackupMethod 0 (logical) or 3 (snapshot)."
        ))),
        m => Ok(m.value()),
    }
}

/// The rules `req` asks for, on top of `rules`: a member left out keeps its value.
fn apply(
    instance: &Instance,
    mut rules: BackupRules,
    req: &SetBackupRulesRequest,
) -> Result<BackupRules, ApiError> {
    let code = ErrorCode::InvalidParameterValue;
    if let Some(m) = req.backup_method {
        rules.method = check_method(instance, m)?;
    }
    if let Some(t) = req.backup_time {
        in_range(code.clone(), "BackupTime", t, (0, 23))?;
        rules.backup_time = t;
    }
    if let Some(f) = req.backup_frequency {
        one_of(code.clone(), "BackupFrequency", &f, &[12, 24])?;
        rules.frequency_hours = f;
    }
    if let Some(n) = req.notify {
        rules.notify = n;
    }
    if let Some(days) = req.backup_retention_period {
        in_range(code.clone(), "BackupRetentionPeriod", days, (7, 365))?;
        rules.retention_days = days;
    }
    if let Some(text) = &req.active_weekdays {
        let days = parse_days("ActiveWeekdays", text, (0, 6))?;
        // Left empty: every day, as when it was never set.
        rules.active_weekdays = if days.is_empty() {
            (0..7).collect()
        } else {
            days
        };
    }
    // `LongTermUnit` is the older name of `LongTermInterval`.
    let interval = req
        .long_term_interval
        .as_deref()
        .map(|v| ("LongTermInterval", v))
        .or(req.long_term_unit.as_deref().map(|v| ("LongTermUnit", v)));
    if let Some((name, value)) = interval {
        rules.long_term = LongTerm::from_wire(value).ok_or_else(|| {
            errors::invalid(format!(
                "{name} must be weekly, monthly or empty (no long-term retention); got `{value}`."
            ))
        })?;
    }
    if let Some(text) = &req.long_term_active_days {
        let range = match rules.long_term {
            LongTerm::Monthly => (1, 31),
            _ => (0, 6),
        };
        rules.long_term_days = parse_days("LongTermActiveDays", text, range)?;
    }
    match rules.long_term {
        LongTerm::Off => rules.long_term_days.clear(),
        LongTerm::Weekly if rules.long_term_days.iter().any(|d| *d > 6) => {
            return Err(errors::invalid(
                "LongTermActiveDays must list weekdays between 0 (Sunday) and 6 for weekly long-term retention.",
            ))
        }
        LongTerm::Monthly if rules.long_term_days.contains(&0) => {
            return Err(errors::invalid(
                "LongTermActiveDays must list days of the month between 1 and 31 for monthly long-term retention.",
            ))
        }
        _ if rules.long_term_days.is_empty() => {
            return Err(errors::invalid(format!(
                "LongTermActiveDays must name the days whose backup is kept long-term when LongTermInterval is {}.",
                rules.long_term.wire()
            )))
        }
        _ => {}
    }
    if let Some(days) = req.long_term_expired_days {
        in_range(code.clone(), "LongTermExpiredDays", days, (30, 1075))?;
        rules.long_term_expired_days = days as u64;
    }
    if let Some(days) = req.oplog_expired_days {
        in_range(code.clone(), "OplogExpiredDays", days, (7, 365))?;
        rules.oplog_expired_days = days as u64;
    }
    if let Some(v) = req.backup_version {
        one_of(code.clone(), "BackupVersion", &v, &[0, 1])?;
        rules.backup_version = v;
    }
    // `AlarmWaterLevel` is the older name of `AlertThreshold`.
    let threshold = req
        .alert_threshold
        .map(|v| ("AlertThreshold", v))
        .or(req.alarm_water_level.map(|v| ("AlarmWaterLevel", v)));
    if let Some((name, v)) = threshold {
        in_range(code, name, v, (50, 300))?;
        rules.alert_threshold = v;
    }
    Ok(rules)
}

pub(super) fn set_backup_rules(
    ctx: &mut Ctx<'_>,
    req: SetBackupRulesRequest,
) -> Result<SetBackupRulesResponse, ApiError> {
    let id = req.instance_id.clone();
    let instance = ctx.checked(&id, Allow::NotIsolated)?;
    let rules = apply(instance, instance.backup_rules.clone(), &req)?;
    // The backups due under the old rules are taken first.
    schedule::catch_up(ctx, &id);
    let now = ctx.now_ms();
    let instance = ctx.instance_mut(&id, Allow::NotIsolated)?;
    let since = instance.backup_rules.scheduled_until_ms.unwrap_or(now);
    instance.backup_rules = BackupRules {
        scheduled_until_ms: Some(since.max(now)),
        ..rules
    };
    Ok(SetBackupRulesResponse::default())
}

pub(super) fn describe_backup_rules(
    ctx: &mut Ctx<'_>,
    req: DescribeBackupRulesRequest,
) -> Result<DescribeBackupRulesResponse, ApiError> {
    let id = req.instance_id;
    ctx.checked(&id, Allow::Any)?;
    schedule::catch_up(ctx, &id);
    let instance = ctx.instance(&id)?;
    let r = &instance.backup_rules;
    let snapshot: u64 = ctx
        .region()
        .backups
        .iter()
        .filter(|b| b.instance_id == id)
        .flat_map(|b| b.files.iter().map(|f| f.size))
        .sum();
    let sets = instance.replica_sets.len().max(1) as i64;
    let oplog = sets * r.oplog_expired_days as i64 * OPLOG_BYTES_PER_SET_AND_DAY;
    // The free quota is the purchased storage, in bytes.
    let free = (instance.spec.volume_mb * instance.spec.shard_num.max(1)) as i64 * (1 << 20);
    let total = BackupTotalSize::default()
        .with_snapshot_size(i64::try_from(snapshot).unwrap_or(i64::MAX))
        .with_oplog_size(oplog)
        .with_free_quota(free);
    Ok(DescribeBackupRulesResponse::default()
        .with_backup_save_time(r.retention_days)
        .with_backup_frequency(r.frequency_hours as i64)
        .with_backup_time(r.backup_time)
        .with_backup_method(r.method)
        .with_active_weekdays(days_text(&r.active_weekdays))
        .with_long_term_interval(r.long_term.wire())
        .with_long_term_active_days(days_text(&r.long_term_days))
        .with_long_term_expired_days(r.long_term_expired_days as i64)
        .with_oplog_expired_days(r.oplog_expired_days as i64)
        .with_backup_version(r.backup_version)
        .with_backup_total_size(total)
        .with_alert_threshold(r.alert_threshold))
}
