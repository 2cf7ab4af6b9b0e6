//! An instance's parameters: `DescribeInstanceParams` lists what its engine
//! version and cluster type let one change, with the current values;
//! `ModifyInstanceParams` changes them at once (`IMMEDIATELY`, the default) or
//! at the start of the next maintenance window (`DELAY`). A change waiting
//! for its window shows with its new value and `Status` 0 until then.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeInstanceParamsRequest, DescribeInstanceParamsResponse, ModifyInstanceParamsRequest,
    ModifyInstanceParamsResponse,
};

use super::table;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::state::features::next_window_start;
use crate::state::tasks::TaskKind;
use crate::util::ApiError;

pub(super) fn describe_instance_params(
    ctx: &mut Ctx<'_>,
    req: DescribeInstanceParamsRequest,
) -> Result<DescribeInstanceParamsResponse, ApiError> {
    let now = ctx.now_ms();
    let i = ctx.instance(&req.instance_id)?;
    let params = table::params_for(&i.mongo_version, i.is_sharded());
    let lists = table::lists(params, |p| match i.features.param_value(p.name, now) {
        Some((value, in_effect)) => (value.to_owned(), in_effect),
        None => (p.default.to_owned(), true),
    });
    Ok(DescribeInstanceParamsResponse::default()
        .with_total_count(lists.len() as u64)
        .with_instance_enum_param(lists.enums)
        .with_instance_integer_param(lists.integers)
        .with_instance_text_param(lists.texts)
        .with_instance_multi_param(lists.multis))
}

/// When a change asked for takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    Now,
    /// At the start of the next maintenance window.
    Window,
}

fn when(modify_type: Option<&str>) -> Result<When, ApiError> {
    match modify_type.map(str::trim) {
        None | Some("") => Ok(When::Now),
        Some(t) if t.eq_ignore_ascii_case("IMMEDIATELY") => Ok(When::Now),
        Some(t) if t.eq_ignore_ascii_case("DELAY") => Ok(When::Window),
        Some(other) => Err(errors::error(
            ErrorCode::InvalidParameterValueModifyModeError,
            format!(
                "ModifyType must be IMMEDIATELY (change now) or DELAY (change in the maintenance window); got `{other}`."
            ),
        )),
    }
}

pub(super) fn modify_instance_params(
    ctx: &mut Ctx<'_>,
    req: ModifyInstanceParamsRequest,
) -> Result<ModifyInstanceParamsResponse, ApiError> {
    let when = when(req.modify_type.as_deref())?;
    let id = req.instance_id;
    let now = ctx.now_ms();
    let i = ctx.checked(&id, Allow::Running)?;
    if req.instance_params.is_empty() {
        return Err(errors::invalid(
            "InstanceParams must name at least one parameter (Key) and its new value (Value).",
        ));
    }
    let place = format!("the instance `{id}`");
    let mut changes = Vec::new();
    for p in &req.instance_params {
        let entry = table::check(&i.mongo_version, i.is_sharded(), &place, &p.key, &p.value)?;
        changes.push((entry.name, p.value.trim().to_owned()));
    }
    let due = match when {
        When::Now => now,
        When::Window => next_window_start(now, &i.maintenance.start, &i.maintenance.days),
    };
    // The service hands out a task id for the change; the values show at once
    // (or at `due`), so the task carries no effect.
    let task = ctx.start_task(TaskKind::Task, vec![id.clone()], None);
    let features = &mut ctx.instance_mut(&id, Allow::Running)?.features;
    features.settle_params(now);
    for (name, value) in changes {
        match when {
            When::Now => features.set_param(name, &value),
            When::Window => features.delay_param(name, &value, due),
        }
    }
    Ok(ModifyInstanceParamsResponse::default()
        .with_changed(true)
        .with_task_id(task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modify_types() {
        assert_eq!(when(None).unwrap(), When::Now);
        assert_eq!(when(Some("immediately")).unwrap(), When::Now);
        assert_eq!(when(Some("DELAY")).unwrap(), When::Window);
        let e = when(Some("LATER")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterValueModifyModeError);
        assert!(e.message.contains("LATER"));
    }
}
