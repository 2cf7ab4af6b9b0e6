//! The file store: serving backup files at
//! `GET /download/<task-id>/<file>.tar?<pre-signed query>`, the way Tencent COS
//! serves an object through a pre-signed URL.
//!
//! Every answer with file bytes (200 or 206) carries `ETag`, `Last-Modified`,
//! `Accept-Ranges: bytes`, `Content-Length` and `x-cos-hash-crc64ecma` (the
//! CRC-64/XZ of the whole object, in decimal). `Range: bytes=…` gets 206 with
//! `Content-Range`, a range past the end 416; `If-Range` with a validator that
//! doesn't match gets the whole object. An expired or altered URL gets 403 with
//! COS's XML error body, an unknown object 404 likewise.

use std::net::TcpStream;

use crate::archive::ArchiveSpec;
use crate::cos::{self, CRC64_HEADER, REQUEST_ID_HEADER};
use crate::faults::Fault;
use crate::http::{write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, send_body, Applied, Delivery};
use crate::presign;
use crate::shared::Shared;
use crate::state::backups::DownloadTask;
use crate::util::http_date;

/// A `Range` header resolved against a file size.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeSpec {
    /// Send everything (no header, or one we ignore).
    Full,
    /// Send bytes `start..=end`.
    Partial(u64, u64),
    /// Answer 416.
    Unsatisfiable,
}

pub(crate) fn parse_range(header: Option<&str>, size: u64) -> RangeSpec {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeSpec::Full;
    };
    if spec.contains(',') {
        // Several ranges: allowed to ignore, we send the whole file.
        return RangeSpec::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeSpec::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // Suffix: the last `b` bytes.
        return match b.parse::<u64>() {
            Ok(0) => RangeSpec::Unsatisfiable,
            Ok(n) if size > 0 => RangeSpec::Partial(size - n.min(size), size - 1),
            Ok(_) => RangeSpec::Unsatisfiable,
            Err(_) => RangeSpec::Full,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeSpec::Full;
    };
    let end = if b.is_empty() {
        None
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => Some(e),
            _ => return RangeSpec::Full,
        }
    };
    if start >= size {
        return RangeSpec::Unsatisfiable;
    }
    RangeSpec::Partial(start, end.unwrap_or(size - 1).min(size - 1))
}

/// The file name used in download URLs.
pub(crate) fn file_name(task: &DownloadTask) -> String {
    let clean: String = format!("{}_{}", task.backup_name, task.replica_set_id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}.tar")
}

fn path(task: &DownloadTask) -> String {
    format!("/download/{}/{}", task.id, file_name(task))
}

/// A fresh pre-signed URL of a finished task, for a client that reached us as
/// `host`, valid from `now_ms` for the configured time to live.
pub(crate) fn url(shared: &Shared, host: &str, task: &DownloadTask, now_ms: i64) -> String {
    let start = now_ms.div_euclid(1000);
    let ttl_secs = shared.url_ttl_ms().div_ceil(1000).min(i64::MAX as u64) as i64;
    let end = start.saturating_add(ttl_secs);
    let path = path(task);
    let query = presign::query(&task.sign, &path, start, end, shared.next_url_serial());
    format!("http://{host}{path}?{query}")
}

/// What the archive of `task` is made of.
fn archive_spec(task: &DownloadTask) -> ArchiveSpec {
    let started = if task.backup_start_ms > 0 {
        task.backup_start_ms
    } else {
        task.created_ms
    };
    // Whole minutes, like the backup's name: two emulators that hold the same
    // backup serve the same bytes.
    let mtime = started.div_euclid(60_000).max(0) as u64 * 60;
    ArchiveSpec {
        instance_id: task.instance_id.clone(),
        backup_name: task.backup_name.clone(),
        replica_set_id: task.replica_set_id.clone(),
        method: task.method,
        len: task.size,
        mtime_secs: mtime,
    }
}

/// Whether an `If-Range` validator names the object as it is now (a strong
/// `ETag`, or exactly the `Last-Modified` date).
fn if_range_matches(validator: &str, etag: &str, last_modified: &str) -> bool {
    let v = validator.trim();
    v == etag || v == last_modified
}

/// Answers one download request; returns whether the connection can be kept.
pub(crate) fn serve(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    fault: Option<Fault>,
    close: bool,
) -> bool {
    let mut post = None;
    if let Some(f) = fault {
        // An API error makes no sense inside a file; answer it as a server error page.
        let f = match f {
            Fault::Error { .. } => Fault::HttpStatus(500),
            other => other,
        };
        match apply_fault(shared, f, out, close) {
            Applied::Done(keep) => return keep,
            Applied::Continue(p) => post = p,
        }
    }
    let head_only = req.method == "HEAD";
    // Error answers carry a body, which must not follow a HEAD on a kept connection.
    let close = close || head_only;
    if req.method != "GET" && !head_only {
        let message = "Use GET (or HEAD) to download backup files.";
        return cos::write_error(out, 405, "MethodNotAllowed", message, &req.path, close);
    }
    let no_such_key = |out: &mut TcpStream| {
        let message = "The specified key does not exist.";
        cos::write_error(out, 404, "NoSuchKey", message, &req.path, close)
    };
    let mut parts = req.path.trim_start_matches("/download/").splitn(2, '/');
    let id = parts.next().and_then(|s| s.parse::<u64>().ok());
    let now = shared.now_ms();
    let progress = shared.progress();
    let task = id.and_then(|id| {
        shared.with_state(|s| {
            let t = s.download_task(id).cloned();
            (t, false)
        })
    });
    let Some(task) = task else {
        return no_such_key(out);
    };
    let now_secs = now.div_euclid(1000);
    let revoked = shared.revoked_below();
    if let Err(denial) = presign::check(&task.sign, &req.path, &req.query, now_secs, revoked) {
        log::debug!("download of task {} refused: {denial:?}", task.id);
        return cos::write_error(out, 403, "AccessDenied", denial.message(), &req.path, close);
    }
    if task.step(progress, now).phase != 2 {
        return no_such_key(out);
    }

    let object = shared.objects.get(&archive_spec(&task));
    let size = object.layout.len();
    let modified = if task.backup_end_ms > 0 {
        task.backup_end_ms
    } else {
        task.created_ms
    };
    let last_modified = http_date(modified);
    let range = match req.header("if-range") {
        Some(v) if !if_range_matches(v, &object.etag, &last_modified) => None,
        _ => req.header("range"),
    };
    let mut extra = vec![
        ("Accept-Ranges", "bytes".to_owned()),
        ("ETag", object.etag.clone()),
        ("Last-Modified", last_modified),
        (CRC64_HEADER, object.crc64.to_string()),
        (REQUEST_ID_HEADER, cos::request_id()),
        ("Date", http_date(now)),
        (
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", file_name(&task)),
        ),
    ];
    let (status, start, end) = match parse_range(range, size) {
        RangeSpec::Full => (200, 0, size - 1),
        RangeSpec::Partial(s, e) => (206, s, e),
        RangeSpec::Unsatisfiable => {
            let message = "The requested range is not satisfiable.";
            let id = cos::request_id();
            let body = cos::error_xml("InvalidRange", message, &req.path, &id);
            let extra = [
                ("Content-Range", format!("bytes */{size}")),
                (REQUEST_ID_HEADER, id),
            ];
            return write_response(out, 416, "application/xml", &extra, &body, close).is_ok();
        }
    };
    if status == 206 {
        extra.push(("Content-Range", format!("bytes {start}-{end}/{size}")));
    }
    let length = end - start + 1;
    let delivery = Delivery::for_fault(post.as_ref(), length);
    let close = close || delivery.cuts();
    if write_head(out, status, "application/x-tar", &extra, length, close).is_err() {
        return false;
    }
    if head_only {
        return std::io::Write::flush(out).is_ok() && !close;
    }
    // Counted before streaming so that a client that has read everything can
    // rely on the counters.
    shared.count_download(delivery.sent_of(length));
    let sent = send_body(shared, out, start, length, &delivery, |at, buf| {
        object.layout.read_at(at, buf)
    });
    matches!(sent, Ok(true)) && !close
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeSpec::*;
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(parse_range(Some("bytes=2-"), 10), Partial(2, 9));
        assert_eq!(parse_range(Some("bytes=2-4"), 10), Partial(2, 4));
        assert_eq!(parse_range(Some("bytes=2-400"), 10), Partial(2, 9));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Partial(7, 9));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Partial(0, 9));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Full);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
    }

    #[test]
    fn if_range_needs_the_exact_validator() {
        let date = "Tue, 02 Jan 2024 03:04:05 GMT";
        assert!(if_range_matches("\"abc\"", "\"abc\"", date));
        assert!(if_range_matches(date, "\"abc\"", date));
        assert!(!if_range_matches("W/\"abc\"", "\"abc\"", date));
        assert!(!if_range_matches("\"abd\"", "\"abc\"", date));
        assert!(!if_range_matches(
            "Tue, 02 Jan 2024 03:04:06 GMT",
            "\"abc\"",
            date
        ));
    }
}
