//! What the instance-operations family keeps beyond an instance's size and
//! network (which live on the instance itself): shards resized one by one,
//! elastic CPU, the engine's minor (kernel) version, addresses kept after a
//! network change, the public (WAN) service, node restarts, the standby
//! relation a promotion ends, router flushes; and per region, password
//! rotation and connection-limit raises (actions without an instance).
//! Every member defaults, so state files written before it existed still load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What an instance carries for this family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceOps {
    /// Shards given their own size (`ModifyShardList`): replica set id → size.
    pub(crate) shard_sizes: BTreeMap<String, ShardSize>,
    pub(crate) elastic_cpu: ElasticCpu,
    /// The engine's full version (`4.4.18`); empty for the first build of
    /// the instance's `MongoVersion`.
    pub(crate) kernel_version: String,
    /// Addresses a network change left reachable for a while.
    pub(crate) retired_addresses: Vec<RetiredAddress>,
    /// The public access service, when it is on.
    pub(crate) wan: Option<WanService>,
    /// When each node was last restarted (ms since the epoch).
    pub(crate) restarts: BTreeMap<String, i64>,
    /// The instance this one is a read-only or disaster-recovery copy of.
    /// Nothing in the API makes one (purchases make regular instances); a
    /// loaded state file may.
    pub(crate) standby_of: Option<String>,
    /// When the mongos routers last reloaded their configuration.
    pub(crate) router_flushed_ms: Option<i64>,
}

impl InstanceOps {
    /// The size of replica set `id`: its own when one was set against the
    /// instance-wide size `base` (cpu, memory MB, volume MB) it still has,
    /// else `base`. A change of the whole instance's size makes every shard
    /// that size again.
    pub(crate) fn shard_size(&self, id: &str, base: (u64, u64, u64)) -> (u64, u64, u64) {
        match self.shard_sizes.get(id) {
            Some(s) if s.base == base => (s.cpu, s.memory_mb, s.volume_mb),
            _ => base,
        }
    }
}

/// The size of one shard, and the instance-wide size it differs from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ShardSize {
    pub(crate) cpu: u64,
    pub(crate) memory_mb: u64,
    pub(crate) volume_mb: u64,
    /// The instance's (cpu, memory MB, volume MB) when it was set.
    pub(crate) base: (u64, u64, u64),
}

/// Extra CPU added to every node for a while.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ElasticCpu {
    /// Cores added to every node; 0 when not scaled up.
    pub(crate) extra_cpu: u64,
    /// `TriggerType`: 1 by hand (the only way the API scales).
    pub(crate) trigger_type: i64,
    /// When it was scaled up.
    pub(crate) scaled_ms: Option<i64>,
}

/// An address that still answers after a network change, until `until_ms`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RetiredAddress {
    pub(crate) vpc_id: String,
    pub(crate) subnet_id: String,
    pub(crate) vip: String,
    pub(crate) until_ms: i64,
}

/// The public access service: a load balancer forwarding ports to nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct WanService {
    /// `lb-…`.
    pub(crate) load_balancer_id: String,
    /// The load balancer's public IP.
    pub(crate) public_ip: String,
    /// `ip:port` of a node or of the instance → the public port forwarded to it.
    pub(crate) listeners: Vec<(String, u16)>,
}

/// What a region keeps for this family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RegionOps {
    /// When password rotation was switched on, if it is.
    pub(crate) password_rotation_ms: Option<i64>,
    /// How many times the connection limit was raised.
    pub(crate) connection_limit_raises: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_size_holds_only_against_the_size_it_was_set_on() {
        let mut ops = InstanceOps::default();
        let base = (4, 8192, 256_000);
        assert_eq!(ops.shard_size("cmgo-a_1", base), base);
        ops.shard_sizes.insert(
            "cmgo-a_1".into(),
            ShardSize {
                cpu: 8,
                memory_mb: 16_384,
                volume_mb: 512_000,
                base,
            },
        );
        assert_eq!(ops.shard_size("cmgo-a_1", base), (8, 16_384, 512_000));
        assert_eq!(ops.shard_size("cmgo-a_0", base), base, "other shards");
        let resized = (8, 16_384, 300_000);
        assert_eq!(ops.shard_size("cmgo-a_1", resized), resized);
    }

    #[test]
    fn an_old_state_without_these_members_loads() {
        let ops: InstanceOps = serde_json::from_str("{}").unwrap();
        assert_eq!(ops, InstanceOps::default());
        let region: RegionOps = serde_json::from_str(r#"{"connection_limit_raises": 2}"#).unwrap();
        assert_eq!(region.connection_limit_raises, 2);
        assert_eq!(region.password_rotation_ms, None);
    }
}
