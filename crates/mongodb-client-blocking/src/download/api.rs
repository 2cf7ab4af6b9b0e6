//! The client's download methods.

use std::path::Path;

use mongodb_errors::{DownloadError, Error};
use mongodb_models::{
    BackupDownloadTask, BackupDownloadTaskState, DescribeBackupDownloadTaskRequest,
};

use super::engine::{self, Job};
use super::options::DownloadOptions;
use super::record::Identity;
use super::report::DownloadReport;
use super::secret::SecretUrl;
use crate::Client;

impl Client {
    /// Download the file of a completed backup download task to `dest`, verified.
    ///
    /// - The file is streamed to `<dest>.part` (never held in memory) and renamed to `dest`
    ///   only once its size matches `BackupSize` and its CRC-64 matches the one the store
    ///   announced (`x-cos-hash-crc64ecma`); then the file and its directory are synced. A
    ///   checksum mismatch removes the `.part` and fails with
    ///   [`DownloadError::ChecksumMismatch`]. The report carries the file's SHA-256 and CRC-64.
    /// - A `.part` left by an earlier run is continued only when the record beside it
    ///   (`<dest>.part.meta`) names the same backup, replica set and size, with an `If-Range`
    ///   request so a changed object starts over; any other `.part` is discarded. The task
    ///   doesn't name its instance, so neither does the record: a `.part` recorded by
    ///   [`download_backup_file`](Client::download_backup_file), which knows the instance,
    ///   is continued here too, and the other way round. Dropped, timed-out and stalled
    ///   connections are resumed (see [`DownloadOptions`]).
    /// - Large files are fetched over several connections where the store accepts ranges
    ///   ([`DownloadOptions::parts`]).
    /// - A lock on the `.part` keeps two downloads from writing one file: the second fails at
    ///   once with [`DownloadError::Locked`].
    /// - When the store refuses the URL (HTTP 403, 404, 410: it expired), a fresh one comes
    ///   from [`DownloadOptions::refresh_url`] if set; otherwise the download fails with
    ///   [`DownloadError::UrlRefused`]. [`download_backup_file`](Client::download_backup_file)
    ///   refreshes by itself.
    ///
    /// The task's `Url` is pre-signed (a credential): the request carries no API signature,
    /// goes through the client's proxy, is not bound by `max_response_size` or the call
    /// timeout, and the URL is never logged nor put in an error.
    ///
    /// [`DownloadError::ChecksumMismatch`]: crate::DownloadError::ChecksumMismatch
    /// [`DownloadError::Locked`]: crate::DownloadError::Locked
    /// [`DownloadError::UrlRefused`]: crate::DownloadError::UrlRefused
    pub fn download_backup(
        &self,
        task: &BackupDownloadTask,
        dest: &Path,
        opts: &DownloadOptions<'_>,
    ) -> Result<DownloadReport, Error> {
        let (url, expected) = ready(task)?;
        let backup_name = non_empty(&task.backup_name);
        let replica_set_id = non_empty(&task.replica_set_id);
        let object = (backup_name.is_none() && replica_set_id.is_none()).then(|| url.object());
        let identity = Identity {
            instance_id: None,
            backup_name,
            replica_set_id,
            object,
            size: expected,
        };
        let mut refresh = opts.refresh.borrow_mut();
        let job = Job {
            identity,
            url,
            expected,
            dest,
            refresher: refresh.as_deref_mut().map(|f| f as _),
        };
        engine::download(self.agent(), job, opts)
    }

    /// [`download_backup`](Client::download_backup) for a task of `instance_id`, which also
    /// knows where fresh URLs come from: when the store refuses the URL, it asks
    /// `DescribeBackupDownloadTask` for the instance and the task's backup, takes the `Url` of
    /// the newest completed task of the same replica set, and continues from the `.part`
    /// (up to [`DownloadOptions::max_refreshes`] times). A callback set with
    /// [`DownloadOptions::refresh_url`] wins: it is asked instead of the service.
    ///
    /// The task must name its `BackupName` and `ReplicaSetId` (tasks listed by the service
    /// do). A `.part` left by [`download_backup`](Client::download_backup) of the same task
    /// is continued (a record that names no instance is not one of another instance).
    pub fn download_backup_file(
        &self,
        instance_id: &str,
        task: &BackupDownloadTask,
        dest: &Path,
        opts: &DownloadOptions<'_>,
    ) -> Result<DownloadReport, Error> {
        let (url, expected) = ready(task)?;
        let missing = |parameter: &str| Error::InvalidInput {
            parameter: Some(parameter.into()),
            message: format!(
                "the download task has no {parameter}, so a fresh URL could not be found for it"
            ),
        };
        let backup_name = non_empty(&task.backup_name).ok_or_else(|| missing("BackupName"))?;
        let replica_set_id =
            non_empty(&task.replica_set_id).ok_or_else(|| missing("ReplicaSetId"))?;
        if instance_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                parameter: Some("InstanceId".into()),
                message: "the instance id is empty".into(),
            });
        }
        let identity = Identity {
            instance_id: Some(instance_id.to_owned()),
            backup_name: Some(backup_name.clone()),
            replica_set_id: Some(replica_set_id.clone()),
            object: None,
            size: expected,
        };
        let mut lookup = || self.fresh_download_url(instance_id, &backup_name, &replica_set_id);
        let mut given = opts.refresh.borrow_mut();
        let refresher: &mut dyn FnMut() -> Result<String, Error> = match given.as_deref_mut() {
            Some(f) => f,
            None => &mut lookup,
        };
        let job = Job {
            identity,
            url,
            expected,
            dest,
            refresher: Some(refresher),
        };
        engine::download(self.agent(), job, opts)
    }

    /// Download any pre-signed `url` to `dest` the way
    /// [`download_backup`](Client::download_backup) does; `expected_size`, when known, is
    /// checked before the file is renamed into place. A `.part` is continued only when its
    /// record names the same host, path (the query is not kept) and size.
    pub fn download_url(
        &self,
        url: &str,
        expected_size: Option<u64>,
        dest: &Path,
        opts: &DownloadOptions<'_>,
    ) -> Result<DownloadReport, Error> {
        let url = SecretUrl::new(url);
        if url.expose().is_empty() {
            return Err(Error::InvalidInput {
                parameter: Some("Url".into()),
                message: "the download URL is empty".into(),
            });
        }
        let identity = Identity {
            instance_id: None,
            backup_name: None,
            replica_set_id: None,
            object: Some(url.object()),
            size: expected_size,
        };
        let mut refresh = opts.refresh.borrow_mut();
        let job = Job {
            identity,
            url,
            expected: expected_size,
            dest,
            refresher: refresh.as_deref_mut().map(|f| f as _),
        };
        engine::download(self.agent(), job, opts)
    }

    /// The `Url` of the newest completed download task of `replica_set_id`.
    fn fresh_download_url(
        &self,
        instance_id: &str,
        backup_name: &str,
        replica_set_id: &str,
    ) -> Result<String, Error> {
        let req = DescribeBackupDownloadTaskRequest::new(instance_id).with_backup_name(backup_name);
        let usable = |t: &BackupDownloadTask| {
            t.status == Some(BackupDownloadTaskState::Completed)
                && t.url.as_deref().is_some_and(|u| !u.trim().is_empty())
        };
        let sets = [replica_set_id.to_owned()];
        let mut latest = self.latest_download_tasks(&req, backup_name, &sets, &usable)?;
        latest
            .remove(replica_set_id)
            .and_then(|t| t.url)
            .ok_or_else(|| {
                DownloadError::NoFreshUrl {
                    backup_name: backup_name.to_owned(),
                    replica_set_id: replica_set_id.to_owned(),
                }
                .into()
            })
    }
}

/// The URL and `BackupSize` of a task ready for download.
fn ready(task: &BackupDownloadTask) -> Result<(SecretUrl, Option<u64>), Error> {
    if let Some(state) = task.status {
        if state != BackupDownloadTaskState::Completed {
            return Err(Error::InvalidInput {
                parameter: Some("Status".into()),
                message: format!(
                    "the download task of {} is not completed (status {state}); wait for it with wait_backup_download",
                    task.replica_set_id.as_deref().unwrap_or("?")
                ),
            });
        }
    }
    let url = task
        .url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| Error::InvalidInput {
            parameter: Some("Url".into()),
            message: "the download task has no Url yet".into(),
        })?;
    let expected = task.backup_size.filter(|s| *s > 0).map(|s| s as u64);
    Ok((SecretUrl::new(url), expected))
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
