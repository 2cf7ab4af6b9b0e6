//! A blocking client for the TencentDB for MongoDB API (service `mongodb`, version
//! `2019-07-25`), for programs that do not run an async runtime: tools, batch jobs, CLIs,
//! services on threads.
//!
//! What it does for you:
//!
//! - **Calls**: one method per action (`client.create_backup_db_instance(&req)`), a generic
//!   [`Client::call`] over the typed requests of [`models`], and [`Client::call_json`] for
//!   actions newer than the models. Requests are signed with TC3-HMAC-SHA256, sent as POST with
//!   a JSON body (or GET, see [`ClientBuilder::http_method`]).
//! - **Trouble**: one retry loop ([`RetryPolicy`]) that always retries throttling and requests
//!   that never left the machine, retries ambiguous failures only for idempotent actions (a
//!   `Create*` is never sent twice unless you opt in), and corrects the clock once when the
//!   service says the signature is expired. A client-side token bucket per action keeps a busy
//!   program under the service's 20 requests per second. Responses larger than
//!   [`ClientBuilder::max_response_size`] are refused without being read.
//! - **Credentials**: [`ProvideCredentials`] and providers for the environment, the profile
//!   file, tccli, TKE OIDC, the CVM role and STS AssumeRole, chained by [`DefaultChain`]: a
//!   source that is configured but broken is an error naming it, never skipped. tccli's own
//!   files are read and written by [`tccli`].
//! - **Workflows**: a backup that is waited for and identified ([`Client::backup_and_wait`]),
//!   an instance's replica sets ([`Client::replica_set_ids`]), a backup's files prepared for
//!   download ([`Client::prepare_backup_download`]), waiters ([`Client::wait_async_request`],
//!   [`Client::wait_backup_download`]) whose progress reports carry typed download tasks,
//!   paginators ([`Client::describe_db_backups_iter`], …) and resumable downloads verified by
//!   CRC-64 and size, with SHA-256 in the report ([`Client::download_backup`], and
//!   [`Client::download_backup_file`], which also replaces an expired URL). A wait that ends
//!   without success is an [`Error::Wait`] whose [`WaitError::kind`] says why (request paused,
//!   failed or undone, download task failed, deadline); which polled states end a wait is
//!   [`AsyncRequestOutcome`] and [`DownloadTaskOutcome`].
//! - **Exports**: a backup's files into a directory with its manifest, one instance at a
//!   time ([`Client::export_backup`]) or several at once on threads over one client
//!   ([`Client::export_backups`], [`Client::instance_ids`]), rerunnable (files the manifest
//!   proves complete are not fetched again), reporting typed [`ExportEvent`]s.
//! - **Export records**: [`Manifest`] (`manifest.json`, written atomically as each file
//!   completes, never holding a URL) and [`verify_dir`], which re-reads an export directory
//!   against it (size, SHA-256, CRC-64/XZ).
//!
//! Logging goes through the `log` facade: method, action, latency, RequestId and retry
//! decisions. Secret keys, tokens and the `Authorization` header are never logged; bodies only
//! with [`ClientBuilder::log_bodies`].
//!
//! # Example
//!
//! Back up an instance and fetch the files, here against the local emulator from the
//! `mongodb-emulator` crate (drop `endpoint` and `credentials` to talk to the real service
//! with credentials from the environment):
//!
//! ```
//! use mongodb_client_blocking::models::{BackupMethod, CreateBackupDBInstanceRequest};
//! use mongodb_client_blocking::{Client, DownloadOptions, WaitOptions};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mongodb_emulator::Emulator::builder()
//! #     .listen("127.0.0.1:0")
//! #     .progress(mongodb_emulator::Progress::PerPoll)
//! #     .start()?;
//! let client = Client::builder()
//!     .endpoint(emulator.url()) // e.g. http://127.0.0.1:PORT
//!     .credentials(emulator.credentials())
//!     .region("ap-guangzhou")
//!     .build()?;
//!
//! let fast = || WaitOptions::new().initial_interval(Duration::from_millis(20));
//!
//! // Start a backup, wait for it, and find the backup it made.
//! let created = client.backup_and_wait(
//!     &CreateBackupDBInstanceRequest::new("cmgo-demo0001", BackupMethod::Logical),
//!     &fast(),
//! )?;
//! let name = created.backup.backup_name.unwrap_or_default();
//!
//! // Prepare its files (every replica set / shard of the instance) and wait for them.
//! let tasks = client.prepare_backup_download("cmgo-demo0001", &name, &[], &fast())?;
//!
//! let dir = tempfile::tempdir()?;
//! for task in &tasks {
//!     let dest = dir.path().join(format!("{}.tar", task.replica_set_id.as_deref().unwrap_or("backup")));
//!     let report = client.download_backup(task, &dest, &DownloadOptions::new())?;
//!     println!("{} ({} bytes)", report.path.display(), report.bytes);
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod client;
mod config;
mod credentials;
mod download;
mod export;
mod fsutil;
mod generated;
mod manifest;
mod net;
mod paginate;
mod ratelimit;
mod retry;
mod settings;
pub mod tccli;
mod terminal;
mod transport;
mod verified;
mod waiters;
mod workflows;

pub use client::Client;
pub use config::{
    CallOptions, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RATE_LIMIT, DEFAULT_ROOT_DOMAIN, DEFAULT_TIMEOUT, INTL_ROOT_DOMAIN,
    MAX_REQUEST_CLIENT_LEN,
};
pub use credentials::{
    CvmRoleProvider, DefaultChain, EnvSource, EnvironmentProvider, OidcRoleProvider,
    OidcRoleProviderBuilder, ProfileFileProvider, ProvideCredentials, StaticProvider,
    StsAssumeRoleProvider, TccliProvider,
};
pub use download::{
    part_path, DownloadOptions, DownloadProgress, DownloadReport, Resume, DEFAULT_MAX_PARTS,
    PARTS_THRESHOLD,
};
pub use export::{
    BackupChoice, ExportEvent, ExportJob, ExportOptions, ExportReport, ExportedFile,
    InstanceExport, InstanceFilter, DEFAULT_EXPORT_WORKERS,
};
pub use manifest::{
    verify_dir, Checked, FileDigest, FileHasher, FileStatus, FileVerdict, Manifest,
    ManifestBuilder, ManifestFile, ManifestFileBuilder, Mismatch, VerifyOutcome, VerifyReport,
    MANIFEST_FILE,
};
pub use paginate::{Paginator, DEFAULT_PAGE_SIZE};
pub use retry::RetryPolicy;
pub use settings::{EndpointHost, Jitter, Language, NonIdempotent};
pub use terminal::{AsyncRequestOutcome, DownloadTaskOutcome};
pub use verified::Verified;
pub use waiters::{task_state_label, Progress, WaitOptions};
pub use workflows::CreatedBackup;

pub use mongodb_errors::{
    AsyncRequestId, BackupName, DownloadError, EndedStatus, Error, ErrorCode, InstanceId,
    ServiceError, TransportKind, WaitError, WaitErrorKind, WaitTarget,
};
pub use mongodb_models as models;
pub use tc_sign::{Credentials, HttpMethod};
