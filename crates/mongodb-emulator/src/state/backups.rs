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
    /// When it is deleted, as `ModifyBackupExpireTime` set it; otherwise the
    /// instance's rules say (see [`BackupRules::delete_ms`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expire_ms: Option<i64>,
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

pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 24 * HOUR_MS;
/// The service's time zone (UTC+8): backup hours and days are local to it.
const LOCAL_OFFSET_MS: i64 = 8 * HOUR_MS;
/// How long an automatic backup takes in the emulator.
pub(crate) const AUTOMATIC_BACKUP_MS: i64 = 95_000;

/// `LongTermInterval`: which automatic backups are kept longer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LongTerm {
    /// No long-term retention (the service's empty value).
    #[default]
    Off,
    /// The backups of some days of the week (0 Sunday … 6 Saturday).
    Weekly,
    /// The backups of some days of the month (1 … 31).
    Monthly,
}

impl LongTerm {
    /// The value as the service writes it.
    pub(crate) fn wire(self) -> &'static str {
        match self {
            LongTerm::Off => "",
            LongTerm::Weekly => "weekly",
            LongTerm::Monthly => "monthly",
        }
    }

    /// From the service's value; `None` for anything else.
    pub(crate) fn from_wire(value: &str) -> Option<LongTerm> {
        match value.trim() {
            "" => Some(LongTerm::Off),
            "weekly" => Some(LongTerm::Weekly),
            "monthly" => Some(LongTerm::Monthly),
            _ => None,
        }
    }
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
    /// Hours between automatic backups: 24 (once a day) or 12 (twice).
    pub(crate) frequency_hours: u64,
    /// Days of the week (0 Sunday … 6 Saturday, UTC+8) automatic backups run.
    pub(crate) active_weekdays: Vec<u8>,
    pub(crate) long_term: LongTerm,
    /// The days whose automatic backup is kept long-term (weekdays or days of
    /// the month, as `long_term` says).
    pub(crate) long_term_days: Vec<u8>,
    /// Days a long-term backup is kept.
    pub(crate) long_term_expired_days: u64,
    /// Days incremental (oplog) backups are kept: how far back a
    /// point-in-time restore can go.
    pub(crate) oplog_expired_days: u64,
    /// 0 the old backup scheme, 1 advanced backup.
    pub(crate) backup_version: i64,
    /// Alert threshold of the backup storage use, in percent.
    pub(crate) alert_threshold: i64,
    /// The emulator's automatic backups run on these rules once they have been
    /// set (`SetBackupRules`): due backups up to this time have been taken.
    /// `None` for an instance whose rules were never set, whose backups are
    /// left as they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scheduled_until_ms: Option<i64>,
}

impl Default for BackupRules {
    fn default() -> Self {
        BackupRules {
            method: 0,
            backup_time: 2,
            retention_days: 7,
            notify: false,
            frequency_hours: 24,
            active_weekdays: (0..7).collect(),
            long_term: LongTerm::Off,
            long_term_days: Vec::new(),
            long_term_expired_days: 30,
            oplog_expired_days: 7,
            backup_version: 1,
            alert_threshold: 100,
            scheduled_until_ms: None,
        }
    }
}

/// Days since the epoch, weekday (0 Sunday) and day of the month of `ms`, in
/// the service's time zone.
fn local_day(ms: i64) -> (i64, u8, u8) {
    let local = ms + LOCAL_OFFSET_MS;
    let day = local.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday.
    let weekday = (day + 4).rem_euclid(7) as u8;
    let date = time::OffsetDateTime::from_unix_timestamp(local.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    (day, weekday, date.day())
}

/// `0,1,2` for a list of days.
pub(crate) fn days_text(days: &[u8]) -> String {
    let text: Vec<String> = days.iter().map(u8::to_string).collect();
    text.join(",")
}

impl BackupRules {
    /// Days the automatic backup started at `start_ms` is kept: long-term when
    /// its day is one of the long-term days, the retention otherwise.
    fn automatic_keep_days(&self, start_ms: i64) -> u64 {
        let (_, weekday, month_day) = local_day(start_ms);
        let long = match self.long_term {
            LongTerm::Off => false,
            LongTerm::Weekly => self.long_term_days.contains(&weekday),
            LongTerm::Monthly => self.long_term_days.contains(&month_day),
        };
        if long {
            self.long_term_expired_days.max(self.retention_days)
        } else {
            self.retention_days
        }
    }

    /// When `backup` is deleted: the time `ModifyBackupExpireTime` set, else
    /// its start plus the days these rules keep it.
    pub(crate) fn delete_ms(&self, backup: &Backup) -> i64 {
        backup.expire_ms.unwrap_or_else(|| {
            let days = if backup.backup_type == 0 {
                self.automatic_keep_days(backup.start_ms)
            } else {
                self.retention_days
            };
            backup.start_ms + days as i64 * DAY_MS
        })
    }

    /// Whether the emulator removes `backup` at `now_ms`: when its explicit
    /// expiry has passed, or, once the rules have been set, when the rules'
    /// delete time has.
    pub(crate) fn expired(&self, backup: &Backup, now_ms: i64) -> bool {
        match backup.expire_ms {
            Some(at) => at <= now_ms,
            None => self.scheduled_until_ms.is_some() && self.delete_ms(backup) <= now_ms,
        }
    }

    /// Start times of the automatic backups due after `after_ms` and finished
    /// by `until_ms` (oldest first): at `backup_time` o'clock (and 12 hours
    /// later when twice a day) on the active weekdays. Backups that would
    /// already have been deleted by `until_ms` are not listed.
    pub(crate) fn due(&self, after_ms: i64, until_ms: i64) -> Vec<i64> {
        let keep = self.retention_days.max(match self.long_term {
            LongTerm::Off => 0,
            _ => self.long_term_expired_days,
        }) as i64;
        let from = after_ms.max(until_ms - keep * DAY_MS);
        let mut hours = vec![self.backup_time as i64 % 24];
        if self.frequency_hours == 12 {
            hours.push((self.backup_time as i64 + 12) % 24);
            hours.sort_unstable();
        }
        let (first, _, _) = local_day(from);
        let (last, _, _) = local_day(until_ms);
        let mut out = Vec::new();
        for day in first..=last {
            let weekday = (day + 4).rem_euclid(7) as u8;
            if !self.active_weekdays.contains(&weekday) {
                continue;
            }
            for h in &hours {
                let start = day * DAY_MS + h * HOUR_MS - LOCAL_OFFSET_MS;
                if start > from && start + AUTOMATIC_BACKUP_MS <= until_ms {
                    out.push(start);
                }
            }
        }
        out
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

    /// 2024-01-01 00:00:00 UTC+8, a Monday.
    const MONDAY: i64 = 1_704_038_400_000;

    fn backup(backup_type: u8, start_ms: i64) -> Backup {
        Backup {
            back_id: 1,
            instance_id: "i".into(),
            name: "b".into(),
            method: 0,
            backup_type,
            remark: String::new(),
            start_ms,
            end_ms: start_ms + AUTOMATIC_BACKUP_MS,
            files: Vec::new(),
            expire_ms: None,
        }
    }

    #[test]
    fn automatic_backups_are_due_at_the_hour_on_the_active_weekdays() {
        let rules = BackupRules {
            active_weekdays: vec![1, 3],
            ..BackupRules::default()
        };
        let week = MONDAY + 7 * DAY_MS;
        assert_eq!(
            rules.due(MONDAY, week),
            [MONDAY + 2 * HOUR_MS, MONDAY + 2 * DAY_MS + 2 * HOUR_MS]
        );
        let twice = BackupRules {
            frequency_hours: 12,
            backup_time: 20,
            ..rules.clone()
        };
        assert_eq!(
            twice.due(MONDAY, MONDAY + DAY_MS),
            [MONDAY + 8 * HOUR_MS, MONDAY + 20 * HOUR_MS]
        );
        // Due only once finished, and only after the last catch-up.
        let at_two = MONDAY + 2 * HOUR_MS;
        assert!(rules.due(MONDAY, at_two + 1_000).is_empty());
        assert!(rules.due(at_two, week).len() == 1);
        // Backups that would be gone already are not taken.
        let daily = BackupRules::default();
        assert_eq!(daily.due(MONDAY - 365 * DAY_MS, week).len(), 7);
    }

    #[test]
    fn backups_are_kept_as_the_rules_say() {
        let mut rules = BackupRules {
            long_term: LongTerm::Monthly,
            long_term_days: vec![1],
            long_term_expired_days: 90,
            ..BackupRules::default()
        };
        let first = backup(0, MONDAY + 2 * HOUR_MS);
        let second = backup(0, first.start_ms + DAY_MS);
        let manual = backup(1, first.start_ms);
        assert_eq!(rules.delete_ms(&first), first.start_ms + 90 * DAY_MS);
        assert_eq!(rules.delete_ms(&second), second.start_ms + 7 * DAY_MS);
        assert_eq!(rules.delete_ms(&manual), manual.start_ms + 7 * DAY_MS);
        rules.long_term = LongTerm::Weekly;
        assert_eq!(
            rules.delete_ms(&first),
            first.start_ms + 90 * DAY_MS,
            "Monday is weekday 1"
        );

        let late = second.start_ms + 8 * DAY_MS;
        assert!(!rules.expired(&second, late), "rules never set: kept");
        rules.scheduled_until_ms = Some(MONDAY);
        assert!(rules.expired(&second, late));
        assert!(!rules.expired(&first, late));
        let mut kept = second.clone();
        kept.expire_ms = Some(late + 1);
        assert!(!rules.expired(&kept, late), "an explicit expiry wins");
        assert_eq!(rules.delete_ms(&kept), late + 1);
        assert_eq!(days_text(&[0, 3, 6]), "0,3,6");
        assert_eq!(LongTerm::from_wire("weekly"), Some(LongTerm::Weekly));
        assert_eq!(LongTerm::from_wire("yearly"), None);
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
