//! An emulated instance: identity, status, billing, size, topology (replica
//! sets or shards with their nodes, mongos), network, project, tags,
//! maintenance window, deletion protection, and one struct per family that
//! keeps more about it (`features`, `accounts`, `logs`, `backup_rules`,
//! `audit`).
//!
//! Every member added after the first layout has a serde default, so a state
//! file written before it existed still loads.

use serde::{Deserialize, Serialize};

use super::accounts::InstanceAccounts;
use super::audit::InstanceAudit;
use super::backups::BackupRules;
use super::features::InstanceFeatures;
use super::logs::InstanceLogs;
use super::operations::InstanceOps;
use crate::util::{fnv1a, splitmix64};

/// `Status` values of an instance.
pub(crate) mod status {
    /// Being created (the service's "to be initialised").
    pub(crate) const CREATING: i64 = 0;
    /// A change is being applied.
    pub(crate) const PROCESSING: i64 = 1;
    pub(crate) const RUNNING: i64 = 2;
    /// Isolated, prepaid (monthly) billing.
    pub(crate) const ISOLATED_PREPAID: i64 = -2;
    /// Isolated, hourly billing.
    pub(crate) const ISOLATED_HOURLY: i64 = -3;

    pub(crate) fn is_isolated(s: i64) -> bool {
        s == ISOLATED_PREPAID || s == ISOLATED_HOURLY
    }

    /// `InstanceStatusDesc`.
    pub(crate) fn describe(s: i64) -> &'static str {
        match s {
            CREATING => "initializing",
            PROCESSING => "processing",
            RUNNING => "running",
            ISOLATED_PREPAID | ISOLATED_HOURLY => "isolated",
            _ => "unknown",
        }
    }
}

/// `PayMode`: 0 hourly, 1 prepaid (monthly).
pub(crate) const PAY_HOURLY: u64 = 0;
pub(crate) const PAY_PREPAID: u64 = 1;

/// 0 replica set, 1 sharded cluster.
pub(crate) const REPLICA_SET: u8 = 0;
pub(crate) const SHARDED: u8 = 1;

/// The size of an instance. Memory and volume are per node of a replica set or
/// shard, as purchased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Spec {
    /// `MachineCode` as purchased, e.g. `HIO10G`, `GE.LD.T2`.
    pub(crate) machine_type: String,
    pub(crate) cpu: u64,
    pub(crate) memory_mb: u64,
    pub(crate) volume_mb: u64,
    /// Nodes (primary and secondaries) per replica set or shard.
    pub(crate) node_num: u64,
    /// Replica sets (1) or shards.
    pub(crate) shard_num: u64,
    /// Read-only nodes per replica set or shard.
    pub(crate) readonly_node_num: u64,
    /// Mongos nodes (sharded clusters only) and their size.
    pub(crate) mongos_node_num: u64,
    pub(crate) mongos_cpu: u64,
    pub(crate) mongos_memory_mb: u64,
    pub(crate) oplog_mb: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            machine_type: "HIO10G".to_owned(),
            cpu: 2,
            memory_mb: 4096,
            volume_mb: 102_400,
            node_num: 3,
            shard_num: 1,
            readonly_node_num: 0,
            mongos_node_num: 0,
            mongos_cpu: 0,
            mongos_memory_mb: 0,
            oplog_mb: 10_240,
        }
    }
}

/// What a node does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum NodeRole {
    Primary,
    Secondary,
    Hidden,
    Readonly,
    Mongos,
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Node {
    /// `<replica set>-node-primary`, `<replica set>-node-slave<N>`, …
    pub(crate) id: String,
    pub(crate) role: NodeRole,
    pub(crate) zone: String,
    /// `ip:port`.
    pub(crate) address: String,
}

/// A replica set, or one shard of a sharded cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReplicaSet {
    /// `<instance>_<N>`.
    pub(crate) id: String,
    pub(crate) nodes: Vec<Node>,
}

/// How the instance is reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Network {
    /// The service's `NetType`: 0 basic network, 1 VPC (every emulated instance is in one).
    pub(crate) net_type: u64,
    pub(crate) vpc_id: String,
    pub(crate) subnet_id: String,
    pub(crate) vip: String,
    pub(crate) vport: u64,
    /// The public address, when the WAN service is on.
    pub(crate) wan_address: Option<String>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            net_type: 1,
            vpc_id: "vpc-emulator1".to_owned(),
            subnet_id: "subnet-emulator1".to_owned(),
            vip: String::new(),
            vport: 27017,
            wan_address: None,
        }
    }
}

/// The maintenance window (UTC+8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Maintenance {
    /// `HH:MM:SS`.
    pub(crate) start: String,
    pub(crate) end: String,
    /// Days of the week it applies (`Monday`, …); empty means every day.
    pub(crate) days: Vec<String>,
}

impl Default for Maintenance {
    fn default() -> Self {
        Maintenance {
            start: "04:00:00".to_owned(),
            end: "05:00:00".to_owned(),
            days: Vec::new(),
        }
    }
}

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tag {
    pub(crate) key: String,
    pub(crate) value: String,
}

/// An emulated instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Instance {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) region: String,
    /// The primary zone.
    pub(crate) zone: String,
    /// Every zone the nodes are spread over (the primary zone first).
    #[serde(default)]
    pub(crate) zones: Vec<String>,
    /// See [`status`].
    pub(crate) status: i64,
    /// [`PAY_HOURLY`] or [`PAY_PREPAID`].
    pub(crate) pay_mode: u64,
    /// `AutoRenewFlag`: 0 notify and renew by hand, 1 renew automatically, 2
    /// neither notify nor renew.
    #[serde(default)]
    pub(crate) auto_renew: i64,
    pub(crate) create_ms: i64,
    /// When paid time ends (prepaid) or the billing horizon (hourly).
    pub(crate) deadline_ms: i64,
    /// When it was isolated, while it is.
    #[serde(default)]
    pub(crate) isolated_ms: Option<i64>,
    /// [`REPLICA_SET`] or [`SHARDED`].
    pub(crate) cluster_type: u8,
    /// `MONGO_44_WT`.
    pub(crate) mongo_version: String,
    #[serde(default)]
    pub(crate) spec: Spec,
    pub(crate) replica_sets: Vec<ReplicaSet>,
    #[serde(default)]
    pub(crate) mongos: Vec<Node>,
    #[serde(default)]
    pub(crate) network: Network,
    #[serde(default)]
    pub(crate) project_id: u64,
    #[serde(default)]
    pub(crate) tags: Vec<Tag>,
    #[serde(default)]
    pub(crate) maintenance: Maintenance,
    #[serde(default)]
    pub(crate) deletion_protection: bool,
    #[serde(default)]
    pub(crate) features: InstanceFeatures,
    #[serde(default)]
    pub(crate) accounts: InstanceAccounts,
    #[serde(default)]
    pub(crate) logs: InstanceLogs,
    #[serde(default)]
    pub(crate) backup_rules: BackupRules,
    #[serde(default)]
    pub(crate) audit: InstanceAudit,
    /// What the instance-operations family keeps (elastic CPU, shard sizes,
    /// kernel version, public access, …).
    #[serde(default)]
    pub(crate) ops: InstanceOps,
}

/// What a new instance is made from; the topology follows from `spec`.
#[derive(Clone, Debug)]
pub(crate) struct Blueprint {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) zones: Vec<String>,
    pub(crate) status: i64,
    pub(crate) pay_mode: u64,
    pub(crate) auto_renew: i64,
    pub(crate) create_ms: i64,
    pub(crate) deadline_ms: i64,
    pub(crate) cluster_type: u8,
    pub(crate) mongo_version: String,
    pub(crate) spec: Spec,
    pub(crate) network: Network,
    pub(crate) project_id: u64,
    pub(crate) tags: Vec<Tag>,
    /// The password of `mongouser`, if one was given (only its digest is kept).
    pub(crate) password: Option<String>,
}

impl Instance {
    /// Hours left of a prepaid instance's term at `now_ms`; `None` for pay-as-you-go.
    pub(crate) fn prepaid_hours_left(&self, now_ms: i64) -> Option<f64> {
        (self.pay_mode == PAY_PREPAID)
            .then(|| (self.deadline_ms - now_ms).max(0) as f64 / 3_600_000.0)
    }

    /// A new instance as `bp` describes it, nodes and all.
    pub(crate) fn new(bp: Blueprint) -> Instance {
        let zone = bp.zones.first().cloned().unwrap_or_default();
        let mut instance = Instance {
            accounts: InstanceAccounts::initial(bp.password.as_deref(), bp.create_ms),
            id: bp.id,
            name: bp.name,
            region: bp.region,
            zone,
            zones: bp.zones,
            status: bp.status,
            pay_mode: bp.pay_mode,
            auto_renew: bp.auto_renew,
            create_ms: bp.create_ms,
            deadline_ms: bp.deadline_ms,
            isolated_ms: None,
            cluster_type: bp.cluster_type,
            mongo_version: bp.mongo_version,
            spec: bp.spec,
            replica_sets: Vec::new(),
            mongos: Vec::new(),
            network: bp.network,
            project_id: bp.project_id,
            tags: bp.tags,
            maintenance: Maintenance::default(),
            deletion_protection: false,
            features: InstanceFeatures::default(),
            logs: InstanceLogs::default(),
            backup_rules: BackupRules::default(),
            audit: InstanceAudit::default(),
            ops: InstanceOps::default(),
        };
        instance.rebuild_topology();
        instance
    }

    pub(crate) fn is_sharded(&self) -> bool {
        self.cluster_type == SHARDED
    }

    pub(crate) fn replica_set_ids(&self) -> Vec<String> {
        self.replica_sets.iter().map(|rs| rs.id.clone()).collect()
    }

    /// Derives replica sets (or shards) and their nodes, and the mongos nodes,
    /// from `spec` and `zones`. Node ids depend only on the replica set id, the
    /// role and the position, so a node keeps its id across a rebuild.
    pub(crate) fn rebuild_topology(&mut self) {
        let zones: Vec<String> = if self.zones.is_empty() {
            vec![self.zone.clone()]
        } else {
            self.zones.clone()
        };
        let zone = |n: usize| zones[n % zones.len()].clone();
        let shards = self.spec.shard_num.max(1);
        let mut sets = Vec::new();
        for s in 0..shards {
            let id = format!("{}_{s}", self.id);
            let mut nodes = Vec::new();
            for n in 0..self.spec.node_num.max(1) as usize {
                let (role, name) = if n == 0 {
                    (NodeRole::Primary, "primary".to_owned())
                } else {
                    (NodeRole::Secondary, format!("slave{}", n - 1))
                };
                nodes.push(self.node(&id, role, &name, zone(n)));
            }
            for r in 0..self.spec.readonly_node_num as usize {
                let name = format!("readonly{r}");
                nodes.push(self.node(&id, NodeRole::Readonly, &name, zone(r)));
            }
            sets.push(ReplicaSet { id, nodes });
        }
        self.replica_sets = sets;
        let mongos = if self.is_sharded() {
            self.spec.mongos_node_num
        } else {
            0
        };
        let id = self.id.clone();
        self.mongos = (0..mongos as usize)
            .map(|m| self.node(&id, NodeRole::Mongos, &format!("mongos{m}"), zone(m)))
            .collect();
    }

    fn node(&self, set: &str, role: NodeRole, name: &str, zone: String) -> Node {
        let id = format!("{set}-node-{name}");
        let h = splitmix64(fnv1a(&[&id]));
        let port = if role == NodeRole::Mongos {
            27017
        } else {
            7001
        };
        Node {
            address: format!(
                "10.{}.{}.{}:{port}",
                1 + h % 250,
                (h >> 8) % 256,
                2 + (h >> 16) % 250
            ),
            id,
            role,
            zone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blueprint(cluster_type: u8, spec: Spec) -> Blueprint {
        Blueprint {
            id: "cmgo-test0001".into(),
            name: "t".into(),
            region: "ap-guangzhou".into(),
            zones: vec!["ap-guangzhou-3".into(), "ap-guangzhou-4".into()],
            status: status::RUNNING,
            pay_mode: PAY_HOURLY,
            auto_renew: 0,
            create_ms: 0,
            deadline_ms: 0,
            cluster_type,
            mongo_version: "MONGO_44_WT".into(),
            spec,
            network: Network::default(),
            project_id: 0,
            tags: Vec::new(),
            password: Some("Secret-123".into()),
        }
    }

    #[test]
    fn topology_follows_the_spec() {
        let rs = Instance::new(blueprint(REPLICA_SET, Spec::default()));
        assert_eq!(rs.replica_set_ids(), ["cmgo-test0001_0"]);
        let roles: Vec<NodeRole> = rs.replica_sets[0].nodes.iter().map(|n| n.role).collect();
        assert_eq!(
            roles,
            [NodeRole::Primary, NodeRole::Secondary, NodeRole::Secondary]
        );
        assert_eq!(
            rs.replica_sets[0].nodes[0].id,
            "cmgo-test0001_0-node-primary"
        );
        assert_eq!(rs.replica_sets[0].nodes[1].zone, "ap-guangzhou-4");
        assert!(rs.mongos.is_empty());
        assert_eq!(rs.zone, "ap-guangzhou-3");
        let user = &rs.accounts.users[0];
        assert_eq!(user.name, "mongouser");
        assert!(!user.password_sha256.contains("Secret"));

        let spec = Spec {
            shard_num: 3,
            readonly_node_num: 1,
            mongos_node_num: 3,
            ..Spec::default()
        };
        let mut sharded = Instance::new(blueprint(SHARDED, spec));
        assert_eq!(sharded.replica_sets.len(), 3);
        assert_eq!(sharded.replica_sets[2].nodes.len(), 4);
        assert_eq!(sharded.mongos.len(), 3);
        let before = sharded.replica_sets[1].nodes[0].clone();
        sharded.spec.node_num = 5;
        sharded.rebuild_topology();
        assert_eq!(
            sharded.replica_sets[1].nodes[0], before,
            "ids and addresses are stable"
        );
        assert_eq!(sharded.replica_sets[1].nodes.len(), 6);
    }
}
