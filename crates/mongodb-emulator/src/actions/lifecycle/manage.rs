//! Renaming, moving between projects, deletion protection, and the end of an
//! instance's life: `IsolateDBInstance` (hourly instances), `TerminateDBInstances`
//! (any instance, at once), `OfflineIsolatedDBInstance` (removes an isolated
//! instance when its async request succeeds).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    AssignProjectRequest, AssignProjectResponse, IsolateDBInstanceRequest,
    IsolateDBInstanceResponse, OfflineIsolatedDBInstanceRequest, OfflineIsolatedDBInstanceResponse,
    RenameInstanceRequest, RenameInstanceResponse, SetDBInstanceDeletionProtectionRequest,
    SetDBInstanceDeletionProtectionResponse, TerminateDBInstancesRequest,
    TerminateDBInstancesResponse,
};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors::{self, one_of};
use crate::state::effects::Effect;
use crate::state::instance::{status, PAY_PREPAID};
use crate::state::tasks::TaskKind;
use crate::util::ApiError;

pub(super) fn rename_instance(
    ctx: &mut Ctx<'_>,
    req: RenameInstanceRequest,
) -> Result<RenameInstanceResponse, ApiError> {
    let name = req.new_name;
    if name.trim().is_empty() || name.chars().count() > 128 {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueIllegalInstanceName,
            format!(
                "NewName must be 1 to 128 characters long; got {} characters.",
                name.chars().count()
            ),
        ));
    }
    ctx.instance_mut(&req.instance_id, Allow::NotIsolated)?.name = name;
    Ok(RenameInstanceResponse::default())
}

/// Every instance of `ids`, checked before any is changed.
fn check_all(ctx: &Ctx<'_>, ids: &[String], allow: Allow) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Err(errors::invalid(
            "InstanceIds must name at least one instance.",
        ));
    }
    for id in ids {
        ctx.checked(id, allow)?;
    }
    Ok(())
}

/// Moves instances to a project at once; each move is also a flow (that
/// succeeds) whose id is returned.
pub(super) fn assign_project(
    ctx: &mut Ctx<'_>,
    req: AssignProjectRequest,
) -> Result<AssignProjectResponse, ApiError> {
    check_all(ctx, &req.instance_ids, Allow::NotIsolated)?;
    let mut flows = Vec::new();
    for id in &req.instance_ids {
        ctx.instance_mut(id, Allow::NotIsolated)?.project_id = req.project_id;
        flows.push(ctx.start_task(TaskKind::Flow, vec![id.clone()], None));
    }
    Ok(AssignProjectResponse::default().with_flow_ids(flows))
}

pub(super) fn set_db_instance_deletion_protection(
    ctx: &mut Ctx<'_>,
    req: SetDBInstanceDeletionProtectionRequest,
) -> Result<SetDBInstanceDeletionProtectionResponse, ApiError> {
    let flag = req.enable_deletion_protection;
    one_of(
        ErrorCode::InvalidParameterValue,
        "EnableDeletionProtection",
        &flag,
        &[0, 1],
    )?;
    check_all(ctx, &req.instance_ids, Allow::Any)?;
    for id in &req.instance_ids {
        ctx.instance_mut(id, Allow::Any)?.deletion_protection = flag == 1;
    }
    Ok(SetDBInstanceDeletionProtectionResponse::default())
}

/// Isolates an hourly instance when its async request succeeds; prepaid ones
/// are isolated with `TerminateDBInstances`.
pub(super) fn isolate_db_instance(
    ctx: &mut Ctx<'_>,
    req: IsolateDBInstanceRequest,
) -> Result<IsolateDBInstanceResponse, ApiError> {
    let id = req.instance_id;
    let instance = ctx.checked(&id, Allow::Running)?;
    if instance.pay_mode == PAY_PREPAID {
        return Err(errors::error(
            ErrorCode::InvalidParameterValuePrePaidInstanceUnableToIsolate,
            format!("The instance `{id}` is prepaid; isolate it with TerminateDBInstances."),
        ));
    }
    if instance.deletion_protection {
        return Err(errors::deletion_protected(&id));
    }
    let task = ctx.start_task(TaskKind::AsyncRequest, vec![id], Some(Effect::Isolate));
    Ok(IsolateDBInstanceResponse::default().with_async_request_id(task.to_string()))
}

/// Isolates an instance at once (the service's way to give back a prepaid
/// instance before its time; hourly ones are accepted too).
pub(super) fn terminate_db_instances(
    ctx: &mut Ctx<'_>,
    req: TerminateDBInstancesRequest,
) -> Result<TerminateDBInstancesResponse, ApiError> {
    let id = req.instance_id;
    if ctx.checked(&id, Allow::NotIsolated)?.deletion_protection {
        return Err(errors::deletion_protected(&id));
    }
    let now = ctx.now_ms();
    let instance = ctx.instance_mut(&id, Allow::NotIsolated)?;
    instance.status = if instance.pay_mode == PAY_PREPAID {
        status::ISOLATED_PREPAID
    } else {
        status::ISOLATED_HOURLY
    };
    instance.isolated_ms = Some(now);
    Ok(TerminateDBInstancesResponse::default())
}

/// Removes an isolated instance (with its backups) when its async request succeeds.
pub(super) fn offline_isolated_db_instance(
    ctx: &mut Ctx<'_>,
    req: OfflineIsolatedDBInstanceRequest,
) -> Result<OfflineIsolatedDBInstanceResponse, ApiError> {
    let id = req.instance_id;
    let instance = ctx.instance(&id)?;
    if !status::is_isolated(instance.status) {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueIllegalStatusToOffline,
            format!(
                "The instance `{id}` is not isolated (status {}); isolate it first (IsolateDBInstance or TerminateDBInstances).",
                instance.status
            ),
        ));
    }
    if instance.deletion_protection {
        return Err(errors::deletion_protected(&id));
    }
    let task = ctx.start_task(TaskKind::AsyncRequest, vec![id], Some(Effect::Remove));
    Ok(OfflineIsolatedDBInstanceResponse::default().with_async_request_id(task.to_string()))
}
