//! Re-reading an export directory against its manifest: [`verify_dir`], [`VerifyReport`].

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use mongodb_errors::Error;

use super::digest::FileDigest;
use super::entry::ManifestFile;
use super::model::Manifest;

/// A property of a file that verification compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Checked {
    /// The length in bytes.
    Size,
    /// The SHA-256.
    Sha256,
    /// The CRC-64/XZ (compared only when the manifest records one).
    Crc64,
}

impl Checked {
    /// `size`, `sha256` or `crc64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Checked::Size => "size",
            Checked::Sha256 => "sha256",
            Checked::Crc64 => "crc64",
        }
    }
}

impl fmt::Display for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One property that differs between the manifest and the file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// Which property.
    pub what: Checked,
    /// The manifest's value (bytes and CRC-64 in decimal, SHA-256 in hex).
    pub expected: String,
    /// The file's value, written the same way.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {}, the manifest says {}",
            self.what, self.actual, self.expected
        )
    }
}

/// What verification found for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileStatus {
    /// Size, SHA-256 and (when recorded) CRC-64 match.
    Ok,
    /// The file is there but differs: the properties that differ, in the order size,
    /// SHA-256, CRC-64.
    Mismatch(Vec<Mismatch>),
    /// There is no such file.
    Missing,
    /// The file could not be read to its end.
    Unreadable {
        /// The I/O error's kind.
        kind: io::ErrorKind,
        /// The I/O error's message.
        message: String,
    },
}

/// Verification's finding for one file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileVerdict {
    /// The replica set the file holds.
    pub replica_set_id: String,
    /// The file's name, as the manifest lists it.
    pub file: String,
    /// Where it was looked for.
    pub path: PathBuf,
    /// What was found.
    pub status: FileStatus,
}

impl fmt::Display for FileVerdict {
    /// One line: `<file>: ok`, `<file>: missing`, `<file>: sha256 is …, the manifest says …`,
    /// `<file>: cannot be read: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        match &self.status {
            FileStatus::Ok => f.write_str("ok"),
            FileStatus::Missing => write!(f, "missing ({})", self.path.display()),
            FileStatus::Unreadable { message, .. } => write!(f, "cannot be read: {message}"),
            FileStatus::Mismatch(list) => {
                for (i, m) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{m}")?;
                }
                Ok(())
            }
        }
    }
}

/// The overall answer of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyOutcome {
    /// Every listed file is there and matches.
    AllMatch,
    /// At least one file is missing or differs: the directory does not hold the backup the
    /// manifest describes. This wins over [`Unreadable`](VerifyOutcome::Unreadable), being a
    /// definite answer.
    Mismatch,
    /// Some file could not be read, and none of the others was found wrong.
    Unreadable,
}

/// What [`verify_dir`] (or [`Manifest::verify`]) found, file by file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyReport {
    /// One verdict per file of the manifest, in the manifest's order.
    pub files: Vec<FileVerdict>,
    /// Whether the manifest says the export finished (`finished` set). An unfinished export
    /// may lack files the manifest does not list yet.
    pub export_finished: bool,
}

impl VerifyReport {
    /// The overall answer (for a command's exit code: all match, a mismatch or missing file,
    /// or an I/O failure).
    pub fn outcome(&self) -> VerifyOutcome {
        let bad =
            |f: &&FileVerdict| matches!(f.status, FileStatus::Mismatch(_) | FileStatus::Missing);
        if self.files.iter().any(|f| bad(&f)) {
            VerifyOutcome::Mismatch
        } else if self
            .files
            .iter()
            .any(|f| matches!(f.status, FileStatus::Unreadable { .. }))
        {
            VerifyOutcome::Unreadable
        } else {
            VerifyOutcome::AllMatch
        }
    }

    /// The verdicts that are not [`FileStatus::Ok`].
    pub fn problems(&self) -> impl Iterator<Item = &FileVerdict> {
        self.files.iter().filter(|f| f.status != FileStatus::Ok)
    }
}

/// Loads `dir/manifest.json` and re-reads every file it lists: see [`Manifest::verify`].
///
/// # Errors
///
/// Those of [`Manifest::load`]; problems with the listed files are in the report instead.
pub fn verify_dir(dir: &Path) -> Result<VerifyReport, Error> {
    Ok(Manifest::load(dir)?.verify(dir))
}

impl Manifest {
    /// Re-reads every file the manifest lists, in `dir`, and compares its size, SHA-256 and
    /// (when recorded) CRC-64/XZ with the manifest's.
    pub fn verify(&self, dir: &Path) -> VerifyReport {
        VerifyReport {
            files: self.files().iter().map(|f| check(dir, f)).collect(),
            export_finished: self.finished().is_some(),
        }
    }
}

fn check(dir: &Path, entry: &ManifestFile) -> FileVerdict {
    let path = entry.path_in(dir);
    let status = match FileDigest::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => FileStatus::Missing,
        Err(e) => FileStatus::Unreadable {
            kind: e.kind(),
            message: e.to_string(),
        },
        Ok(d) => compare(entry, &d),
    };
    FileVerdict {
        replica_set_id: entry.replica_set_id().to_string(),
        file: entry.file().to_string(),
        path,
        status,
    }
}

fn compare(entry: &ManifestFile, d: &FileDigest) -> FileStatus {
    let mut found = Vec::new();
    let mut differ = |what, expected: String, actual: String| {
        if expected != actual {
            found.push(Mismatch {
                what,
                expected,
                actual,
            });
        }
    };
    differ(
        Checked::Size,
        entry.bytes().to_string(),
        d.bytes.to_string(),
    );
    differ(
        Checked::Sha256,
        entry.sha256().to_string(),
        d.sha256.clone(),
    );
    if let Some(crc) = entry.crc64() {
        differ(Checked::Crc64, crc.to_string(), d.crc64.to_string());
    }
    if found.is_empty() {
        FileStatus::Ok
    } else {
        FileStatus::Mismatch(found)
    }
}
