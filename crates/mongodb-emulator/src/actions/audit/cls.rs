//! `ModifyDBInstanceLogToCLS` and `DescribeDBInstanceLogToCLS`: shipping an
//! instance's error, slow and operation logs to a log set and topic of the
//! Cloud Log Service. The emulator has no log service behind it: log sets and
//! topics it is asked to create get ids derived from their region and name
//! (the same name gives the same id), and existing ids are taken as given.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeDBInstanceLogToCLSRequest, DescribeDBInstanceLogToCLSResponse, LogToCLSConfig,
    ModifyDBInstanceLogToCLSRequest, ModifyDBInstanceLogToCLSResponse,
};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::catalog;
use crate::state::audit::{ClsTarget, ShippedLog};
use crate::util::{fnv1a, splitmix64, ApiError};

/// A log set or topic id in the service's form (`64ae0139-0621-4e59-aba7-f60cd2264ab6`),
/// derived from `parts`.
fn derived_id(parts: &[&str]) -> String {
    let a = splitmix64(fnv1a(parts));
    let b = splitmix64(a);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `CLSRegion` as given (a region of the catalog), or `default`.
fn cls_region(given: Option<&str>, default: &str) -> Result<String, ApiError> {
    match given.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(default.to_owned()),
        Some(r) if catalog::has_region(r) => Ok(r.to_owned()),
        Some(r) => Err(errors::error(
            ErrorCode::InvalidParameterValueRegionError,
            format!("CLSRegion `{r}` is not a region of the service (e.g. ap-guangzhou)."),
        )),
    }
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// The target shipping on takes: `Logset` and `LogTopic` name existing ids, or
/// with `CreateLogset` / `CreateLogTopic` the names of new ones; what is left
/// out is kept from `before` (same region) or made up.
fn switched_on(
    req: &ModifyDBInstanceLogToCLSRequest,
    before: &ClsTarget,
    region: String,
    instance_id: &str,
) -> Result<ClsTarget, ApiError> {
    let logset = non_empty(req.logset.as_deref());
    let topic = non_empty(req.log_topic.as_deref());
    let create_logset = req.create_logset.unwrap_or(false);
    let create_topic = req.create_log_topic.unwrap_or(false);
    if create_logset && logset.is_none() {
        return Err(errors::invalid(
            "Logset must hold the name of the log set to create when CreateLogset is true.",
        ));
    }
    if create_topic && topic.is_none() {
        return Err(errors::invalid(
            "LogTopic must hold the name of the log topic to create when CreateLogTopic is true.",
        ));
    }
    let reuse = before.cls_region == region && !before.logset_id.is_empty();
    if logset.is_none() && topic.is_none() && !reuse {
        return Err(errors::invalid(
            "Status ON needs Logset or LogTopic: the id of an existing log set or topic, or with CreateLogset / CreateLogTopic the name of one to create.",
        ));
    }
    let logset_id = match logset {
        Some(name) if create_logset => derived_id(&[&region, "logset", name]),
        Some(id) => id.to_owned(),
        None if reuse => before.logset_id.clone(),
        None => derived_id(&[&region, "logset", "cloud_mongodb_logs"]),
    };
    let topic_id = match topic {
        Some(name) if create_topic => derived_id(&[&region, &logset_id, "topic", name]),
        Some(id) => id.to_owned(),
        None if reuse && before.logset_id == logset_id && !before.topic_id.is_empty() => {
            before.topic_id.clone()
        }
        None => derived_id(&[&region, &logset_id, "topic", instance_id, &req.log_type]),
    };
    Ok(ClsTarget {
        on: true,
        cls_region: region,
        logset_id,
        topic_id,
    })
}

pub(super) fn modify_db_instance_log_to_cls(
    ctx: &mut Ctx<'_>,
    req: ModifyDBInstanceLogToCLSRequest,
) -> Result<ModifyDBInstanceLogToCLSResponse, ApiError> {
    let id = req.instance_id.clone();
    let instance = ctx.checked(&id, Allow::NotIsolated)?;
    let Some(kind) = ShippedLog::from_wire(&req.log_type) else {
        let names: Vec<&str> = ShippedLog::ALL.iter().map(|(_, n)| *n).collect();
        return Err(errors::invalid(format!(
            "LogType must be one of {}; got `{}`.",
            names.join(", "),
            req.log_type
        )));
    };
    let region = cls_region(req.cls_region.as_deref(), ctx.region_name())?;
    let before = instance.audit.cls.target(kind).clone();
    let after = match req.status.as_str() {
        "ON" => switched_on(&req, &before, region, &id)?,
        // Turned off: the ids stay for a later ON.
        "OFF" => ClsTarget {
            on: false,
            ..before
        },
        other => {
            return Err(errors::invalid(format!(
                "Status must be ON or OFF; got `{other}`."
            )))
        }
    };
    *ctx.instance_mut(&id, Allow::NotIsolated)?
        .audit
        .cls
        .target_mut(kind) = after;
    Ok(ModifyDBInstanceLogToCLSResponse::default())
}

pub(super) fn describe_db_instance_log_to_cls(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceLogToCLSRequest,
) -> Result<DescribeDBInstanceLogToCLSResponse, ApiError> {
    let instance = ctx.checked(&req.instance_id, Allow::Any)?;
    let asked = non_empty(req.cls_region.as_deref());
    let asked = match asked {
        Some(r) => Some(cls_region(Some(r), r)?),
        None => None,
    };
    let config = |kind: ShippedLog| {
        let t = instance.audit.cls.target(kind);
        let never_set = t.cls_region.is_empty();
        let elsewhere = asked.as_ref().is_some_and(|r| *r != t.cls_region);
        if never_set || elsewhere {
            // Nothing of this log goes to the region asked about.
            let region = asked.clone().unwrap_or_else(|| instance.region.clone());
            return LogToCLSConfig::default()
                .with_cls_region(region)
                .with_status("OFF")
                .with_log_set_id("")
                .with_log_topic_id("");
        }
        LogToCLSConfig::default()
            .with_cls_region(t.cls_region.as_str())
            .with_status(if t.on { "ON" } else { "OFF" })
            .with_log_set_id(t.logset_id.as_str())
            .with_log_topic_id(t.topic_id.as_str())
    };
    let mut answer = DescribeDBInstanceLogToCLSResponse::default();
    answer.error_log = Some(config(ShippedLog::Error));
    answer.slow_log = Some(config(ShippedLog::Slow));
    answer.operation_log = Some(config(ShippedLog::Operation));
    Ok(answer)
}
