//! How asynchronous work moves and what it leaves behind: polling a task (one
//! step per poll in [`Progress::PerPoll`]), settling the tasks whose time has
//! come (in [`Progress::Elapsed`]), and applying a task's [`Effect`] when it
//! ends.

use super::backups::NewBackup;
use super::effects::Effect;
use super::instance::{status, PAY_PREPAID};
use super::region::Region;
use super::tasks::{Pace, Task, TaskEnd};
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

    /// Polls, once each, the unfinished tasks that concern any of
    /// `instance_ids` (a read of an instance counts as a poll of the work that
    /// changes it).
    pub(crate) fn poll_instances(&mut self, instance_ids: &[String], pace: &Pace) {
        let mut pending: Vec<usize> = instance_ids
            .iter()
            .flat_map(|id| self.pending_for(id))
            .collect();
        pending.sort_unstable();
        pending.dedup();
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
        self.settle_reached(pace)
    }

    /// Settles every unfinished task that has reached its end at `pace`, in
    /// either progress mode (the control plane's `advance` moves polls on
    /// without polling). Returns whether anything changed.
    pub(crate) fn settle_reached(&mut self, pace: &Pace) -> bool {
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
                match task.end {
                    None => {
                        if let Some(i) = region.instance_mut(id) {
                            i.status = status::RUNNING;
                        }
                    }
                    // Stuck: the instances stay as they are, being created.
                    Some(TaskEnd::Paused) => {}
                    Some(TaskEnd::Failed | TaskEnd::Undoed) => {
                        region.remove_instance(id);
                    }
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
        Effect::Account(change) if ok => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    i.accounts.apply(change, end_ms);
                }
            }
        }
        Effect::Rollback => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    if i.status == status::PROCESSING {
                        i.status = status::RUNNING;
                    }
                }
            }
        }
        Effect::Change(change) => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    if ok {
                        change.apply(i, end_ms);
                    }
                    if i.status == status::PROCESSING {
                        i.status = status::RUNNING;
                    }
                }
            }
        }
        Effect::Features(change) if ok => {
            for id in &task.instance_ids {
                if let Some(i) = region.instance_mut(id) {
                    i.features.apply(change, end_ms);
                }
            }
        }
        Effect::Backup(_)
        | Effect::Isolate
        | Effect::Remove
        | Effect::Account(_)
        | Effect::Features(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::InstanceSpec;
    use crate::state::instance::Spec;
    use crate::state::tasks::TaskKind;
    use crate::state::State;

    const PACE: Pace = Pace {
        progress: Progress::PerPoll,
        now_ms: 1_000,
        sizes: (65_536, 65_536),
    };

    fn region_with(effect: Effect, end: Option<TaskEnd>) -> Region {
        let mut state = State::empty();
        state.add_instance(InstanceSpec::replica_set("cmgo-a"), 0);
        let mut region = state.regions.remove("ap-guangzhou").unwrap();
        region.tasks.push(Task {
            id: 1,
            kind: TaskKind::Flow,
            instance_ids: vec!["cmgo-a".into()],
            created_ms: 0,
            polls: 0,
            finished_ms: None,
            end,
            effect: Some(effect),
            deal: None,
        });
        region
    }

    fn poll_to_end(region: &mut Region) -> Vec<u8> {
        (0..4).map(|_| region.poll_task(0, &PACE).phase).collect()
    }

    #[test]
    fn a_resize_shows_when_its_flow_succeeds_and_not_when_it_fails() {
        let bigger = Spec {
            memory_mb: 8192,
            node_num: 5,
            ..Spec::default()
        };
        let mut r = region_with(Effect::Resize(bigger.clone()), None);
        r.instance_mut("cmgo-a").unwrap().status = status::PROCESSING;
        assert_eq!(r.poll_task(0, &PACE).phase, 0);
        assert_eq!(
            r.instance("cmgo-a").unwrap().spec.memory_mb,
            4096,
            "not before success"
        );
        assert_eq!(poll_to_end(&mut r)[..2], [1, 2]);
        let i = r.instance("cmgo-a").unwrap();
        assert_eq!((i.spec.memory_mb, i.status), (8192, status::RUNNING));
        assert_eq!(i.replica_sets[0].nodes.len(), 5);
        assert_eq!(r.tasks[0].finished_ms, Some(1_000));

        let mut failed = region_with(Effect::Resize(bigger), Some(TaskEnd::Failed));
        failed.instance_mut("cmgo-a").unwrap().status = status::PROCESSING;
        poll_to_end(&mut failed);
        let i = failed.instance("cmgo-a").unwrap();
        assert_eq!((i.spec.memory_mb, i.status), (4096, status::RUNNING));
    }

    #[test]
    fn a_change_applies_on_success_and_processing_ends_either_way() {
        use crate::state::changes::InstanceChange;
        let upgrade = || {
            Effect::Change(InstanceChange::Version {
                code: "MONGO_42_WT".into(),
            })
        };
        for (end, version) in [
            (None, "MONGO_42_WT"),
            (Some(TaskEnd::Failed), "MONGO_40_WT"),
        ] {
            let mut r = region_with(upgrade(), end);
            r.instance_mut("cmgo-a").unwrap().status = status::PROCESSING;
            assert_eq!(r.poll_task(0, &PACE).phase, 0);
            assert_eq!(r.instance("cmgo-a").unwrap().mongo_version, "MONGO_40_WT");
            poll_to_end(&mut r);
            let i = r.instance("cmgo-a").unwrap();
            assert_eq!(
                (i.mongo_version.as_str(), i.status),
                (version, status::RUNNING)
            );
        }
    }

    #[test]
    fn starts_isolations_and_removals() {
        let mut r = region_with(Effect::Start, Some(TaskEnd::Failed));
        poll_to_end(&mut r);
        assert!(
            r.instance("cmgo-a").is_none(),
            "an undelivered purchase is removed"
        );

        let mut r = region_with(Effect::Isolate, None);
        poll_to_end(&mut r);
        let i = r.instance("cmgo-a").unwrap();
        assert_eq!(
            (i.status, i.isolated_ms),
            (status::ISOLATED_HOURLY, Some(1_000))
        );

        let mut r = region_with(Effect::Remove, Some(TaskEnd::Paused));
        poll_to_end(&mut r);
        assert!(
            r.instance("cmgo-a").is_some(),
            "a paused removal removes nothing"
        );
        let mut r = region_with(Effect::Remove, None);
        poll_to_end(&mut r);
        assert!(r.instance("cmgo-a").is_none());
    }

    #[test]
    fn a_rollback_ends_in_running_whether_it_succeeds_or_not() {
        for end in [None, Some(TaskEnd::Failed)] {
            let mut r = region_with(Effect::Rollback, end);
            r.instance_mut("cmgo-a").unwrap().status = status::PROCESSING;
            assert_eq!(poll_to_end(&mut r)[..3], [0, 1, 2]);
            assert_eq!(r.instance("cmgo-a").unwrap().status, status::RUNNING);
        }
    }

    #[test]
    fn a_configuration_change_shows_only_when_its_flow_succeeds() {
        use crate::state::features::FeatureChange;
        let open = || {
            Effect::Features(FeatureChange::OpenTde {
                kms_region: "ap-shanghai".into(),
                key_id: "k-1".into(),
            })
        };
        let mut r = region_with(open(), None);
        assert_eq!(r.poll_task(0, &PACE).phase, 0);
        assert!(!r.instance("cmgo-a").unwrap().features.tde.enabled);
        poll_to_end(&mut r);
        let f = &r.instance("cmgo-a").unwrap().features;
        assert!(f.tde.enabled);
        assert_eq!((f.tde.key_id.as_str(), f.tde_opened_ms), ("k-1", 1_000));

        let mut failed = region_with(open(), Some(TaskEnd::Failed));
        poll_to_end(&mut failed);
        assert!(!failed.instance("cmgo-a").unwrap().features.tde.enabled);
    }

    #[test]
    fn elapsed_progress_settles_without_polls() {
        let mut r = region_with(Effect::Isolate, None);
        let early = Pace {
            progress: Progress::Elapsed(std::time::Duration::from_secs(1)),
            now_ms: 500,
            ..PACE
        };
        assert!(!r.settle_due(&early));
        let late = Pace {
            now_ms: 2_500,
            ..early
        };
        assert!(r.settle_due(&late));
        assert_eq!(
            r.instance("cmgo-a").unwrap().status,
            status::ISOLATED_HOURLY
        );
        assert!(!r.settle_due(&late), "settled once");
        assert!(
            !r.settle_due(&PACE),
            "per-poll progress moves only by polls"
        );
    }

    #[test]
    fn an_account_change_shows_when_its_flow_succeeds_only() {
        use crate::state::accounts::{AccountChange, User};
        let change = AccountChange::PutUser {
            user: User {
                name: "app".into(),
                database: "admin".into(),
                ..User::default()
            },
            password_changed: true,
        };
        let users = |r: &Region| r.instance("cmgo-a").unwrap().accounts.users.len();
        let mut r = region_with(Effect::Account(change.clone()), None);
        let before = users(&r);
        assert_eq!(poll_to_end(&mut r)[..3], [0, 1, 2]);
        let i = r.instance("cmgo-a").unwrap();
        assert_eq!(users(&r), before + 1);
        assert_eq!(i.accounts.user("app", "admin").unwrap().created_ms, 1_000);

        let mut failed = region_with(Effect::Account(change), Some(TaskEnd::Failed));
        poll_to_end(&mut failed);
        assert_eq!(
            users(&failed),
            before,
            "a failed change leaves the accounts"
        );
    }
}
