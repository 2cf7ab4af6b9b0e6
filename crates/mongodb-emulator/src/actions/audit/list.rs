//! `DescribeAuditInstanceList`: the instances of the region with their audit
//! state, filtered by whether auditing is on, by its mode and by id or name.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    AuditInstance, DescribeAuditInstanceListRequest, DescribeAuditInstanceListResponse,
    InstanceInfo, TagInfo,
};

use super::service::supports_audit;
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, one_of};
use crate::actions::params::{page, paging, signed};
use crate::catalog;
use crate::state::instance::{status, Instance};
use crate::util::{format_time, ApiError};

/// Days of audit logs kept in fast storage; the rest of the retention is in
/// slow storage.
const HIGH_STORAGE_DAYS: u64 = 7;

/// `4.4 WT` for `MONGO_44_WT`.
fn version_text(code: &str) -> String {
    match catalog::version(code) {
        Some(v) => format!("{} WT", v.number),
        None => code.to_owned(),
    }
}

fn audit_instance(i: &Instance) -> AuditInstance {
    let service = i.audit.service.as_ref();
    let on = if service.is_some() { "ON" } else { "OFF" };
    let days = service.map_or(0, |s| s.log_expire_days);
    let high = days.min(HIGH_STORAGE_DAYS);
    let tags = i
        .tags
        .iter()
        .map(|t| {
            TagInfo::default()
                .with_tag_key(t.key.as_str())
                .with_tag_value(t.value.as_str())
        })
        .collect();
    let info = InstanceInfo::default()
        .with_audit_log_expire_day(days)
        .with_audit_status(on)
        .with_instance_id(i.id.as_str())
        .with_instance_name(i.name.as_str())
        .with_instance_role("MASTER")
        .with_instance_type(if i.is_sharded() { "SHARD" } else { "REPLICATE" })
        .with_mongodb_version(version_text(&i.mongo_version))
        .with_project_id(i.project_id)
        .with_region(i.region.as_str())
        .with_status(status::describe(i.status))
        .with_support_audit(supports_audit(i))
        .with_zone(i.zone.as_str())
        .with_tag_list(tags);
    let mut item = AuditInstance::default()
        .with_instance_id(i.id.as_str())
        .with_audit_status(on)
        .with_audit_task(0)
        .with_log_expire_day(days as i64)
        .with_high_log_expire_day(high as i64)
        .with_low_log_expire_day((days - high) as i64)
        .with_billing_amount(0.0)
        .with_high_real_storage(0.0)
        .with_low_real_storage(0.0)
        .with_instance_info(info)
        .with_performances_analyse(0)
        .with_rule_template_ids(Vec::new())
        .with_deliver("OFF")
        .with_deliver_summary(Vec::new())
        .with_old_rule(false)
        .with_real_storage(0.0);
    if let Some(s) = service {
        item = item
            .with_audit_all(s.audit_all)
            .with_create_at(format_time(s.opened_ms));
    }
    item
}

/// Whether `i` passes the filter `name` = any of `values`.
fn passes(i: &Instance, name: &str, values: &[String]) -> bool {
    match name {
        "InstanceId" | "ClusterId" => values.contains(&i.id),
        _ => values.iter().any(|v| i.name.contains(v.as_str())),
    }
}

pub(super) fn describe_audit_instance_list(
    ctx: &mut Ctx<'_>,
    req: DescribeAuditInstanceListRequest,
) -> Result<DescribeAuditInstanceListResponse, ApiError> {
    let code = ErrorCode::InvalidParameterValue;
    if let Some(s) = req.audit_switch {
        one_of(code.clone(), "AuditSwitch", &s, &[0, 1])?;
    }
    if let Some(m) = req.audit_mode {
        one_of(code, "AuditMode", &m, &[0, 1])?;
    }
    let filters = req.filters.unwrap_or_default();
    for (n, f) in filters.iter().enumerate() {
        if !["InstanceId", "InstanceName", "ClusterId"].contains(&f.name.as_str()) {
            return Err(errors::invalid(format!(
                "Filters.{n}.Name must be InstanceId, InstanceName or ClusterId; got `{}`.",
                f.name
            )));
        }
    }
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(10), 100)?;
    let matching: Vec<&Instance> = ctx
        .region()
        .instances
        .iter()
        .filter(|i| {
            let service = i.audit.service.as_ref();
            let switch_ok = req
                .audit_switch
                .is_none_or(|s| (s == 1) == service.is_some());
            // 0 audits everything, 1 by rules; an instance without audit has no mode.
            let mode_ok = req
                .audit_mode
                .is_none_or(|m| service.is_some_and(|s| s.audit_all == (m == 0)));
            switch_ok && mode_ok && filters.iter().all(|f| passes(i, &f.name, &f.values))
        })
        .collect();
    let total = matching.len() as u64;
    let items = page(matching, limit, offset)
        .into_iter()
        .map(audit_instance)
        .collect();
    Ok(DescribeAuditInstanceListResponse::default()
        .with_total_count(total)
        .with_items(items))
}
