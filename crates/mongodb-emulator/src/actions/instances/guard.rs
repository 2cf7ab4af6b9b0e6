//! What every action of this family checks before it starts work on an
//! instance, and how it starts it: the instance is running and no other
//! change of it is under way (the service's instance lock); `InMaintenance`
//! is 0 or 1; the work is a flow whose change applies when it succeeds.

use mongodb_errors::ErrorCode;

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors::{self, one_of};
use crate::state::changes::InstanceChange;
use crate::state::effects::Effect;
use crate::state::instance::{status, Instance};
use crate::state::region::Region;
use crate::state::tasks::TaskKind;
use crate::util::ApiError;

/// Whether unfinished work changes instance `id` (a size, zone, version,
/// network change, …; a backup in progress does not lock it).
pub(super) fn locked(region: &Region, id: &str) -> bool {
    region.pending_for(id).any(|t| {
        matches!(
            region.tasks[t].effect,
            Some(
                Effect::Resize(_)
                    | Effect::Change(_)
                    | Effect::Isolate
                    | Effect::Remove
                    | Effect::Start
            )
        )
    })
}

/// The instance `id` if it is running and unlocked:
/// `InvalidParameterValue.NotFoundInstance`,
/// `InvalidParameterValue.IllegalInstanceStatus` (isolated, being created or
/// changed) or `FailedOperation.OperationNotAllowedInInstanceLocking`.
pub(super) fn ready<'c>(ctx: &'c Ctx<'_>, id: &str) -> Result<&'c Instance, ApiError> {
    let instance = ctx.checked(id, Allow::Running)?;
    if locked(ctx.region(), id) {
        return Err(errors::error(
            ErrorCode::FailedOperationOperationNotAllowedInInstanceLocking,
            format!(
                "Another change of the instance `{id}` is under way; wait until its flow ends (DescribeAsyncRequestInfo) and try again."
            ),
        ));
    }
    Ok(instance)
}

/// `InMaintenance` (absent: 0) is 0 (now) or 1 (in the maintenance window).
pub(super) fn in_maintenance(value: Option<i64>) -> Result<bool, ApiError> {
    let v = value.unwrap_or(0);
    one_of(
        ErrorCode::InvalidParameterValue,
        "InMaintenance",
        &v,
        &[0, 1],
    )?;
    Ok(v == 1)
}

/// Whether the instance shows status 1 (processing) while a change runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shows {
    /// The instance stays running (status 2).
    Running,
    /// The instance is processing (status 1) until the work ends.
    Processing,
}

/// Starts a flow that makes `change` on instance `id` when it succeeds and
/// returns its `FlowId`.
pub(super) fn start_flow(ctx: &mut Ctx<'_>, id: &str, change: InstanceChange, shows: Shows) -> u64 {
    if shows == Shows::Processing {
        mark_processing(ctx, id);
    }
    ctx.start_task(
        TaskKind::Flow,
        vec![id.to_owned()],
        Some(Effect::Change(change)),
    )
}

/// Status 1 (processing) until the work on instance `id` ends.
pub(super) fn mark_processing(ctx: &mut Ctx<'_>, id: &str) {
    if let Ok(i) = ctx.instance_mut(id, Allow::Any) {
        i.status = status::PROCESSING;
    }
}

/// A `FlowId` as the responses that type it signed carry it.
pub(super) fn signed(flow: u64) -> i64 {
    i64::try_from(flow).unwrap_or(i64::MAX)
}
