//! `ModifyDBInstanceSpec` with `ModifyShardList`: chosen shards of a sharded
//! cluster take another size (the same for all of them), the others keep
//! theirs. Held to the catalog of the instance's machine type; priced as the
//! difference the resized shards make.

use mongodb_errors::ErrorCode;
use mongodb_models::ModifyShardSpecInfo;

use super::sizing::{check_used_disk, terms};
use crate::actions::errors;
use crate::actions::lifecycle::offer::{machine, node_spec, priced_instance};
use crate::catalog::{self, Priced};
use crate::state::changes::InstanceChange;
use crate::state::instance::Instance;
use crate::state::operations::ShardSize;
use crate::util::ApiError;

const GB: u64 = 1024;

/// The change, the deal's action and its (original, discounted) price.
pub(super) fn plan(
    i: &Instance,
    list: &[ModifyShardSpecInfo],
    now_ms: i64,
) -> Result<(InstanceChange, &'static str, (f64, f64)), ApiError> {
    if !i.is_sharded() {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueClusterTypeError,
            format!(
                "ModifyShardList applies to sharded clusters; `{}` is a replica set (change its size with Memory, Volume and Cpu).",
                i.id
            ),
        ));
    }
    let spec = &i.spec;
    let base = (spec.cpu, spec.memory_mb, spec.volume_mb);
    let mut ids: Vec<String> = Vec::new();
    let mut target: Option<(u64, u64, u64)> = None;
    for (n, entry) in list.iter().enumerate() {
        let field = |name: &str, v: Option<u64>| {
            v.ok_or_else(|| {
                errors::invalid(format!(
                    "ModifyShardList.{n}.{name} is required: every entry gives Cpu, Memory and Volume."
                ))
            })
        };
        let id = entry
            .replica_set_id
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                errors::invalid(format!("ModifyShardList.{n}.ReplicaSetId is required."))
            })?;
        if !i.replica_sets.iter().any(|rs| rs.id == id) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaNotFound,
                format!(
                    "ModifyShardList.{n}.ReplicaSetId `{id}` is not a shard of `{}`; its shards are {}.",
                    i.id,
                    i.replica_set_ids().join(", ")
                ),
            ));
        }
        if ids.contains(&id) {
            return Err(errors::invalid(format!(
                "ModifyShardList names `{id}` twice."
            )));
        }
        let size = (
            field("Cpu", entry.cpu)?,
            field("Memory", entry.memory)?,
            field("Volume", entry.volume)?,
        );
        if target.is_some_and(|t| t != size) {
            return Err(errors::invalid(
                "Every shard in ModifyShardList takes the same size; send shards of another size in another request.",
            ));
        }
        target = Some(size);
        ids.push(id);
    }
    let Some((cpu, memory_gb, volume_gb)) = target else {
        return Err(errors::invalid("ModifyShardList names no shard."));
    };
    let node = node_spec(
        machine(&spec.machine_type)?,
        memory_gb,
        Some(cpu),
        volume_gb,
    )?;
    let new = (node.cpu, memory_gb * GB, volume_gb * GB);
    for id in &ids {
        let (_, _, volume_mb) = i.ops.shard_size(id, base);
        check_used_disk(volume_mb, new.2, &format!("The volume of `{id}`"))?;
    }
    if ids.iter().all(|id| i.ops.shard_size(id, base) == new) {
        return Err(errors::invalid(format!(
            "The shards {} already have {} CPU, {memory_gb} GB and {volume_gb} GB.",
            ids.join(", "),
            node.cpu
        )));
    }
    let per_shard = |(cpu, memory_mb, volume_mb): (u64, u64, u64)| {
        catalog::hourly_price(&Priced {
            cpu,
            memory_gb: memory_mb / GB,
            volume_gb: volume_mb / GB,
            nodes: spec.node_num + spec.readonly_node_num,
            shards: 1,
            mongos: 0,
            mongos_cpu: 0,
            mongos_memory_gb: 0,
        })
    };
    let old_total = catalog::hourly_price(&priced_instance(i));
    let delta: f64 = ids
        .iter()
        .map(|id| per_shard(new) - per_shard(i.ops.shard_size(id, base)))
        .sum();
    let (action, prices) = terms(
        i,
        old_total,
        catalog::round_cents(old_total + delta),
        now_ms,
    );
    let change = InstanceChange::ShardSizes {
        replica_set_ids: ids,
        size: ShardSize {
            cpu: new.0,
            memory_mb: new.1,
            volume_mb: new.2,
            base,
        },
    };
    Ok((change, action, prices))
}
