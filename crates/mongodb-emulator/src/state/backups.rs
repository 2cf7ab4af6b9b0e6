//! Backups of a region, their download tasks, and each instance's backup
//! rules (family: backups). Plain data; the rules that move work forward are in
//! `settle`.

use serde::{Deserialize, Serialize};

use crate::config::Progress;
use crate::steps::{stage, step, Step};

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
    /// Its `BackId` (reserved earlier, or freshly taken from the state's ids).
    pub(crate) back_id: i64,
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
    pub(crate) end: Option<DownloadEnd>,
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
pub(crate) enum DownloadEnd {
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
            Some(DownloadEnd::Failed) => {
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
            Some(DownloadEnd::RetryThenComplete) => {
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

/// Whether a download task `Status` is an end (2 done, 3 failed).
pub(crate) fn is_final(status: u8) -> bool {
    status == 2 || status == 3
}

/// An instance's automatic backup rules (`SetBackupRules` /
/// `DescribeBackupRules`). Every member defaults, so state files written
/// before a member existed still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BackupRules {
    /// 0 logical, 1 physical, 3 snapshot.
    pub(crate) method: i64,
    /// Hour of the day (UTC+8) the automatic backup starts.
    pub(crate) backup_time: u64,
    /// Days backups are kept.
    pub(crate) retention_days: u64,
    /// Whether the owner is notified when a backup fails.
    pub(crate) notify: bool,
}

impl Default for BackupRules {
    fn default() -> Self {
        BackupRules {
            method: 0,
            backup_time: 2,
            retention_days: 7,
            notify: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn task(end: Option<DownloadEnd>) -> DownloadTask {
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
        assert_eq!(statuses(Some(DownloadEnd::Failed)), [0, 1, 3, 3, 3]);
        assert_eq!(
            statuses(Some(DownloadEnd::RetryThenComplete)),
            [0, 1, 4, 2, 2]
        );
        let p = Progress::Elapsed(Duration::from_secs(1));
        let t = task(Some(DownloadEnd::RetryThenComplete));
        let at: Vec<u8> = [0, 1_500, 2_500, 3_500]
            .iter()
            .map(|ms| t.step(p, *ms).phase)
            .collect();
        assert_eq!(at, [0, 1, 4, 2]);
    }
}
