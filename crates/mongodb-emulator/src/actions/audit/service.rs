//! `OpenAuditService`, `ModifyAuditService`, `CloseAuditService` and
//! `DescribeAuditConfig`: the audit service of one instance. Opening and
//! closing take effect at once (the emulator never shows an audit task in
//! progress).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CloseAuditServiceRequest, CloseAuditServiceResponse, DescribeAuditConfigRequest,
    DescribeAuditConfigResponse, LogFilter, ModifyAuditServiceRequest, ModifyAuditServiceResponse,
    OpenAuditServiceRequest, OpenAuditServiceResponse,
};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors::{self, one_of};
use crate::catalog;
use crate::state::audit::{AuditRule, AuditService};
use crate::state::instance::Instance;
use crate::util::{format_time, ApiError};

/// The retention periods of audit logs on offer, in days.
pub(super) const EXPIRE_DAYS: &[u64] = &[7, 30, 90, 180, 365, 1095, 1825];
/// What a rule can filter on.
const RULE_TYPES: &[&str] = &["SrcIp", "DB", "Collection", "User", "SqlType"];
/// The operations a `SqlType` rule can name.
const SQL_TYPES: &[&str] = &["query", "insert", "update", "delete", "command"];

/// Whether `instance`'s engine supports auditing: the versions on sale do
/// (4.0 and later); older ones left in a state file don't.
pub(super) fn supports_audit(instance: &Instance) -> bool {
    catalog::version(&instance.mongo_version).is_some()
}

/// The rules of `filters`, checked.
fn rules(filters: &[LogFilter]) -> Result<Vec<AuditRule>, ApiError> {
    let mut out = Vec::new();
    for (n, f) in filters.iter().enumerate() {
        let at = format!("RuleFilters.{n}");
        if !RULE_TYPES.contains(&f.r#type.as_str()) {
            return Err(errors::invalid(format!(
                "{at}.Type must be one of {}; got `{}`.",
                RULE_TYPES.join(", "),
                f.r#type
            )));
        }
        if f.compare != "EQ" {
            return Err(errors::invalid(format!(
                "{at}.Compare must be EQ; got `{}`.",
                f.compare
            )));
        }
        if f.value.is_empty() {
            return Err(errors::invalid(format!(
                "{at}.Value must hold at least one value to match."
            )));
        }
        if f.r#type == "SqlType" {
            if let Some(bad) = f.value.iter().find(|v| !SQL_TYPES.contains(&v.as_str())) {
                return Err(errors::invalid(format!(
                    "{at}.Value of a SqlType rule must name operations among {}; got `{bad}`.",
                    SQL_TYPES.join(", ")
                )));
            }
        }
        out.push(AuditRule {
            kind: f.r#type.clone(),
            compare: f.compare.clone(),
            values: f.value.clone(),
        });
    }
    Ok(out)
}

/// The rules of a service that audits everything (`audit_all`) or by rules:
/// rules are ignored in the first case and needed in the second.
fn checked_rules(audit_all: bool, rules: Vec<AuditRule>) -> Result<Vec<AuditRule>, ApiError> {
    match (audit_all, rules.is_empty()) {
        (true, _) => Ok(Vec::new()),
        (false, false) => Ok(rules),
        (false, true) => Err(errors::invalid(
            "RuleFilters must hold at least one rule when AuditAll is false; or set AuditAll to true to audit everything.",
        )),
    }
}

fn check_expire_days(days: u64) -> Result<(), ApiError> {
    one_of(
        ErrorCode::InvalidParameterValue,
        "LogExpireDay",
        &days,
        EXPIRE_DAYS,
    )
}

/// `FailedOperation.AuditConfigNotExist` for an instance whose audit is off.
fn not_open(id: &str) -> ApiError {
    errors::error(
        ErrorCode::FailedOperationAuditConfigNotExist,
        format!("The audit service of `{id}` is not open; open it with OpenAuditService."),
    )
}

pub(super) fn open_audit_service(
    ctx: &mut Ctx<'_>,
    req: OpenAuditServiceRequest,
) -> Result<OpenAuditServiceResponse, ApiError> {
    let id = req.instance_id;
    let instance = ctx.checked(&id, Allow::Running)?;
    if !supports_audit(instance) {
        return Err(errors::error(
            ErrorCode::OperationDeniedUnsupportOpenAuditError,
            format!(
                "The instance `{id}` runs {}; auditing needs MongoDB 4.0 or later (upgrade it first).",
                instance.mongo_version
            ),
        ));
    }
    if instance.audit.enabled() {
        return Err(errors::error(
            ErrorCode::OperationDeniedAuditStatusError,
            format!(
                "The audit service of `{id}` is already open; change it with ModifyAuditService."
            ),
        ));
    }
    check_expire_days(req.log_expire_day)?;
    let filters = req.rule_filters.unwrap_or_default();
    // Without AuditAll, rules mean a rule-based audit and no rules a full one.
    let audit_all = req.audit_all.unwrap_or(filters.is_empty());
    let rules = checked_rules(audit_all, rules(&filters)?)?;
    let now = ctx.now_ms();
    ctx.instance_mut(&id, Allow::Running)?.audit.service = Some(AuditService {
        audit_all,
        log_expire_days: req.log_expire_day,
        rules,
        opened_ms: now,
    });
    Ok(OpenAuditServiceResponse::default())
}

pub(super) fn modify_audit_service(
    ctx: &mut Ctx<'_>,
    req: ModifyAuditServiceRequest,
) -> Result<ModifyAuditServiceResponse, ApiError> {
    let id = req.instance_id;
    let instance = ctx.checked(&id, Allow::NotIsolated)?;
    let Some(mut service) = instance.audit.service.clone() else {
        return Err(not_open(&id));
    };
    if let Some(days) = req.log_expire_day {
        let days = u64::try_from(days).unwrap_or(0);
        check_expire_days(days)?;
        service.log_expire_days = days;
    }
    if let Some(all) = req.audit_all {
        service.audit_all = all;
    }
    let given = match &req.rule_filters {
        Some(filters) => rules(filters)?,
        None => service.rules.clone(),
    };
    service.rules = checked_rules(service.audit_all, given)?;
    ctx.instance_mut(&id, Allow::NotIsolated)?.audit.service = Some(service);
    Ok(ModifyAuditServiceResponse::default())
}

pub(super) fn close_audit_service(
    ctx: &mut Ctx<'_>,
    req: CloseAuditServiceRequest,
) -> Result<CloseAuditServiceResponse, ApiError> {
    let id = req.instance_id;
    if !ctx.checked(&id, Allow::NotIsolated)?.audit.enabled() {
        return Err(not_open(&id));
    }
    ctx.instance_mut(&id, Allow::NotIsolated)?.audit.service = None;
    Ok(CloseAuditServiceResponse::default())
}

pub(super) fn describe_audit_config(
    ctx: &mut Ctx<'_>,
    req: DescribeAuditConfigRequest,
) -> Result<DescribeAuditConfigResponse, ApiError> {
    let id = req.instance_id;
    let instance = ctx.checked(&id, Allow::Any)?;
    let Some(service) = &instance.audit.service else {
        return Err(not_open(&id));
    };
    Ok(DescribeAuditConfigResponse::default()
        .with_instance_id(id.as_str())
        .with_instance_name(instance.name.as_str())
        .with_audit_all(service.audit_all)
        .with_create_time(format_time(service.opened_ms))
        .with_log_expire_day(service.log_expire_days as i64)
        .with_log_type("storage")
        .with_is_closing("false")
        .with_is_opening("false"))
}
