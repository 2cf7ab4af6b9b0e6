//! `ModifyDBInstanceSpec`: a change of size, held to the same catalog and
//! priced by the same rule as `InquirePriceModifyDBInstanceSpec` (a test
//! checks both agree). The change is a deal (`upgrade` or `downgrade`); the
//! instance is processing (status 1) until it is delivered, when the new size
//! and topology show (`Effect::Resize`). `ModifyShardList` resizes chosen
//! shards instead of the whole instance.

use mongodb_errors::ErrorCode;
use mongodb_models::{ModifyDBInstanceSpecRequest, ModifyDBInstanceSpecResponse, RemoveNodeList};

use super::guard::{self, in_maintenance};
use super::shards;
use super::sizing::{check_used_disk, terms};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, in_range};
use crate::actions::lifecycle::offer::{machine, node_spec, priced, priced_instance};
use crate::catalog::{self, Machine};
use crate::state::effects::Effect;
use crate::state::instance::{Instance, NodeRole, Spec};
use crate::util::ApiError;

const GB: u64 = 1024;

pub(super) fn modify_db_instance_spec(
    ctx: &mut Ctx<'_>,
    req: ModifyDBInstanceSpecRequest,
) -> Result<ModifyDBInstanceSpecResponse, ApiError> {
    let id = req.instance_id.clone();
    let instance = guard::ready(ctx, &id)?;
    let window = in_maintenance(req.in_maintenance.map(|v| v.min(i64::MAX as u64) as i64))?;
    if let Some(list) = req.modify_shard_list.clone().filter(|l| !l.is_empty()) {
        let whole = [
            ("Memory", req.memory.is_some()),
            ("Volume", req.volume.is_some()),
            ("Cpu", req.cpu.is_some()),
            ("NodeNum", req.node_num.is_some()),
            ("ReplicateSetNum", req.replicate_set_num.is_some()),
            ("OplogSize", req.oplog_size.is_some()),
            ("MongosMemory", req.mongos_memory.is_some()),
            ("MachineCode", req.machine_code.is_some()),
            (
                "AddNodeList",
                req.add_node_list.as_ref().is_some_and(|l| !l.is_empty()),
            ),
            (
                "RemoveNodeList",
                req.remove_node_list.as_ref().is_some_and(|l| !l.is_empty()),
            ),
        ];
        if let Some((name, _)) = whole.iter().find(|(_, given)| *given) {
            return Err(errors::invalid(format!(
                "ModifyShardList resizes single shards and cannot be combined with {name}; send the whole-instance change as a separate request."
            )));
        }
        let (change, action, prices) = shards::plan(instance, &list, ctx.now_ms())?;
        guard::mark_processing(ctx, &id);
        let deal = ctx.start_deal(vec![id], Some(Effect::Change(change)), action, prices);
        return Ok(ModifyDBInstanceSpecResponse::default().with_deal_id(deal));
    }
    let target = target_spec(instance, &req)?;
    let old = &instance.spec;
    if target == *old {
        return Err(errors::invalid(format!(
            "The request leaves the instance `{id}` as it is; give a Memory, Volume, Cpu, NodeNum, ReplicateSetNum, MongosMemory or node list that differs from its current size (DescribeDBInstances)."
        )));
    }
    let counts = |s: &Spec| {
        (
            s.node_num,
            s.shard_num,
            s.readonly_node_num,
            s.mongos_node_num,
        )
    };
    if window && counts(&target) != counts(old) {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueModifyModeError,
            "Node and shard counts change at once only: send InMaintenance 0 (or change only the node size in the maintenance window).",
        ));
    }
    let (action, prices) = deal_terms(instance, &target, ctx.now_ms());
    guard::mark_processing(ctx, &id);
    let deal = ctx.start_deal(vec![id], Some(Effect::Resize(target)), action, prices);
    Ok(ModifyDBInstanceSpecResponse::default().with_deal_id(deal))
}

/// The deal's action and (original, discounted) price for moving `i` to
/// `target`: for an hourly instance its new hourly price; for a prepaid one
/// the difference for the paid time left (nothing when smaller). The same
/// rule `InquirePriceModifyDBInstanceSpec` answers with.
pub(super) fn deal_terms(i: &Instance, target: &Spec, now_ms: i64) -> (&'static str, (f64, f64)) {
    let old = catalog::hourly_price(&priced_instance(i));
    let new = catalog::hourly_price(&priced(target));
    terms(i, old, new, now_ms)
}

fn nonneg(name: &str, v: i64) -> Result<u64, ApiError> {
    u64::try_from(v).map_err(|_| errors::invalid(format!("{name} must not be negative; got {v}.")))
}

/// The machine type of a change: the current one, or another of the same
/// kind of disk (local or cloud).
fn target_machine(i: &Instance, code: Option<&str>) -> Result<&'static Machine, ApiError> {
    let current = machine(&i.spec.machine_type)?;
    let Some(code) = code.filter(|c| !c.is_empty() && *c != current.code) else {
        return Ok(current);
    };
    let wanted = machine(code)?;
    if wanted.cloud_disk != current.cloud_disk {
        let kind = |m: &Machine| if m.cloud_disk { "cloud" } else { "local" };
        return Err(errors::error(
            ErrorCode::InvalidParameterValueMachineTypeError,
            format!(
                "MachineCode `{code}` has {} disks and the instance's `{}` has {} disks; a change keeps the kind of disk.",
                kind(wanted),
                current.code,
                kind(current)
            ),
        ));
    }
    Ok(wanted)
}

/// The size `req` asks for, held to the catalog; absent members keep the
/// instance's current values.
fn target_spec(i: &Instance, req: &ModifyDBInstanceSpecRequest) -> Result<Spec, ApiError> {
    let old = &i.spec;
    let machine = target_machine(i, req.machine_code.as_deref())?;
    let memory_gb = req.memory.unwrap_or(old.memory_mb / GB);
    let volume_gb = req.volume.unwrap_or(old.volume_mb / GB);
    let cpu = match (req.cpu, req.memory) {
        (Some(c), _) => Some(nonneg("Cpu", c)?),
        (None, None) => Some(old.cpu),
        (None, Some(_)) => None,
    };
    let node = node_spec(machine, memory_gb, cpu, volume_gb)?;
    let (memory_mb, volume_mb) = (memory_gb * GB, volume_gb * GB);
    if (memory_mb > old.memory_mb && volume_mb < old.volume_mb)
        || (memory_mb < old.memory_mb && volume_mb > old.volume_mb)
    {
        return Err(errors::invalid(format!(
            "Memory and Volume go up together or down together; got Memory {memory_gb} GB and Volume {volume_gb} GB from {} GB and {} GB.",
            old.memory_mb / GB,
            old.volume_mb / GB
        )));
    }
    check_used_disk(old.volume_mb, volume_mb, "Volume")?;
    let mut spec = Spec {
        machine_type: machine.code.to_owned(),
        cpu: node.cpu,
        memory_mb,
        volume_mb,
        ..old.clone()
    };
    if req.oplog_size.is_some() || volume_mb != old.volume_mb {
        spec.oplog_mb = oplog(old.oplog_mb, volume_gb, req.oplog_size)?;
    }
    if let Some(s) = req.replicate_set_num {
        if !i.is_sharded() && s != 1 {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaSetNumError,
                format!("ReplicateSetNum of a replica set instance must stay 1; got {s}."),
            ));
        }
        if i.is_sharded() && (s < old.shard_num || s > catalog::SHARDS.1) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaSetNumError,
                format!(
                    "ReplicateSetNum must be between the current {} and {}; got {s}.",
                    old.shard_num,
                    catalog::SHARDS.1
                ),
            ));
        }
        spec.shard_num = s;
    }
    if let Some(m) = req
        .mongos_memory
        .as_deref()
        .filter(|m| !m.trim().is_empty())
    {
        let (cpu, memory_mb) = mongos_size(i, m)?;
        spec.mongos_cpu = cpu;
        spec.mongos_memory_mb = memory_mb;
    }
    nodes(i, req, &mut spec)?;
    Ok(spec)
}

/// The oplog after a change of volume or oplog: `OplogSize` (GB) within
/// 10 % to 90 % of the volume, else the current one kept within those bounds.
fn oplog(old_mb: u64, volume_gb: u64, asked_gb: Option<u64>) -> Result<u64, ApiError> {
    let (low, high) = (volume_gb * GB / 10, volume_gb * GB * 9 / 10);
    match asked_gb {
        Some(gb) => {
            in_range(
                ErrorCode::InvalidParameterValueOplogSizeOutOfRange,
                "OplogSize (GB, 10% to 90% of Volume)",
                gb,
                (volume_gb.div_ceil(10), volume_gb * 9 / 10),
            )?;
            Ok(gb * GB)
        }
        None => Ok(old_mb.clamp(low, high)),
    }
}

/// (cores, MB) of mongos nodes with `text` GB of memory.
fn mongos_size(i: &Instance, text: &str) -> Result<(u64, u64), ApiError> {
    if !i.is_sharded() {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueClusterTypeError,
            format!(
                "MongosMemory applies to sharded clusters; `{}` is a replica set.",
                i.id
            ),
        ));
    }
    let gb: u64 = text.trim().parse().map_err(|_| {
        errors::invalid(format!(
            "MongosMemory is a number of GB (2, 4, 8, 16 or 32); got `{text}`."
        ))
    })?;
    errors::one_of(
        ErrorCode::InvalidParameterValueSpecNotOnSale,
        "MongosMemory (GB)",
        &gb,
        &[2, 4, 8, 16, 32],
    )?;
    Ok((gb / 2, gb * GB))
}

/// Node counts after `NodeNum` and the node lists (per replica set or shard).
fn nodes(i: &Instance, req: &ModifyDBInstanceSpecRequest, spec: &mut Spec) -> Result<(), ApiError> {
    let adds = req.add_node_list.as_deref().unwrap_or_default();
    let removes = req.remove_node_list.as_deref().unwrap_or_default();
    let zones: Vec<&str> = if i.zones.is_empty() {
        vec![i.zone.as_str()]
    } else {
        i.zones.iter().map(String::as_str).collect()
    };
    let mut delta = [0i64; 3]; // secondaries, read-only, mongos
    for (n, add) in adds.iter().enumerate() {
        let slot = role_slot(i, &add.role, &format!("AddNodeList.{n}.Role"))?;
        zone_of_instance(&zones, &add.zone, &format!("AddNodeList.{n}.Zone"))?;
        delta[slot] += 1;
    }
    let mut removed: Vec<&str> = Vec::new();
    for (n, rm) in removes.iter().enumerate() {
        let slot = role_slot(i, &rm.role, &format!("RemoveNodeList.{n}.Role"))?;
        zone_of_instance(&zones, &rm.zone, &format!("RemoveNodeList.{n}.Zone"))?;
        removable(i, rm, slot)?;
        if removed.contains(&rm.node_name.as_str()) {
            return Err(errors::invalid(format!(
                "RemoveNodeList names `{}` twice.",
                rm.node_name
            )));
        }
        removed.push(&rm.node_name);
        delta[slot] -= 1;
    }
    let shift = |current: u64, d: i64| (current as i64 + d).max(0) as u64;
    let from_lists = shift(i.spec.node_num, delta[0]);
    let node_num = match req.node_num {
        Some(n) if delta[0] != 0 && n != from_lists => {
            return Err(errors::invalid(format!(
                "NodeNum {n} disagrees with AddNodeList/RemoveNodeList, which leave {from_lists} nodes; give one or the other."
            )))
        }
        Some(n) => n,
        None => from_lists,
    };
    in_range(
        ErrorCode::InvalidParameterValueSecondaryNumError,
        "NodeNum",
        node_num,
        catalog::NODES,
    )?;
    spec.node_num = node_num;
    spec.readonly_node_num = shift(i.spec.readonly_node_num, delta[1]);
    in_range(
        ErrorCode::InvalidParameterValue,
        "The number of read-only nodes",
        spec.readonly_node_num,
        catalog::READONLY_NODES,
    )?;
    if delta[2] != 0 {
        spec.mongos_node_num = shift(i.spec.mongos_node_num, delta[2]);
        in_range(
            ErrorCode::InvalidParameterValue,
            "The number of mongos nodes",
            spec.mongos_node_num,
            catalog::MONGOS_NODES,
        )?;
    }
    Ok(())
}

/// 0 secondaries, 1 read-only, 2 mongos.
fn role_slot(i: &Instance, role: &str, name: &str) -> Result<usize, ApiError> {
    match role {
        "SECONDARY" => Ok(0),
        "READONLY" => Ok(1),
        "MONGOS" if i.is_sharded() => Ok(2),
        "MONGOS" => Err(errors::error(
            ErrorCode::InvalidParameterValueClusterTypeError,
            format!(
                "{name}: `{}` is a replica set and has no mongos nodes.",
                i.id
            ),
        )),
        other => Err(errors::invalid(format!(
            "{name} must be SECONDARY, READONLY or MONGOS; got `{other}`."
        ))),
    }
}

fn zone_of_instance(zones: &[&str], zone: &str, name: &str) -> Result<(), ApiError> {
    if zones.contains(&zone) {
        return Ok(());
    }
    Err(errors::error(
        ErrorCode::InvalidParameterValueZoneError,
        format!(
            "{name} `{zone}` is not a zone of the instance ({}); move its nodes first with ModifyInstanceAz.",
            zones.join(", ")
        ),
    ))
}

/// The node a `RemoveNodeList` entry names exists in the first replica set
/// (or among the mongos) with that role, in that zone.
fn removable(i: &Instance, rm: &RemoveNodeList, slot: usize) -> Result<(), ApiError> {
    let candidates = match slot {
        2 => i.mongos.iter().collect::<Vec<_>>(),
        _ => i
            .replica_sets
            .first()
            .map(|rs| rs.nodes.iter().collect())
            .unwrap_or_default(),
    };
    let role = [NodeRole::Secondary, NodeRole::Readonly, NodeRole::Mongos][slot];
    let Some(node) = candidates.iter().find(|n| n.id == rm.node_name) else {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueNodeNotFoundInReplica,
            format!(
                "RemoveNodeList: `{}` is not a node of `{}` (name nodes of the first replica set, `{}_0-node-…`, or mongos nodes; see DescribeDBInstanceNodeProperty).",
                rm.node_name, i.id, i.id
            ),
        ));
    };
    if node.role != role {
        return Err(errors::invalid(format!(
            "RemoveNodeList: `{}` is not a {} node; only secondary, read-only and mongos nodes are removed.",
            rm.node_name, rm.role
        )));
    }
    if node.zone != rm.zone {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueZoneError,
            format!(
                "RemoveNodeList: `{}` is in zone {}, not {}.",
                rm.node_name, node.zone, rm.zone
            ),
        ));
    }
    Ok(())
}
