//! Family: asynchronous work. `DescribeAsyncRequestInfo` answers for async
//! requests, flows and task ids; `DescribeDBInstanceDeal` for deals. Each
//! query is a poll: with per-poll progress it moves the work one step on.

use mongodb_models::{
    AsyncRequestStatus, DescribeAsyncRequestInfoRequest, DescribeAsyncRequestInfoResponse,
    DescribeDBInstanceDealRequest, DescribeDBInstanceDealResponse,
};

use super::ctx::Ctx;
use super::errors;
use super::route::Route;
use crate::state::tasks::TaskKind;
use crate::util::{format_time, ApiError};

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(describe_async_request_info),
        Route::new(describe_db_instance_deal),
    ]
}

fn describe_async_request_info(
    ctx: &mut Ctx<'_>,
    req: DescribeAsyncRequestInfoRequest,
) -> Result<DescribeAsyncRequestInfoResponse, ApiError> {
    let wanted = req.async_request_id.trim();
    let kinds = [TaskKind::AsyncRequest, TaskKind::Flow, TaskKind::Task];
    let idx = wanted
        .parse::<u64>()
        .ok()
        .and_then(|id| ctx.region().task_index(id, &kinds))
        .ok_or_else(|| {
            errors::invalid(format!(
                "AsyncRequestId `{wanted}` does not name a known async request or flow in region {}.",
                ctx.region_name()
            ))
        })?;
    let st = ctx.poll_task(idx);
    let task = &ctx.region().tasks[idx];
    let mut answer = DescribeAsyncRequestInfoResponse::default();
    answer.status = Some(AsyncRequestStatus::from(task.status(st)));
    answer.start_time = Some(format_time(task.created_ms));
    answer.end_time = task.finished_ms.map(format_time);
    Ok(answer)
}

fn describe_db_instance_deal(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceDealRequest,
) -> Result<DescribeDBInstanceDealResponse, ApiError> {
    let wanted = req.deal_id.trim();
    let idx = ctx.region().deal_index(wanted).ok_or_else(|| {
        errors::invalid(format!(
            "DealId `{wanted}` does not name a known deal in region {}.",
            ctx.region_name()
        ))
    })?;
    let st = ctx.poll_task(idx);
    let task = &ctx.region().tasks[idx];
    let mut answer = DescribeDBInstanceDealResponse::default();
    answer.status = Some(task.deal_status(st));
    if let Some(deal) = &task.deal {
        answer.original_price = Some(deal.original_price);
        answer.discount_price = Some(deal.discount_price);
        answer.action = Some(deal.action.clone());
    }
    answer.instance_id = task.instance_ids.first().cloned();
    Ok(answer)
}
