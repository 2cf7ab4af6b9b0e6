//! A download over one connection: the `.part` grows from its end, hashed as it is written.

use std::fs::File;
use std::path::Path;

use mongodb_errors::{DownloadError, Error, TransportKind};

use super::hash::Hashes;
use super::pipeline::{self, Stop};
use super::record::{self, Record};
use super::request::{self, Answer, Ask, Body, StoreMeta};
use super::session::{Cut, Session, Where};
use crate::transport::map_read_error;

/// Fetch the rest of the file into `file` (which holds a proven prefix, or nothing) and
/// return its hashes. `first` is an answer already in hand (a 200 to a ranged request).
pub(crate) fn run(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &mut Record,
    meta_path: &Path,
    first: Option<Body>,
) -> Result<Hashes, Error> {
    let mut offset = file_len(file, s)?;
    let mut hashes = Hashes::new();
    let mut first = first;
    loop {
        s.check_deadline(offset)?;
        // Hash what is on disk before a connection is opened: a connection kept waiting while
        // a large prefix is re-read from disk may be dropped by the store.
        hashes
            .catch_up(file, offset)
            .map_err(io_err(s, "reading"))?;
        s.check_deadline(offset)?;
        let total = s.expected.or(rec.identity.size);
        if first.is_none() && offset > 0 && total == Some(offset) {
            // Complete from an earlier run: only the hashes were missing.
            return Ok(hashes);
        }
        let answer = match first.take() {
            Some(body) => Answer::Body(body),
            None => {
                s.count_request();
                let url = s.url.clone();
                let ask = Ask {
                    url: &url,
                    from: offset,
                    to: None,
                    if_range: rec.validator(),
                    timeout: s.timeout(),
                };
                request::ask(s.agent, &ask)
            }
        };
        let mut body = match answer {
            Answer::Body(b) => b,
            Answer::Refused { status, code } => {
                let generation = s.url_generation;
                s.refused(status, code, generation)?;
                continue;
            }
            Answer::NotSatisfiable if offset > 0 && total.is_none() => {
                // Asked past the end of a file of unknown size: what is on disk is all of it.
                return Ok(hashes);
            }
            Answer::NotSatisfiable => {
                log::warn!(
                    "the file store has no byte {offset} of {}: starting over",
                    s.dest.display()
                );
                let e = range_refused(offset);
                start_over(s, file, rec, meta_path, &mut offset, &mut hashes)?;
                s.interrupted(Cut::Failed(e), Where::default())?;
                continue;
            }
            Answer::Retry(e) => {
                s.interrupted(Cut::Failed(e), at(offset, offset))?;
                continue;
            }
            Answer::Fatal(e) => return Err(e),
        };
        if body.whole && offset > 0 {
            log::info!(
                "the file store sent all of {} again (the object changed, or ranges are not supported): starting over",
                s.dest.display()
            );
            start_over(s, file, rec, meta_path, &mut offset, &mut hashes)?;
        } else if offset > 0 && !same_object(rec, &body.meta) {
            log::warn!(
                "the file store's object behind {} changed: starting over",
                s.dest.display()
            );
            start_over(s, file, rec, meta_path, &mut offset, &mut hashes)?;
            s.interrupted(Cut::Failed(changed()), Where::default())?;
            continue;
        }
        adopt(s, rec, &body.meta, body.whole, meta_path)?;
        let total = s.expected.or(body.meta.total);
        check_total(s, total, &body.meta)?;

        s.progress(offset, total);
        let from = offset;
        let mut meter = s.meter();
        let mut last = offset;
        let mut stalled = false;
        let streamed = {
            let s = &*s;
            pipeline::stream(file, offset, total, hashes, &mut body.reader, &mut |at| {
                s.progress(at, total);
                let ok = meter.add(at - last);
                last = at;
                stalled = !ok;
                ok && !s.deadline.passed()
            })
        };
        offset = streamed.end;
        hashes = streamed.hashes;
        if let Some(e) = streamed.io_error {
            return Err(io_err(s, "writing")(e));
        }
        let cut = match streamed.stop {
            Stop::Eof if total.is_none_or(|t| offset == t) => return Ok(hashes),
            Stop::Eof => Cut::Failed(Error::Transport {
                kind: TransportKind::Reset,
                message: format!(
                    "the connection ended after {offset} of {} bytes",
                    total.unwrap_or_default()
                ),
                sent: true,
            }),
            Stop::TooLong => {
                return Err(DownloadError::SizeMismatch {
                    path: s.dest.clone(),
                    expected: total.unwrap_or_default(),
                    actual: total.unwrap_or_default() + 1,
                }
                .into())
            }
            Stop::Read(e) => {
                let e = s.url.scrub_error(map_read_error(e, u64::MAX));
                if matches!(e, Error::Timeout { .. }) && s.opts.settings.min_bytes_per_sec > 0 {
                    Cut::Stalled
                } else {
                    Cut::Failed(e)
                }
            }
            Stop::Watcher if stalled => Cut::Stalled,
            Stop::Watcher => {
                s.check_deadline(offset)?;
                Cut::Stalled
            }
        };
        s.interrupted(cut, at(from, offset))?;
    }
}

/// The one stream, cut at `offset` after a request that started at `from`.
fn at(from: u64, offset: u64) -> Where {
    Where {
        stretch: 0,
        gained: offset - from,
        bytes_done: offset,
    }
}

fn file_len(file: &File, s: &Session<'_, '_>) -> Result<u64, Error> {
    file.metadata()
        .map(|m| m.len())
        .map_err(io_err(s, "reading"))
}

pub(crate) fn io_err<'e>(
    s: &Session<'_, '_>,
    doing: &'e str,
) -> impl FnOnce(std::io::Error) -> Error + 'e {
    let part = record::part_path(&s.dest);
    move |source| Error::Io {
        context: format!("{doing} {}", part.display()),
        source,
    }
}

/// Empty the `.part` and forget the store's validators: the next answer defines the object.
fn start_over(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &mut Record,
    meta_path: &Path,
    offset: &mut u64,
    hashes: &mut Hashes,
) -> Result<(), Error> {
    file.set_len(0).map_err(io_err(s, "truncating"))?;
    s.kept = 0;
    *offset = 0;
    *hashes = Hashes::new();
    rec.etag = None;
    rec.last_modified = None;
    rec.crc64 = None;
    rec.ranges = None;
    record::save(meta_path, rec).map_err(io_err(s, "recording"))
}

/// Whether a partial answer's validators agree with the record (a missing one proves
/// nothing either way; `If-Range` already asked the store).
pub(crate) fn same_object(rec: &Record, meta: &StoreMeta) -> bool {
    let agree = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    agree(&rec.etag, &meta.etag)
        && agree(&rec.last_modified, &meta.last_modified)
        && match (rec.crc64, meta.crc64) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// Take the store's validators and CRC into the record (saving it when they are new). A
/// whole answer (`whole`) defines the object: its values replace the recorded ones.
pub(crate) fn adopt(
    s: &Session<'_, '_>,
    rec: &mut Record,
    meta: &StoreMeta,
    whole: bool,
    meta_path: &Path,
) -> Result<(), Error> {
    let before = rec.clone();
    if whole || rec.etag.is_none() {
        rec.etag.clone_from(&meta.etag);
    }
    if whole || rec.last_modified.is_none() {
        rec.last_modified.clone_from(&meta.last_modified);
    }
    if whole || rec.crc64.is_none() {
        rec.crc64 = meta.crc64;
    }
    if *rec != before {
        record::save(meta_path, rec).map_err(io_err(s, "recording"))?;
    }
    Ok(())
}

/// The store's size must be the one expected.
pub(crate) fn check_total(
    s: &Session<'_, '_>,
    total: Option<u64>,
    meta: &StoreMeta,
) -> Result<(), Error> {
    if let (Some(want), Some(has)) = (total, meta.total) {
        if want != has {
            return Err(DownloadError::SizeMismatch {
                path: s.dest.clone(),
                expected: want,
                actual: has,
            }
            .into());
        }
    }
    Ok(())
}

pub(crate) fn changed() -> Error {
    Error::MalformedResponse {
        reason: "the file store's object changed during the download".into(),
        snippet: String::new(),
        request_id: None,
    }
}

fn range_refused(offset: u64) -> Error {
    Error::HttpStatus {
        status: 416,
        snippet: format!("range from byte {offset} not satisfiable"),
        request_id: None,
    }
}
