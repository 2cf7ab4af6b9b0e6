//! `DescribeDBInstances`.

use serde_json::{json, Value};

use super::params::{int_list, int_param, page, paging, str_list, str_param};
use super::Ctx;
use crate::state::Instance;
use crate::util::{format_time, ApiError};

fn status_desc(status: i64) -> &'static str {
    match status {
        0 => "initializing",
        1 => "processing",
        2 => "running",
        -2 | -3 => "isolated",
        _ => "unknown",
    }
}

/// The `InstanceDetail` of one instance.
pub(crate) fn detail(i: &Instance) -> Value {
    let sharded = i.cluster_type == 1;
    let shard_memory = i.memory_mb;
    let shard_volume = i.volume_mb / i.replica_sets.len().max(1) as u64;
    let shards: Vec<Value> = i
        .replica_sets
        .iter()
        .map(|rs| {
            json!({
                "UsedVolume": (shard_volume / 10) as f64,
                "ReplicaSetId": rs,
                "ReplicaSetName": rs,
                "Memory": shard_memory,
                "Volume": shard_volume,
                "OplogSize": shard_volume / 10,
                "SecondaryNum": 2,
                "RealReplicaSetId": rs,
            })
        })
        .collect();
    let mut d = json!({
        "InstanceId": i.id,
        "InstanceName": i.name,
        "PayMode": i.pay_mode,
        "ProjectId": i.project_id,
        "ClusterType": i.cluster_type,
        "Region": i.region,
        "Zone": i.zone,
        "NetType": 1,
        "VpcId": i.vpc_id,
        "SubnetId": i.subnet_id,
        "Status": i.status,
        "Vip": i.vip,
        "Vport": 27017,
        "CreateTime": format_time(i.create_ms),
        "DeadLine": format_time(i.create_ms + 365 * 86_400_000),
        "MongoVersion": i.mongo_version,
        "Memory": i.memory_mb,
        "Volume": i.volume_mb,
        "CpuNum": i.cpu,
        "MachineType": "HIO10G",
        "SecondaryNum": 2,
        "ReplicationSetNum": i.replica_sets.len(),
        "AutoRenewFlag": 0,
        "UsedVolume": i.volume_mb / 10,
        "MaintenanceStart": "04:00:00",
        "MaintenanceEnd": "05:00:00",
        "ReplicaSets": shards,
    });
    let more = json!({
        "ReadonlyInstances": [],
        "StandbyInstances": [],
        "CloneInstances": [],
        "RelatedInstance": { "InstanceId": "", "Region": "" },
        "Tags": [],
        "InstanceVer": 1,
        "ClusterVer": 1,
        "Protocol": 1,
        "InstanceType": 1,
        "InstanceStatusDesc": status_desc(i.status),
        "RealInstanceId": i.id,
        "ZoneList": [i.zone],
        "MongosNodeNum": if sharded { 3 } else { 0 },
        "MongosMemory": if sharded { 2048 } else { 0 },
        "MongosCpuNum": if sharded { 1 } else { 0 },
        "ConfigServerNodeNum": if sharded { 3 } else { 0 },
        "ConfigServerMemory": if sharded { 2048 } else { 0 },
        "ConfigServerVolume": if sharded { 20_480 } else { 0 },
        "ConfigServerCpuNum": if sharded { 1 } else { 0 },
        "ReadonlyNodeNum": 0,
    });
    if let (Value::Object(d), Value::Object(more)) = (&mut d, more) {
        d.extend(more);
    }
    d
}

fn check_choice(name: &str, value: Option<i64>, allowed: &[i64]) -> Result<(), ApiError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(ApiError::invalid_value(format!(
            "{name} must be one of {allowed:?}; got {v}."
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn describe_db_instances(ctx: &Ctx<'_>, p: &Value) -> Result<Value, ApiError> {
    let ids = str_list(p, "InstanceIds");
    let instance_type = int_param(p, "InstanceType");
    check_choice("InstanceType", instance_type, &[-1, 0, 1, 2, 3])?;
    let cluster_type = int_param(p, "ClusterType");
    check_choice("ClusterType", cluster_type, &[-1, 0, 1])?;
    let pay_mode = int_param(p, "PayMode");
    check_choice("PayMode", pay_mode, &[-1, 0, 1])?;
    let statuses = int_list(p, "Status");
    let project_ids = int_list(p, "ProjectIds");
    let vpc = str_param(p, "VpcId").filter(|s| !s.is_empty());
    let subnet = str_param(p, "SubnetId").filter(|s| !s.is_empty());
    let search = str_param(p, "SearchKey").filter(|s| !s.is_empty());
    let tags_given = p
        .get("Tags")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    let order_by = str_param(p, "OrderBy");
    if let Some(o) = order_by {
        if !["ProjectId", "InstanceName", "CreateTime"].contains(&o) {
            return Err(ApiError::invalid_value(format!(
                "OrderBy must be ProjectId, InstanceName or CreateTime; got `{o}`."
            )));
        }
    }
    let descending = match str_param(p, "OrderByType").map(str::to_ascii_uppercase) {
        None => false,
        Some(t) if t == "ASC" => false,
        Some(t) if t == "DESC" => true,
        Some(t) => {
            return Err(ApiError::invalid_value(format!(
                "OrderByType must be ASC or DESC; got `{t}`."
            )))
        }
    };
    let (limit, offset) = paging(p, Some(20), 100)?;

    let mut found: Vec<Instance> = ctx.shared.with_state(|s| {
        let list = s
            .instances
            .iter()
            .filter(|i| {
                ids.as_ref()
                    .is_none_or(|ids| ids.is_empty() || ids.contains(&i.id))
            })
            // Every emulated instance is a regular (type 1) instance.
            .filter(|_| !matches!(instance_type, Some(2) | Some(3)))
            .filter(|i| match cluster_type {
                Some(c) if c >= 0 => i64::from(i.cluster_type) == c,
                _ => true,
            })
            .filter(|i| match pay_mode {
                Some(m) if m >= 0 => i.pay_mode as i64 == m,
                _ => true,
            })
            .filter(|i| {
                statuses
                    .as_ref()
                    .is_none_or(|st| st.is_empty() || st.contains(&i.status))
            })
            .filter(|i| {
                project_ids
                    .as_ref()
                    .is_none_or(|pr| pr.is_empty() || pr.contains(&(i.project_id as i64)))
            })
            .filter(|i| vpc.is_none_or(|v| v == i.vpc_id))
            .filter(|i| subnet.is_none_or(|v| v == i.subnet_id))
            .filter(|i| search.is_none_or(|k| i.id.contains(k) || i.name.contains(k) || i.vip == k))
            .filter(|_| !tags_given)
            .cloned()
            .collect();
        (list, false)
    });
    match order_by {
        Some("ProjectId") => found.sort_by_key(|i| i.project_id),
        Some("InstanceName") => found.sort_by(|a, b| a.name.cmp(&b.name)),
        Some(_) => found.sort_by_key(|i| i.create_ms),
        None => {}
    }
    if descending {
        found.reverse();
    }
    let total = found.len();
    let details: Vec<Value> = page(found, limit, offset).iter().map(detail).collect();
    Ok(json!({ "TotalCount": total, "InstanceDetails": details }))
}
