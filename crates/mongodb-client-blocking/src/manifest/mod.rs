//! The export manifest: `manifest.json` in a backup export directory, recording what was
//! exported and the size, SHA-256 and CRC-64/XZ of every file, written atomically as each file
//! completes; and verification of a directory against it.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use mongodb_client_blocking::models::BackupMethod;
//! use mongodb_client_blocking::{
//!     verify_dir, FileDigest, Manifest, ManifestFile, Verified, VerifyOutcome,
//! };
//!
//! # fn main() -> Result<(), mongodb_client_blocking::Error> {
//! let dir = tempfile::tempdir().unwrap();
//! let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600);
//! let mut manifest = Manifest::builder()
//!     .tool("tcmongo 0.1.0")
//!     .region("ap-guangzhou")
//!     .instance_id("cmgo-xxxx")
//!     .backup_name("cmgo-xxxx_2024-05-01 10:00")
//!     .backup_method(BackupMethod::Logical)
//!     .started(started)
//!     .build()?;
//! manifest.save(dir.path())?;
//!
//! // A file completes: record it (the manifest is rewritten atomically).
//! std::fs::write(dir.path().join("cmgo-xxxx_0.tar"), b"backup bytes").unwrap();
//! let digest = FileDigest::of_file(&dir.path().join("cmgo-xxxx_0.tar"))?;
//! let entry = ManifestFile::builder()
//!     .replica_set_id("cmgo-xxxx_0")
//!     .file("cmgo-xxxx_0.tar")
//!     .digest(&digest)
//!     .verified(Verified::Crc64AndSize)
//!     .build()?;
//! manifest.record_file(dir.path(), entry)?;
//! manifest.finish(dir.path(), started + Duration::from_secs(60))?;
//!
//! let report = verify_dir(dir.path())?;
//! assert_eq!(report.outcome(), VerifyOutcome::AllMatch);
//! assert!(Manifest::load(dir.path())?.files()[0].proves_complete(dir.path())?);
//! # Ok(())
//! # }
//! ```

mod digest;
mod entry;
mod model;
mod verify;

pub use digest::{FileDigest, FileHasher};
pub use entry::{ManifestFile, ManifestFileBuilder};
pub use model::{Manifest, ManifestBuilder, MANIFEST_FILE};
pub use verify::{
    verify_dir, Checked, FileStatus, FileVerdict, Mismatch, VerifyOutcome, VerifyReport,
};
