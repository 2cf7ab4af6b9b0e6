//! `DescribeMongodbLogs`: the error (running) log of the last 7 days, filtered
//! by node, component, level, message id, connection and keyword.

use mongodb_errors::ErrorCode;
use mongodb_models::{DescribeMongodbLogsRequest, DescribeMongodbLogsResponse, LogInfo};

use super::window::{list, node_names, offset_within, period, Reach};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::params::{page, paging};
use crate::state::logs::ErrorLogFilter;
use crate::synth::errorlog;
use crate::synth::view::View;
use crate::util::{format_time, ApiError};

/// The filter of a request's lists (also what a download task keeps).
pub(super) struct Lists {
    pub(super) node_names: Option<Vec<String>>,
    pub(super) components: Option<Vec<String>>,
    pub(super) levels: Option<Vec<String>>,
    pub(super) ids: Option<Vec<String>>,
    pub(super) connections: Option<Vec<String>>,
    pub(super) keywords: Option<Vec<String>>,
}

/// The error log filter of `lists`, its node names checked against `view`.
pub(super) fn filter(view: &View, lists: Lists) -> Result<ErrorLogFilter, ApiError> {
    Ok(ErrorLogFilter {
        node_names: node_names(view, lists.node_names)?,
        components: list(lists.components),
        levels: list(lists.levels),
        ids: list(lists.ids),
        connections: list(lists.connections),
        keywords: list(lists.keywords),
    })
}

pub(super) fn describe_mongodb_logs(
    ctx: &mut Ctx<'_>,
    req: DescribeMongodbLogsRequest,
) -> Result<DescribeMongodbLogsResponse, ApiError> {
    let (limit, offset) = paging(req.limit, req.offset, Some(20), 100)?;
    offset_within(offset, ErrorCode::InvalidParameterValue)?;
    let view = View::of(ctx.checked(&req.instance_id, Allow::Any)?);
    let now = ctx.now_ms();
    let (a, b) = period(&req.start_time, &req.end_time, Reach::Recent, now)?;
    let f = filter(
        &view,
        Lists {
            node_names: req.node_names,
            components: req.log_components,
            levels: req.log_levels,
            ids: req.log_ids,
            connections: req.log_connections,
            keywords: req.log_detail_params,
        },
    )?;
    let entries: Vec<errorlog::Entry> = errorlog::entries(&view, a, b.min(now))
        .into_iter()
        .filter(|e| e.matches(&view, &f))
        .collect();
    let total = entries.len() as i64;
    let list = page(entries, limit, offset)
        .into_iter()
        .map(|e| {
            LogInfo::default()
                .with_log_time(format_time(e.at_ms))
                .with_log_component(e.component)
                .with_log_level(e.level)
                .with_log_id(e.id)
                .with_log_connection(e.connection)
                .with_log_detail(e.detail)
        })
        .collect();
    Ok(DescribeMongodbLogsResponse::default()
        .with_total_count(total)
        .with_log_list(list))
}
