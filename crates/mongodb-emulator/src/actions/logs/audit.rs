//! Audit logs (the instance must have its audit switched on,
//! `OpenAuditService`): `DescribeAuditLogs`, and the files made of them,
//! `CreateAuditLogFile` (`creating` → `success`, or `failed` when a fault says
//! so), `DescribeAuditLogFiles` (a finished one with a pre-signed URL of the
//! file store) and `DeleteAuditLogFile`.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    AuditLog, AuditLogFile, AuditLogFilter, CreateAuditLogFileRequest, CreateAuditLogFileResponse,
    DeleteAuditLogFileRequest, DeleteAuditLogFileResponse, DescribeAuditLogFilesRequest,
    DescribeAuditLogFilesResponse, DescribeAuditLogsRequest, DescribeAuditLogsResponse,
};

use super::window::{list, period, Reach};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{page, paging, signed};
use crate::config::Progress;
use crate::faults::EndAs;
use crate::logfile;
use crate::state::instance::Instance;
use crate::state::logs::{AuditFile, AuditFilter, AuditOrderBy};
use crate::synth::audit;
use crate::synth::files::{audit_body, audit_kept};
use crate::synth::view::View;
use crate::util::{format_compact, format_time, hex_token, ApiError};

/// `OperationDenied.AuditStatusError` unless the audit is on.
fn audit_on(instance: &Instance) -> Result<(), ApiError> {
    if instance.features.audit.enabled {
        return Ok(());
    }
    Err(errors::error(
        ErrorCode::OperationDeniedAuditStatusError,
        format!(
            "The audit of `{}` is off, so it has no audit logs; switch it on with OpenAuditService first.",
            instance.id
        ),
    ))
}

/// `Order` and `OrderBy`: timestamp, newest first, unless told otherwise.
fn order(order: Option<&str>, order_by: Option<&str>) -> Result<(AuditOrderBy, bool), ApiError> {
    let desc = match order.map(str::trim).unwrap_or_default() {
        "" => true,
        o if o.eq_ignore_ascii_case("desc") => true,
        o if o.eq_ignore_ascii_case("asc") => false,
        o => {
            return Err(errors::invalid(format!(
                "Order must be ASC or DESC; got `{o}`."
            )))
        }
    };
    let by = match order_by.map(str::trim).unwrap_or_default() {
        "" | "timestamp" => AuditOrderBy::Timestamp,
        "affectRows" => AuditOrderBy::AffectRows,
        "execTime" => AuditOrderBy::ExecTime,
        o => {
            return Err(errors::invalid(format!(
                "OrderBy must be timestamp, affectRows or execTime; got `{o}`."
            )))
        }
    };
    Ok((by, desc))
}

fn filter(f: Option<AuditLogFilter>) -> AuditFilter {
    let f = f.unwrap_or_default();
    AuditFilter {
        hosts: list(f.host),
        users: list(f.user),
        exec_time_above: f.exec_time,
        affect_rows_above: f.affect_rows,
        atypes: list(f.atype),
        results: list(f.result),
        params: list(f.param),
    }
}

pub(super) fn describe_audit_logs(
    ctx: &mut Ctx<'_>,
    req: DescribeAuditLogsRequest,
) -> Result<DescribeAuditLogsResponse, ApiError> {
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(100), 100)?;
    let (by, desc) = order(req.order.as_deref(), req.order_by.as_deref())?;
    let instance = ctx.checked(&req.instance_id, Allow::Any)?;
    audit_on(instance)?;
    let now = ctx.now_ms();
    let (a, b) = period(&req.start_time, &req.end_time, Reach::Month, now)?;
    let (a, b) = audit_kept(&instance.features.audit, a, b, now);
    let f = filter(req.filter);
    let mut entries: Vec<audit::Entry> = audit::entries(&View::of(instance), a, b)
        .into_iter()
        .filter(|e| e.matches(&f))
        .collect();
    audit::sort(&mut entries, by, desc);
    let total = entries.len() as u64;
    let items = page(entries, limit, offset)
        .into_iter()
        .map(|e| {
            AuditLog::default()
                .with_timestamp(format_time(e.at_ms))
                .with_user(e.user)
                .with_roles(e.roles)
                .with_host(e.host)
                .with_atype(e.atype)
                .with_param(e.param)
                .with_result(e.result)
                .with_affect_rows(e.affect_rows)
                .with_exec_time(e.exec_ms)
        })
        .collect();
    Ok(DescribeAuditLogsResponse::default()
        .with_total_count(total)
        .with_items(items))
}

pub(super) fn create_audit_log_file(
    ctx: &mut Ctx<'_>,
    req: CreateAuditLogFileRequest,
) -> Result<CreateAuditLogFileResponse, ApiError> {
    let (order_by, descending) = order(req.order.as_deref(), req.order_by.as_deref())?;
    audit_on(ctx.checked(&req.instance_id, Allow::NotIsolated)?)?;
    let now = ctx.now_ms();
    let (start_ms, end_ms) = period(&req.start_time, &req.end_time, Reach::Month, now)?;
    let id = ctx.take_id();
    let name = format!("{}_audit_{}_{id}.csv", req.instance_id, format_compact(now));
    let file = AuditFile {
        id,
        name: name.clone(),
        start_ms,
        end_ms,
        created_ms: now,
        order_by,
        descending,
        filter: filter(req.filter),
        sign: hex_token(32),
        fails: ctx.end_as == Some(EndAs::Failed),
        ..AuditFile::default()
    };
    ctx.instance_mut(&req.instance_id, Allow::NotIsolated)?
        .logs
        .audit_files
        .push(file);
    Ok(CreateAuditLogFileResponse::default().with_file_name(name))
}

pub(super) fn describe_audit_log_files(
    ctx: &mut Ctx<'_>,
    req: DescribeAuditLogFilesRequest,
) -> Result<DescribeAuditLogFilesResponse, ApiError> {
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(20), 100)?;
    let wanted = req
        .file_name
        .map(|n| n.trim().to_owned())
        .unwrap_or_default();
    let instance = ctx.checked(&req.instance_id, Allow::Any)?;
    let view = View::of(instance);
    let audit_state = instance.features.audit.clone();
    let mut matching: Vec<usize> = (0..instance.logs.audit_files.len())
        .filter(|i| instance.logs.audit_files[*i].name.contains(&wanted))
        .collect();
    matching.reverse();
    let total = matching.len() as u64;
    let (pace, now, shared, host) = (ctx.pace, ctx.now_ms(), ctx.shared, ctx.host.clone());
    let files = &mut ctx
        .instance_mut(&req.instance_id, Allow::Any)?
        .logs
        .audit_files;
    let mut items = Vec::new();
    for i in page(matching, limit, offset) {
        let f = &mut files[i];
        let st = f.step(pace.progress, now);
        if st.phase >= 2 && f.finished_ms.is_none() {
            f.finished_ms = Some(now.max(f.created_ms));
        }
        if pace.progress == Progress::PerPoll && st.phase < 2 {
            f.polls += 1;
        }
        let (status, size_kb, url, err) = match st.phase {
            2 => (
                "success",
                (audit_body(&view, &audit_state, f).len() as u64).div_ceil(1024),
                logfile::url(shared, &host, f.id, &f.name, &f.sign, now),
                "",
            ),
            3 => (
                "failed",
                0,
                String::new(),
                "The audit log file could not be written; create it again.",
            ),
            _ => ("creating", 0, String::new(), ""),
        };
        items.push(
            AuditLogFile::default()
                .with_file_name(f.name.as_str())
                .with_create_time(format_time(f.created_ms))
                .with_status(status)
                .with_file_size(size_kb)
                .with_download_url(url)
                .with_err_msg(err)
                .with_progress_rate(u64::from(st.percent)),
        );
    }
    Ok(DescribeAuditLogFilesResponse::default()
        .with_total_count(total)
        .with_items(items))
}

pub(super) fn delete_audit_log_file(
    ctx: &mut Ctx<'_>,
    req: DeleteAuditLogFileRequest,
) -> Result<DeleteAuditLogFileResponse, ApiError> {
    let name = req.file_name.trim();
    let files = &ctx.checked(&req.instance_id, Allow::Any)?.logs.audit_files;
    let Some(at) = files.iter().position(|f| f.name == name) else {
        return Err(errors::error(
            ErrorCode::OperationDeniedResourceNotFundError,
            format!(
                "`{name}` is not an audit log file of `{}`; DescribeAuditLogFiles lists them.",
                req.instance_id
            ),
        ));
    };
    ctx.instance_mut(&req.instance_id, Allow::Any)?
        .logs
        .audit_files
        .remove(at);
    Ok(DeleteAuditLogFileResponse::default())
}
