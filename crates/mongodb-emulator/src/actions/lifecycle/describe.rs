//! `DescribeDBInstances`: the instances of the request's region, filtered,
//! ordered and paged, each with its replica sets or shards. Reading an
//! instance polls the work that changes it (a new instance's deal, …).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DBInstanceInfo, DescribeDBInstancesRequest, DescribeDBInstancesResponse, InstanceDetail,
    ShardInfo, TagInfo,
};

use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, one_of};
use crate::actions::params::{descending, page, paging, signed};
use crate::state::instance::{status, Instance};
use crate::util::{format_time, ApiError};

/// The `InstanceDetail` of one instance.
pub(crate) fn detail(i: &Instance) -> InstanceDetail {
    let sharded = i.is_sharded();
    let spec = &i.spec;
    let shards: Vec<ShardInfo> = i
        .replica_sets
        .iter()
        .map(|rs| {
            // A shard resized on its own (ModifyShardList) shows its own size.
            let (_, memory_mb, volume_mb) = i
                .ops
                .shard_size(&rs.id, (spec.cpu, spec.memory_mb, spec.volume_mb));
            ShardInfo::default()
                .with_used_volume((volume_mb / 10) as f64)
                .with_replica_set_id(rs.id.as_str())
                .with_replica_set_name(rs.id.as_str())
                .with_memory(memory_mb)
                .with_volume(volume_mb)
                .with_oplog_size(spec.oplog_mb)
                .with_secondary_num(spec.node_num.saturating_sub(1))
                .with_real_replica_set_id(rs.id.as_str())
        })
        .collect();
    let tags = i
        .tags
        .iter()
        .map(|t| {
            TagInfo::default()
                .with_tag_key(t.key.as_str())
                .with_tag_value(t.value.as_str())
        })
        .collect();
    let zones = if i.zones.is_empty() {
        vec![i.zone.clone()]
    } else {
        i.zones.clone()
    };
    let if_sharded = |v: u64| if sharded { v } else { 0 };
    InstanceDetail::default()
        .with_instance_id(i.id.as_str())
        .with_instance_name(i.name.as_str())
        .with_pay_mode(i.pay_mode)
        .with_project_id(i.project_id)
        .with_cluster_type(i64::from(i.cluster_type))
        .with_region(i.region.as_str())
        .with_zone(i.zone.as_str())
        .with_net_type(i.network.net_type)
        .with_vpc_id(i.network.vpc_id.as_str())
        .with_subnet_id(i.network.subnet_id.as_str())
        .with_status(i.status)
        .with_vip(i.network.vip.as_str())
        .with_vport(i.network.vport)
        .with_create_time(format_time(i.create_ms))
        .with_dead_line(format_time(i.deadline_ms))
        .with_mongo_version(i.mongo_version.as_str())
        .with_memory(spec.memory_mb)
        .with_volume(spec.volume_mb)
        .with_cpu_num(spec.cpu)
        .with_machine_type(spec.machine_type.as_str())
        .with_secondary_num(spec.node_num.saturating_sub(1))
        .with_replication_set_num(i.replica_sets.len() as u64)
        .with_auto_renew_flag(i.auto_renew)
        .with_used_volume(spec.volume_mb / 10)
        .with_maintenance_start(i.maintenance.start.as_str())
        .with_maintenance_end(i.maintenance.end.as_str())
        .with_replica_sets(shards)
        .with_readonly_instances(Vec::new())
        .with_standby_instances(Vec::new())
        .with_clone_instances(Vec::new())
        .with_related_instance(
            DBInstanceInfo::default()
                .with_instance_id("")
                .with_region(""),
        )
        .with_tags(tags)
        .with_instance_ver(1u64)
        .with_cluster_ver(1u64)
        .with_protocol(1u64)
        .with_instance_type(1u64)
        .with_instance_status_desc(status::describe(i.status))
        .with_real_instance_id(i.id.as_str())
        .with_zone_list(zones)
        .with_mongos_node_num(if_sharded(spec.mongos_node_num))
        .with_mongos_memory(if_sharded(spec.mongos_memory_mb))
        .with_mongos_cpu_num(if_sharded(spec.mongos_cpu))
        .with_config_server_node_num(if_sharded(3))
        .with_config_server_memory(if_sharded(2048))
        .with_config_server_volume(if_sharded(20_480))
        .with_config_server_cpu_num(if_sharded(1))
        .with_readonly_node_num(spec.readonly_node_num)
}

pub(super) fn describe_db_instances(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstancesRequest,
) -> Result<DescribeDBInstancesResponse, ApiError> {
    if let Some(t) = &req.instance_type {
        one_of(
            ErrorCode::InvalidParameterValue,
            "InstanceType",
            t,
            &[-1, 0, 1, 2, 3],
        )?;
    }
    if let Some(c) = &req.cluster_type {
        one_of(
            ErrorCode::InvalidParameterValue,
            "ClusterType",
            c,
            &[-1, 0, 1],
        )?;
    }
    if let Some(m) = &req.pay_mode {
        one_of(ErrorCode::InvalidParameterValue, "PayMode", m, &[-1, 0, 1])?;
    }
    let order_by = req.order_by.as_deref().filter(|o| !o.is_empty());
    if let Some(o) = order_by {
        let allowed = ["ProjectId", "InstanceName", "CreateTime"];
        if !allowed.contains(&o) {
            return Err(errors::invalid(format!(
                "OrderBy must be ProjectId, InstanceName or CreateTime; got `{o}`."
            )));
        }
    }
    let Some(desc) = descending(req.order_by_type.as_deref(), false) else {
        return Err(errors::invalid(format!(
            "OrderByType must be ASC or DESC; got `{}`.",
            req.order_by_type.unwrap_or_default()
        )));
    };
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(20), 100)?;

    let ids: Vec<String> = req.instance_ids.unwrap_or_default();
    // Reading an instance polls the work that changes it.
    let listed: Vec<String> = ctx
        .region()
        .instances
        .iter()
        .filter(|i| ids.is_empty() || ids.contains(&i.id))
        .map(|i| i.id.clone())
        .collect();
    ctx.poll_instances(&listed);

    let statuses = req.status.unwrap_or_default();
    let projects = req.project_ids.unwrap_or_default();
    let vpc = req.vpc_id.filter(|s| !s.is_empty());
    let subnet = req.subnet_id.filter(|s| !s.is_empty());
    let search = req.search_key.filter(|s| !s.is_empty());
    let tags: Vec<(String, String)> = req
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            (
                t.tag_key.unwrap_or_default(),
                t.tag_value.unwrap_or_default(),
            )
        })
        .collect();
    let has_tags = |i: &Instance| {
        tags.iter().all(|(k, v)| {
            i.tags
                .iter()
                .any(|t| &t.key == k && (v.is_empty() || &t.value == v))
        })
    };
    let mut found: Vec<&Instance> = ctx
        .region()
        .instances
        .iter()
        .filter(|i| ids.is_empty() || ids.contains(&i.id))
        // Every emulated instance is a regular (type 1) instance.
        .filter(|_| !matches!(req.instance_type, Some(2) | Some(3)))
        .filter(|i| match req.cluster_type {
            Some(c) if c >= 0 => i64::from(i.cluster_type) == c,
            _ => true,
        })
        .filter(|i| match req.pay_mode {
            Some(m) if m >= 0 => i.pay_mode as i64 == m,
            _ => true,
        })
        .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
        .filter(|i| projects.is_empty() || projects.contains(&i.project_id))
        .filter(|i| vpc.as_ref().is_none_or(|v| *v == i.network.vpc_id))
        .filter(|i| subnet.as_ref().is_none_or(|v| *v == i.network.subnet_id))
        .filter(|i| {
            search.as_ref().is_none_or(|k| {
                i.id.contains(k.as_str()) || i.name.contains(k.as_str()) || i.network.vip == *k
            })
        })
        .filter(|i| has_tags(i))
        .collect();
    match order_by {
        Some("ProjectId") => found.sort_by_key(|i| i.project_id),
        Some("InstanceName") => found.sort_by(|a, b| a.name.cmp(&b.name)),
        Some(_) => found.sort_by_key(|i| i.create_ms),
        None => {}
    }
    if desc {
        found.reverse();
    }
    let total = found.len() as u64;
    let details = page(found, limit, offset).into_iter().map(detail).collect();
    Ok(DescribeDBInstancesResponse::default()
        .with_total_count(total)
        .with_instance_details(details))
}
