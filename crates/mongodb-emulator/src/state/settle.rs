//! How asynchronous work moves and what it leaves behind: polling a task (one
//! step per poll in [`Progress::PerPoll`]), settling the tasks whose time has
//! come (in [`Progress::Elapsed`]), and applying a task's [`Effect`] when it
//! ends.

use super::backups::NewBackup;
use super::effects::Effect;
use super::instance::{status, PAY_PREPAID};
use super::region::Region;
use super::tasks::{Pace, Task};
use crate::config::Progress;
use crate::steps::Step;

impl Region {
    /// One poll of task `idx` by the action that queries it: reports where
    /// it stands and then (per-poll progress) moves it one step on. When the
    /// reported step is its end, the task is settled first, so the answer
    /// shows its effect.
    pub(crate) fn poll_task(&mut self, idx: usize, pace: &Pace) -> Step {
        let st = self.tasks[idx].step(pace);
        if pace.progress == Progress::PerPoll && st.phase < 2 {
            self.tasks[idx].polls += 1;
        }
        self.settle_task(idx, st, pace);
        st
    }

    /// Polls every unfinished task that concerns `instance_id` (a read of the
    /// instance counts as a poll of the work that changes it).
    pub(crate) fn poll_instance(&mut self, instance_id: &str, pace: &Pace) {
        let pending: Vec<usize> = self.pending_for(instance_id).collect();
        for idx in pending {
            self.poll_task(idx, pace);
        }
    }

    /// Settles every task whose time has come; only the clock moves work in
    /// the elapsed mode, so this runs before every request. Returns whether
    /// anything changed.
    pub(crate) fn settle_due(&mut self, pace: &Pace) -> bool {
        if pace.progress == Progress::PerPoll {
            return false;
        }
        let mut changed = false;
        for idx in 0..self.tasks.len() {
            if self.tasks[idx].is_finished() {
                continue;
            }
            let st = self.tasks[idx].step(pace);
            changed |= self.settle_task(idx, st, pace);
        }
        changed
    }

    /// Ends task `idx` if `st` is its end: records when, applies its effect.
    fn settle_task(&mut self, idx: usize, st: Step, pace: &Pace) -> bool {
        if st.phase < 2 || self.tasks[idx].is_finished() {
            return false;
        }
        let end = pace.now_ms.max(self.tasks[idx].created_ms);
        self.tasks[idx].finished_ms = Some(end);
        let task = self.tasks[idx].clone();
        if let Some(effect) = &task.effect {
            apply(self, &task, effect, end, pace);
        }
        true
    }
}

/// Applies `effect` of `task`, which ended at `end_ms`.
fn apply(region: &mut Region, task: &Task, effect: &Effect, end_ms: i64, pace: &Pace) {
    let ok = task.succeeds();
    match effect {
        Effect::Backup(b) if ok => {
            let Some(instance_id) = task.instance_ids.first() else {
                return;
            };
            let backup = NewBackup {
                instance_id,
                name: &b.backup_name,
                method: b.method,
                backup_type: 1,
                remark: &b.remark,
                start_ms: task.created_ms,
                end_ms,
                back_id: b.back_id,
            };
            region.record_backup(backup, pace.sizes);
        }
        Effect::Start => {
            for id in &task.instance_ids {
                if !ok {
                    region.remove_instance(id);
                } else if let Some(i) = region.instance_mut(id) {
                    i.status = status::RUNNING;
                }
            }
        }
        Effect::Isolate if ok => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    i.status = if i.pay_mode == PAY_PREPAID {
                        status::ISOLATED_PREPAID
                    } else {
                        status::ISOLATED_HOURLY
                    };
                    i.isolated_ms = Some(end_ms);
                }
            }
        }
        Effect::Remove if ok => {
            for id in &task.instance_ids {
                region.remove_instance(id);
            }
        }
        Effect::Resize(spec) => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    if ok {
                        i.spec = spec.clone();
                        i.rebuild_topology();
                    }
                    if i.status == status::PROCESSING {
                        i.status = status::RUNNING;
                    }
                }
            }
        }
        Effect::Backup(_) | Effect::Isolate | Effect::Remove => {}
    }
}
