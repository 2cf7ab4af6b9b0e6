//! What can be bought, one table for both sides: `DescribeSpecInfo` lists the
//! catalog, and [`check_order`] holds a purchase (or a price inquiry) to the
//! same catalog, with the service's error codes. [`machine`], [`node_spec`]
//! and [`priced`] are for other families too (a change of size is held to the
//! same catalog and priced by the same formula).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeSpecInfoRequest, DescribeSpecInfoResponse, SpecItem, SpecificationInfo,
};

use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, in_range};
use crate::catalog::{self, Machine, NodeSpec, Priced, Version};
use crate::state::instance::{Instance, Spec, REPLICA_SET, SHARDED};
use crate::util::ApiError;

const GB: u64 = 1024;

/// The parameters of a purchase or price inquiry, whichever action sent them.
#[derive(Clone, Debug, Default)]
pub(super) struct Order {
    pub(super) zone: String,
    /// All zones of a multi-zone deployment (the primary zone among them).
    pub(super) zones: Vec<String>,
    pub(super) cluster_type: String,
    pub(super) mongo_version: String,
    pub(super) machine_code: String,
    pub(super) memory_gb: u64,
    pub(super) cpu: Option<u64>,
    pub(super) volume_gb: u64,
    pub(super) node_num: u64,
    pub(super) replicate_set_num: u64,
    pub(super) readonly_node_num: u64,
    pub(super) mongos_node_num: Option<u64>,
    pub(super) mongos_cpu: Option<u64>,
    pub(super) mongos_memory_gb: Option<u64>,
    pub(super) goods_num: u64,
}

/// An order that fits the catalog.
#[derive(Clone, Debug)]
pub(super) struct Checked {
    pub(super) cluster_type: u8,
    pub(super) zones: Vec<String>,
    pub(super) version: &'static Version,
    pub(super) spec: Spec,
}

impl Checked {
    pub(crate) fn priced(&self) -> Priced {
        priced(&self.spec)
    }
}

/// What the price formula needs of a size.
pub(crate) fn priced(spec: &Spec) -> Priced {
    Priced {
        cpu: spec.cpu,
        memory_gb: spec.memory_mb / GB,
        volume_gb: spec.volume_mb / GB,
        nodes: spec.node_num + spec.readonly_node_num,
        shards: spec.shard_num.max(1),
        mongos: spec.mongos_node_num,
        mongos_cpu: spec.mongos_cpu,
        mongos_memory_gb: spec.mongos_memory_mb / GB,
    }
}

/// The price of an instance as it is now.
pub(crate) fn priced_instance(i: &Instance) -> Priced {
    priced(&i.spec)
}

fn zone_error(zone: &str, region: &str) -> ApiError {
    let elsewhere = catalog::region_of_zone(zone)
        .map(|r| format!(" (it is a zone of {r}; send the request to that region)"))
        .unwrap_or_default();
    errors::error(
        ErrorCode::InvalidParameterValueZoneError,
        format!(
            "Zone `{zone}` is not on sale in region {region}{elsewhere}; its zones are: {}.",
            catalog::zones(region).join(", ")
        ),
    )
}

/// The catalog's machine type `code`, or `InvalidParameterValue.MachineTypeError`.
pub(crate) fn machine(code: &str) -> Result<&'static Machine, ApiError> {
    catalog::machine(code).ok_or_else(|| {
        let known: Vec<&str> = catalog::MACHINES.iter().map(|m| m.code).collect();
        errors::error(
            ErrorCode::InvalidParameterValueMachineTypeError,
            format!(
                "MachineCode `{code}` is not on sale; use one of {}.",
                known.join(", ")
            ),
        )
    })
}

/// The node specification of `machine` with this memory, CPU and volume, or
/// `InvalidParameterValue.SpecNotOnSale`.
pub(crate) fn node_spec(
    machine: &Machine,
    memory_gb: u64,
    cpu: Option<u64>,
    volume_gb: u64,
) -> Result<NodeSpec, ApiError> {
    let spec = catalog::find_spec(machine, memory_gb, cpu).ok_or_else(|| {
        let on_sale: Vec<String> = catalog::specs(machine)
            .iter()
            .map(|s| format!("{}C{}G", s.cpu, s.memory_gb))
            .collect();
        let cpu = cpu.map(|c| format!("{c} CPU, ")).unwrap_or_default();
        errors::error(
            ErrorCode::InvalidParameterValueSpecNotOnSale,
            format!(
                "{cpu}{memory_gb} GB of memory is not on sale for {}; specs on sale: {} (see DescribeSpecInfo).",
                machine.code,
                on_sale.join(", ")
            ),
        )
    })?;
    let range = (spec.min_storage_gb, spec.max_storage_gb);
    in_range(
        ErrorCode::InvalidParameterValue,
        "Volume (GB)",
        volume_gb,
        range,
    )?;
    Ok(spec)
}

/// Holds `o` to the catalog of `region`.
pub(super) fn check_order(region: &str, o: &Order) -> Result<Checked, ApiError> {
    let cluster_type = match o.cluster_type.as_str() {
        "REPLSET" => REPLICA_SET,
        "SHARD" => SHARDED,
        other => {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueClusterTypeError,
                format!("ClusterType must be REPLSET or SHARD; got `{other}`."),
            ))
        }
    };
    let on_sale = catalog::zones(region);
    if !on_sale.contains(&o.zone.as_str()) {
        return Err(zone_error(&o.zone, region));
    }
    let mut zones = vec![o.zone.clone()];
    if !o.zones.is_empty() {
        if let Some(z) = o.zones.iter().find(|z| !on_sale.contains(&z.as_str())) {
            return Err(zone_error(z, region));
        }
        if !o.zones.contains(&o.zone) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueZoneError,
                format!("AvailabilityZoneList must include Zone `{}`.", o.zone),
            ));
        }
        zones.extend(o.zones.iter().filter(|z| **z != o.zone).cloned());
    }
    let version = catalog::version(&o.mongo_version).ok_or_else(|| {
        let known: Vec<&str> = catalog::VERSIONS.iter().map(|v| v.code).collect();
        errors::error(
            ErrorCode::InvalidParameterValueMongoVersionError,
            format!(
                "MongoVersion `{}` is not on sale; use one of {}.",
                o.mongo_version,
                known.join(", ")
            ),
        )
    })?;
    let machine = machine(&o.machine_code)?;
    let node = node_spec(machine, o.memory_gb, o.cpu, o.volume_gb)?;
    in_range(
        ErrorCode::InvalidParameterValueSecondaryNumError,
        "NodeNum",
        o.node_num,
        catalog::NODES,
    )?;
    let shards = if cluster_type == SHARDED {
        catalog::SHARDS
    } else {
        (1, 1)
    };
    in_range(
        ErrorCode::InvalidParameterValueReplicaSetNumError,
        "ReplicateSetNum",
        o.replicate_set_num,
        shards,
    )?;
    in_range(
        ErrorCode::InvalidParameterValue,
        "ReadonlyNodeNum",
        o.readonly_node_num,
        catalog::READONLY_NODES,
    )?;
    in_range(
        ErrorCode::InvalidParameterValue,
        "GoodsNum",
        o.goods_num,
        catalog::GOODS,
    )?;
    let (mongos, mongos_cpu, mongos_memory_gb) = if cluster_type == SHARDED {
        let n = o.mongos_node_num.unwrap_or(3);
        in_range(
            ErrorCode::InvalidParameterValue,
            "MongosNodeNum",
            n,
            catalog::MONGOS_NODES,
        )?;
        let cpu = o.mongos_cpu.unwrap_or(2);
        errors::one_of(
            ErrorCode::InvalidParameterValue,
            "MongosCpu",
            &cpu,
            &[1, 2, 4, 8, 16],
        )?;
        let memory = o.mongos_memory_gb.unwrap_or(cpu * 2);
        if memory != cpu * 2 {
            return Err(errors::invalid(format!(
                "MongosMemory must be twice MongosCpu (1 CPU 2 GB, 2 CPU 4 GB, …); got {cpu} CPU and {memory} GB."
            )));
        }
        (n, cpu, memory)
    } else {
        (0, 0, 0)
    };
    let spec = Spec {
        machine_type: machine.code.to_owned(),
        cpu: node.cpu,
        memory_mb: node.memory_gb * GB,
        volume_mb: o.volume_gb * GB,
        node_num: o.node_num,
        shard_num: o.replicate_set_num,
        readonly_node_num: o.readonly_node_num,
        mongos_node_num: mongos,
        mongos_cpu,
        mongos_memory_mb: mongos_memory_gb * GB,
        oplog_mb: (o.volume_gb * GB / 10).max(GB),
    };
    Ok(Checked {
        cluster_type,
        zones,
        version,
        spec,
    })
}

/// `DescribeSpecInfo`: what is on sale in one zone, or in every zone of the region.
pub(super) fn describe_spec_info(
    ctx: &mut Ctx<'_>,
    req: DescribeSpecInfoRequest,
) -> Result<DescribeSpecInfoResponse, ApiError> {
    let region = ctx.region_name().to_owned();
    let zones: Vec<&str> = match req.zone.as_deref().filter(|z| !z.is_empty()) {
        Some(z) if catalog::zones(&region).contains(&z) => vec![z],
        Some(z) => return Err(zone_error(z, &region)),
        None => catalog::zones(&region).to_vec(),
    };
    let items = spec_items();
    let list = zones
        .into_iter()
        .map(|zone| {
            SpecificationInfo::default()
                .with_region(region.as_str())
                .with_zone(zone)
                .with_spec_items(items.clone())
                .with_support_multi_az(i64::from(catalog::zones(&region).len() >= 3))
        })
        .collect();
    Ok(DescribeSpecInfoResponse::default().with_spec_info_list(list))
}

/// Every item of the catalog, for both cluster types.
fn spec_items() -> Vec<SpecItem> {
    let mut out = Vec::new();
    for cluster_type in [REPLICA_SET, SHARDED] {
        let shards = if cluster_type == SHARDED {
            catalog::SHARDS
        } else {
            (1, 1)
        };
        for version in catalog::VERSIONS {
            for machine in catalog::MACHINES {
                for spec in catalog::specs(machine) {
                    out.push(
                        SpecItem::default()
                            .with_spec_code(catalog::spec_code(machine, spec))
                            .with_status(1u64)
                            .with_cpu(spec.cpu)
                            .with_memory(spec.memory_gb * GB)
                            .with_default_storage(spec.default_storage_gb * GB)
                            .with_max_storage(spec.max_storage_gb * GB)
                            .with_min_storage(spec.min_storage_gb * GB)
                            .with_qps(spec.qps)
                            .with_conns(spec.conns)
                            .with_mongo_version_code(version.code)
                            .with_mongo_version_value(version.value)
                            .with_version(version.number)
                            .with_engine_name("WiredTiger")
                            .with_cluster_type(i64::from(cluster_type))
                            .with_min_node_num(catalog::NODES.0)
                            .with_max_node_num(catalog::NODES.1)
                            .with_min_replicate_set_num(shards.0)
                            .with_max_replicate_set_num(shards.1)
                            .with_min_replicate_set_node_num(catalog::NODES.0)
                            .with_max_replicate_set_node_num(catalog::NODES.1)
                            .with_machine_type(machine.code),
                    );
                }
            }
        }
    }
    out
}
