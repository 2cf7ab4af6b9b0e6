//! What an instance keeps about its logs (family: logs): log download tasks,
//! audit log files, and the operations killed with `KillOps`. The log lines,
//! operations and connections themselves are generated when read (`synth`),
//! from the instance and the time alone. Every member defaults, so state files
//! written before a member existed still load.

use serde::{Deserialize, Serialize};

use crate::config::Progress;
use crate::steps::{stage, Step};

/// Log state of one instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceLogs {
    pub(crate) download_tasks: Vec<LogDownloadTask>,
    pub(crate) audit_files: Vec<AuditFile>,
    pub(crate) killed_ops: Vec<KilledOp>,
}

/// What a log download task collects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum LogTaskKind {
    /// The error (running) log, `CreateLogDownloadTask` (`TaskType` 1).
    #[default]
    #[serde(rename = "mongod")]
    ErrorLog,
    /// Slow log statistics, `CreateSlowLogPatternDownloadTask` (`TaskType` 0).
    #[serde(rename = "slowlog-pattern")]
    SlowLogPattern,
}

impl LogTaskKind {
    /// `Task.TaskType`.
    pub(crate) fn task_type(self) -> i64 {
        match self {
            LogTaskKind::SlowLogPattern => 0,
            LogTaskKind::ErrorLog => 1,
        }
    }
}

/// Filters of the error log (`DescribeMongodbLogs`, `CreateLogDownloadTask`);
/// an empty list filters nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ErrorLogFilter {
    pub(crate) node_names: Vec<String>,
    pub(crate) components: Vec<String>,
    pub(crate) levels: Vec<String>,
    pub(crate) ids: Vec<String>,
    pub(crate) connections: Vec<String>,
    /// Keywords, any of which the detail must contain (`*` matches all).
    pub(crate) keywords: Vec<String>,
}

/// A log download task (`CreateLogDownloadTask`,
/// `CreateSlowLogPatternDownloadTask`, `DescribeLogDownloadTasks`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LogDownloadTask {
    /// A number unique in the account: the file's key in the store.
    pub(crate) id: u64,
    /// `TaskId` as the service forms it: 24 hex digits.
    pub(crate) task_id: String,
    pub(crate) kind: LogTaskKind,
    /// The period the logs cover (ms since the epoch), end excluded.
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    pub(crate) finished_ms: Option<i64>,
    /// Error log tasks: what the file holds.
    pub(crate) filter: ErrorLogFilter,
    /// Slow log pattern tasks: the threshold (ms) and the commands counted.
    pub(crate) threshold_ms: u64,
    pub(crate) commands: Vec<String>,
    /// The key its download URLs are signed with.
    pub(crate) sign: String,
    /// Whether it ends failed (a fault said so).
    pub(crate) fails: bool,
    /// How far the control plane moved it on (elapsed progress), ms.
    pub(crate) head_start_ms: i64,
}

impl LogDownloadTask {
    /// Where it stands; `phase` is `Task.Status` (0 waiting, 1 running, 2
    /// done, 3 failed).
    pub(crate) fn step(&self, progress: Progress, now_ms: i64) -> Step {
        settle(
            self.created_ms - self.head_start_ms,
            self.polls,
            self.finished_ms,
            self.fails,
            progress,
            now_ms,
        )
    }
}

/// How audit logs are ordered (`Order`, `OrderBy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum AuditOrderBy {
    #[default]
    Timestamp,
    AffectRows,
    ExecTime,
}

/// `AuditLogFilter`, as given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AuditFilter {
    pub(crate) hosts: Vec<String>,
    pub(crate) users: Vec<String>,
    /// Execution time above this (ms).
    pub(crate) exec_time_above: Option<u64>,
    /// Affected rows above this.
    pub(crate) affect_rows_above: Option<u64>,
    pub(crate) atypes: Vec<String>,
    pub(crate) results: Vec<String>,
    /// Keywords, any of which the parameters must contain.
    pub(crate) params: Vec<String>,
}

/// An audit log file (`CreateAuditLogFile`, `DescribeAuditLogFiles`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AuditFile {
    /// A number unique in the account: the file's key in the store.
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    pub(crate) finished_ms: Option<i64>,
    pub(crate) order_by: AuditOrderBy,
    pub(crate) descending: bool,
    pub(crate) filter: AuditFilter,
    pub(crate) sign: String,
    pub(crate) fails: bool,
    /// How far the control plane moved it on (elapsed progress), ms.
    pub(crate) head_start_ms: i64,
}

impl AuditFile {
    /// Where it stands: phase 0 or 1 `creating`, 2 `success`, 3 `failed`.
    pub(crate) fn step(&self, progress: Progress, now_ms: i64) -> Step {
        settle(
            self.created_ms - self.head_start_ms,
            self.polls,
            self.finished_ms,
            self.fails,
            progress,
            now_ms,
        )
    }
}

/// An operation ended with `KillOps`; remembered until it would have ended
/// on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct KilledOp {
    pub(crate) op_id: i64,
    pub(crate) until_ms: i64,
}

impl InstanceLogs {
    /// Whether operation `op_id` was killed.
    pub(crate) fn is_killed(&self, op_id: i64) -> bool {
        self.killed_ops.iter().any(|k| k.op_id == op_id)
    }

    /// Moves every unfinished task and file `steps` steps on, as `steps` polls
    /// (per-poll progress) or phases of the clock (elapsed) would; returns how
    /// many moved.
    pub(crate) fn advance(&mut self, steps: u32, progress: Progress) -> usize {
        let items = self
            .download_tasks
            .iter_mut()
            .map(|t| (t.finished_ms, &mut t.polls, &mut t.head_start_ms))
            .chain(
                self.audit_files
                    .iter_mut()
                    .map(|f| (f.finished_ms, &mut f.polls, &mut f.head_start_ms)),
            );
        let mut moved = 0;
        for (finished, polls, head_start) in items {
            if finished.is_some() {
                continue;
            }
            match progress {
                Progress::PerPoll => *polls = polls.saturating_add(steps),
                Progress::Elapsed(phase) => {
                    let ms = i64::try_from(phase.as_millis()).unwrap_or(i64::MAX);
                    *head_start = head_start.saturating_add(ms.saturating_mul(i64::from(steps)));
                }
            }
            moved += 1;
        }
        moved
    }

    /// Remembers a killed operation, forgetting those that are over by `now_ms`.
    pub(crate) fn kill(&mut self, op_id: i64, until_ms: i64, now_ms: i64) {
        self.killed_ops.retain(|k| k.until_ms > now_ms);
        if !self.is_killed(op_id) {
            self.killed_ops.push(KilledOp { op_id, until_ms });
        }
    }
}

/// The common course of a file being prepared: waiting, running, then done
/// (or failed when `fails`).
fn settle(
    created_ms: i64,
    polls: u32,
    finished_ms: Option<i64>,
    fails: bool,
    progress: Progress,
    now_ms: i64,
) -> Step {
    let s = if finished_ms.is_some() {
        Step::DONE
    } else {
        stage(progress, created_ms, polls, now_ms, 2)
    };
    if fails && s.phase == 2 {
        Step {
            phase: 3,
            percent: 0,
        }
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_go_through_their_states_and_fail_when_told() {
        let mut t = LogDownloadTask::default();
        let phases = |t: &mut LogDownloadTask| -> Vec<u8> {
            (0..4)
                .map(|p| {
                    t.polls = p;
                    t.step(Progress::PerPoll, 0).phase
                })
                .collect()
        };
        assert_eq!(phases(&mut t), [0, 1, 2, 2]);
        t.fails = true;
        assert_eq!(phases(&mut t), [0, 1, 3, 3]);
        let f = AuditFile {
            finished_ms: Some(5),
            ..AuditFile::default()
        };
        assert_eq!(f.step(Progress::PerPoll, 0), Step::DONE);
        assert_eq!(LogTaskKind::SlowLogPattern.task_type(), 0);
        assert_eq!(
            serde_json::to_value(LogTaskKind::ErrorLog).unwrap(),
            "mongod"
        );
    }

    #[test]
    fn the_control_plane_moves_unfinished_files_on() {
        let mut logs = InstanceLogs {
            download_tasks: vec![LogDownloadTask::default()],
            audit_files: vec![
                AuditFile::default(),
                AuditFile {
                    finished_ms: Some(1),
                    ..AuditFile::default()
                },
            ],
            ..InstanceLogs::default()
        };
        assert_eq!(logs.advance(2, Progress::PerPoll), 2);
        assert_eq!(
            logs.download_tasks[0].step(Progress::PerPoll, 0),
            Step::DONE
        );
        let phase = Progress::Elapsed(std::time::Duration::from_secs(10));
        assert_eq!(logs.audit_files[0].step(phase, 0).phase, 0);
        assert_eq!(logs.advance(1, phase), 2);
        assert_eq!(logs.audit_files[0].step(phase, 0).phase, 1);
        assert_eq!(logs.audit_files[0].created_ms, 0, "its own dates stay");
    }

    #[test]
    fn killed_operations_are_forgotten_once_over() {
        let mut logs = InstanceLogs::default();
        logs.kill(7, 100, 0);
        logs.kill(7, 100, 0);
        assert_eq!(logs.killed_ops.len(), 1);
        assert!(logs.is_killed(7));
        logs.kill(8, 300, 150);
        assert!(!logs.is_killed(7) && logs.is_killed(8));
    }
}
