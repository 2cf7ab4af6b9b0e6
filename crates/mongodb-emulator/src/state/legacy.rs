//! The first layout of the state file (format 1: one list of instances, of
//! backups, of backup async requests and of download tasks), read and turned
//! into the current one: each instance goes to its own region, each async
//! request becomes a backup task of the table of asynchronous work.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::backups::{Backup, DownloadTask};
use super::effects::{BackupEffect, Effect};
use super::instance::{Blueprint, Instance, Network, Spec, SHARDED};
use super::region::Region;
use super::tasks::{Task, TaskEnd, TaskKind};

/// The layout this module reads.
pub(crate) const FORMAT: u32 = 1;

#[derive(Deserialize)]
struct OldState {
    next_id: u64,
    instances: Vec<OldInstance>,
    backups: Vec<Backup>,
    async_requests: Vec<OldAsyncRequest>,
    tasks: Vec<DownloadTask>,
}

#[derive(Deserialize)]
struct OldInstance {
    id: String,
    name: String,
    cluster_type: u8,
    replica_sets: Vec<String>,
    status: i64,
    region: String,
    zone: String,
    mongo_version: String,
    memory_mb: u64,
    volume_mb: u64,
    cpu: u64,
    project_id: u64,
    pay_mode: u64,
    vpc_id: String,
    subnet_id: String,
    vip: String,
    create_ms: i64,
}

#[derive(Deserialize)]
struct OldAsyncRequest {
    id: u64,
    instance_id: String,
    backup_name: String,
    method: i64,
    remark: String,
    created_ms: i64,
    polls: u32,
    finished_ms: Option<i64>,
    #[serde(default)]
    end: Option<TaskEnd>,
    #[serde(default)]
    back_id: Option<i64>,
}

/// What a format-1 file holds, in the current layout.
pub(crate) struct Converted {
    pub(crate) next_id: u64,
    pub(crate) regions: BTreeMap<String, Region>,
}

impl Converted {
    fn region(&mut self, name: &str) -> &mut Region {
        self.regions.entry(name.to_owned()).or_default()
    }
}

/// Reads a format-1 state file into the current layout.
pub(crate) fn load(bytes: &[u8]) -> Result<Converted, String> {
    let old: OldState = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut state = Converted {
        next_id: old.next_id,
        regions: BTreeMap::new(),
    };
    let mut region_of = HashMap::new();
    for i in old.instances {
        region_of.insert(i.id.clone(), i.region.clone());
        let instance = convert(i);
        state
            .region(&instance.region.clone())
            .instances
            .push(instance);
    }
    let home = |id: &str| region_of.get(id).cloned().unwrap_or_default();
    for b in old.backups {
        state.region(&home(&b.instance_id)).backups.push(b);
    }
    for t in old.tasks {
        state.region(&home(&t.instance_id)).download_tasks.push(t);
    }
    for r in old.async_requests {
        let back_id = match r.back_id {
            Some(b) => b,
            None => {
                state.next_id += 1;
                (state.next_id - 1) as i64
            }
        };
        let task = Task {
            id: r.id,
            kind: TaskKind::AsyncRequest,
            instance_ids: vec![r.instance_id.clone()],
            created_ms: r.created_ms,
            polls: r.polls,
            finished_ms: r.finished_ms,
            end: r.end,
            effect: Some(Effect::Backup(BackupEffect {
                backup_name: r.backup_name,
                method: r.method,
                remark: r.remark,
                back_id,
            })),
            deal: None,
        };
        state.region(&home(&r.instance_id)).tasks.push(task);
    }
    Ok(state)
}

fn convert(i: OldInstance) -> Instance {
    let sharded = i.cluster_type == SHARDED;
    let mut instance = Instance::new(Blueprint {
        id: i.id,
        name: i.name,
        region: i.region,
        zones: vec![i.zone],
        status: i.status,
        pay_mode: i.pay_mode,
        auto_renew: 0,
        create_ms: i.create_ms,
        deadline_ms: i.create_ms + 365 * 86_400_000,
        cluster_type: i.cluster_type,
        mongo_version: i.mongo_version,
        spec: Spec {
            cpu: i.cpu,
            memory_mb: i.memory_mb,
            volume_mb: i.volume_mb,
            shard_num: i.replica_sets.len().max(1) as u64,
            mongos_node_num: if sharded { 3 } else { 0 },
            mongos_cpu: if sharded { 1 } else { 0 },
            mongos_memory_mb: if sharded { 2048 } else { 0 },
            ..Spec::default()
        },
        network: Network {
            vpc_id: i.vpc_id,
            subnet_id: i.subnet_id,
            vip: i.vip,
            ..Network::default()
        },
        project_id: i.project_id,
        tags: Vec::new(),
        password: None,
    });
    // Keep the replica set ids the old file named, should they differ.
    for (set, id) in instance.replica_sets.iter_mut().zip(&i.replica_sets) {
        if &set.id != id {
            for node in &mut set.nodes {
                node.id = node.id.replacen(&set.id, id, 1);
            }
            set.id = id.clone();
        }
    }
    instance
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_format_1_file_loads_into_regions_and_the_task_table() {
        let old = json!({
            "format": 1,
            "next_id": 5000,
            "instances": [{
                "id": "cmgo-old00001", "name": "old", "cluster_type": 1,
                "replica_sets": ["cmgo-old00001_0", "cmgo-old00001_1"], "status": 2,
                "region": "ap-shanghai", "zone": "ap-shanghai-2", "mongo_version": "MONGO_42_WT",
                "memory_mb": 8192, "volume_mb": 256000, "cpu": 4, "project_id": 7, "pay_mode": 0,
                "vpc_id": "vpc-x", "subnet_id": "subnet-x", "vip": "10.0.1.10",
                "create_ms": 1_700_000_000_000_i64
            }],
            "backups": [{
                "back_id": 4800, "instance_id": "cmgo-old00001", "name": "cmgo-old00001_2023",
                "method": 0, "backup_type": 0, "remark": "", "start_ms": 1, "end_ms": 2,
                "files": [{"replica_set_id": "cmgo-old00001_0", "size": 65536}]
            }],
            "async_requests": [{
                "id": 4801, "instance_id": "cmgo-old00001", "backup_name": "b2", "method": 1,
                "remark": "r", "created_ms": 3, "polls": 1, "finished_ms": null, "end": "paused"
            }],
            "tasks": []
        });
        let state = load(&serde_json::to_vec(&old).unwrap()).unwrap();
        let region = &state.regions["ap-shanghai"];
        let i = region.instance("cmgo-old00001").unwrap();
        assert_eq!(i.replica_set_ids(), ["cmgo-old00001_0", "cmgo-old00001_1"]);
        assert_eq!((i.project_id, i.network.vip.as_str()), (7, "10.0.1.10"));
        assert_eq!(region.backups.len(), 1);
        let t = &region.tasks[0];
        assert_eq!(
            (t.id, t.kind, t.polls, t.end),
            (4801, TaskKind::AsyncRequest, 1, Some(TaskEnd::Paused))
        );
        assert!(matches!(&t.effect, Some(Effect::Backup(b)) if b.back_id == 5000));
        assert_eq!(state.next_id, 5001, "the missing BackId took a fresh id");
    }
}
