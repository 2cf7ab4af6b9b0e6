//! Progress of exports on stderr, from the workflow's typed events: a spinner while a backup
//! is made, a percent bar per replica set while its download is prepared, a byte bar per file
//! being downloaded, and an overall line. Animated on a terminal; plain lines otherwise (see [`crate::progress`]).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use mongodb_client_blocking::{task_state_label, ExportEvent};

use super::create::wait_failure_label;
use crate::progress::{Reporter, Task, Unit};

/// Shows the events of a run of exports; safe to call from the worker threads.
#[derive(Debug)]
pub struct ExportView {
    reporter: Reporter,
    overall: Task,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    instances: usize,
    done: usize,
    failed: usize,
    files: usize,
    bytes: u64,
    per: HashMap<String, InstanceTasks>,
}

/// The tasks shown for one instance.
#[derive(Debug, Default)]
struct InstanceTasks {
    backup: Option<(String, Task)>,
    prepare: HashMap<String, Task>,
    files: HashMap<String, Task>,
}

impl ExportView {
    /// A view of `instances` exports.
    pub fn new(reporter: &Reporter, instances: usize) -> Self {
        let state = State {
            instances,
            ..State::default()
        };
        let overall = reporter.spinner("overall", &state.summary());
        ExportView {
            reporter: reporter.clone(),
            overall,
            state: Mutex::new(state),
        }
    }

    /// Shows one event of `instance`'s export.
    pub fn event(&self, instance: &str, event: &ExportEvent<'_>) {
        let mut st = self.lock();
        let st_instances = st.instances;
        let State { per, .. } = &mut *st;
        let tasks = per.entry(instance.to_owned()).or_default();
        match event {
            ExportEvent::BackupWaiting {
                async_request_id,
                status,
                ..
            } => {
                let message = format!("request {async_request_id}: {status}");
                match &tasks.backup {
                    Some((_, t)) => t.set_message(&message),
                    None => {
                        let t = self
                            .reporter
                            .spinner(&format!("backup {instance}"), &message);
                        tasks.backup = Some((async_request_id.to_string(), t));
                    }
                }
            }
            ExportEvent::BackupReady { backup_name, .. } => {
                if let Some((_, t)) = tasks.backup.take() {
                    t.retire(&format!("done: {backup_name}"));
                }
            }
            ExportEvent::TasksProgress { tasks: listed } => {
                for t in listed.iter() {
                    let Some(rs) = t.replica_set_id.as_deref() else {
                        continue;
                    };
                    let bar = tasks.prepare.entry(rs.to_owned()).or_insert_with(|| {
                        self.reporter
                            .counter(&format!("prepare {rs}"), Some(100), Unit::Percent)
                    });
                    bar.set_position(t.percent.unwrap_or(0).clamp(0, 100) as u64);
                    bar.set_message(&task_state_label(t));
                }
            }
            ExportEvent::FileSkipped {
                replica_set_id,
                path,
                ..
            } => {
                self.reporter.line(&format!(
                    "download {replica_set_id}: already complete at {}",
                    path.display()
                ));
            }
            ExportEvent::FileStarted {
                replica_set_id,
                bytes_total,
                ..
            } => {
                if let Some(t) = tasks.prepare.remove(*replica_set_id) {
                    t.set_position(100);
                    t.retire("completed");
                }
                let bar = self.reporter.counter(
                    &format!("download {replica_set_id}"),
                    *bytes_total,
                    Unit::Bytes,
                );
                tasks.files.insert(replica_set_id.to_string(), bar);
            }
            ExportEvent::FileBytes {
                replica_set_id,
                bytes_done,
                bytes_total,
            } => {
                if let Some(bar) = tasks.files.get(*replica_set_id) {
                    if let Some(total) = bytes_total {
                        bar.set_length(*total);
                    }
                    bar.set_position(*bytes_done);
                }
            }
            ExportEvent::FileDone {
                replica_set_id,
                report,
            } => {
                if let Some(bar) = tasks.files.remove(*replica_set_id) {
                    let resumed = if report.resumed_from > 0 {
                        format!(", resumed from byte {}", report.resumed_from)
                    } else {
                        String::new()
                    };
                    bar.retire(&format!(
                        "{} bytes, verified {}{resumed} -> {}",
                        report.bytes,
                        report.verified,
                        report.path.display()
                    ));
                }
            }
            ExportEvent::Failed { error } => {
                if st_instances > 1 {
                    self.reporter.line(&format!("{instance}: failed: {error}"));
                }
                if let Some((id, t)) = tasks.backup.take() {
                    t.retire_failed(&format!("request {id}: {}", wait_failure_label(error)));
                }
                for (_, t) in tasks.prepare.drain() {
                    t.retire_failed("failed");
                }
                for (_, bar) in tasks.files.drain() {
                    bar.retire_failed("failed");
                }
            }
            _ => {}
        }
        // The overall line counts what the events above changed.
        match event {
            ExportEvent::FileSkipped { bytes, .. } => st.add_file(*bytes),
            ExportEvent::FileDone { report, .. } => st.add_file(report.bytes),
            ExportEvent::Finished { .. } => st.done += 1,
            ExportEvent::Failed { .. } => st.failed += 1,
            _ => return,
        }
        self.overall.set_message(&st.summary());
    }

    /// Ends the overall line.
    pub fn finish(&self) {
        let st = self.lock();
        self.overall.retire(&st.summary());
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn add_file(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    /// `1 of 3 instances done (1 failed), 4 files, 1.00 GiB`.
    fn summary(&self) -> String {
        let failed = if self.failed > 0 {
            format!(" ({} failed)", self.failed)
        } else {
            String::new()
        };
        format!(
            "{} of {} {} done{failed}, {} {}, {}",
            self.done + self.failed,
            self.instances,
            if self.instances == 1 {
                "instance"
            } else {
                "instances"
            },
            self.files,
            if self.files == 1 { "file" } else { "files" },
            indicatif::BinaryBytes(self.bytes)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overall_line_counts_instances_files_and_bytes() {
        let mut st = State {
            instances: 3,
            ..State::default()
        };
        assert_eq!(st.summary(), "0 of 3 instances done, 0 files, 0 B");
        st.add_file(1024);
        st.done = 1;
        st.failed = 1;
        assert_eq!(
            st.summary(),
            "2 of 3 instances done (1 failed), 1 file, 1.00 KiB"
        );
    }
}
