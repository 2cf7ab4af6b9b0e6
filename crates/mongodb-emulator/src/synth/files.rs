//! The files behind log downloads and audit log files: what each holds, as a
//! function of the instance and the task alone. A file covers its period as
//! far as the logs reached when it was asked for (no later than its creation,
//! no earlier than what was kept then).

use super::audit;
use super::errorlog;
use super::slow::{patterns_csv, SlowLogs};
use super::view::{View, RETENTION_MS};
use crate::state::features::Audit;
use crate::state::logs::{AuditFile, LogDownloadTask, LogTaskKind};

/// The period `start..end` as far as logs kept at `at_ms` reach.
pub(crate) fn kept(start_ms: i64, end_ms: i64, at_ms: i64) -> (i64, i64) {
    (start_ms.max(at_ms - RETENTION_MS), end_ms.min(at_ms))
}

/// The period `start..end` as far as audit logs kept at `at_ms` reach: from
/// when the audit was switched on, for as many days as it keeps them (7 when
/// it names none).
pub(crate) fn audit_kept(audit: &Audit, start_ms: i64, end_ms: i64, at_ms: i64) -> (i64, i64) {
    let days = match audit.log_expire_days {
        0 => 7,
        d => i64::try_from(d).unwrap_or(i64::MAX / 2),
    };
    let from = start_ms
        .max(audit.opened_ms)
        .max(at_ms.saturating_sub(days.saturating_mul(86_400_000)));
    (from, end_ms.min(at_ms))
}

/// The file name a log download task is served under.
pub(crate) fn task_file_name(instance_id: &str, task: &LogDownloadTask) -> String {
    match task.kind {
        LogTaskKind::ErrorLog => format!("{instance_id}_errorlog_{}.log", task.task_id),
        LogTaskKind::SlowLogPattern => {
            format!("{instance_id}_slowlog_pattern_{}.csv", task.task_id)
        }
    }
}

/// The bytes of a log download task's file.
pub(crate) fn task_body(view: &View, task: &LogDownloadTask) -> Vec<u8> {
    let (start, end) = kept(task.start_ms, task.end_ms, task.created_ms);
    match task.kind {
        LogTaskKind::ErrorLog => {
            let mut out = String::new();
            for e in errorlog::entries(view, start, end) {
                if e.matches(view, &task.filter) {
                    out.push_str(&e.line(view));
                    out.push('\n');
                }
            }
            out.into_bytes()
        }
        LogTaskKind::SlowLogPattern => {
            let slow = SlowLogs::new(view);
            let entries = slow.entries(start, end);
            let chosen = entries.iter().filter(|e| {
                e.millis >= task.threshold_ms
                    && (task.commands.is_empty()
                        || task
                            .commands
                            .iter()
                            .any(|c| c.eq_ignore_ascii_case(slow.shape(e).command)))
            });
            patterns_csv(&slow.patterns(chosen)).into_bytes()
        }
    }
}

/// The bytes of an audit log file.
pub(crate) fn audit_body(view: &View, audit_state: &Audit, file: &AuditFile) -> Vec<u8> {
    let (start, end) = audit_kept(audit_state, file.start_ms, file.end_ms, file.created_ms);
    let mut entries: Vec<audit::Entry> = audit::entries(view, start, end)
        .into_iter()
        .filter(|e| e.matches(&file.filter))
        .collect();
    audit::sort(&mut entries, file.order_by, file.descending);
    let mut out = String::from(audit::CSV_HEADER);
    for e in &entries {
        out.push_str(&e.csv());
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_cut_to_what_was_kept() {
        assert_eq!(kept(0, 100, 50), (0, 50));
        assert_eq!(
            kept(0, RETENTION_MS + 10, RETENTION_MS + 5),
            (5, RETENTION_MS + 5)
        );
        let audit = Audit {
            enabled: true,
            opened_ms: 20,
            log_expire_days: 0,
            ..Audit::default()
        };
        assert_eq!(audit_kept(&audit, 0, 100, 90), (20, 90));
        let week = 7 * 86_400_000;
        assert_eq!(
            audit_kept(&audit, 0, 2 * week, 2 * week),
            (week, 2 * week),
            "7 days when none is named"
        );
        let audit = Audit {
            log_expire_days: 1,
            ..audit
        };
        assert_eq!(
            audit_kept(&audit, 0, 200_000_000, 100_000_000),
            (100_000_000 - 86_400_000, 100_000_000)
        );
    }
}
