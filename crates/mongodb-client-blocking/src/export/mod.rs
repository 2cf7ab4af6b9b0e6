//! The export workflow: a backup's files out of the service into a directory, verified and
//! recorded in `manifest.json`, for one instance ([`Client::export_backup`]) or many at once
//! ([`Client::export_backups`], with [`Client::instance_ids`] to find them).
//!
//! Reading order, bottom up: `job` (what is asked), `event` and `report` (what is told),
//! `naming` (file names), `single` (one instance), `many` (several on threads).
//!
//! ```
//! use std::time::Duration;
//! use mongodb_client_blocking::models::BackupMethod;
//! use mongodb_client_blocking::{
//!     verify_dir, BackupChoice, Client, ExportEvent, ExportJob, ExportOptions, VerifyOutcome,
//!     WaitOptions,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mongodb_emulator::Emulator::builder()
//! #     .listen("127.0.0.1:0")
//! #     .progress(mongodb_emulator::Progress::PerPoll)
//! #     .start()?;
//! let client = Client::builder()
//!     .endpoint(emulator.url())
//!     .credentials(emulator.credentials())
//!     .region("ap-guangzhou")
//!     .build()?;
//! let dir = tempfile::tempdir()?;
//! let job = ExportJob::new(
//!     "cmgo-demo0002",
//!     BackupChoice::new_backup(BackupMethod::Logical),
//!     dir.path(),
//! );
//! let opts = ExportOptions::new()
//!     .tool("my-exporter 1.0")
//!     .wait(&WaitOptions::new().initial_interval(Duration::from_millis(20)));
//! let report = client.export_backup(&job, &opts, |event| {
//!     if let ExportEvent::FileDone { replica_set_id, report } = event {
//!         println!("{replica_set_id}: {} bytes, verified {}", report.bytes, report.verified);
//!     }
//! })?;
//! assert_eq!(report.files.len(), 2); // one per shard
//! assert_eq!(verify_dir(dir.path())?.outcome(), VerifyOutcome::AllMatch);
//! # Ok(())
//! # }
//! ```

pub(crate) mod event;
pub(crate) mod job;
mod many;
mod naming;
pub(crate) mod report;
mod single;

pub use event::ExportEvent;
pub use job::{BackupChoice, ExportJob, ExportOptions, InstanceFilter, DEFAULT_EXPORT_WORKERS};
pub use report::{ExportReport, ExportedFile, InstanceExport};
