//! `RestoreDBInstance` (collections back to a point in time, into new
//! collections) and `FlashBackDBInstance` (documents picked by a key back to a
//! point in time). Each is a flow: the instance written to is processing until
//! the flow ends, then running again.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    FlashBackDBInstanceRequest, FlashBackDBInstanceResponse, RestoreDBInstanceRequest,
    RestoreDBInstanceResponse,
};

use super::schedule;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::catalog;
use crate::state::backups::DAY_MS;
use crate::state::effects::Effect;
use crate::state::instance::{status, Instance};
use crate::state::tasks::TaskKind;
use crate::util::{format_time, parse_time, ApiError};

/// The most key values one flashback takes.
const MAX_KEY_VALUES: usize = 50_000;

/// A point in time to go back to: well-formed, past, and within the
/// incremental backups `instance` keeps.
fn point_in_time(
    instance: &Instance,
    name: &str,
    text: &str,
    now_ms: i64,
) -> Result<i64, ApiError> {
    let text = text.trim();
    let Some(at) = parse_time(text) else {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueTimeFormatErr,
            format!("{name} must look like `2021-09-28 14:25:38` (UTC+8); got `{text}`."),
        ));
    };
    if at > now_ms {
        return Err(errors::invalid(format!(
            "{name} `{text}` is in the future; give a time before {}.",
            format_time(now_ms)
        )));
    }
    let days = instance.backup_rules.oplog_expired_days;
    let earliest = now_ms - days as i64 * DAY_MS;
    if at < earliest {
        return Err(errors::invalid(format!(
            "{name} `{text}` is older than the {days} days of incremental backups `{}` keeps (OplogExpiredDays); give a time after {}.",
            instance.id,
            format_time(earliest)
        )));
    }
    Ok(at)
}

/// `name` must not be empty.
fn named(name: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(errors::invalid(format!("{name} must not be empty.")));
    }
    Ok(())
}

/// Marks `instance_id` processing and starts the flow that ends it.
fn start_flow(ctx: &mut Ctx<'_>, instance_id: &str) -> Result<i64, ApiError> {
    ctx.instance_mut(instance_id, Allow::Running)?.status = status::PROCESSING;
    let id = ctx.start_task(
        TaskKind::Flow,
        vec![instance_id.to_owned()],
        Some(Effect::Rollback),
    );
    Ok(i64::try_from(id).unwrap_or(i64::MAX))
}

pub(super) fn restore_db_instance(
    ctx: &mut Ctx<'_>,
    req: RestoreDBInstanceRequest,
) -> Result<RestoreDBInstanceResponse, ApiError> {
    let id = req.instance_id;
    ctx.checked(&id, Allow::Running)?;
    schedule::catch_up(ctx, &id);
    let now = ctx.now_ms();
    let at = point_in_time(ctx.instance(&id)?, "RestoreTime", &req.restore_time, now)?;
    // A point-in-time restore starts from a full backup taken before it (to
    // the second, as times are written).
    let base = ctx
        .region()
        .backups
        .iter()
        .filter(|b| b.instance_id == id && b.end_ms.div_euclid(1000) * 1000 <= at)
        .max_by_key(|b| b.end_ms);
    if base.is_none() {
        let oldest = ctx
            .region()
            .backups
            .iter()
            .filter(|b| b.instance_id == id)
            .map(|b| b.end_ms)
            .min();
        let hint = match oldest {
            Some(t) => format!(
                "the earliest time it can go back to is {} (the end of its oldest backup)",
                format_time(t)
            ),
            None => "it has no backup; take one with CreateBackupDBInstance".to_owned(),
        };
        return Err(errors::error(
            ErrorCode::InvalidParameterValueBackupFileNotFound,
            format!(
                "No backup of `{id}` ended before RestoreTime `{}`: {hint}.",
                req.restore_time.trim()
            ),
        ));
    }
    if req.databases.is_empty() {
        return Err(errors::invalid(
            "Databases must name at least one database and its collections.",
        ));
    }
    for (n, db) in req.databases.iter().enumerate() {
        named(&format!("Databases.{n}.Db"), &db.db)?;
        if db.collections.is_empty() {
            return Err(errors::invalid(format!(
                "Databases.{n}.Collections must name at least one collection of `{}`.",
                db.db
            )));
        }
        for (c, coll) in db.collections.iter().enumerate() {
            let at = format!("Databases.{n}.Collections.{c}");
            named(&format!("{at}.OldCollection"), &coll.old_collection)?;
            named(&format!("{at}.NewCollection"), &coll.new_collection)?;
            if coll.old_collection == coll.new_collection {
                return Err(errors::invalid(format!(
                    "{at}.NewCollection must differ from OldCollection `{}`: the restored data goes to a new collection.",
                    coll.old_collection
                )));
            }
        }
    }
    let flow = start_flow(ctx, &id)?;
    log::debug!(
        "{id}: restore to {} started as flow {flow}",
        format_time(at)
    );
    Ok(RestoreDBInstanceResponse::default().with_flow_id(flow))
}

pub(super) fn flash_back_db_instance(
    ctx: &mut Ctx<'_>,
    req: FlashBackDBInstanceRequest,
) -> Result<FlashBackDBInstanceResponse, ApiError> {
    let id = req.instance_id;
    let source = ctx.checked(&id, Allow::Running)?;
    if catalog::version(&source.mongo_version).is_none() {
        return Err(errors::error(
            ErrorCode::UnsupportedOperationKernelVersionNotSupport,
            format!(
                "The instance `{id}` runs {}; flashback by key needs MongoDB 4.0 or later (upgrade it first).",
                source.mongo_version
            ),
        ));
    }
    let now = ctx.now_ms();
    point_in_time(
        source,
        "TargetFlashbackTime",
        &req.target_flashback_time,
        now,
    )?;
    let target = req
        .target_instance_id
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| id.clone());
    ctx.checked(&target, Allow::Running)?;
    if req.target_databases.is_empty() {
        return Err(errors::invalid(
            "TargetDatabases must name at least one database and its collections.",
        ));
    }
    for (n, db) in req.target_databases.iter().enumerate() {
        named(&format!("TargetDatabases.{n}.DBName"), &db.db_name)?;
        if db.collections.is_empty() {
            return Err(errors::invalid(format!(
                "TargetDatabases.{n}.Collections must name at least one collection of `{}`.",
                db.db_name
            )));
        }
        for (c, coll) in db.collections.iter().enumerate() {
            let at = format!("TargetDatabases.{n}.Collections.{c}");
            named(&format!("{at}.CollectionName"), &coll.collection_name)?;
            named(
                &format!("{at}.TargetResultCollectionName"),
                &coll.target_result_collection_name,
            )?;
            named(&format!("{at}.FilterKey"), &coll.filter_key)?;
            let values = coll.key_values.as_ref().map_or(0, Vec::len);
            if values > MAX_KEY_VALUES {
                return Err(errors::invalid(format!(
                    "{at}.KeyValues holds {values} values; at most {MAX_KEY_VALUES} go in one flashback."
                )));
            }
        }
    }
    let flow = start_flow(ctx, &target)?;
    Ok(FlashBackDBInstanceResponse::default().with_flow_id(flow))
}
