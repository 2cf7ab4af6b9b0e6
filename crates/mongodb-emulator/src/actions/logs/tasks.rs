//! Log download tasks: `CreateLogDownloadTask` (an error log file, `TaskType`
//! 1), `CreateSlowLogPatternDownloadTask` (slow log statistics, `TaskType` 0),
//! `DescribeLogDownloadTasks` (each going 0 → 1 → 2, or 3 when a fault says so,
//! the finished ones with a pre-signed URL of the file store) and
//! `DeleteLogDownloadTask` (the task and its file gone).

use mongodb_models::{
    CreateLogDownloadTaskRequest, CreateLogDownloadTaskResponse,
    CreateSlowLogPatternDownloadTaskRequest, CreateSlowLogPatternDownloadTaskResponse,
    DeleteLogDownloadTaskRequest, DeleteLogDownloadTaskResponse, DescribeLogDownloadTasksRequest,
    DescribeLogDownloadTasksResponse, Task,
};

use super::mongod::{filter, Lists};
use super::window::{list, period, threshold, time, Reach};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{page, paging};
use crate::config::Progress;
use crate::faults::EndAs;
use crate::logfile;
use crate::state::logs::{ErrorLogFilter, LogDownloadTask, LogTaskKind};
use crate::synth::files::{task_body, task_file_name};
use crate::synth::view::View;
use crate::util::{format_time, hex_token, splitmix64, ApiError};

/// Records a new task for `instance_id` (already checked).
fn start(ctx: &mut Ctx<'_>, instance_id: &str, mut task: LogDownloadTask) -> Result<(), ApiError> {
    let id = ctx.take_id();
    let now = ctx.now_ms();
    // Like the service's ids: 24 hex digits, the first 8 the creation second.
    task.task_id = format!("{:08x}{:016x}", now.div_euclid(1000) as u32, splitmix64(id));
    task.id = id;
    task.created_ms = now;
    task.sign = hex_token(32);
    task.fails = ctx.end_as == Some(EndAs::Failed);
    ctx.instance_mut(instance_id, Allow::NotIsolated)?
        .logs
        .download_tasks
        .push(task);
    Ok(())
}

pub(super) fn create_log_download_task(
    ctx: &mut Ctx<'_>,
    req: CreateLogDownloadTaskRequest,
) -> Result<CreateLogDownloadTaskResponse, ApiError> {
    let view = View::of(ctx.checked(&req.instance_id, Allow::NotIsolated)?);
    let (start_ms, end_ms) = period(&req.start_time, &req.end_time, Reach::Any, ctx.now_ms())?;
    let filter = filter(
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
    let task = LogDownloadTask {
        kind: LogTaskKind::ErrorLog,
        start_ms,
        end_ms,
        filter,
        ..LogDownloadTask::default()
    };
    start(ctx, &req.instance_id, task)?;
    Ok(CreateLogDownloadTaskResponse::default().with_status(0))
}

pub(super) fn create_slow_log_pattern_download_task(
    ctx: &mut Ctx<'_>,
    req: CreateSlowLogPatternDownloadTaskRequest,
) -> Result<CreateSlowLogPatternDownloadTaskResponse, ApiError> {
    ctx.checked(&req.instance_id, Allow::NotIsolated)?;
    let (start_ms, end_ms) = period(&req.start_time, &req.end_time, Reach::Any, ctx.now_ms())?;
    let threshold_ms = threshold("ThresholdMs", req.threshold_ms.unwrap_or(100))?;
    let task = LogDownloadTask {
        kind: LogTaskKind::SlowLogPattern,
        start_ms,
        end_ms,
        threshold_ms,
        commands: list(req.commands),
        filter: ErrorLogFilter::default(),
        ..LogDownloadTask::default()
    };
    start(ctx, &req.instance_id, task)?;
    Ok(CreateSlowLogPatternDownloadTaskResponse::default().with_status(vec![0]))
}

pub(super) fn describe_log_download_tasks(
    ctx: &mut Ctx<'_>,
    req: DescribeLogDownloadTasksRequest,
) -> Result<DescribeLogDownloadTasksResponse, ApiError> {
    let (limit, offset) = paging(req.limit, req.offset, Some(20), 100)?;
    let optional = |name, v: Option<String>| match v.filter(|s| !s.trim().is_empty()) {
        Some(s) => time(name, &s).map(Some),
        None => Ok(None),
    };
    let from = optional("StartTime", req.start_time)?;
    let to = optional("EndTime", req.end_time)?;
    let instance = ctx.checked(&req.instance_id, Allow::Any)?;
    let view = View::of(instance);
    let (pace, now) = (ctx.pace, ctx.now_ms());
    let mut matching: Vec<usize> = (0..instance.logs.download_tasks.len())
        .filter(|i| {
            let t = &instance.logs.download_tasks[*i];
            from.is_none_or(|f| t.created_ms >= f) && to.is_none_or(|e| t.created_ms <= e)
        })
        .collect();
    // Newest first.
    matching.reverse();
    let total = matching.len() as i64;
    let (shared, host) = (ctx.shared, ctx.host.clone());
    let tasks = &mut ctx
        .instance_mut(&req.instance_id, Allow::Any)?
        .logs
        .download_tasks;
    let mut out = Vec::new();
    for i in page(matching, limit, offset) {
        let t = &mut tasks[i];
        let st = t.step(pace.progress, now);
        let final_ = st.phase >= 2;
        if final_ && t.finished_ms.is_none() {
            t.finished_ms = Some(now.max(t.created_ms));
        }
        if pace.progress == Progress::PerPoll && !final_ {
            t.polls += 1;
        }
        let (size, url) = if st.phase == 2 {
            let name = task_file_name(&view.id, t);
            let url = logfile::url(shared, &host, t.id, &name, &t.sign, now);
            (task_body(&view, t).len() as i64, url)
        } else {
            (0, String::new())
        };
        out.push(
            Task::default()
                .with_task_type(t.kind.task_type())
                .with_task_id(t.task_id.as_str())
                .with_create_time(format_time(t.created_ms))
                .with_update_time(format_time(t.finished_ms.unwrap_or(now)))
                .with_file_size(size)
                .with_status(i64::from(st.phase))
                .with_percent(i64::from(st.percent))
                .with_url(url),
        );
    }
    Ok(DescribeLogDownloadTasksResponse::default()
        .with_total_count(total)
        .with_tasks(out))
}

pub(super) fn delete_log_download_task(
    ctx: &mut Ctx<'_>,
    req: DeleteLogDownloadTaskRequest,
) -> Result<DeleteLogDownloadTaskResponse, ApiError> {
    let task_id = req.task_id.trim();
    let tasks = &ctx
        .checked(&req.instance_id, Allow::Any)?
        .logs
        .download_tasks;
    let Some(at) = tasks.iter().position(|t| t.task_id == task_id) else {
        return Err(errors::invalid(format!(
            "TaskId `{task_id}` is not a log download task of `{}`; DescribeLogDownloadTasks lists them.",
            req.instance_id
        )));
    };
    ctx.instance_mut(&req.instance_id, Allow::Any)?
        .logs
        .download_tasks
        .remove(at);
    Ok(DeleteLogDownloadTaskResponse::default().with_status(0))
}
