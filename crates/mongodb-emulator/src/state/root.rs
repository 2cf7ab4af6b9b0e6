//! The whole emulated account: its regions, and the counter every id comes
//! from. Loading accepts the current layout and the first one (one region,
//! read from each instance's own region).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::backups::{DownloadTask, NewBackup};
use super::instance::{Blueprint, Instance, Network, Spec, PAY_HOURLY, SHARDED};
use super::legacy;
use super::region::Region;
use crate::spec::InstanceSpec;
use crate::util::splitmix64;

/// Version of the state file layout.
pub(crate) const STATE_FORMAT: u32 = 2;

/// The whole emulated account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) format: u32,
    pub(crate) next_id: u64,
    #[serde(default)]
    pub(crate) regions: BTreeMap<String, Region>,
}

const DAY_MS: i64 = 86_400_000;

impl State {
    /// An empty account.
    pub(crate) fn empty() -> Self {
        State {
            format: STATE_FORMAT,
            next_id: 4773,
            regions: BTreeMap::new(),
        }
    }

    /// The demo account: two instances in `ap-guangzhou`, each with one
    /// automatic backup from the previous night.
    pub(crate) fn seeded(now_ms: i64, sizes: (u64, u64)) -> Self {
        let mut state = State::empty();
        state.add_instance(
            InstanceSpec::replica_set("cmgo-demo0001").with_name("demo-replica-set"),
            now_ms,
        );
        state.add_instance(
            InstanceSpec::sharded("cmgo-demo0002", 2).with_name("demo-sharded-cluster"),
            now_ms,
        );
        for id in ["cmgo-demo0001", "cmgo-demo0002"] {
            let start = now_ms - DAY_MS;
            let back_id = state.take_id() as i64;
            let region = state.region_mut("ap-guangzhou");
            let name = region.unique_backup_name(id, start);
            let backup = NewBackup {
                instance_id: id,
                name: &name,
                method: 0,
                backup_type: 0,
                remark: "automatic daily backup",
                start_ms: start,
                end_ms: start + 95_000,
                back_id,
            };
            region.record_backup(backup, sizes);
        }
        state
    }

    /// A fresh number for async work, backups and anything else that needs one.
    pub(crate) fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(crate) fn region(&self, name: &str) -> Option<&Region> {
        self.regions.get(name)
    }

    /// The region `name`, created empty when it holds nothing yet.
    pub(crate) fn region_mut(&mut self, name: &str) -> &mut Region {
        self.regions.entry(name.to_owned()).or_default()
    }

    /// An instance in any region.
    pub(crate) fn find_instance(&self, id: &str) -> Option<&Instance> {
        self.regions.values().find_map(|r| r.instance(id))
    }

    fn instance_count(&self) -> usize {
        self.regions.values().map(|r| r.instances.len()).sum()
    }

    /// A fresh instance id, `cmgo-` and eight lower-case letters and digits,
    /// unused in every region.
    pub(crate) fn new_instance_id(&mut self) -> String {
        const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        loop {
            let mut h = splitmix64(self.take_id() ^ 0x636d_676f);
            let id: String = (0..8)
                .map(|_| {
                    let c = ALPHABET[(h % 36) as usize] as char;
                    h /= 36;
                    c
                })
                .collect();
            let id = format!("cmgo-{id}");
            if self.find_instance(&id).is_none() {
                return id;
            }
        }
    }

    /// Adds an instance to its region; `false` when the id is already used in
    /// any region.
    pub(crate) fn add_instance(&mut self, spec: InstanceSpec, now_ms: i64) -> bool {
        if self.find_instance(spec.instance_id()).is_some() {
            return false;
        }
        let index = self.instance_count() as u64;
        let instance = from_spec(spec, index, now_ms);
        self.region_mut(&instance.region.clone())
            .instances
            .push(instance);
        true
    }

    /// Sets an instance's status in whatever region it is; `false` when there
    /// is no such instance.
    pub(crate) fn set_instance_status(&mut self, id: &str, status: i64) -> bool {
        for region in self.regions.values_mut() {
            if let Some(i) = region.instance_mut(id) {
                i.status = status;
                return true;
            }
        }
        false
    }

    /// A backup download task by id, in any region (download URLs carry no region).
    pub(crate) fn download_task(&self, id: u64) -> Option<&DownloadTask> {
        self.regions
            .values()
            .find_map(|r| r.download_tasks.iter().find(|t| t.id == id))
    }

    /// Reads a state file of the current layout or of the first one.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<State, String> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let head: Head = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        match head.format {
            STATE_FORMAT => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
            legacy::FORMAT => {
                let old = legacy::load(bytes)?;
                Ok(State {
                    format: STATE_FORMAT,
                    next_id: old.next_id,
                    regions: old.regions,
                })
            }
            other => Err(format!(
                "it has format {other}, this emulator reads formats {} and {STATE_FORMAT}",
                legacy::FORMAT
            )),
        }
    }

    /// The state as the state file holds it.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// The instance `spec` describes, the `index`-th of the account.
pub(crate) fn from_spec(spec: InstanceSpec, index: u64, now_ms: i64) -> Instance {
    let replica_sets = spec.replica_set_ids();
    let create_ms = now_ms - 30 * DAY_MS;
    let sharded = spec.sharded;
    let instance = Instance::new(Blueprint {
        id: spec.id,
        name: spec.name,
        region: spec.region,
        zones: vec![spec.zone],
        status: spec.status,
        pay_mode: PAY_HOURLY,
        auto_renew: 0,
        create_ms,
        deadline_ms: create_ms + 365 * DAY_MS,
        cluster_type: u8::from(sharded) * SHARDED,
        mongo_version: spec.mongo_version,
        spec: Spec {
            cpu: spec.cpu,
            memory_mb: spec.memory_mb,
            volume_mb: spec.volume_mb,
            shard_num: replica_sets.len() as u64,
            mongos_node_num: if sharded { 3 } else { 0 },
            mongos_cpu: if sharded { 1 } else { 0 },
            mongos_memory_mb: if sharded { 2048 } else { 0 },
            ..Spec::default()
        },
        network: Network {
            vip: format!("10.0.{}.{}", 1 + index / 200, 10 + index % 200),
            ..Network::default()
        },
        project_id: 0,
        tags: Vec::new(),
        password: None,
    });
    debug_assert_eq!(instance.replica_set_ids(), replica_sets);
    instance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_state_round_trips_and_refuses_unknown_formats() {
        let s = State::seeded(1_700_000_000_000, (100_000, 200_000));
        let region = s.region("ap-guangzhou").unwrap();
        assert_eq!(region.instances.len(), 2);
        assert_eq!(
            region.instance("cmgo-demo0002").unwrap().replica_sets.len(),
            2
        );
        assert_eq!(region.backups.len(), 2);
        let sizes_ok = region
            .backups
            .iter()
            .flat_map(|b| &b.files)
            .all(|f| (100_000..=200_000).contains(&f.size) && f.size % 512 == 0);
        assert!(sizes_ok);
        let back = State::from_json(&s.to_json()).unwrap();
        assert_eq!(back.to_json(), s.to_json());
        let bad = br#"{"format": 9, "next_id": 1}"#;
        assert!(State::from_json(bad).unwrap_err().contains("format 9"));
        assert!(State::from_json(b"[]").is_err());
    }

    #[test]
    fn members_missing_from_a_file_default() {
        let s = State::seeded(1_700_000_000_000, (65_536, 65_536));
        let mut v: serde_json::Value = serde_json::from_slice(&s.to_json()).unwrap();
        let region = &mut v["regions"]["ap-guangzhou"];
        region.as_object_mut().unwrap().remove("tasks");
        for i in region["instances"].as_array_mut().unwrap() {
            let i = i.as_object_mut().unwrap();
            for member in [
                "features",
                "accounts",
                "logs",
                "backup_rules",
                "audit",
                "maintenance",
                "tags",
                "spec",
                "zones",
            ] {
                assert!(i.remove(member).is_some(), "{member}");
            }
        }
        let back = State::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
        let i = back
            .region("ap-guangzhou")
            .unwrap()
            .instance("cmgo-demo0001")
            .unwrap();
        assert_eq!(i.maintenance.start, "04:00:00");
        assert_eq!(i.backup_rules.retention_days, 7);
        assert!(!i.audit.enabled());
        assert!(i.accounts.users.is_empty() && i.tags.is_empty());
        assert_eq!(i.replica_sets.len(), 1, "kept from the file");
    }

    #[test]
    fn instance_ids_are_fresh_and_instances_unique_across_regions() {
        let mut s = State::seeded(0, (1, 1));
        let a = s.new_instance_id();
        let b = s.new_instance_id();
        assert_ne!(a, b);
        assert!(a.starts_with("cmgo-") && a.len() == 13, "{a}");
        let elsewhere = InstanceSpec::replica_set("cmgo-demo0001")
            .with_location("ap-shanghai", "ap-shanghai-2");
        assert!(
            !s.add_instance(elsewhere, 0),
            "ids are unique across regions"
        );
        let sh = InstanceSpec::replica_set("cmgo-sh000001")
            .with_location("ap-shanghai", "ap-shanghai-2");
        assert!(s.add_instance(sh, 0));
        assert_eq!(s.region("ap-shanghai").unwrap().instances.len(), 1);
        assert!(s.set_instance_status("cmgo-sh000001", -2));
        assert!(!s.set_instance_status("cmgo-nothere", -2));
    }
}
