//! The state of one region: its instances, backups, backup download tasks, the
//! table of asynchronous work, and what families keep per region. Requests
//! with `X-TC-Region: R` see region `R` only.

use serde::{Deserialize, Serialize};

use super::backups::{Backup, BackupFile, DownloadTask, NewBackup};
use super::effects::Effect;
use super::features::RegionFeatures;
use super::instance::Instance;
use super::operations::RegionOps;
use super::tasks::{Task, TaskKind};
use crate::archive;
use crate::util::{fnv1a, format_minute, format_time, splitmix64};

/// One region of the emulated account. Every member defaults, so state files
/// written before a member existed still load.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Region {
    pub(crate) instances: Vec<Instance>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) download_tasks: Vec<DownloadTask>,
    pub(crate) tasks: Vec<Task>,
    pub(crate) features: RegionFeatures,
    /// Password rotation and connection-limit raises (instance operations).
    pub(crate) ops: RegionOps,
}

impl Region {
    pub(crate) fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub(crate) fn instance_mut(&mut self, id: &str) -> Option<&mut Instance> {
        self.instances.iter_mut().find(|i| i.id == id)
    }

    /// The task handed out as `id` with one of `kinds`.
    pub(crate) fn task_index(&self, id: u64, kinds: &[TaskKind]) -> Option<usize> {
        self.tasks
            .iter()
            .position(|t| t.id == id && kinds.contains(&t.kind))
    }

    /// The deal handed out as `deal_id`.
    pub(crate) fn deal_index(&self, deal_id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| {
            t.kind == TaskKind::Deal && t.deal.as_ref().is_some_and(|d| d.deal_id == deal_id)
        })
    }

    /// Unfinished tasks that concern `instance_id`.
    pub(crate) fn pending_for<'a>(
        &'a self,
        instance_id: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        self.tasks
            .iter()
            .enumerate()
            .filter(move |(_, t)| !t.is_finished() && t.concerns(instance_id))
            .map(|(i, _)| i)
    }

    /// Backup tasks of `instance_id` still running (they will record a backup).
    pub(crate) fn running_backups<'a>(
        &'a self,
        instance_id: &'a str,
    ) -> impl Iterator<Item = &'a Task> + 'a {
        self.tasks.iter().filter(move |t| {
            !t.is_finished()
                && t.concerns(instance_id)
                && matches!(t.effect, Some(Effect::Backup(_)))
        })
    }

    /// `<instance>_<YYYY-MM-DD HH:MM>`, with seconds and then a counter added when
    /// needed to keep names unique per instance (names reserved by backup tasks
    /// count).
    pub(crate) fn unique_backup_name(&self, instance_id: &str, at_ms: i64) -> String {
        let taken = |name: &str| {
            self.backups
                .iter()
                .any(|b| b.instance_id == instance_id && b.name == name)
                || self.tasks.iter().any(|t| {
                    t.concerns(instance_id)
                        && matches!(&t.effect, Some(Effect::Backup(b)) if b.backup_name == name)
                })
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
    /// file's size is an archive length in the range `sizes`, picked from the
    /// names.
    pub(crate) fn record_backup(&mut self, b: NewBackup<'_>, sizes: (u64, u64)) {
        let Some(instance) = self.instance(b.instance_id) else {
            return;
        };
        let files = instance
            .replica_sets
            .iter()
            .map(|rs| {
                let span = sizes.1.saturating_sub(sizes.0).saturating_add(1);
                let target = sizes.0 + splitmix64(fnv1a(&[b.instance_id, b.name, &rs.id])) % span;
                BackupFile {
                    replica_set_id: rs.id.clone(),
                    size: archive::fit_len_in(target, sizes.0, sizes.1),
                }
            })
            .collect();
        self.backups.push(Backup {
            back_id: b.back_id,
            instance_id: b.instance_id.to_owned(),
            name: b.name.to_owned(),
            method: b.method,
            backup_type: b.backup_type,
            remark: b.remark.to_owned(),
            start_ms: b.start_ms,
            end_ms: b.end_ms,
            files,
            expire_ms: None,
        });
    }

    /// Removes an instance and everything that belongs to it (backups, their
    /// download tasks). Finished tasks stay queryable.
    pub(crate) fn remove_instance(&mut self, id: &str) -> Option<Instance> {
        let at = self.instances.iter().position(|i| i.id == id)?;
        self.backups.retain(|b| b.instance_id != id);
        self.download_tasks.retain(|t| t.instance_id != id);
        Some(self.instances.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    #[test]
    fn backup_names_stay_unique_and_removal_takes_the_backups() {
        let mut state = State::seeded(1_700_000_000_000, (65_536, 65_536));
        let r = state.region_mut("ap-guangzhou");
        let t = 1_700_000_000_000;
        fn backup(name: &str, back_id: i64, t: i64) -> NewBackup<'_> {
            NewBackup {
                instance_id: "cmgo-demo0001",
                name,
                method: 0,
                backup_type: 1,
                remark: "",
                start_ms: t,
                end_ms: t,
                back_id,
            }
        }
        let a = r.unique_backup_name("cmgo-demo0001", t);
        r.record_backup(backup(&a, 1, t), (1, 1));
        let b = r.unique_backup_name("cmgo-demo0001", t);
        assert_ne!(a, b);
        r.record_backup(backup(&b, 2, t), (1, 1));
        let c = r.unique_backup_name("cmgo-demo0001", t);
        assert!(c.ends_with("-2"), "{c}");
        assert_eq!(r.backups.len(), 4);
        assert!(r.remove_instance("cmgo-demo0001").is_some());
        assert_eq!(
            r.backups.len(),
            1,
            "only the other instance's backup is left"
        );
        assert!(r.remove_instance("cmgo-demo0001").is_none());
    }
}
