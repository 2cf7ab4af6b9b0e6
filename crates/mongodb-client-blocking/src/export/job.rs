//! What an export is asked to do: [`ExportJob`] (one instance), [`BackupChoice`],
//! [`ExportOptions`] (shared by every job of a run) and [`InstanceFilter`].

use std::path::{Path, PathBuf};

use mongodb_models::BackupMethod;

use crate::download::Settings;
use crate::waiters::PollTiming;
use crate::{DownloadOptions, WaitOptions};

/// Exports run at once by [`Client::export_backups`](crate::Client::export_backups) unless
/// [`ExportOptions::workers`] says otherwise.
pub const DEFAULT_EXPORT_WORKERS: usize = 4;

/// Which backup of the instance an export takes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackupChoice {
    /// Start a backup (`CreateBackupDBInstance`), wait for it and export it.
    New {
        /// How the backup is made.
        method: BackupMethod,
        /// The remark stored with it, if any.
        remark: Option<String>,
    },
    /// Export the backup of this name, as `DescribeDBBackups` lists it.
    Existing {
        /// The backup's name.
        name: String,
    },
}

impl BackupChoice {
    /// A new backup made with `method`, without a remark.
    pub fn new_backup(method: BackupMethod) -> Self {
        BackupChoice::New {
            method,
            remark: None,
        }
    }

    /// The existing backup called `name`.
    pub fn existing(name: impl Into<String>) -> Self {
        BackupChoice::Existing { name: name.into() }
    }
}

/// The export of one instance's backup into one directory: which backup, which of its
/// replica sets / shards (all by default), and where.
///
/// ```
/// use mongodb_client_blocking::models::BackupMethod;
/// use mongodb_client_blocking::{BackupChoice, ExportJob};
///
/// let job = ExportJob::new("cmgo-xxxx", BackupChoice::new_backup(BackupMethod::Logical), "backups")
///     .with_remark("nightly export");
/// assert_eq!(job.dir(), std::path::Path::new("backups"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportJob {
    pub(crate) instance_id: String,
    pub(crate) backup: BackupChoice,
    pub(crate) replica_sets: Vec<String>,
    pub(crate) dir: PathBuf,
}

impl ExportJob {
    /// Export `backup` of `instance_id` into `dir` (created if missing), every replica set.
    pub fn new(
        instance_id: impl Into<String>,
        backup: BackupChoice,
        dir: impl Into<PathBuf>,
    ) -> Self {
        ExportJob {
            instance_id: instance_id.into(),
            backup,
            replica_sets: Vec::new(),
            dir: dir.into(),
        }
    }

    /// Only these replica sets / shards (e.g. `cmgo-xxxx_1`); empty means all of them.
    pub fn with_replica_sets(mut self, ids: Vec<String>) -> Self {
        self.replica_sets = ids;
        self
    }

    /// The remark stored with a new backup (no effect when exporting an existing one).
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        if let BackupChoice::New { remark: r, .. } = &mut self.backup {
            *r = Some(remark.into());
        }
        self
    }

    /// The instance.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// Which backup.
    pub fn backup(&self) -> &BackupChoice {
        &self.backup
    }

    /// The replica sets asked for (empty: all).
    pub fn replica_sets(&self) -> &[String] {
        &self.replica_sets
    }

    /// The export directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// How exports run: the tool named in their manifests, how waits poll, how files download,
/// and how many exports [`Client::export_backups`](crate::Client::export_backups) runs at
/// once. Plain values (no callbacks), so one value serves every job of a run.
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::{DownloadOptions, ExportOptions, WaitOptions};
///
/// let opts = ExportOptions::new()
///     .tool("nightly-export 1.2.0")
///     .wait(&WaitOptions::new().timeout(Duration::from_secs(3600)))
///     .download(&DownloadOptions::new().parts(4).deadline(Duration::from_secs(6 * 3600)))
///     .workers(2);
/// assert_eq!(opts.worker_count(), 2);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportOptions {
    pub(crate) tool: String,
    pub(crate) wait: PollTiming,
    pub(crate) download: Settings,
    pub(crate) workers: usize,
}

impl Default for ExportOptions {
    /// This crate's name and version as the tool, the default waits and downloads, four
    /// workers.
    fn default() -> Self {
        ExportOptions {
            tool: concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).into(),
            wait: PollTiming::default(),
            download: Settings::default(),
            workers: DEFAULT_EXPORT_WORKERS,
        }
    }
}

impl ExportOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The program making the export, as the manifest's `tool` records it (e.g.
    /// `tcmongo 0.1.0`).
    pub fn tool(mut self, tool: impl Into<String>) -> Self {
        self.tool = tool.into();
        self
    }

    /// Poll the backup and the download tasks as `opts` says (intervals, backoff, deadline);
    /// its callbacks are not used (the export reports through its own).
    pub fn wait(mut self, opts: &WaitOptions<'_>) -> Self {
        self.wait = opts.timing();
        self
    }

    /// Download each file as `opts` says (attempts, throughput floor, deadline per file,
    /// parts, …); its callbacks are not used (the export reports bytes through its own and
    /// refreshes expired URLs itself).
    pub fn download(mut self, opts: &DownloadOptions<'_>) -> Self {
        self.download = opts.settings;
        self
    }

    /// How many exports run at once (at least 1; default [`DEFAULT_EXPORT_WORKERS`]).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// How many exports run at once.
    pub fn worker_count(&self) -> usize {
        self.workers
    }

    /// The manifest's `tool`.
    pub fn tool_name(&self) -> &str {
        &self.tool
    }
}

/// Which instances [`Client::instance_ids`](crate::Client::instance_ids) lists: every
/// instance the credentials see in the client's region, narrowed by project and tags as
/// `DescribeDBInstances` applies `ProjectIds` and `Tags`.
///
/// ```
/// use mongodb_client_blocking::InstanceFilter;
///
/// let f = InstanceFilter::new().project_id(1_001).tag("env", "prod");
/// assert_eq!(f.tags(), &[("env".to_string(), "prod".to_string())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstanceFilter {
    pub(crate) project_ids: Vec<u64>,
    pub(crate) tags: Vec<(String, String)>,
}

impl InstanceFilter {
    /// Every instance.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only instances of this project (repeatable: any of the projects).
    pub fn project_id(mut self, id: u64) -> Self {
        self.project_ids.push(id);
        self
    }

    /// Only instances tagged `key` = `value` (repeatable).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// The projects asked for.
    pub fn project_ids(&self) -> &[u64] {
        &self.project_ids
    }

    /// The tags asked for, as (key, value).
    pub fn tags(&self) -> &[(String, String)] {
        &self.tags
    }
}
