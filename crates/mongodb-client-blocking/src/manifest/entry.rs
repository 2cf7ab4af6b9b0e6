//! [`ManifestFile`], one file of an export's manifest, and its builder.

use std::io;
use std::path::{Path, PathBuf};

use mongodb_errors::Error;
use serde::{Deserialize, Serialize};

use super::digest::FileDigest;
use crate::verified::Verified;
use crate::DownloadReport;

/// One downloaded file in a [`Manifest`](super::Manifest): which replica set it holds, its name in the export
/// directory, and what its content hashes to.
///
/// The name is a bare file name (no directory, no `?`), so a manifest never holds a download
/// URL or its query string, which is a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireFile")]
pub struct ManifestFile {
    replica_set_id: String,
    file: String,
    bytes: u64,
    sha256: String,
    #[serde(with = "crc_text")]
    crc64: Option<u64>,
    verified: Verified,
}

impl ManifestFile {
    /// A builder; `replica_set_id`, `file`, `bytes` and `sha256` are required (or `digest`
    /// in place of the last two).
    ///
    /// ```
    /// use mongodb_client_blocking::{FileDigest, ManifestFile, Verified};
    ///
    /// let entry = ManifestFile::builder()
    ///     .replica_set_id("cmgo-xxxx_0")
    ///     .file("cmgo-xxxx_0.tar")
    ///     .digest(&FileDigest::of_bytes(b"backup bytes"))
    ///     .verified(Verified::Crc64AndSize)
    ///     .build()?;
    /// assert_eq!((entry.file(), entry.bytes()), ("cmgo-xxxx_0.tar", 12));
    /// # Ok::<(), mongodb_client_blocking::Error>(())
    /// ```
    pub fn builder() -> ManifestFileBuilder {
        ManifestFileBuilder::default()
    }

    /// The entry for a finished download of replica set `replica_set_id`: the file's name
    /// (the last component of [`DownloadReport::path`]), size, SHA-256 and CRC-64 as the
    /// download computed them, and how it was verified.
    ///
    /// # Errors
    ///
    /// As [`ManifestFileBuilder::build`], when the path has no usable file name.
    pub fn from_report(
        replica_set_id: impl Into<String>,
        report: &DownloadReport,
    ) -> Result<Self, Error> {
        let file = report
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        Self::builder()
            .replica_set_id(replica_set_id)
            .file(file)
            .bytes(report.bytes)
            .sha256(&report.sha256)
            .crc64(report.crc64)
            .verified(report.verified)
            .build()
    }

    /// Records the file's CRC-64/XZ.
    pub fn with_crc64(mut self, crc64: u64) -> Self {
        self.crc64 = Some(crc64);
        self
    }

    /// Records how the download was checked.
    pub fn with_verified(mut self, verified: Verified) -> Self {
        self.verified = verified;
        self
    }

    /// The replica set (or shard) whose backup the file holds, e.g. `cmgo-xxxx_0`.
    pub fn replica_set_id(&self) -> &str {
        &self.replica_set_id
    }

    /// The file's name in the export directory.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its length in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Its SHA-256, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Its CRC-64/XZ, when recorded.
    pub fn crc64(&self) -> Option<u64> {
        self.crc64
    }

    /// How the download was checked.
    pub fn verified(&self) -> Verified {
        self.verified
    }

    /// Where the file is when the manifest is in `dir`.
    pub fn path_in(&self, dir: &Path) -> PathBuf {
        dir.join(&self.file)
    }

    /// Whether this entry proves the file in `dir` complete: it exists and its size and
    /// SHA-256 match. A rerun of an export skips such files.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file when it exists but can't be read (a missing file is
    /// `Ok(false)`).
    pub fn proves_complete(&self, dir: &Path) -> Result<bool, Error> {
        let path = self.path_in(dir);
        let io_error = |source: io::Error| Error::Io {
            context: format!("reading {}", path.display()),
            source,
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_error(e)),
        };
        if !meta.is_file() || meta.len() != self.bytes {
            return Ok(false);
        }
        match FileDigest::read(&path) {
            Ok(d) => Ok(d.bytes == self.bytes && d.sha256 == self.sha256),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_error(e)),
        }
    }
}

/// Builds a [`ManifestFile`]; see [`ManifestFile::builder`].
#[derive(Debug, Clone, Default)]
pub struct ManifestFileBuilder {
    replica_set_id: Option<String>,
    file: Option<String>,
    bytes: Option<u64>,
    sha256: Option<String>,
    crc64: Option<u64>,
    verified: Option<Verified>,
}

impl ManifestFileBuilder {
    /// The replica set (or shard) whose backup the file holds, e.g. `cmgo-xxxx_0` (required).
    pub fn replica_set_id(mut self, id: impl Into<String>) -> Self {
        self.replica_set_id = Some(id.into());
        self
    }

    /// The file's bare name in the export directory (required).
    pub fn file(mut self, name: impl Into<String>) -> Self {
        self.file = Some(name.into());
        self
    }

    /// Its length in bytes (required, or given by [`digest`](Self::digest)).
    pub fn bytes(mut self, bytes: u64) -> Self {
        self.bytes = Some(bytes);
        self
    }

    /// Its SHA-256, 64 hex digits (required, or given by [`digest`](Self::digest)).
    pub fn sha256(mut self, hex: impl Into<String>) -> Self {
        self.sha256 = Some(hex.into());
        self
    }

    /// Its CRC-64/XZ (default: none recorded).
    pub fn crc64(mut self, crc64: u64) -> Self {
        self.crc64 = Some(crc64);
        self
    }

    /// Size, SHA-256 and CRC-64 from a [`FileDigest`].
    pub fn digest(self, digest: &FileDigest) -> Self {
        self.bytes(digest.bytes)
            .sha256(digest.sha256.as_str())
            .crc64(digest.crc64)
    }

    /// How the download was checked (default: [`SizeOnly`](Verified::SizeOnly)).
    pub fn verified(mut self, verified: Verified) -> Self {
        self.verified = Some(verified);
        self
    }

    /// The entry.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first required field that is missing or empty;
    /// naming `file` when it is `.` or `..`, or holds a path separator, a `?` or a control
    /// character (a URL is refused this way); naming `sha256` when it is not 64 hex digits.
    pub fn build(self) -> Result<ManifestFile, Error> {
        let invalid = |parameter: &str, message: String| Error::InvalidInput {
            parameter: Some(parameter.into()),
            message,
        };
        let missing = |name: &str| {
            invalid(
                name,
                format!("the manifest entry needs `{name}`; set it on the builder"),
            )
        };
        let replica_set_id = self
            .replica_set_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("replica_set_id"))?;
        let file = self.file.ok_or_else(|| missing("file"))?;
        let bytes = self.bytes.ok_or_else(|| missing("bytes"))?;
        let sha256 = self.sha256.ok_or_else(|| missing("sha256"))?;
        check_file_name(&file).map_err(|m| invalid("file", m))?;
        let sha256 = normalize_sha256(&sha256).map_err(|m| invalid("sha256", m))?;
        Ok(ManifestFile {
            replica_set_id,
            file,
            bytes,
            sha256,
            crc64: self.crc64,
            verified: self.verified.unwrap_or(Verified::SizeOnly),
        })
    }
}

/// `ManifestFile` as read, checked before it becomes one.
#[derive(Deserialize)]
struct WireFile {
    replica_set_id: String,
    file: String,
    bytes: u64,
    sha256: String,
    #[serde(default, with = "crc_text")]
    crc64: Option<u64>,
    verified: Verified,
}

impl TryFrom<WireFile> for ManifestFile {
    type Error = String;

    fn try_from(w: WireFile) -> Result<Self, String> {
        check_file_name(&w.file).map_err(|m| format!("`file`: {m}"))?;
        let sha256 = normalize_sha256(&w.sha256).map_err(|m| format!("`sha256`: {m}"))?;
        Ok(ManifestFile {
            replica_set_id: w.replica_set_id,
            file: w.file,
            bytes: w.bytes,
            sha256,
            crc64: w.crc64,
            verified: w.verified,
        })
    }
}

fn check_file_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(format!("`{name}` is not a file name"));
    }
    if name.contains(['/', '\\', '?']) || name.chars().any(char::is_control) {
        // Don't echo it: it may be a URL with a signature in its query string.
        return Err(
            "must be a bare file name in the export directory, without a path, URL or `?`".into(),
        );
    }
    Ok(())
}

fn normalize_sha256(hex: &str) -> Result<String, String> {
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err("expected 64 hex digits".into())
    }
}

/// CRC-64 as JSON: a decimal string (a 64-bit number doesn't survive every JSON reader) or
/// `null`; a plain number is accepted when reading.
mod crc_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.collect_str(n),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Str(String),
        Num(u64),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<Text>::deserialize(d)? {
            None => Ok(None),
            Some(Text::Num(n)) => Ok(Some(n)),
            Some(Text::Str(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a decimal CRC-64"))),
        }
    }
}
