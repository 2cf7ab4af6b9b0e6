//! What a task changes when it succeeds (and, for a purchase, when it fails).
//! A family whose work needs a new kind of change adds a variant here and its
//! arm in `settle::apply`.

use serde::{Deserialize, Serialize};

use super::accounts::AccountChange;
use super::changes::InstanceChange;
use super::features::FeatureChange;
use super::instance::Spec;

/// The change a task makes to the state of its region when it ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Effect {
    /// A backup of the task's (first) instance is recorded.
    Backup(BackupEffect),
    /// The task's instances, bought by it, become running; when the task
    /// fails or is undone they are removed again (the purchase is not
    /// delivered); when it is paused they stay, being created.
    Start,
    /// The task's instances become isolated (status -2 prepaid, -3 hourly).
    Isolate,
    /// The task's instances are removed, with their backups.
    Remove,
    /// The task's instances take this size (their topology is rebuilt) and
    /// are running again.
    Resize(Spec),
    /// A change to the database accounts or roles of the task's instances.
    Account(AccountChange),
    /// The task's instances, processing while their data is rolled back to an
    /// earlier time (a restore or a flashback), are running again when it
    /// ends, whether it succeeded or not.
    Rollback,
    /// The task's instances take this configuration change (e.g.
    /// transparent data encryption goes on); nothing when it doesn't succeed.
    Features(FeatureChange),
    /// The task's instances take this change (see [`InstanceChange`]); one
    /// in status processing is running again, whether the work succeeded or
    /// not.
    Change(InstanceChange),
}

/// The backup a backup task records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BackupEffect {
    /// Reserved when the task was created, unique per instance.
    pub(crate) backup_name: String,
    pub(crate) method: i64,
    pub(crate) remark: String,
    /// Reserved when the task was created.
    pub(crate) back_id: i64,
}
