//! [`ExportEvent`]: what an export reports to its caller as it goes.

use std::path::Path;

use mongodb_errors::Error;
use mongodb_models::{BackupDownloadTask, BackupMethod};

use crate::DownloadReport;

/// One step of an export, passed to the callback of
/// [`Client::export_backup`](crate::Client::export_backup) and
/// [`Client::export_backups`](crate::Client::export_backups) (with the instance id).
///
/// Events borrow from the export; copy what you keep.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ExportEvent<'e> {
    /// The export of the instance begins, into `dir`.
    Started {
        /// The export directory.
        dir: &'e Path,
    },
    /// A poll of the async request making a new backup (the first one tells its id).
    BackupWaiting {
        /// The `CreateBackupDBInstance` async request.
        async_request_id: &'e str,
        /// Its status at this poll (`initial`, `running`, …).
        status: &'e str,
        /// Which poll (1 for the first).
        poll: u32,
    },
    /// The backup to export is known: made and listed, or found by name.
    BackupReady {
        /// Its name.
        backup_name: &'e str,
        /// How it was made.
        method: BackupMethod,
    },
    /// A poll of the download tasks being prepared.
    TasksProgress {
        /// The tasks of the replica sets still to download, as last listed.
        tasks: &'e [BackupDownloadTask],
    },
    /// A file the manifest already proves complete (size and SHA-256 match): not downloaded.
    FileSkipped {
        /// Its replica set.
        replica_set_id: &'e str,
        /// The file.
        path: &'e Path,
        /// Its size.
        bytes: u64,
    },
    /// A file's download begins (it may resume a partial file).
    FileStarted {
        /// Its replica set.
        replica_set_id: &'e str,
        /// Where it goes.
        path: &'e Path,
        /// Its size when announced (`BackupSize`).
        bytes_total: Option<u64>,
    },
    /// Bytes of a file on disk so far (resumed bytes included).
    FileBytes {
        /// Its replica set.
        replica_set_id: &'e str,
        /// Bytes done.
        bytes_done: u64,
        /// Its size, when known.
        bytes_total: Option<u64>,
    },
    /// A file is downloaded, verified and recorded in the manifest.
    FileDone {
        /// Its replica set.
        replica_set_id: &'e str,
        /// The download's report (path, size, hashes, how it was verified, resumes).
        report: &'e DownloadReport,
    },
    /// Every file is in place and the manifest is finished.
    Finished {
        /// The manifest.
        manifest: &'e Path,
        /// Files in the export (downloaded or already complete).
        files: usize,
        /// Their bytes.
        bytes: u64,
    },
    /// The export stopped with this error (the same the result carries).
    Failed {
        /// What went wrong.
        error: &'e Error,
    },
}
