//! [`InstanceChange`]: what a piece of work of the instance-operations family
//! changes on its instance when it succeeds (`Effect::Change`), and how.

use serde::{Deserialize, Serialize};

use super::instance::Instance;
use super::operations::{RetiredAddress, ShardSize, WanService};

/// A change an instance takes when the work that makes it succeeds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InstanceChange {
    /// These shards take this size (the others keep theirs).
    ShardSizes {
        replica_set_ids: Vec<String>,
        size: ShardSize,
    },
    /// Every node runs with this many extra cores (0: back to its own size).
    ElasticCpu { extra_cpu: u64 },
    /// The nodes are spread over these zones, the primary's first.
    Zones { zones: Vec<String> },
    /// These nodes were restarted.
    Restart { node_ids: Vec<String> },
    /// A read-only or disaster-recovery instance becomes a regular one.
    Standalone,
    /// The engine runs this full version (`4.4.18`).
    Kernel { version: String },
    /// The engine runs this `MongoVersion` (the first build of it).
    Version { code: String },
    /// The instance moves to this network and address; the old address
    /// answers until `retired.until_ms`.
    Network {
        vpc_id: String,
        subnet_id: String,
        vip: String,
        retired: RetiredAddress,
    },
    /// The public access service is on, as described.
    Wan(WanService),
    /// The SRV connection URL is on or off, with this custom domain.
    Srv {
        enabled: bool,
        custom_domain: Option<String>,
    },
}

impl InstanceChange {
    /// Applies the change to `i`; the work ended at `end_ms`.
    pub(crate) fn apply(&self, i: &mut Instance, end_ms: i64) {
        match self {
            InstanceChange::ShardSizes {
                replica_set_ids,
                size,
            } => {
                for id in replica_set_ids {
                    i.ops.shard_sizes.insert(id.clone(), size.clone());
                }
            }
            InstanceChange::ElasticCpu { extra_cpu } => {
                let e = &mut i.ops.elastic_cpu;
                e.extra_cpu = *extra_cpu;
                e.trigger_type = if *extra_cpu > 0 { 1 } else { 0 };
                e.scaled_ms = (*extra_cpu > 0).then_some(end_ms);
            }
            InstanceChange::Zones { zones } => {
                i.zone = zones.first().cloned().unwrap_or_default();
                i.zones = zones.clone();
                i.rebuild_topology();
            }
            InstanceChange::Restart { node_ids } => {
                for id in node_ids {
                    i.ops.restarts.insert(id.clone(), end_ms);
                }
            }
            InstanceChange::Standalone => i.ops.standby_of = None,
            InstanceChange::Kernel { version } => i.ops.kernel_version = version.clone(),
            InstanceChange::Version { code } => {
                i.mongo_version = code.clone();
                i.ops.kernel_version.clear();
            }
            InstanceChange::Network {
                vpc_id,
                subnet_id,
                vip,
                retired,
            } => {
                i.network.vpc_id = vpc_id.clone();
                i.network.subnet_id = subnet_id.clone();
                i.network.vip = vip.clone();
                i.ops.retired_addresses.retain(|a| a.until_ms > end_ms);
                if retired.until_ms > end_ms {
                    i.ops.retired_addresses.push(retired.clone());
                }
            }
            InstanceChange::Wan(wan) => {
                i.network.wan_address = Some(wan.public_ip.clone());
                i.ops.wan = Some(wan.clone());
            }
            InstanceChange::Srv {
                enabled,
                custom_domain,
            } => {
                i.features.srv.enabled = *enabled;
                i.features.srv.custom_domain = custom_domain.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::InstanceSpec;
    use crate::state::State;

    fn demo() -> Instance {
        let mut state = State::empty();
        state.add_instance(InstanceSpec::replica_set("cmgo-a"), 0);
        state
            .regions
            .remove("ap-guangzhou")
            .unwrap()
            .instances
            .remove(0)
    }

    #[test]
    fn zones_move_nodes_and_keep_their_ids() {
        let mut i = demo();
        let ids: Vec<String> = i.replica_sets[0]
            .nodes
            .iter()
            .map(|n| n.id.clone())
            .collect();
        let zones = vec![
            "ap-guangzhou-4".to_owned(),
            "ap-guangzhou-2".to_owned(),
            "ap-guangzhou-3".to_owned(),
        ];
        InstanceChange::Zones {
            zones: zones.clone(),
        }
        .apply(&mut i, 5);
        assert_eq!(i.zone, "ap-guangzhou-4");
        let placed: Vec<&str> = i.replica_sets[0]
            .nodes
            .iter()
            .map(|n| n.zone.as_str())
            .collect();
        assert_eq!(placed, zones);
        let after: Vec<String> = i.replica_sets[0]
            .nodes
            .iter()
            .map(|n| n.id.clone())
            .collect();
        assert_eq!(after, ids);
    }

    #[test]
    fn network_changes_keep_the_old_address_until_it_expires() {
        let mut i = demo();
        let old = i.network.vip.clone();
        let change = |vip: &str, until_ms: i64, old: &str| InstanceChange::Network {
            vpc_id: "vpc-new".into(),
            subnet_id: "subnet-new".into(),
            vip: vip.into(),
            retired: RetiredAddress {
                vip: old.into(),
                until_ms,
                ..RetiredAddress::default()
            },
        };
        change("10.9.0.2", 100, &old).apply(&mut i, 10);
        assert_eq!(
            (i.network.vpc_id.as_str(), i.network.vip.as_str()),
            ("vpc-new", "10.9.0.2")
        );
        assert_eq!(i.ops.retired_addresses.len(), 1);
        // Released at once (0 minutes), and the first one has expired by now.
        change("10.9.0.3", 200, "10.9.0.2").apply(&mut i, 200);
        assert!(i.ops.retired_addresses.is_empty());
    }

    #[test]
    fn versions_cpu_and_srv() {
        let mut i = demo();
        InstanceChange::Kernel {
            version: "4.0.28".into(),
        }
        .apply(&mut i, 1);
        InstanceChange::Version {
            code: "MONGO_42_WT".into(),
        }
        .apply(&mut i, 2);
        assert_eq!(i.mongo_version, "MONGO_42_WT");
        assert_eq!(
            i.ops.kernel_version, "",
            "a new version starts at its first build"
        );
        InstanceChange::ElasticCpu { extra_cpu: 2 }.apply(&mut i, 3);
        assert_eq!(
            (i.ops.elastic_cpu.extra_cpu, i.ops.elastic_cpu.scaled_ms),
            (2, Some(3))
        );
        InstanceChange::ElasticCpu { extra_cpu: 0 }.apply(&mut i, 4);
        assert_eq!(i.ops.elastic_cpu.scaled_ms, None);
        InstanceChange::Srv {
            enabled: true,
            custom_domain: Some("shop".into()),
        }
        .apply(&mut i, 5);
        assert!(i.features.srv.enabled);
    }
}
