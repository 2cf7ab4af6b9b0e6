//! [`DownloadReport`] and [`Verified`].

use std::fmt;
use std::path::PathBuf;

/// How a downloaded file was checked before it got its final name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verified {
    /// Its CRC-64 matches the one the store announced for the whole object
    /// (`x-cos-hash-crc64ecma`), and its size the announced size.
    Crc64AndSize,
    /// The store announced no CRC-64: only the size was checked.
    SizeOnly,
}

impl Verified {
    /// `"crc64+size"` or `"size"`, as written in an export's `manifest.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verified::Crc64AndSize => "crc64+size",
            Verified::SizeOnly => "size",
        }
    }
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
