//! One object of the file store on the wire, backup file or log file alike: the answer's
//! start (a fault applied, anything but `GET`/`HEAD` refused), its pre-signed URL, and the
//! answer itself: `ETag`, `Last-Modified`, `Accept-Ranges`, `x-cos-hash-crc64ecma`, `Range`
//! (206, or 416 past the end), `If-Range`, and the body as the fault's [`Delivery`] says.

use std::net::TcpStream;

use crate::cos::{self, CRC64_HEADER, REQUEST_ID_HEADER};
use crate::faults::Fault;
use crate::http::{write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, send_body, Applied, Delivery};
use crate::presign;
use crate::shared::Shared;
use crate::util::http_date;

/// What an object's answer says of it.
pub(crate) struct Object<'a> {
    pub(crate) size: u64,
    /// The strong `ETag`, quoted.
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) modified_ms: i64,
    pub(crate) file_name: &'a str,
    pub(crate) content_type: &'a str,
}

/// A request the store goes on to answer: what a fault left to do to its body, and
/// whether the connection closes after it.
pub(crate) struct Started {
    post: Option<Fault>,
    head_only: bool,
    pub(crate) close: bool,
}

/// The start of every object request: a fault is applied (an API error, which makes no
/// sense inside a file, as a server error page) and methods other than `GET` and `HEAD`
/// are refused. `Err(keep)` when that already answered.
pub(crate) fn start(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    fault: Option<Fault>,
    close: bool,
    what: &str,
) -> Result<Started, bool> {
    let mut post = None;
    if let Some(f) = fault {
        let f = match f {
            Fault::Error { .. } => Fault::HttpStatus(500),
            other => other,
        };
        match apply_fault(shared, f, out, close) {
            Applied::Done(keep) => return Err(keep),
            Applied::Continue(p) => post = p,
        }
    }
    let head_only = req.method == "HEAD";
    // Error answers carry a body, which must not follow a HEAD on a kept connection.
    let close = close || head_only;
    if req.method != "GET" && !head_only {
        let message = format!("Use GET (or HEAD) to download {what}.");
        return Err(cos::write_error(
            out,
            405,
            "MethodNotAllowed",
            &message,
            &req.path,
            close,
        ));
    }
    Ok(Started {
        post,
        head_only,
        close,
    })
}

/// COS's 404 for an object that doesn't exist (or isn't ready).
pub(crate) fn no_such_key(out: &mut TcpStream, req: &HttpRequest, close: bool) -> bool {
    let message = "The specified key does not exist.";
    cos::write_error(out, 404, "NoSuchKey", message, &req.path, close)
}

/// A fresh pre-signed URL of the object at `path`, signed with `sign`, for a client that
/// reached us as `host`, valid from `now_ms` for the configured time to live.
pub(crate) fn presigned_url(
    shared: &Shared,
    host: &str,
    path: &str,
    sign: &str,
    now_ms: i64,
) -> String {
    let start = now_ms.div_euclid(1000);
    let ttl_secs = shared.url_ttl_ms().div_ceil(1000).min(i64::MAX as u64) as i64;
    let end = start.saturating_add(ttl_secs);
    let query = presign::query(sign, path, start, end, shared.next_url_serial());
    format!("http://{host}{path}?{query}")
}

/// Answers `req` with `object`, whose bytes `read(offset, buf)` fills; returns whether the
/// connection can be kept.
pub(crate) fn send(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    started: Started,
    object: &Object<'_>,
    read: impl FnMut(u64, &mut [u8]),
) -> bool {
    let Started {
        post,
        head_only,
        close,
    } = started;
    let size = object.size;
    let last_modified = http_date(object.modified_ms);
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
        ("Date", http_date(shared.now_ms())),
        (
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", object.file_name),
        ),
    ];
    let (status, start, end) = match parse_range(range, size) {
        RangeSpec::Full if size == 0 => (200, 0, 0),
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
    let length = if size == 0 { 0 } else { end - start + 1 };
    let delivery = Delivery::for_fault(post.as_ref(), length);
    let close = close || delivery.cuts();
    if write_head(out, status, object.content_type, &extra, length, close).is_err() {
        return false;
    }
    if head_only {
        return std::io::Write::flush(out).is_ok() && !close;
    }
    // Counted before streaming so that a client that has read everything can
    // rely on the counters.
    shared.count_download(delivery.sent_of(length));
    let sent = send_body(shared, out, start, length, &delivery, read);
    matches!(sent, Ok(true)) && !close
}

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

/// Whether an `If-Range` validator names the object as it is now (a strong
/// `ETag`, or exactly the `Last-Modified` date).
fn if_range_matches(validator: &str, etag: &str, last_modified: &str) -> bool {
    let v = validator.trim();
    v == etag || v == last_modified
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
