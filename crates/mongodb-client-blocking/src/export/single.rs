//! One instance's export: [`Client::export_backup`].

use std::io;
use std::path::Path;
use std::time::{Instant, SystemTime};

use mongodb_errors::{Error, ErrorCode, ServiceError};
use mongodb_models::{BackupDownloadTask, BackupMethod, CreateBackupDBInstanceRequest};

use super::event::ExportEvent;
use super::job::{BackupChoice, ExportJob, ExportOptions};
use super::naming::file_name;
use super::report::{ExportReport, ExportedFile};
use crate::workflows::replica_sets_of;
use crate::{Client, Manifest, ManifestFile, MANIFEST_FILE};

/// What is known of an export as it goes, kept when it fails.
#[derive(Debug, Default)]
pub(crate) struct Partial {
    pub(crate) backup_name: Option<String>,
    pub(crate) files: usize,
    pub(crate) bytes: u64,
}

impl Client {
    /// Exports one instance's backup into a directory, with a `manifest.json` there.
    ///
    /// 1. With [`BackupChoice::New`], starts a backup and waits for it
    ///    ([`backup_and_wait`](Client::backup_and_wait)); with [`BackupChoice::Existing`],
    ///    finds the backup by name among the instance's backups of every method.
    /// 2. Writes `manifest.json` (tool, region, instance, backup, method, start time) into the
    ///    directory, atomically.
    /// 3. Skips every replica set whose file the manifest already proves complete (size and
    ///    SHA-256 of the file on disk match), without calling the service for it; prepares
    ///    the others' downloads ([`prepare_backup_download`](Client::prepare_backup_download))
    ///    and downloads each with [`download_backup_file`](Client::download_backup_file)
    ///    (resumed, verified by CRC-64 and size, expired URLs replaced), recording it in the
    ///    manifest as it completes.
    /// 4. Sets the manifest's `finished`.
    ///
    /// Files are named `<backup name>__<replica set>.<ext>` (awkward characters made `_`;
    /// the extension from the URL's path, `tar` by default). The manifest never holds a URL.
    ///
    /// A directory holds one export: its manifest must be absent or, for an existing backup,
    /// be this backup's; so a rerun continues an export, and nothing recorded is overwritten.
    ///
    /// `on_event` hears every step ([`ExportEvent`]), including the failure.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty instance id or directory, or a directory whose
    /// manifest records another export (named in the message); [`Error::Io`] naming the file
    /// when the directory or a file can't be written or read; a service error of code
    /// [`ErrorCode::InvalidParameterValueBackupFileNotFound`] when no backup of that name is
    /// listed; and the errors of the workflows and the download (an [`Error::Wait`] for a
    /// request that is paused, fails or is undone, or a download task that fails; an
    /// [`Error::Download`] for a checksum mismatch, a refused URL, a stall). On error the
    /// manifest keeps the files completed so far and no `finished`.
    pub fn export_backup(
        &self,
        job: &ExportJob,
        opts: &ExportOptions,
        mut on_event: impl FnMut(&ExportEvent<'_>),
    ) -> Result<ExportReport, Error> {
        run(self, job, opts, &mut on_event, &mut Partial::default())
    }
}

/// [`Client::export_backup`], keeping what is known in `partial`.
pub(crate) fn run(
    client: &Client,
    job: &ExportJob,
    opts: &ExportOptions,
    on_event: &mut dyn FnMut(&ExportEvent<'_>),
    partial: &mut Partial,
) -> Result<ExportReport, Error> {
    let result = export(client, job, opts, on_event, partial);
    if let Err(error) = &result {
        on_event(&ExportEvent::Failed { error });
    }
    result
}

fn export(
    client: &Client,
    job: &ExportJob,
    opts: &ExportOptions,
    on_event: &mut dyn FnMut(&ExportEvent<'_>),
    partial: &mut Partial,
) -> Result<ExportReport, Error> {
    let clock = Instant::now();
    let started = SystemTime::now();
    let instance = job.instance_id.trim();
    if instance.is_empty() {
        return Err(invalid("InstanceId", "the instance id is empty".into()));
    }
    let dir = job.dir.as_path();
    if dir.as_os_str().is_empty() {
        return Err(invalid("dir", "the export directory is empty".into()));
    }
    on_event(&ExportEvent::Started { dir });
    std::fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, e))?;
    let existing = Manifest::load_if_present(dir)?;
    if let Some(m) = &existing {
        let same_backup =
            matches!(&job.backup, BackupChoice::Existing { name } if m.is_for(instance, name));
        if !same_backup {
            return Err(occupied(dir, m));
        }
    }

    let detail = client.instance_detail(instance)?;
    let region = detail
        .region
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| client.region().map(str::to_owned))
        .ok_or_else(|| {
            invalid(
                "region",
                format!("neither the client nor DescribeDBInstances names the region of {instance}; set the client's region"),
            )
        })?;
    let mut sets: Vec<String> = Vec::new();
    let wanted = if job.replica_sets.is_empty() {
        replica_sets_of(&detail, instance)
    } else {
        job.replica_sets.clone()
    };
    for id in wanted {
        if !sets.contains(&id) {
            sets.push(id);
        }
    }

    let (backup_name, method, async_request_id) = match &job.backup {
        BackupChoice::New { method, remark } => {
            let mut req = CreateBackupDBInstanceRequest::new(instance, *method);
            if let Some(r) = remark {
                req = req.with_backup_remark(r.as_str());
            }
            let created = {
                let wait = opts.wait.options().on_progress(|p| {
                    if let Some(id) = &p.async_request_id {
                        on_event(&ExportEvent::BackupWaiting {
                            async_request_id: id,
                            status: &p.status,
                            poll: p.poll,
                        });
                    }
                });
                client.backup_and_wait(&req, &wait)?
            };
            let name = created.backup.backup_name.clone().unwrap_or_default();
            let made = created.backup.backup_method.unwrap_or(*method);
            (name, made, Some(created.async_request_id))
        }
        BackupChoice::Existing { name } => {
            let method = match &existing {
                Some(m) => m.backup_method(),
                None => method_of(client, instance, name)?,
            };
            (name.clone(), method, None)
        }
    };
    partial.backup_name = Some(backup_name.clone());
    on_event(&ExportEvent::BackupReady {
        backup_name: &backup_name,
        method,
    });

    let mut manifest = match existing {
        Some(m) => m,
        None => {
            let m = Manifest::builder()
                .tool(opts.tool.clone())
                .region(region.clone())
                .instance_id(instance)
                .backup_name(backup_name.clone())
                .backup_method(method)
                .started(started)
                .build()?;
            m.save(dir)?;
            m
        }
    };

    // What the manifest proves complete is kept as it is.
    let mut files: Vec<Option<ExportedFile>> = vec![None; sets.len()];
    let mut todo: Vec<String> = Vec::new();
    for (slot, rs) in files.iter_mut().zip(&sets) {
        let entry = manifest
            .files()
            .iter()
            .rev()
            .find(|f| f.replica_set_id() == rs.as_str());
        match entry {
            Some(entry) if entry.proves_complete(dir)? => {
                let path = entry.path_in(dir);
                on_event(&ExportEvent::FileSkipped {
                    replica_set_id: rs,
                    path: &path,
                    bytes: entry.bytes(),
                });
                partial.files += 1;
                partial.bytes += entry.bytes();
                *slot = Some(ExportedFile {
                    replica_set_id: rs.clone(),
                    path,
                    bytes: entry.bytes(),
                    sha256: entry.sha256().to_owned(),
                    crc64: entry.crc64(),
                    verified: entry.verified(),
                    download: None,
                });
            }
            _ => todo.push(rs.clone()),
        }
    }

    if !todo.is_empty() {
        if manifest.finished().is_some() {
            manifest.reopen(dir)?;
        }
        let tasks = {
            let wait = opts
                .wait
                .options()
                .on_progress(|p| on_event(&ExportEvent::TasksProgress { tasks: &p.tasks }));
            client.prepare_backup_download(instance, &backup_name, &todo, &wait)?
        };
        for (slot, rs) in files.iter_mut().zip(&sets) {
            if slot.is_some() {
                continue;
            }
            let task = task_of(&tasks, rs, &backup_name)?;
            let dest = dir.join(file_name(&backup_name, rs, task.url.as_deref()));
            on_event(&ExportEvent::FileStarted {
                replica_set_id: rs,
                path: &dest,
                bytes_total: task.backup_size.filter(|s| *s > 0).map(|s| s as u64),
            });
            let report = {
                let dl = opts.download.options().on_progress(|p| {
                    on_event(&ExportEvent::FileBytes {
                        replica_set_id: rs,
                        bytes_done: p.bytes_done,
                        bytes_total: p.bytes_total,
                    })
                });
                client.download_backup_file(instance, task, &dest, &dl)?
            };
            manifest.record_file(dir, ManifestFile::from_report(rs.as_str(), &report)?)?;
            partial.files += 1;
            partial.bytes += report.bytes;
            on_event(&ExportEvent::FileDone {
                replica_set_id: rs,
                report: &report,
            });
            *slot = Some(ExportedFile {
                replica_set_id: rs.clone(),
                path: report.path.clone(),
                bytes: report.bytes,
                sha256: report.sha256.clone(),
                crc64: Some(report.crc64),
                verified: report.verified,
                download: Some(report),
            });
        }
    }
    if manifest.finished().is_none() {
        manifest.finish(dir, SystemTime::now())?;
    }
    let files: Vec<ExportedFile> = files.into_iter().flatten().collect();
    let manifest_path = dir.join(MANIFEST_FILE);
    let bytes = files.iter().map(|f| f.bytes).sum();
    on_event(&ExportEvent::Finished {
        manifest: &manifest_path,
        files: files.len(),
        bytes,
    });
    Ok(ExportReport {
        instance_id: instance.to_owned(),
        region: manifest.region().to_owned(),
        backup_name,
        backup_method: method,
        async_request_id,
        dir: dir.to_path_buf(),
        manifest: manifest_path,
        files,
        elapsed: clock.elapsed(),
    })
}

/// How the backup called `name` was made, from the instance's backups of every method.
fn method_of(client: &Client, instance: &str, name: &str) -> Result<BackupMethod, Error> {
    client
        .list_backups(instance, &[])?
        .into_iter()
        .find(|b| b.backup_name.as_deref() == Some(name))
        .map(|b| b.backup_method.unwrap_or(BackupMethod::Logical))
        .ok_or_else(|| {
            Error::Service(ServiceError::new(
                ErrorCode::InvalidParameterValueBackupFileNotFound,
                format!(
                    "instance {instance} has no backup named {name} (DescribeDBBackups lists none of any method)"
                ),
                None,
            ))
        })
}

/// The prepared task of `rs`.
fn task_of<'t>(
    tasks: &'t [BackupDownloadTask],
    rs: &str,
    backup_name: &str,
) -> Result<&'t BackupDownloadTask, Error> {
    tasks
        .iter()
        .find(|t| t.replica_set_id.as_deref() == Some(rs))
        .ok_or_else(|| Error::MalformedResponse {
            reason: format!(
                "DescribeBackupDownloadTask lists no completed task for {rs} of backup {backup_name}"
            ),
            snippet: String::new(),
            request_id: None,
        })
}

fn invalid(parameter: &str, message: String) -> Error {
    Error::InvalidInput {
        parameter: Some(parameter.into()),
        message,
    }
}

fn io_error(what: &str, path: &Path, source: io::Error) -> Error {
    Error::Io {
        context: format!("{what} {}", path.display()),
        source,
    }
}

/// A directory that holds the record of another export.
fn occupied(dir: &Path, m: &Manifest) -> Error {
    invalid(
        "dir",
        format!(
            "{} already holds the export of backup {} of instance {} ({MANIFEST_FILE}); export \
             into another directory, or continue that export by naming its backup",
            dir.display(),
            m.backup_name(),
            m.instance_id()
        ),
    )
}
