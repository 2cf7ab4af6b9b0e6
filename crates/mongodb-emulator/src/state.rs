//! The emulated account: instances, backups, async requests and backup download
//! tasks. Plain data (serialisable for the state file) plus the rules that move
//! long-running work forward.

use serde::{Deserialize, Serialize};

use crate::config::Progress;
use crate::spec::InstanceSpec;
use crate::util::{fnv1a, format_minute, format_time, splitmix64};

/// Version of the state file layout.
pub(crate) const STATE_FORMAT: u32 = 1;

/// An emulated instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Instance {
    pub(crate) id: String,
    pub(crate) name: String,
    /// 0 replica set, 1 sharded.
    pub(crate) cluster_type: u8,
    pub(crate) replica_sets: Vec<String>,
    pub(crate) status: i64,
    pub(crate) region: String,
    pub(crate) zone: String,
    pub(crate) mongo_version: String,
    pub(crate) memory_mb: u64,
    pub(crate) volume_mb: u64,
    pub(crate) cpu: u64,
    pub(crate) project_id: u64,
    pub(crate) pay_mode: u64,
    pub(crate) vpc_id: String,
    pub(crate) subnet_id: String,
    pub(crate) vip: String,
    pub(crate) create_ms: i64,
}

impl Instance {
    /// The instance `spec` describes, the `index`-th of the account.
    pub(crate) fn from_spec(spec: InstanceSpec, index: u64, now_ms: i64) -> Instance {
        let replica_sets = spec.replica_set_ids();
        Instance {
            vip: format!("10.0.{}.{}", 1 + index / 200, 10 + index % 200),
            create_ms: now_ms - 30 * 86_400_000,
            id: spec.id,
            name: spec.name,
            cluster_type: u8::from(spec.sharded),
            replica_sets,
            status: spec.status,
            region: spec.region,
            zone: spec.zone,
            mongo_version: spec.mongo_version,
            memory_mb: spec.memory_mb,
            volume_mb: spec.volume_mb,
            cpu: spec.cpu,
            project_id: 0,
            pay_mode: 0,
            vpc_id: "vpc-emulator1".to_owned(),
            subnet_id: "subnet-emulator1".to_owned(),
        }
    }
}

/// The file of one replica set or shard within a backup.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct BackupFile {
    pub(crate) replica_set_id: String,
    pub(crate) size: u64,
}

/// A finished backup.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Backup {
    pub(crate) back_id: i64,
    pub(crate) instance_id: String,
    pub(crate) name: String,
    pub(crate) method: i64,
    /// 0 automatic, 1 manual.
    pub(crate) backup_type: u8,
    pub(crate) remark: String,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) files: Vec<BackupFile>,
}

impl Backup {
    /// Total size in KB, as `BackupInfo.BackupSize` reports it.
    pub(crate) fn size_kb(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.size)
            .sum::<u64>()
            .div_ceil(1024)
    }
}

/// An async request started by `CreateBackupDBInstance`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AsyncRequest {
    pub(crate) id: u64,
    pub(crate) instance_id: String,
    /// The backup this request produces (reserved at creation).
    pub(crate) backup_name: String,
    pub(crate) method: i64,
    pub(crate) remark: String,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    /// When it reached `success` (and the backup was recorded).
    pub(crate) finished_ms: Option<i64>,
}

/// A backup download task (one replica set or shard of one backup).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DownloadTask {
    pub(crate) id: u64,
    pub(crate) instance_id: String,
    pub(crate) backup_name: String,
    pub(crate) replica_set_id: String,
    pub(crate) size: u64,
    pub(crate) method: i64,
    pub(crate) remark: String,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    pub(crate) finished_ms: Option<i64>,
    /// The secret part of the download URL.
    pub(crate) sign: String,
    /// Seed of the file's bytes.
    pub(crate) seed: u64,
}

/// Where a piece of long-running work stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// 0 queued, 1 running, 2 done.
    pub(crate) phase: u8,
    pub(crate) percent: u8,
}

/// Works out the step of an item created at `created_ms` that has been polled
/// `polls` times before this poll.
pub(crate) fn step(progress: Progress, created_ms: i64, polls: u32, now_ms: i64) -> Step {
    match progress {
        Progress::PerPoll => match polls {
            0 => Step {
                phase: 0,
                percent: 0,
            },
            1 => Step {
                phase: 1,
                percent: 50,
            },
            _ => Step {
                phase: 2,
                percent: 100,
            },
        },
        Progress::Elapsed(d) => {
            let phase_ms = d.as_millis().min(i64::MAX as u128) as i64;
            let age = now_ms.saturating_sub(created_ms).max(0);
            if phase_ms == 0 || age >= phase_ms.saturating_mul(2) {
                Step {
                    phase: 2,
                    percent: 100,
                }
            } else if age < phase_ms {
                Step {
                    phase: 0,
                    percent: 0,
                }
            } else {
                let pct = ((age - phase_ms) * 100 / phase_ms).clamp(1, 99);
                Step {
                    phase: 1,
                    percent: pct as u8,
                }
            }
        }
    }
}

/// The whole emulated account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) format: u32,
    pub(crate) next_id: u64,
    pub(crate) instances: Vec<Instance>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) async_requests: Vec<AsyncRequest>,
    pub(crate) tasks: Vec<DownloadTask>,
}

impl State {
    /// An empty account.
    pub(crate) fn empty() -> Self {
        State {
            format: STATE_FORMAT,
            next_id: 4773,
            instances: Vec::new(),
            backups: Vec::new(),
            async_requests: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// The demo account: two instances, each with one automatic backup from the
    /// previous night.
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
            let start = now_ms - 86_400_000;
            let name = state.unique_backup_name(id, start);
            state.record_backup(
                id,
                &name,
                1,
                0,
                "automatic daily backup",
                start,
                start + 95_000,
                sizes,
            );
        }
        state
    }

    /// A fresh id for async requests, tasks and backups.
    pub(crate) fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(crate) fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// Adds an instance; `false` when the id is already used.
    pub(crate) fn add_instance(&mut self, spec: InstanceSpec, now_ms: i64) -> bool {
        if self.instance(spec.instance_id()).is_some() {
            return false;
        }
        let index = self.instances.len() as u64;
        self.instances
            .push(Instance::from_spec(spec, index, now_ms));
        true
    }

    /// `<instance>_<YYYY-MM-DD HH:MM>`, with seconds and then a counter added when
    /// needed to keep names unique per instance (reserved async requests count).
    pub(crate) fn unique_backup_name(&self, instance_id: &str, at_ms: i64) -> String {
        let taken = |name: &str| {
            self.backups
                .iter()
                .any(|b| b.instance_id == instance_id && b.name == name)
                || self
                    .async_requests
                    .iter()
                    .any(|r| r.instance_id == instance_id && r.backup_name == name)
        };
        let minute = format!("{instance_id}_{}", format_minute(at_ms));
        if !taken(&minute) {
            return minute;
        }
        let second = format!("{instance_id}_{}", format_time(at_ms));
        if !taken(&second) {
            return second;
        }
        (2..)
            .map(|n| format!("{second}-{n}"))
            .find(|n| !taken(n))
            .unwrap_or(second)
    }

    /// Records a finished backup of every replica set of the instance.
    #[allow(clippy::too_many_arguments)] // reason: plain record constructor used in two places
    pub(crate) fn record_backup(
        &mut self,
        instance_id: &str,
        name: &str,
        method: i64,
        backup_type: u8,
        remark: &str,
        start_ms: i64,
        end_ms: i64,
        sizes: (u64, u64),
    ) {
        let Some(instance) = self.instance(instance_id) else {
            return;
        };
        let files = instance
            .replica_sets
            .iter()
            .map(|rs| {
                let span = sizes.1.saturating_sub(sizes.0).saturating_add(1);
                let size = sizes.0 + splitmix64(fnv1a(&[instance_id, name, rs])) % span;
                BackupFile {
                    replica_set_id: rs.clone(),
                    size,
                }
            })
            .collect();
        let back_id = self.take_id() as i64;
        self.backups.push(Backup {
            back_id,
            instance_id: instance_id.to_owned(),
            name: name.to_owned(),
            method,
            backup_type,
            remark: remark.to_owned(),
            start_ms,
            end_ms,
            files,
        });
    }

    /// Brings an async request's outcome into the state: once it is done, its
    /// backup exists. Returns whether anything changed.
    pub(crate) fn settle_async(
        &mut self,
        idx: usize,
        step: Step,
        now_ms: i64,
        sizes: (u64, u64),
    ) -> bool {
        if step.phase < 2 || self.async_requests[idx].finished_ms.is_some() {
            return false;
        }
        let req = self.async_requests[idx].clone();
        let end = now_ms.max(req.created_ms);
        self.record_backup(
            &req.instance_id,
            &req.backup_name,
            req.method,
            1,
            &req.remark,
            req.created_ms,
            end,
            sizes,
        );
        self.async_requests[idx].finished_ms = Some(end);
        true
    }

    /// Settles every async request whose time has come (for the elapsed mode, so
    /// that backups appear even when nobody polls).
    pub(crate) fn settle_all(
        &mut self,
        progress: Progress,
        now_ms: i64,
        sizes: (u64, u64),
    ) -> bool {
        if progress == Progress::PerPoll {
            return false;
        }
        let mut changed = false;
        for idx in 0..self.async_requests.len() {
            let r = &self.async_requests[idx];
            if r.finished_ms.is_some() {
                continue;
            }
            let s = step(progress, r.created_ms, r.polls, now_ms);
            changed |= self.settle_async(idx, s, now_ms, sizes);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn per_poll_reports_then_advances() {
        let phases: Vec<u8> = (0..4)
            .map(|p| step(Progress::PerPoll, 0, p, 0).phase)
            .collect();
        assert_eq!(phases, [0, 1, 2, 2]);
    }

    #[test]
    fn elapsed_phases() {
        let p = Progress::Elapsed(Duration::from_secs(10));
        assert_eq!(step(p, 0, 0, 5_000).phase, 0);
        let mid = step(p, 0, 0, 15_000);
        assert_eq!((mid.phase, mid.percent), (1, 50));
        assert_eq!(step(p, 0, 0, 20_000).phase, 2);
        assert_eq!(step(Progress::Elapsed(Duration::ZERO), 0, 0, 0).phase, 2);
    }

    #[test]
    fn seeded_state_has_demo_instances_and_unique_names() {
        let mut s = State::seeded(1_700_000_000_000, (1000, 2000));
        assert_eq!(s.instances.len(), 2);
        assert_eq!(s.instance("cmgo-demo0002").unwrap().replica_sets.len(), 2);
        assert_eq!(s.backups.len(), 2);
        let sizes_ok = s
            .backups
            .iter()
            .flat_map(|b| &b.files)
            .all(|f| (1000..=2000).contains(&f.size));
        assert!(sizes_ok);
        let t = 1_700_000_000_000;
        let a = s.unique_backup_name("cmgo-demo0001", t);
        s.record_backup("cmgo-demo0001", &a, 0, 1, "", t, t, (1, 1));
        let b = s.unique_backup_name("cmgo-demo0001", t);
        assert_ne!(a, b);
        s.record_backup("cmgo-demo0001", &b, 0, 1, "", t, t, (1, 1));
        let c = s.unique_backup_name("cmgo-demo0001", t);
        assert!(c.ends_with("-2"), "{c}");
    }
}
