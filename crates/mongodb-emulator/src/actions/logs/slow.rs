//! Slow logs: `DescribeSlowLogs` (the lines), `DescribeSlowLogPatterns`
//! (statistics of exactly those lines) and `DescribeDetailedSlowLogs` (lines
//! with their node and query hash, filtered and sorted).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeDetailedSlowLogsRequest, DescribeDetailedSlowLogsResponse,
    DescribeSlowLogPatternsRequest, DescribeSlowLogPatternsResponse, DescribeSlowLogsRequest,
    DescribeSlowLogsResponse, SlowLogItem, SlowLogPattern,
};

use super::window::{list, node_names, offset_within, period, threshold, Reach};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{descending, page, paging, signed};
use crate::synth::slow::{Entry, SlowLogs};
use crate::synth::view::View;
use crate::util::ApiError;

/// The slow logs of a request: the instance, the period (cut at the clock),
/// the threshold.
fn slow_entries(
    ctx: &Ctx<'_>,
    instance_id: &str,
    (start, end): (&str, &str),
    threshold_ms: u64,
) -> Result<(View, Vec<Entry>), ApiError> {
    let view = View::of(ctx.checked(instance_id, Allow::Any)?);
    let (a, b) = period(start, end, Reach::RecentDay, ctx.now_ms())?;
    let entries = SlowLogs::new(&view)
        .entries(a, b.min(ctx.now_ms()))
        .into_iter()
        .filter(|e| e.millis >= threshold_ms)
        .collect();
    Ok((view, entries))
}

/// Whether `Format` asks for JSON lines (4.4 and later only).
fn json_format(format: Option<&str>, view: &View) -> Result<bool, ApiError> {
    match format.map(str::trim).unwrap_or_default() {
        "" => Ok(false),
        f if f.eq_ignore_ascii_case("json") => {
            if view.version < 44 {
                return Err(errors::invalid(format!(
                    "Format json needs MongoDB 4.4 or later; `{}` runs {}.{}. Leave Format out for the native lines.",
                    view.id,
                    view.version / 10,
                    view.version % 10
                )));
            }
            Ok(true)
        }
        f => Err(errors::invalid(format!(
            "Format must be json (or left out for the native lines); got `{f}`."
        ))),
    }
}

pub(super) fn describe_slow_logs(
    ctx: &mut Ctx<'_>,
    req: DescribeSlowLogsRequest,
) -> Result<DescribeSlowLogsResponse, ApiError> {
    let threshold_ms = threshold("SlowMS", signed(Some(req.slow_ms)).unwrap_or(i64::MAX))?;
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(20), 100)?;
    offset_within(offset, ErrorCode::InvalidParameterValue)?;
    let times = (req.start_time.as_str(), req.end_time.as_str());
    let (view, entries) = slow_entries(ctx, &req.instance_id, times, threshold_ms)?;
    let json = json_format(req.format.as_deref(), &view)?;
    let slow = SlowLogs::new(&view);
    let total = entries.len() as u64;
    let lines = page(entries, limit, offset)
        .iter()
        .map(|e| if json { slow.json(e) } else { slow.text(e) })
        .collect();
    Ok(DescribeSlowLogsResponse::default()
        .with_count(total)
        .with_slow_logs(lines))
}

pub(super) fn describe_slow_log_patterns(
    ctx: &mut Ctx<'_>,
    req: DescribeSlowLogPatternsRequest,
) -> Result<DescribeSlowLogPatternsResponse, ApiError> {
    let threshold_ms = threshold("SlowMS", signed(Some(req.slow_ms)).unwrap_or(i64::MAX))?;
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(20), 100)?;
    offset_within(offset, ErrorCode::InvalidParameterValue)?;
    let times = (req.start_time.as_str(), req.end_time.as_str());
    let (view, entries) = slow_entries(ctx, &req.instance_id, times, threshold_ms)?;
    // Statistics have no lines to format: the value is checked, whatever the version.
    if let Some(f) = req.format.as_deref().map(str::trim) {
        if !f.is_empty() && !f.eq_ignore_ascii_case("json") {
            return Err(errors::invalid(format!(
                "Format must be json (or left out); got `{f}`."
            )));
        }
    }
    let patterns = SlowLogs::new(&view).patterns(&entries);
    let total = patterns.len() as u64;
    let out = page(patterns, limit, offset)
        .into_iter()
        .map(|p| {
            SlowLogPattern::default()
                .with_average_time(p.average_ms())
                .with_pattern(p.pattern)
                .with_query_hash(p.query_hash)
                .with_max_time(p.max_ms)
                .with_total(p.count)
        })
        .collect();
    Ok(DescribeSlowLogPatternsResponse::default()
        .with_count(total)
        .with_slow_log_patterns(out))
}

pub(super) fn describe_detailed_slow_logs(
    ctx: &mut Ctx<'_>,
    req: DescribeDetailedSlowLogsRequest,
) -> Result<DescribeDetailedSlowLogsResponse, ApiError> {
    let threshold_ms = threshold("ExecTime", req.exec_time.unwrap_or(100))?;
    let limit = match req.limit {
        None | Some(0) => 20,
        Some(l) if (1..=10_000).contains(&l) => l as u64,
        Some(l) => {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueLimitParaOutOfRange,
                format!("Limit must be between 1 and 10000; got {l}."),
            ))
        }
    };
    let offset = match req.offset.unwrap_or(0) {
        o if (0..=10_000).contains(&o) => o as u64,
        o => {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueOffsetParaOutOfRange,
                format!("Offset must be between 0 and 10000; got {o}."),
            ))
        }
    };
    let by_exec = match req.order_by.as_deref().map(str::trim) {
        None | Some("") => false,
        Some(o) if o.eq_ignore_ascii_case("StartTime") => false,
        Some(o) if o.eq_ignore_ascii_case("ExecTime") => true,
        Some(o) => {
            return Err(errors::invalid(format!(
                "OrderBy must be StartTime or ExecTime; got `{o}`."
            )))
        }
    };
    let Some(desc) = descending(req.order_by_type.as_deref(), true) else {
        return Err(errors::invalid(format!(
            "OrderByType must be asc or desc; got `{}`.",
            req.order_by_type.unwrap_or_default()
        )));
    };
    let times = (req.start_time.as_str(), req.end_time.as_str());
    let (view, entries) = slow_entries(ctx, &req.instance_id, times, threshold_ms)?;
    let nodes = node_names(&view, req.node_names)?;
    let (commands, texts, hashes) = (list(req.commands), list(req.texts), list(req.query_hash));
    let slow = SlowLogs::new(&view);
    let mut chosen: Vec<(Entry, String)> = entries
        .into_iter()
        .filter(|e| nodes.is_empty() || nodes.contains(&slow.node(e).name))
        .filter(|e| {
            commands.is_empty()
                || commands
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(slow.shape(e).command))
        })
        .filter(|e| {
            hashes.is_empty()
                || hashes
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&slow.shape(e).query_hash))
        })
        .map(|e| {
            let line = slow.text(&e);
            (e, line)
        })
        .filter(|(_, line)| {
            let lower = line.to_lowercase();
            texts.is_empty() || texts.iter().any(|t| lower.contains(&t.to_lowercase()))
        })
        .collect();
    chosen.sort_by_key(|(e, _)| {
        if by_exec {
            (e.millis as i64, e.at_ms)
        } else {
            (e.at_ms, e.millis as i64)
        }
    });
    if desc {
        chosen.reverse();
    }
    let total = chosen.len() as i64;
    let items = page(chosen, Some(limit), offset)
        .into_iter()
        .map(|(e, line)| {
            SlowLogItem::default()
                .with_log(line)
                .with_node_name(slow.node(&e).name.as_str())
                .with_query_hash(slow.shape(&e).query_hash.as_str())
        })
        .collect();
    Ok(DescribeDetailedSlowLogsResponse::default()
        .with_total_count(total)
        .with_detailed_slow_logs(items))
}
