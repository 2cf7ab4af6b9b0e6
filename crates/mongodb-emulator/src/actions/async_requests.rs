//! Asynchronous requests: `DescribeAsyncRequestInfo`.

use serde_json::{json, Value};

use super::params::str_param;
use super::Ctx;
use crate::config::Progress;
use crate::util::{format_time, ApiError};

pub(crate) fn describe_async_request_info(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let wanted = str_param(p, "AsyncRequestId")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let (progress, now, sizes) = (ctx.progress, ctx.now_ms, ctx.shared.sizes);
    ctx.shared.with_state(|s| {
        let Some(idx) = s
            .async_requests
            .iter()
            .position(|r| r.id.to_string() == wanted)
        else {
            return (
                Err(ApiError::invalid_value(format!(
                    "AsyncRequestId `{wanted}` does not name a known async request."
                ))),
                false,
            );
        };
        let st = s.async_requests[idx].step(progress, now);
        let mut changed = false;
        if progress == Progress::PerPoll && st.phase < 2 {
            s.async_requests[idx].polls += 1;
            changed = true;
        }
        changed |= s.settle_async(idx, st, now, sizes);
        let r = &s.async_requests[idx];
        let status = r.status(st);
        let mut answer = json!({
            "Status": status,
            "StartTime": format_time(r.created_ms),
        });
        if let Some(end) = r.finished_ms {
            answer["EndTime"] = json!(format_time(end));
        }
        (Ok(answer), changed)
    })
}
