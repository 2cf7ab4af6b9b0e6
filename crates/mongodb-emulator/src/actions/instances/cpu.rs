//! Elastic CPU: `ScaleUpDBInstanceCpu` adds cores to every node for a while,
//! `ScaleDownDBInstanceCpu` takes them back, both as flows whose change shows
//! when they succeed; `CheckDBInstanceElasticCpuScalable` tells whether one
//! may scale now and how far. The purchased size (`CpuNum` of
//! `DescribeDBInstances`) does not change.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CheckDBInstanceElasticCpuScalableRequest, CheckDBInstanceElasticCpuScalableResponse,
    ScaleDownDBInstanceCpuRequest, ScaleDownDBInstanceCpuResponse, ScaleUpDBInstanceCpuRequest,
    ScaleUpDBInstanceCpuResponse,
};

use super::guard::{self, locked, Shows};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, in_range};
use crate::state::changes::InstanceChange;
use crate::state::instance::{status, Instance};
use crate::util::{format_time, ApiError};

/// No more than this many extra cores, whatever the node size.
const MAX_EXTRA_CPU: u64 = 24;

/// `MaxExtraCpu`: the smallest shard's cores, at most 24.
fn max_extra(i: &Instance) -> u64 {
    let base = (i.spec.cpu, i.spec.memory_mb, i.spec.volume_mb);
    i.replica_sets
        .iter()
        .map(|rs| i.ops.shard_size(&rs.id, base).0)
        .min()
        .unwrap_or(i.spec.cpu)
        .min(MAX_EXTRA_CPU)
}

fn instance_id(id: Option<String>) -> Result<String, ApiError> {
    id.filter(|s| !s.is_empty())
        .ok_or_else(|| errors::invalid("InstanceId is required: name the instance (cmgo-…)."))
}

pub(super) fn scale_up_db_instance_cpu(
    ctx: &mut Ctx<'_>,
    req: ScaleUpDBInstanceCpuRequest,
) -> Result<ScaleUpDBInstanceCpuResponse, ApiError> {
    let id = instance_id(req.instance_id)?;
    let i = guard::ready(ctx, &id)?;
    if i.ops.elastic_cpu.extra_cpu > 0 {
        return Err(errors::error(
            ErrorCode::OperationDenied,
            format!(
                "The instance `{id}` already runs with {} extra CPU; scale it down first (ScaleDownDBInstanceCpu).",
                i.ops.elastic_cpu.extra_cpu
            ),
        ));
    }
    let extra = req
        .extra_cpu
        .ok_or_else(|| errors::invalid("ExtraCpu is required: the cores to add to every node."))?;
    let max = max_extra(i);
    in_range(
        ErrorCode::InvalidParameterValue,
        "ExtraCpu",
        extra,
        (1, max as i64),
    )?;
    let change = InstanceChange::ElasticCpu {
        extra_cpu: extra as u64,
    };
    let flow = guard::start_flow(ctx, &id, change, Shows::Running);
    Ok(ScaleUpDBInstanceCpuResponse::default().with_flow_id(guard::signed(flow)))
}

pub(super) fn scale_down_db_instance_cpu(
    ctx: &mut Ctx<'_>,
    req: ScaleDownDBInstanceCpuRequest,
) -> Result<ScaleDownDBInstanceCpuResponse, ApiError> {
    let id = instance_id(req.instance_id)?;
    if guard::ready(ctx, &id)?.ops.elastic_cpu.extra_cpu == 0 {
        return Err(errors::error(
            ErrorCode::OperationDenied,
            format!(
                "The instance `{id}` is not scaled up; there is nothing to scale down (see CheckDBInstanceElasticCpuScalable)."
            ),
        ));
    }
    let change = InstanceChange::ElasticCpu { extra_cpu: 0 };
    let flow = guard::start_flow(ctx, &id, change, Shows::Running);
    Ok(ScaleDownDBInstanceCpuResponse::default().with_flow_id(guard::signed(flow)))
}

/// Reading the instance polls the work that changes it, as
/// `DescribeDBInstances` does.
pub(super) fn check_db_instance_elastic_cpu_scalable(
    ctx: &mut Ctx<'_>,
    req: CheckDBInstanceElasticCpuScalableRequest,
) -> Result<CheckDBInstanceElasticCpuScalableResponse, ApiError> {
    let id = instance_id(req.instance_id)?;
    ctx.instance(&id)?;
    ctx.poll_instances(std::slice::from_ref(&id));
    let i = ctx.instance(&id)?;
    let is_locked = locked(ctx.region(), &id);
    let elastic = &i.ops.elastic_cpu;
    let scaled = elastic.extra_cpu > 0;
    let max = max_extra(i);
    let reason = if status::is_isolated(i.status) {
        "Instance is isolated"
    } else if i.status != status::RUNNING {
        "Instance is not running"
    } else if is_locked {
        "Instance is locked by a running flow"
    } else if scaled {
        "Instance is already in scaled state"
    } else if max == 0 {
        "Instance has no CPU to scale by"
    } else {
        ""
    };
    let mut answer = CheckDBInstanceElasticCpuScalableResponse::default()
        .with_scalable(reason.is_empty())
        .with_is_scaled(scaled)
        .with_is_locked(is_locked)
        .with_reason(reason)
        .with_max_extra_cpu(max as i64)
        .with_extra_cpu(elastic.extra_cpu as i64);
    if scaled {
        answer = answer.with_trigger_type(elastic.trigger_type);
        if let Some(at) = elastic.scaled_ms {
            answer = answer.with_scale_up_time(format_time(at));
        }
    }
    Ok(answer)
}
