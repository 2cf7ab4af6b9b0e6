//! [`DownloadReport`].

use std::path::PathBuf;

use crate::verified::Verified;

/// The outcome of a finished, verified download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadReport {
    /// The final file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Bytes that were already on disk from an earlier run and not fetched again.
    pub resumed_from: u64,
    /// Number of requests made.
    pub attempts: u32,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// CRC-64/XZ of the file (what COS calls `crc64ecma`).
    pub crc64: u64,
    /// The CRC-64 the store announced, if it did (then equal to [`crc64`](Self::crc64)).
    pub expected_crc64: Option<u64>,
    /// How the file was checked.
    pub verified: Verified,
    /// How many fresh URLs were fetched because the store refused one.
    pub refreshes: u32,
    /// How many connections the file was fetched over (1: a single stream).
    pub parts: u32,
}
