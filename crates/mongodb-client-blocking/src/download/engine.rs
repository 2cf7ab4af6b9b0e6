//! One download from start to finish: lock the `.part`, keep it only if its record proves it
//! belongs, fetch (one stream or several ranges), verify, and give the file its final name.

use std::fs::File;
use std::path::Path;

use mongodb_errors::{DownloadError, Error};

use super::fileio;
use super::hash::Hashes;
use super::lock;
use super::options::{DownloadOptions, Resume};
use super::parts::{self, Outcome};
use super::record::{self, Identity, Record};
use super::report::DownloadReport;
use super::secret::SecretUrl;
use super::sequential::{self, io_err};
use super::session::{Cut, Refresher, Session, Where};
use crate::fsutil;
use crate::verified::Verified;

/// What to download, and where.
pub(crate) struct Job<'a> {
    pub(crate) identity: Identity,
    pub(crate) url: SecretUrl,
    pub(crate) expected: Option<u64>,
    pub(crate) dest: &'a Path,
    pub(crate) refresher: Refresher<'a>,
}

pub(crate) fn download<'a>(
    agent: &'a ureq::Agent,
    job: Job<'a>,
    opts: &'a DownloadOptions<'_>,
) -> Result<DownloadReport, Error> {
    let dest = job.dest;
    let part = record::part_path(dest);
    let meta_path = record::record_path(dest);
    let file = lock::lock_part(&part)?;
    let mut s = Session::new(agent, opts, job.url, job.refresher, dest, job.expected);
    let mut rec = keep_or_discard(&s, &file, &meta_path, &job.identity)?;
    s.kept = match &rec.ranges {
        Some(_) => rec.ranges_done(),
        None => file.metadata().map(|m| m.len()).unwrap_or(0),
    };
    match run(&mut s, &file, &mut rec, &meta_path) {
        Ok((hashes, parts)) => finish(&s, &file, &rec, hashes, parts),
        Err(e) => {
            let empty = file.metadata().is_ok_and(|m| m.len() == 0);
            if empty || matches!(e, Error::Download(DownloadError::SizeMismatch { .. })) {
                // Nothing worth resuming (it failed before the first byte), or bytes that
                // are not the file: leave no `.part` behind.
                discard(&part, &meta_path);
            }
            Err(e)
        }
    }
}

/// The record of the `.part` when it proves the partial file belongs to `identity`; else the
/// `.part` is emptied (with a warning when it held anything) and a new record begins.
fn keep_or_discard(
    s: &Session<'_, '_>,
    file: &File,
    meta_path: &Path,
    identity: &Identity,
) -> Result<Record, Error> {
    let part = record::part_path(&s.dest);
    let len = file.metadata().map_err(io_err(s, "reading"))?.len();
    let loaded = if s.opts.settings.resume == Resume::IfProven {
        record::load(meta_path)
    } else {
        Ok(None)
    };
    let why = match loaded {
        Ok(Some(mut rec)) => match rec.refuse_reason(identity, len) {
            None if rec.ranges.is_none() || fileio::POSITIONED => {
                if len > 0 {
                    log::info!(
                        "continuing {} ({} bytes done)",
                        part.display(),
                        rec.ranges.as_ref().map_or(len, |_| rec.ranges_done())
                    );
                }
                // Learn the instance id when this download knows it and the record didn't.
                if rec.identity.instance_id.is_none() {
                    rec.identity.instance_id.clone_from(&identity.instance_id);
                }
                return Ok(rec);
            }
            None => "its ranges can't be written on this platform".to_owned(),
            Some(why) => why,
        },
        Ok(None) if s.opts.settings.resume == Resume::Never => "resuming is off".to_owned(),
        Ok(None) => "it has no record of what it belongs to".to_owned(),
        Err(why) => why,
    };
    if len > 0 {
        log::warn!(
            "discarding {} ({len} bytes): {why}; starting over",
            part.display()
        );
    }
    file.set_len(0).map_err(io_err(s, "truncating"))?;
    record::remove(meta_path).map_err(io_err(s, "removing the record of"))?;
    Ok(Record::new(identity.clone()))
}

/// Fetch everything; returns the whole file's hashes and the connections used.
fn run(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &mut Record,
    meta_path: &Path,
) -> Result<(Hashes, u32), Error> {
    loop {
        let len = file.metadata().map_err(io_err(s, "reading"))?.len();
        let layout = match (&rec.ranges, s.expected) {
            (Some(r), _) => Some((r.last().map_or(0, |g| g.end), r.len())),
            (None, Some(total)) if fileio::POSITIONED && len == 0 && total > 0 => {
                let n = s.opts.parts_for(total);
                (n > 1).then_some((total, n as usize))
            }
            _ => None,
        };
        let Some((total, ranges)) = layout else {
            return sequential::run(s, file, rec, meta_path, None).map(|h| (h, 1));
        };
        let n = s.opts.parts_for(total);
        match parts::run(s, file, rec, meta_path, n, total)? {
            Outcome::Done(h) => return Ok((h, n.min(ranges as u32).max(1))),
            Outcome::Whole(body) => {
                rec.ranges = None;
                return sequential::run(s, file, rec, meta_path, Some(body)).map(|h| (h, 1));
            }
            Outcome::Restart => {
                file.set_len(0).map_err(io_err(s, "truncating"))?;
                s.kept = 0;
                parts::reset(rec);
                record::save(meta_path, rec).map_err(io_err(s, "recording"))?;
                s.interrupted(Cut::Failed(parts::restart_cause()), Where::default())?;
            }
        }
    }
}

/// Check the size and the store's CRC-64, then rename into place durably.
fn finish(
    s: &Session<'_, '_>,
    file: &File,
    rec: &Record,
    hashes: Hashes,
    parts: u32,
) -> Result<DownloadReport, Error> {
    let dest = s.dest.as_path();
    let part = record::part_path(dest);
    let meta_path = record::record_path(dest);
    let on_disk = file.metadata().map_err(io_err(s, "reading"))?.len();
    let len = match check_size(s.expected, hashes.covered(), on_disk) {
        Ok(len) => len,
        Err((expected, actual)) => {
            discard(&part, &meta_path);
            return Err(DownloadError::SizeMismatch {
                path: dest.to_path_buf(),
                expected,
                actual,
            }
            .into());
        }
    };
    let (crc64, sha256) = hashes.finish();
    if let Some(want) = rec.crc64 {
        if want != crc64 {
            discard(&part, &meta_path);
            log::warn!(
                "{}: CRC-64 {crc64} does not match the store's {want}; the partial file was removed",
                dest.display()
            );
            return Err(DownloadError::ChecksumMismatch {
                path: dest.to_path_buf(),
                expected: want,
                actual: crc64,
            }
            .into());
        }
    }
    file.sync_all().map_err(io_err(s, "syncing"))?;
    std::fs::rename(&part, dest).map_err(|source| Error::Io {
        context: format!("renaming {} to {}", part.display(), dest.display()),
        source,
    })?;
    record::remove(&meta_path).map_err(io_err(s, "removing the record of"))?;
    let dir = dest.parent().unwrap_or(Path::new("."));
    fsutil::sync_dir(dir).map_err(|source| Error::Io {
        context: format!("syncing the directory {}", dir.display()),
        source,
    })?;
    let verified = if rec.crc64.is_some() {
        Verified::Crc64AndSize
    } else {
        Verified::SizeOnly
    };
    log::info!(
        "downloaded {} ({len} bytes, verified by {verified}, {} requests, {parts} part(s))",
        dest.display(),
        s.requests
    );
    Ok(DownloadReport {
        path: dest.to_path_buf(),
        bytes: len,
        resumed_from: s.kept,
        attempts: s.requests,
        sha256,
        crc64,
        expected_crc64: rec.crc64,
        verified,
        refreshes: s.refreshes,
        parts,
    })
}

/// The file's size when the bytes hashed and the `.part` on disk both have the `expected`
/// size (when known); else the expected size and the measured one that differs from it: the
/// bytes hashed, or failing that the length on disk.
fn check_size(expected: Option<u64>, hashed: u64, on_disk: u64) -> Result<u64, (u64, u64)> {
    let expected = expected.unwrap_or(hashed);
    if hashed != expected {
        Err((expected, hashed))
    } else if on_disk != expected {
        Err((expected, on_disk))
    } else {
        Ok(expected)
    }
}

/// Remove the `.part` and its record: their bytes are not the file.
fn discard(part: &Path, meta_path: &Path) {
    for p in [part, meta_path] {
        if let Err(e) = std::fs::remove_file(p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                log::warn!("could not remove {}: {e}", p.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_size_is_reported_as_measured() {
        assert_eq!(check_size(Some(100), 100, 100), Ok(100));
        assert_eq!(check_size(None, 7, 7), Ok(7));
        // Fewer bytes hashed than expected, on a .part sized up front: the hashed count.
        assert_eq!(check_size(Some(100), 60, 100), Err((100, 60)));
        // The right count hashed, but the .part is longer: its length.
        assert_eq!(check_size(Some(100), 100, 120), Err((100, 120)));
        assert_eq!(check_size(None, 100, 90), Err((100, 90)));
    }
}
