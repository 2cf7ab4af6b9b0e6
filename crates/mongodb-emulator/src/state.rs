//! The emulated account: instances, backups, async requests and backup download
//! tasks. Plain data (serialisable for the state file) plus the rules that move
//! long-running work forward.

use serde::{Deserialize, Serialize};

use crate::archive;
use crate::config::Progress;
use crate::spec::InstanceSpec;
use crate::steps::{stage, step, Step};
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
    /// When it ended: reached `success` (and the backup was recorded) or the
    /// state `end` says.
    pub(crate) finished_ms: Option<i64>,
    /// How it ends instead of `success`, when a fault says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) end: Option<AsyncEnd>,
    /// The `BackId` its backup gets (reserved at creation; absent in old state files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) back_id: Option<i64>,
}

/// An end other than `success` for an async request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AsyncEnd {
    Paused,
    Failed,
    Undoed,
}

impl AsyncRequest {
    /// Where it stands: 0 initial, 1 running, 2 ended.
    pub(crate) fn step(&self, progress: Progress, now_ms: i64) -> Step {
        if self.finished_ms.is_some() {
            Step::DONE
        } else {
            step(progress, self.created_ms, self.polls, now_ms)
        }
    }

    /// The `Status` `DescribeAsyncRequestInfo` reports at `step`.
    pub(crate) fn status(&self, step: Step) -> &'static str {
        match (step.phase, self.end) {
            (0, _) => "initial",
            (1, _) => "running",
            (_, None) => "success",
            (_, Some(AsyncEnd::Paused)) => "paused",
            (_, Some(AsyncEnd::Failed)) => "failed",
            (_, Some(AsyncEnd::Undoed)) => "undoed",
        }
    }
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
    /// The key download URLs of this task are signed with.
    pub(crate) sign: String,
    /// Seed of the file's bytes (kept for old state files; the archive derives
    /// its own from the names).
    pub(crate) seed: u64,
    /// How it ends instead of plainly completing, when a fault says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) end: Option<TaskEnd>,
    /// When the backup started and ended (the archive's times; 0 in old state
    /// files, then the task's creation counts).
    #[serde(default)]
    pub(crate) backup_start_ms: i64,
    #[serde(default)]
    pub(crate) backup_end_ms: i64,
}

/// An end other than plain completion for a backup download task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TaskEnd {
    /// 0 → 1 → 3 (failed).
    Failed,
    /// 0 → 1 → 4 (waiting for retry) → 2.
    RetryThenComplete,
}

impl DownloadTask {
    /// Where it stands; `phase` is the task's `Status`.
    pub(crate) fn step(&self, progress: Progress, now_ms: i64) -> Step {
        let (created, polls) = (self.created_ms, self.polls);
        match self.end {
            None if self.finished_ms.is_some() => Step::DONE,
            None => step(progress, created, polls, now_ms),
            Some(TaskEnd::Failed) => {
                let s = stage(progress, created, polls, now_ms, 2);
                if self.finished_ms.is_some() || s.phase == 2 {
                    Step {
                        phase: 3,
                        percent: 0,
                    }
                } else {
                    s
                }
            }
            Some(TaskEnd::RetryThenComplete) => {
                let s = stage(progress, created, polls, now_ms, 3);
                match s.phase {
                    _ if self.finished_ms.is_some() => Step::DONE,
                    2 => Step {
                        phase: 4,
                        percent: 0,
                    },
                    3 => Step::DONE,
                    _ => s,
                }
            }
        }
    }
}

/// Whether a task `Status` is an end (2 done, 3 failed).
pub(crate) fn is_final(status: u8) -> bool {
    status == 2 || status == 3
}

/// A finished backup to record.
pub(crate) struct NewBackup<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) method: i64,
    /// 0 automatic, 1 manual.
    pub(crate) backup_type: u8,
    pub(crate) remark: &'a str,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    /// A `BackId` reserved earlier, if any.
    pub(crate) back_id: Option<i64>,
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
                NewBackup {
                    instance_id: id,
                    name: &name,
                    method: 0,
                    backup_type: 0,
                    remark: "automatic daily backup",
                    start_ms: start,
                    end_ms: start + 95_000,
                    back_id: None,
                },
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

    /// Records a finished backup of every replica set of the instance; each
    /// file's size is an archive length in the range `sizes`, picked from the names.
    pub(crate) fn record_backup(&mut self, b: NewBackup<'_>, sizes: (u64, u64)) {
        let Some(instance) = self.instance(b.instance_id) else {
            return;
        };
        let files = instance
            .replica_sets
            .iter()
            .map(|rs| {
                let span = sizes.1.saturating_sub(sizes.0).saturating_add(1);
                let target = sizes.0 + splitmix64(fnv1a(&[b.instance_id, b.name, rs])) % span;
                BackupFile {
                    replica_set_id: rs.clone(),
                    size: archive::fit_len_in(target, sizes.0, sizes.1),
                }
            })
            .collect();
        let back_id = match b.back_id {
            Some(id) => id,
            None => self.take_id() as i64,
        };
        self.backups.push(Backup {
            back_id,
            instance_id: b.instance_id.to_owned(),
            name: b.name.to_owned(),
            method: b.method,
            backup_type: b.backup_type,
            remark: b.remark.to_owned(),
            start_ms: b.start_ms,
            end_ms: b.end_ms,
            files,
        });
    }

    /// Brings an async request's outcome into the state: once it has ended its
    /// `finished_ms` is set, and when it succeeded its backup exists. Returns
    /// whether anything changed.
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
        if req.end.is_none() {
            self.record_backup(
                NewBackup {
                    instance_id: &req.instance_id,
                    name: &req.backup_name,
                    method: req.method,
                    backup_type: 1,
                    remark: &req.remark,
                    start_ms: req.created_ms,
                    end_ms: end,
                    back_id: req.back_id,
                },
                sizes,
            );
        }
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
            let s = r.step(progress, now_ms);
            changed |= self.settle_async(idx, s, now_ms, sizes);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn backup<'a>(name: &'a str, t: i64) -> NewBackup<'a> {
        NewBackup {
            instance_id: "cmgo-demo0001",
            name,
            method: 0,
            backup_type: 1,
            remark: "",
            start_ms: t,
            end_ms: t,
            back_id: None,
        }
    }

    #[test]
    fn seeded_state_has_demo_instances_and_unique_names() {
        let mut s = State::seeded(1_700_000_000_000, (100_000, 200_000));
        assert_eq!(s.instances.len(), 2);
        assert_eq!(s.instance("cmgo-demo0002").unwrap().replica_sets.len(), 2);
        assert_eq!(s.backups.len(), 2);
        assert!(s.backups.iter().all(|b| b.method == 0), "logical");
        let sizes_ok = s
            .backups
            .iter()
            .flat_map(|b| &b.files)
            .all(|f| (100_000..=200_000).contains(&f.size) && f.size % 512 == 0);
        assert!(sizes_ok);
        let t = 1_700_000_000_000;
        let a = s.unique_backup_name("cmgo-demo0001", t);
        s.record_backup(backup(&a, t), (1, 1));
        let b = s.unique_backup_name("cmgo-demo0001", t);
        assert_ne!(a, b);
        s.record_backup(backup(&b, t), (1, 1));
        let c = s.unique_backup_name("cmgo-demo0001", t);
        assert!(c.ends_with("-2"), "{c}");
    }

    fn task(end: Option<TaskEnd>) -> DownloadTask {
        DownloadTask {
            id: 1,
            instance_id: "i".into(),
            backup_name: "b".into(),
            replica_set_id: "i_0".into(),
            size: 1,
            method: 0,
            remark: String::new(),
            created_ms: 0,
            polls: 0,
            finished_ms: None,
            sign: String::new(),
            seed: 0,
            end,
            backup_start_ms: 0,
            backup_end_ms: 0,
        }
    }

    #[test]
    fn download_tasks_end_as_their_fault_says() {
        let statuses = |end| -> Vec<u8> {
            let mut t = task(end);
            (0..5)
                .map(|p| {
                    t.polls = p;
                    t.step(Progress::PerPoll, 0).phase
                })
                .collect()
        };
        assert_eq!(statuses(None), [0, 1, 2, 2, 2]);
        assert_eq!(statuses(Some(TaskEnd::Failed)), [0, 1, 3, 3, 3]);
        assert_eq!(statuses(Some(TaskEnd::RetryThenComplete)), [0, 1, 4, 2, 2]);
        let p = Progress::Elapsed(Duration::from_secs(1));
        let t = task(Some(TaskEnd::RetryThenComplete));
        let at: Vec<u8> = [0, 1_500, 2_500, 3_500]
            .iter()
            .map(|ms| t.step(p, *ms).phase)
            .collect();
        assert_eq!(at, [0, 1, 4, 2]);
    }
}
