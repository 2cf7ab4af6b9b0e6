//! Multi-step workflows built from the typed calls, the paginators and the waiters: the
//! replica sets of an instance, its backups of every method, a backup that is waited for and
//! identified, and the preparation of a backup's files for download.

use std::collections::BTreeSet;

use mongodb_errors::{AsyncRequestId, Error, ErrorCode, InstanceId, ServiceError, WaitError};
use mongodb_models::{
    BackupDownloadTask, BackupInfo, BackupMethod, CreateBackupDBInstanceRequest,
    CreateBackupDownloadTaskRequest, DescribeDBBackupsRequest, DescribeDBInstancesRequest,
    InstanceDetail, ReplicaSetInfo,
};

use crate::{Client, WaitOptions};

/// A finished backup, as returned by [`Client::backup_and_wait`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedBackup {
    /// The id of the `CreateBackupDBInstance` async request that made the backup.
    pub async_request_id: String,
    /// The backup as `DescribeDBBackups` lists it once the request has succeeded; its
    /// `backup_name` (always set) is what [`Client::prepare_backup_download`] takes.
    pub backup: BackupInfo,
}

/// What identifies a backup record: its record id and its name (two backups started in the
/// same minute may share a name, and some answers lack the record id).
type BackupKey = (Option<i64>, Option<String>);

fn backup_key(b: &BackupInfo) -> BackupKey {
    (b.back_id, b.backup_name.clone())
}

/// The newest backup in `after` that is not in `before` (and has a name), preferring
/// backups made with `method`; "newest" by `StartTime`, the last listed on a tie.
fn newest_new_backup(
    after: Vec<BackupInfo>,
    before: &BTreeSet<BackupKey>,
    method: BackupMethod,
) -> Option<BackupInfo> {
    let fresh: Vec<BackupInfo> = after
        .into_iter()
        .filter(|b| b.backup_name.as_deref().is_some_and(|n| !n.is_empty()))
        .filter(|b| !before.contains(&backup_key(b)))
        .collect();
    let (same_method, other): (Vec<BackupInfo>, Vec<BackupInfo>) = fresh
        .into_iter()
        .partition(|b| b.backup_method == Some(method));
    let pool = if same_method.is_empty() {
        other
    } else {
        same_method
    };
    pool.into_iter()
        .max_by(|a, b| a.start_time.cmp(&b.start_time))
}

/// Whether a failed listing of one backup method may be passed over when listing several:
/// the service refusing the method for this kind of instance (a cloud-disk instance has no
/// logical backups, an encrypted one no physical backups).
fn method_refused(e: &Error) -> bool {
    e.service_error().is_some_and(|s| {
        let code = s.code.as_str();
        (code.starts_with("InvalidParameter") && !code.contains("NotFoundInstance"))
            || code.starts_with("UnsupportedOperation")
    })
}

/// The ids of the replica sets (or shards) of an instance as listed; `<instance_id>_0` when
/// none is.
pub(crate) fn replica_sets_of(detail: &InstanceDetail, instance_id: &str) -> Vec<String> {
    let sets: Vec<String> = detail
        .replica_sets
        .iter()
        .flatten()
        .filter_map(|r| r.replica_set_id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    if sets.is_empty() {
        vec![format!("{instance_id}_0")]
    } else {
        sets
    }
}

impl Client {
    /// Every backup of an instance made with one of `methods` (an empty slice means every
    /// method the service documents: logical, physical and snapshot), oldest first by
    /// `StartTime`.
    ///
    /// `DescribeDBBackups` lists the backups of one `BackupMethod` at a time (without it, only
    /// logical backups), so this lists each method, every page, and merges the lists; a
    /// backup listed under two methods is kept once.
    ///
    /// # Errors
    ///
    /// The errors of the calls. When several methods are listed, the service refusing one of
    /// them for this instance (an `InvalidParameter*` code other than an unknown instance, or
    /// `UnsupportedOperation*`) passes that method over (logged); when it refuses every one,
    /// the first refusal is the error.
    pub fn list_backups(
        &self,
        instance_id: &str,
        methods: &[BackupMethod],
    ) -> Result<Vec<BackupInfo>, Error> {
        let methods = if methods.is_empty() {
            BackupMethod::KNOWN
        } else {
            methods
        };
        let mut all: Vec<BackupInfo> = Vec::new();
        let mut seen: BTreeSet<BackupKey> = BTreeSet::new();
        let mut refused: Option<Error> = None;
        let mut listed = 0;
        for method in methods {
            let req = DescribeDBBackupsRequest::new(instance_id).with_backup_method(*method);
            match self
                .describe_db_backups_iter(req)
                .collect::<Result<Vec<BackupInfo>, Error>>()
            {
                Ok(list) => {
                    listed += 1;
                    for b in list {
                        if seen.insert(backup_key(&b)) {
                            all.push(b);
                        }
                    }
                }
                Err(e) if methods.len() > 1 && method_refused(&e) => {
                    log::debug!(
                        "listing backups of {instance_id} with BackupMethod {}: {e}; passed over",
                        method.value()
                    );
                    refused.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if listed == 0 {
            if let Some(e) = refused {
                return Err(e);
            }
        }
        // Stable: backups with the same StartTime keep the order they were listed in.
        all.sort_by(|a, b| a.start_time.cmp(&b.start_time));
        Ok(all)
    }

    /// The ids of the replica sets (or, for a sharded instance, the shards) of an instance,
    /// e.g. `["cmgo-xxxx_0", "cmgo-xxxx_1"]`, in the order `DescribeDBInstances` lists them.
    /// These are the ids `CreateBackupDownloadTask` and
    /// [`prepare_backup_download`](Client::prepare_backup_download) take.
    ///
    /// An instance listed without replica sets is one replica set, `<instance_id>_0`.
    ///
    /// # Errors
    ///
    /// When `DescribeDBInstances` does not list the instance, an [`Error::Service`] with the
    /// code the service uses for an unknown instance,
    /// [`ErrorCode::InvalidParameterValueNotFoundInstance`], the message
    /// `instance <id> not found`, and the RequestId of the `DescribeDBInstances` call; so a
    /// caller handles an unknown instance the same way whichever call found it out. Otherwise
    /// the errors of the call.
    pub fn replica_set_ids(&self, instance_id: &str) -> Result<Vec<String>, Error> {
        Ok(replica_sets_of(
            &self.instance_detail(instance_id)?,
            instance_id,
        ))
    }

    /// The instance as `DescribeDBInstances` lists it; an unknown instance is the service
    /// error [`replica_set_ids`](Client::replica_set_ids) documents.
    pub(crate) fn instance_detail(&self, instance_id: &str) -> Result<InstanceDetail, Error> {
        let resp = self.describe_db_instances(
            &DescribeDBInstancesRequest::new().with_instance_ids(vec![instance_id.to_string()]),
        )?;
        let request_id = Some(resp.request_id).filter(|r| !r.is_empty());
        resp.instance_details
            .unwrap_or_default()
            .into_iter()
            .find(|d| d.instance_id.as_deref() == Some(instance_id))
            .ok_or_else(|| {
                Error::Service(ServiceError::new(
                    ErrorCode::InvalidParameterValueNotFoundInstance,
                    format!("instance {instance_id} not found"),
                    request_id,
                ))
            })
    }

    /// Starts a backup with `CreateBackupDBInstance`, waits for its async request with
    /// [`wait_async_request`](Client::wait_async_request) (polling as `opts` says; its
    /// progress reports carry the async request id in
    /// [`Progress::async_request_id`](crate::Progress::async_request_id)), and returns the
    /// backup the request made.
    ///
    /// The service does not link an async request to the backup it makes, so this lists the
    /// instance's backups made with `req.backup_method` (`DescribeDBBackups` with
    /// `BackupMethod` set, every page: without it the service lists logical backups only)
    /// before starting and again after success, and picks the newest backup (by `StartTime`)
    /// that was not listed before. A backup someone else starts on the same instance with the
    /// same method at the same time can therefore be mistaken for this one.
    ///
    /// # Errors
    ///
    /// The errors of the calls and of [`wait_async_request`](Client::wait_async_request)
    /// (an [`Error::Wait`] when the request is paused, fails, is undone, or the deadline
    /// passes); [`Error::MalformedResponse`] if `CreateBackupDBInstance` answers without an
    /// `AsyncRequestId`; and an [`Error::Wait`] of kind
    /// [`NoNewBackup`](mongodb_errors::WaitErrorKind::NoNewBackup) (naming the request and
    /// the instance, with the RequestId of the last status query) when the request succeeded
    /// but no new backup is listed.
    pub fn backup_and_wait(
        &self,
        req: &CreateBackupDBInstanceRequest,
        opts: &WaitOptions<'_>,
    ) -> Result<CreatedBackup, Error> {
        let instance = req.instance_id.as_str();
        let list = || {
            self.describe_db_backups_iter(
                DescribeDBBackupsRequest::new(instance).with_backup_method(req.backup_method),
            )
            .collect::<Result<Vec<BackupInfo>, Error>>()
        };
        let before: BTreeSet<BackupKey> = list()?.iter().map(backup_key).collect();
        let started = self.create_backup_db_instance(req)?;
        let async_request_id = started
            .async_request_id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::MalformedResponse {
                reason: "CreateBackupDBInstance answered without an AsyncRequestId".into(),
                snippet: Error::snippet(&serde_json::to_vec(&started).unwrap_or_default()),
                request_id: Some(started.request_id.clone()).filter(|r| !r.is_empty()),
            })?;
        let done = self.wait_async_request(&async_request_id, opts)?;
        match newest_new_backup(list()?, &before, req.backup_method) {
            Some(backup) => Ok(CreatedBackup {
                async_request_id,
                backup,
            }),
            None => Err(WaitError::no_new_backup(
                AsyncRequestId::new(async_request_id),
                InstanceId::new(instance),
            )
            .with_request_id(Some(done.request_id))
            .into()),
        }
    }

    /// Prepares the files of a backup for download: one `CreateBackupDownloadTask` for the
    /// given replica sets / shards (an empty list means all of the instance's, from
    /// [`replica_set_ids`](Client::replica_set_ids)), then
    /// [`wait_backup_download_for`](Client::wait_backup_download_for) those sets. Progress
    /// reports carry the typed tasks in [`Progress::tasks`](crate::Progress::tasks).
    ///
    /// Returns the completed tasks (each with its `Url` and `BackupSize`, ready for
    /// [`download_backup`](Client::download_backup)), one per replica set in the order of
    /// `replica_sets` (a set listed twice is prepared and returned once).
    ///
    /// # Errors
    ///
    /// The errors of [`replica_set_ids`](Client::replica_set_ids), of the calls, and of
    /// [`wait_backup_download_for`](Client::wait_backup_download_for) (an [`Error::Wait`]
    /// when a task fails or the deadline passes).
    pub fn prepare_backup_download(
        &self,
        instance_id: &str,
        backup_name: &str,
        replica_sets: &[String],
        opts: &WaitOptions<'_>,
    ) -> Result<Vec<BackupDownloadTask>, Error> {
        let mut sets: Vec<String> = Vec::new();
        let requested = if replica_sets.is_empty() {
            self.replica_set_ids(instance_id)?
        } else {
            replica_sets.to_vec()
        };
        for id in requested {
            if !sets.contains(&id) {
                sets.push(id);
            }
        }
        self.create_backup_download_task(&CreateBackupDownloadTaskRequest::new(
            instance_id,
            backup_name,
            sets.iter().map(ReplicaSetInfo::new).collect(),
        ))?;
        let mut tasks = self.wait_backup_download_for(instance_id, backup_name, &sets, opts)?;
        let mut ordered = Vec::with_capacity(sets.len());
        for id in &sets {
            if let Some(i) = tasks
                .iter()
                .position(|t| t.replica_set_id.as_deref() == Some(id.as_str()))
            {
                ordered.push(tasks.swap_remove(i));
            }
        }
        Ok(ordered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(id: i64, name: &str, method: BackupMethod, start: &str) -> BackupInfo {
        BackupInfo::default()
            .with_back_id(id)
            .with_backup_name(name)
            .with_backup_method(method)
            .with_start_time(start)
    }

    #[test]
    fn the_new_backup_is_found() {
        let old = backup(
            1,
            "x_2024-05-01 10:00",
            BackupMethod::Logical,
            "2024-05-01 10:00:01",
        );
        let before: BTreeSet<BackupKey> = [backup_key(&old)].into();
        // Same name as the old one (same minute), but another record.
        let same_minute = backup(
            2,
            "x_2024-05-01 10:00",
            BackupMethod::Logical,
            "2024-05-01 10:00:30",
        );
        let other_method = backup(
            3,
            "x_2024-05-01 10:01",
            BackupMethod::Physical,
            "2024-05-01 10:01:00",
        );
        let after = vec![old.clone(), same_minute.clone(), other_method.clone()];
        assert_eq!(
            newest_new_backup(after.clone(), &before, BackupMethod::Logical),
            Some(same_minute)
        );
        assert_eq!(
            newest_new_backup(after.clone(), &before, BackupMethod::Physical),
            Some(other_method.clone())
        );
        // No backup with the method asked for: the newest new one of any method.
        assert_eq!(
            newest_new_backup(after, &before, BackupMethod::Snapshot),
            Some(other_method)
        );
        assert_eq!(
            newest_new_backup(vec![old], &before, BackupMethod::Logical),
            None
        );
    }

    #[test]
    fn the_newest_by_start_time_wins_and_nameless_records_are_skipped() {
        let a = backup(1, "a", BackupMethod::Logical, "2024-05-01 10:00:00");
        let b = backup(2, "b", BackupMethod::Logical, "2024-05-01 11:00:00");
        let nameless = BackupInfo::default()
            .with_back_id(3)
            .with_backup_method(BackupMethod::Logical)
            .with_start_time("2024-05-01 12:00:00");
        let empty_name = backup(4, "", BackupMethod::Logical, "2024-05-01 13:00:00");
        let found = newest_new_backup(
            vec![b.clone(), a, nameless, empty_name],
            &BTreeSet::new(),
            BackupMethod::Logical,
        );
        assert_eq!(found, Some(b));
    }
}
