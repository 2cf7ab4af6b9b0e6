//! The manifest document: [`Manifest`] (its entries are in `entry`), loading and atomic
//! saving.

use std::io;
use std::path::Path;
use std::time::SystemTime;

use mongodb_errors::Error;
use mongodb_models::BackupMethod;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::entry::ManifestFile;
use crate::fsutil::{self, Access};

/// The manifest's file name in an export directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The record of one backup export, kept as `manifest.json` in its directory: what was
/// exported (tool, region, instance, backup and its method), when, and every downloaded file
/// with its size and hashes.
///
/// ```json
/// {"tool": "tcmongo 0.1.0", "region": "ap-guangzhou", "instance_id": "cmgo-xxxx",
///  "backup_name": "…", "backup_method": 0, "started": "2024-05-01T10:00:00Z", "finished": null,
///  "files": [{"replica_set_id": "cmgo-xxxx_0", "file": "….tar", "bytes": 123,
///             "sha256": "…", "crc64": "…", "verified": "crc64+size"}]}
/// ```
///
/// Build one with [`Manifest::builder`]; record each file with
/// [`record_file`](Manifest::record_file) as it completes and the end with
/// [`finish`](Manifest::finish): each rewrites the file atomically, so the directory always
/// holds a whole, valid manifest. `finished` stays `null` until the export has completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    tool: String,
    region: String,
    instance_id: String,
    backup_name: String,
    backup_method: BackupMethod,
    #[serde(with = "time::serde::rfc3339")]
    started: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    finished: Option<OffsetDateTime>,
    #[serde(default)]
    files: Vec<ManifestFile>,
}

impl Manifest {
    /// A builder; `region`, `instance_id`, `backup_name` and `backup_method` are required.
    pub fn builder() -> ManifestBuilder {
        ManifestBuilder::default()
    }

    /// Reads `dir/manifest.json`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file when it can't be read (kind `NotFound` when there is
    /// none) or is not a valid manifest (kind `InvalidData`, with the field at fault).
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(MANIFEST_FILE);
        let io_error = |context: &str, source| Error::Io {
            context: format!("{context} {}", path.display()),
            source,
        };
        let text = std::fs::read(&path).map_err(|e| io_error("reading", e))?;
        serde_json::from_slice(&text).map_err(|e| {
            io_error(
                "parsing",
                io::Error::new(io::ErrorKind::InvalidData, format!("not a manifest: {e}")),
            )
        })
    }

    /// [`load`](Self::load), or `None` when `dir` holds no manifest.
    pub fn load_if_present(dir: &Path) -> Result<Option<Self>, Error> {
        match Self::load(dir) {
            Ok(m) => Ok(Some(m)),
            Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes `dir/manifest.json` atomically: through a temporary file of this writer's own in
    /// the same directory, synced, renamed over it, the directory synced. Two writers never
    /// write into each other's temporary file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file; the previous manifest, if any, is then left as it was.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Io {
            context: "encoding the manifest".into(),
            source: io::Error::other(e),
        })?;
        bytes.push(b'\n');
        let path = dir.join(MANIFEST_FILE);
        fsutil::write_atomic(&path, &bytes, Access::Default).map_err(|source| Error::Io {
            context: format!("writing {}", path.display()),
            source,
        })
    }

    /// Adds `entry`, or replaces the entry with the same file name, and saves the manifest
    /// in `dir` (see [`save`](Self::save)). Call it as each file completes.
    pub fn record_file(&mut self, dir: &Path, entry: ManifestFile) -> Result<(), Error> {
        match self.files.iter_mut().find(|f| f.file() == entry.file()) {
            Some(old) => *old = entry,
            None => self.files.push(entry),
        }
        self.save(dir)
    }

    /// Marks the export finished at `at` (e.g. `SystemTime::now()`) and saves the manifest
    /// in `dir`.
    pub fn finish(&mut self, dir: &Path, at: SystemTime) -> Result<(), Error> {
        self.finished = Some(whole_seconds(at));
        self.save(dir)
    }

    /// Marks the export unfinished again (`finished` back to `null`) and saves the manifest
    /// in `dir`: a rerun that is about to download files calls it, so a rerun cut short
    /// never leaves a manifest that claims a finished export.
    pub fn reopen(&mut self, dir: &Path) -> Result<(), Error> {
        self.finished = None;
        self.save(dir)
    }

    /// Whether this manifest records an export of `backup_name` of `instance_id`.
    pub fn is_for(&self, instance_id: &str, backup_name: &str) -> bool {
        self.instance_id == instance_id && self.backup_name == backup_name
    }

    /// The program that wrote the export, e.g. `tcmongo 0.1.0`.
    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// The region of the instance.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The instance that was backed up.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// The backup's name.
    pub fn backup_name(&self) -> &str {
        &self.backup_name
    }

    /// How the backup was made.
    pub fn backup_method(&self) -> BackupMethod {
        self.backup_method
    }

    /// When the export started.
    pub fn started(&self) -> SystemTime {
        self.started.into()
    }

    /// When the export finished, once it has.
    pub fn finished(&self) -> Option<SystemTime> {
        self.finished.map(Into::into)
    }

    /// The files recorded so far, in the order they were first recorded.
    pub fn files(&self) -> &[ManifestFile] {
        &self.files
    }

    /// The entry for file name `file`.
    pub fn file(&self, file: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.file() == file)
    }
}

/// A UTC time without its fraction of a second, as the manifest shows it.
fn whole_seconds(t: SystemTime) -> OffsetDateTime {
    let t = OffsetDateTime::from(t);
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Builds a [`Manifest`]; see [`Manifest::builder`].
#[derive(Debug, Clone, Default)]
pub struct ManifestBuilder {
    tool: Option<String>,
    region: Option<String>,
    instance_id: Option<String>,
    backup_name: Option<String>,
    backup_method: Option<BackupMethod>,
    started: Option<SystemTime>,
}

impl ManifestBuilder {
    /// The program writing the export (default: this crate's name and version); the CLI
    /// gives `tcmongo <version>`.
    pub fn tool(mut self, tool: impl Into<String>) -> Self {
        self.tool = Some(tool.into());
        self
    }

    /// The region of the instance (required).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The instance backed up (required).
    pub fn instance_id(mut self, id: impl Into<String>) -> Self {
        self.instance_id = Some(id.into());
        self
    }

    /// The backup's name (required).
    pub fn backup_name(mut self, name: impl Into<String>) -> Self {
        self.backup_name = Some(name.into());
        self
    }

    /// How the backup was made (required).
    pub fn backup_method(mut self, method: BackupMethod) -> Self {
        self.backup_method = Some(method);
        self
    }

    /// When the export started (default: the moment [`build`](Self::build) is called).
    pub fn started(mut self, at: SystemTime) -> Self {
        self.started = Some(at);
        self
    }

    /// The manifest, with no files and not finished.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first required field that is missing or empty.
    pub fn build(self) -> Result<Manifest, Error> {
        let required = |v: Option<String>, name: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| Error::InvalidInput {
                    parameter: Some(name.into()),
                    message: format!("the manifest needs `{name}`; set it on the builder"),
                })
        };
        let region = required(self.region, "region")?;
        let instance_id = required(self.instance_id, "instance_id")?;
        let backup_name = required(self.backup_name, "backup_name")?;
        let backup_method = self.backup_method.ok_or_else(|| Error::InvalidInput {
            parameter: Some("backup_method".into()),
            message: "the manifest needs `backup_method`; set it on the builder".into(),
        })?;
        Ok(Manifest {
            tool: self.tool.unwrap_or_else(|| {
                concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).into()
            }),
            region,
            instance_id,
            backup_name,
            backup_method,
            started: whole_seconds(self.started.unwrap_or_else(SystemTime::now)),
            finished: None,
            files: Vec::new(),
        })
    }
}
