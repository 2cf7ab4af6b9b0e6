//! [`DownloadError`]: the ways downloading a backup file can fail that are
//! specific to downloads, carried by [`Error::Download`](crate::Error::Download).
//!
//! None of these errors holds a download URL: a pre-signed URL is a
//! credential (its query string is a signature), so only file paths, sizes,
//! checksums and the store's HTTP status and error code are kept.

use std::path::PathBuf;
use std::time::Duration;

/// A download that could not be completed, or that was refused because its
/// bytes are not the file they claim to be.
///
/// Every variant names the local file concerned. Match on the variant to
/// decide what to do; new variants may be added, so keep a catch-all arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The downloaded bytes do not have the CRC-64 the file store announced
    /// for the whole object (`x-cos-hash-crc64ecma`). The partial file and its
    /// record were removed, so the next attempt starts from the beginning.
    #[error(
        "{}: the downloaded bytes fail the file store's checksum: CRC-64 expected {expected}, \
         got {actual}; the partial file was removed, download it again",
        path.display()
    )]
    ChecksumMismatch {
        /// The file that was being downloaded (its final name).
        path: PathBuf,
        /// The CRC-64/XZ the store announced, as the decimal number it sent.
        expected: u64,
        /// The CRC-64/XZ of the bytes received.
        actual: u64,
    },

    /// The file has another size than the backup (or the store) says it has.
    #[error(
        "{}: the download has {actual} bytes but the file is {expected} bytes; nothing was \
         renamed into place",
        path.display()
    )]
    SizeMismatch {
        /// The file that was being downloaded (its final name).
        path: PathBuf,
        /// The size announced by the backup (`BackupSize`) or the store.
        expected: u64,
        /// The size received.
        actual: u64,
    },

    /// Another download (in this or another process) is writing the same
    /// partial file.
    #[error(
        "{} is being written by another download; wait for it to finish or choose another \
         destination",
        path.display()
    )]
    Locked {
        /// The partial file (`<dest>.part`) that is locked.
        path: PathBuf,
    },

    /// The file store refused the download URL (HTTP 403, 404 or 410, the
    /// way an expired or revoked pre-signed URL is answered), and no fresh URL
    /// could be had, or fresh ones were refused too. The partial file is kept.
    #[error(
        "{}: the file store refused the download URL with HTTP {status}{}{}",
        path.display(),
        code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
        refused_note(*refreshes)
    )]
    UrlRefused {
        /// The file that was being downloaded (its final name).
        path: PathBuf,
        /// The HTTP status of the last refusal.
        status: u16,
        /// The store's error code from its XML answer (`AccessDenied`, …), if any.
        code: Option<String>,
        /// How many fresh URLs were tried before giving up (0: no way to get one).
        refreshes: u32,
    },

    /// No fresh download URL could be found to replace a refused one: the
    /// service lists no completed download task for this replica set.
    #[error(
        "no completed download task of backup {backup_name} for {replica_set_id} is listed, \
         so the refused download URL could not be replaced; prepare the download again"
    )]
    NoFreshUrl {
        /// The backup whose task was looked for.
        backup_name: String,
        /// The replica set or shard whose task was looked for.
        replica_set_id: String,
    },

    /// The transfer stayed under the minimum throughput in every attempt.
    #[error(
        "{}: the transfer stayed under {min_bytes_per_sec} bytes/s (averaged over {window:?}) \
         in all {attempts} attempts; the partial file is kept for the next run",
        path.display()
    )]
    Stalled {
        /// The file that was being downloaded (its final name).
        path: PathBuf,
        /// The minimum throughput asked for, in bytes per second.
        min_bytes_per_sec: u64,
        /// The window the throughput is averaged over.
        window: Duration,
        /// The number of requests made.
        attempts: u32,
    },

    /// The download did not finish before its overall deadline.
    #[error(
        "{}: the download did not finish within {deadline:?} ({bytes_done} bytes done); the \
         partial file is kept for the next run",
        path.display()
    )]
    DeadlineExceeded {
        /// The file that was being downloaded (its final name).
        path: PathBuf,
        /// The deadline that passed.
        deadline: Duration,
        /// Bytes on disk when it passed.
        bytes_done: u64,
    },
}

impl DownloadError {
    /// The local file the error is about, when it names one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            DownloadError::ChecksumMismatch { path, .. }
            | DownloadError::SizeMismatch { path, .. }
            | DownloadError::Locked { path }
            | DownloadError::UrlRefused { path, .. }
            | DownloadError::Stalled { path, .. }
            | DownloadError::DeadlineExceeded { path, .. } => Some(path),
            DownloadError::NoFreshUrl { .. } => None,
        }
    }

    /// `false` only when nothing was requested from the file store (the
    /// partial file was locked by another download).
    pub fn was_sent(&self) -> bool {
        !matches!(self, DownloadError::Locked { .. })
    }
}

fn refused_note(refreshes: u32) -> String {
    match refreshes {
        0 => "; the pre-signed URL may have expired: get a fresh one from \
              DescribeBackupDownloadTask (the client's download_backup_file does this by itself)"
            .to_owned(),
        1 => "; it kept refusing after 1 fresh URL".to_owned(),
        n => format!("; it kept refusing after {n} fresh URLs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_values() {
        let e = DownloadError::ChecksumMismatch {
            path: "out/a.tar".into(),
            expected: 1,
            actual: 2,
        };
        let s = e.to_string();
        assert!(s.contains("out/a.tar") && s.contains("expected 1") && s.contains("got 2"));
        let e = DownloadError::UrlRefused {
            path: "a.tar".into(),
            status: 403,
            code: Some("AccessDenied".into()),
            refreshes: 3,
        };
        assert!(e
            .to_string()
            .contains("HTTP 403 (AccessDenied); it kept refusing after 3 fresh URLs"));
        let e = DownloadError::UrlRefused {
            path: "a.tar".into(),
            status: 410,
            code: None,
            refreshes: 0,
        };
        assert!(e
            .to_string()
            .contains("HTTP 410; the pre-signed URL may have expired"));
        let e = DownloadError::Locked {
            path: "a.tar.part".into(),
        };
        assert!(!e.was_sent());
        assert_eq!(e.path(), Some(std::path::Path::new("a.tar.part")));
    }
}
