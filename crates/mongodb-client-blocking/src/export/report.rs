//! What an export produced: [`ExportReport`], [`ExportedFile`], and [`InstanceExport`] for
//! one instance of a run of several.

use std::path::PathBuf;
use std::time::Duration;

use mongodb_errors::Error;
use mongodb_models::BackupMethod;

use crate::{DownloadReport, Verified};

/// One file of a finished export.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportedFile {
    /// The replica set (or shard) whose backup it holds.
    pub replica_set_id: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// Its CRC-64/XZ, when known.
    pub crc64: Option<u64>,
    /// How its download was verified.
    pub verified: Verified,
    /// This run's download of it; `None` when the manifest already proved it complete and
    /// it was not downloaded again.
    pub download: Option<DownloadReport>,
}

/// A finished export of one instance's backup.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportReport {
    /// The instance.
    pub instance_id: String,
    /// Its region, as the manifest records it.
    pub region: String,
    /// The backup exported.
    pub backup_name: String,
    /// How it was made.
    pub backup_method: BackupMethod,
    /// The `CreateBackupDBInstance` async request, when the export made the backup.
    pub async_request_id: Option<String>,
    /// The export directory.
    pub dir: PathBuf,
    /// Its `manifest.json`.
    pub manifest: PathBuf,
    /// The files, in the order of the replica sets.
    pub files: Vec<ExportedFile>,
    /// How long the export took.
    pub elapsed: Duration,
}

impl ExportReport {
    /// The bytes of all its files.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// How many files this run downloaded (the others were already complete).
    pub fn downloaded(&self) -> usize {
        self.files.iter().filter(|f| f.download.is_some()).count()
    }
}

/// The outcome of one instance's export in
/// [`Client::export_backups`](crate::Client::export_backups): what is known whether or not it
/// succeeded, and the report or the error.
#[derive(Debug)]
#[non_exhaustive]
pub struct InstanceExport {
    /// The instance.
    pub instance_id: String,
    /// Its export directory.
    pub dir: PathBuf,
    /// The backup, once it was made or found.
    pub backup_name: Option<String>,
    /// Files complete in the directory (downloaded or already there).
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// How long the export ran.
    pub elapsed: Duration,
    /// The report, or why the export stopped.
    pub result: Result<ExportReport, Error>,
}

impl InstanceExport {
    /// Whether the export succeeded.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}
