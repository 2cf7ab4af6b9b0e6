//! The `DescribeDBInstances` answer the decode benches read: 1,000 instances with every member
//! of `InstanceDetail` (and of the structures inside it) populated with plausible values.
//!
//! Deterministic: the same bytes on every run and every machine.

use serde_json::{json, Value};

/// How many instances the fixture lists.
pub const INSTANCES: usize = 1_000;

/// A small deterministic generator (an LCG), so values vary without depending on a seed source.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An 8-character lowercase base-36 id, like the service's `cmgo-` suffixes.
    fn id(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..8)
            .map(|_| char::from(ALPHABET[self.below(36) as usize]))
            .collect()
    }
}

const REGIONS: &[&str] = &["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-singapore"];
const VERSIONS: &[&str] = &["MONGO_36_WT", "MONGO_40_WT", "MONGO_42_WT", "MONGO_44_WT"];

fn db_instance_info(rng: &mut Lcg, region: &str) -> Value {
    json!({ "InstanceId": format!("cmgo-{}", rng.id()), "Region": region })
}

fn datetime(rng: &mut Lcg, year: u64) -> String {
    format!(
        "{year}-{:02}-{:02} {:02}:{:02}:{:02}",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// One `InstanceDetail`, every member present.
pub fn instance(rng_seed: u64) -> Value {
    let mut rng = Lcg(rng_seed);
    let id = rng.id();
    let region = REGIONS[rng.below(REGIONS.len() as u64) as usize];
    let sharded = rng.below(4) == 0;
    let shards = if sharded { 2 + rng.below(3) } else { 1 };
    let memory_gb = [2u64, 4, 8, 16, 32][rng.below(5) as usize];
    let volume_gb = 50 * (1 + rng.below(20));
    let replica_sets: Vec<Value> = (0..shards)
        .map(|s| {
            json!({
                "UsedVolume": (rng.below(volume_gb * 1000) as f64) / 7.0,
                "ReplicaSetId": format!("cmgo-{id}_{s}"),
                "ReplicaSetName": format!("cmgo-{id}_{s}"),
                "Memory": memory_gb * 1024,
                "Volume": volume_gb * 1024,
                "OplogSize": 1024 + 512 * rng.below(4),
                "SecondaryNum": 2,
                "RealReplicaSetId": format!("cmgo-{id}_{s}"),
            })
        })
        .collect();
    let team = ["payments", "search", "growth"][rng.below(3) as usize];
    let stage = ["prod", "staging", "analytics"][rng.below(3) as usize];
    // Two halves: one `json!` this large would exceed the macro recursion limit.
    let mut detail = json!({
        "InstanceId": format!("cmgo-{id}"),
        "InstanceName": format!("orders-{stage}-{}", rng.below(100)),
        "PayMode": rng.below(2),
        "ProjectId": rng.below(1_000_000),
        "ClusterType": u64::from(sharded),
        "Region": region,
        "Zone": format!("{region}-{}", 1 + rng.below(6)),
        "NetType": 1,
        "VpcId": format!("vpc-{}", rng.id()),
        "SubnetId": format!("subnet-{}", rng.id()),
        "Status": 2,
        "Vip": format!("10.{}.{}.{}", rng.below(256), rng.below(256), 1 + rng.below(254)),
        "Vport": 27017,
        "CreateTime": datetime(&mut rng, 2021 + rng_seed % 3),
        "DeadLine": datetime(&mut rng, 2038),
        "MongoVersion": VERSIONS[rng.below(VERSIONS.len() as u64) as usize],
        "Memory": memory_gb,
        "Volume": volume_gb,
        "CpuNum": memory_gb / 2,
        "MachineType": "HIO10G",
        "SecondaryNum": 2,
        "ReplicationSetNum": shards,
        "AutoRenewFlag": rng.below(3),
        "UsedVolume": rng.below(volume_gb * 1024),
        "MaintenanceStart": "04:00:00",
        "MaintenanceEnd": "05:00:00",
    });
    let rest = json!({
        "ReplicaSets": replica_sets,
        "ReadonlyInstances": [db_instance_info(&mut rng, region)],
        "StandbyInstances": [db_instance_info(&mut rng, "ap-shanghai")],
        "CloneInstances": [db_instance_info(&mut rng, region)],
        "RelatedInstance": db_instance_info(&mut rng, region),
        "Tags": [
            { "TagKey": "team", "TagValue": team },
            { "TagKey": "env", "TagValue": "production" },
        ],
        "InstanceVer": 4,
        "ClusterVer": 1,
        "Protocol": 1,
        "InstanceType": 1,
        "InstanceStatusDesc": "运行中",
        "RealInstanceId": format!("cmgo-{id}"),
        "ZoneList": [format!("{region}-2"), format!("{region}-3"), format!("{region}-4")],
        "MongosNodeNum": if sharded { 3 } else { 0 },
        "MongosMemory": 2,
        "MongosCpuNum": 1,
        "ConfigServerNodeNum": 3,
        "ConfigServerMemory": 2,
        "ConfigServerVolume": 20,
        "ConfigServerCpuNum": 1,
        "ReadonlyNodeNum": 1,
    });
    if let (Some(d), Value::Object(r)) = (detail.as_object_mut(), rest) {
        d.extend(r);
    }
    detail
}

/// The whole answer body: `{"Response": {"TotalCount", "InstanceDetails", "RequestId"}}`.
pub fn describe_db_instances_body() -> Vec<u8> {
    let details: Vec<Value> = (0..INSTANCES as u64).map(instance).collect();
    check_every_member_is_set(&details[0], "InstanceDetail");
    let body = json!({
        "Response": {
            "TotalCount": INSTANCES,
            "InstanceDetails": details,
            "RequestId": "5f1c6a8e-0b4d-4c41-9d2e-6f0e9a1b2c3d",
        }
    });
    serde_json::to_vec(&body).expect("a Value always serializes")
}

/// Fails loudly when the models know a member the fixture lacks (the spec grew), so the bench
/// keeps decoding every member.
fn check_every_member_is_set(value: &Value, structure: &str) {
    let Some(params) = mongodb_models::structure_params(structure) else {
        return;
    };
    for p in params {
        let member = value
            .get(p.name)
            .unwrap_or_else(|| panic!("fixture: {structure}.{} is missing", p.name));
        if let Some(inner) = p.structure {
            let first = member.as_array().map_or(Some(member), |a| a.first());
            let first = first.unwrap_or_else(|| panic!("fixture: {structure}.{} is empty", p.name));
            check_every_member_is_set(first, inner);
        }
    }
}
