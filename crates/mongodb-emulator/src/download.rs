//! Serving backup files: `GET /download/<task-id>/<file>.tar?sign=<token>`.
//!
//! A file's bytes are a pure function of its seed and offset, so they are
//! generated chunk by chunk while streaming (never held whole in memory) and any
//! byte range can be produced on its own.

use std::io::{self, Write};
use std::net::TcpStream;

use crate::faults::Fault;
use crate::http::{query_param, write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, Applied};
use crate::shared::Shared;
use crate::state::{self, DownloadTask};
use crate::util::splitmix64;

const CHUNK: usize = 64 * 1024;

/// Fills `buf` with the file bytes starting at `offset`.
pub(crate) fn fill(seed: u64, offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    let mut i = 0;
    while i < buf.len() {
        let word = splitmix64(seed ^ (pos / 8).wrapping_mul(0x2545_f491_4f6c_dd1d)).to_le_bytes();
        let start = (pos % 8) as usize;
        let n = (8 - start).min(buf.len() - i);
        buf[i..i + n].copy_from_slice(&word[start..start + n]);
        i += n;
        pos += n as u64;
    }
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

/// The download URL of a finished task, for a client that reached us as `host`.
pub(crate) fn url(host: &str, task: &DownloadTask) -> String {
    format!(
        "http://{host}/download/{}/{}?sign={}",
        task.id,
        file_name(task),
        task.sign
    )
}

fn plain(out: &mut TcpStream, status: u16, text: &str, close: bool) -> bool {
    write_response(
        out,
        status,
        "text/plain; charset=utf-8",
        &[],
        text.as_bytes(),
        close,
    )
    .is_ok()
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
    if req.method != "GET" && !head_only {
        return plain(out, 405, "use GET to download backup files\n", close);
    }
    let mut parts = req.path.trim_start_matches("/download/").splitn(2, '/');
    let id = parts.next().and_then(|s| s.parse::<u64>().ok());
    let sign = query_param(&req.query, "sign").unwrap_or_default();

    let now = shared.now_ms();
    let progress = shared.progress();
    let task = id.and_then(|id| {
        shared.with_state(|s| {
            let t = s.tasks.iter().find(|t| t.id == id).cloned();
            (t, false)
        })
    });
    let Some(task) = task else {
        return plain(out, 404, "no such download\n", close);
    };
    if sign != task.sign {
        return plain(out, 403, "the download link is not valid\n", close);
    }
    let done = task.finished_ms.is_some()
        || state::step(progress, task.created_ms, task.polls, now).phase == 2;
    if !done {
        return plain(out, 409, "the download task has not finished yet\n", close);
    }

    let size = task.size;
    let etag = format!("\"{:016x}-{size:x}\"", task.seed);
    let disposition = format!("attachment; filename=\"{}\"", file_name(&task));
    let (status, start, end) = match parse_range(req.header("range"), size) {
        RangeSpec::Full => (200, 0, size - 1),
        RangeSpec::Partial(s, e) => (206, s, e),
        RangeSpec::Unsatisfiable => {
            let extra = [("Content-Range", format!("bytes */{size}"))];
            return write_response(out, 416, "text/plain", &extra, b"", close).is_ok();
        }
    };
    let length = end - start + 1;
    let mut extra = vec![
        ("Accept-Ranges", "bytes".to_owned()),
        ("ETag", etag),
        ("Content-Disposition", disposition),
    ];
    if status == 206 {
        extra.push(("Content-Range", format!("bytes {start}-{end}/{size}")));
    }
    let limit = match post {
        Some(Fault::DropAfterBytes(k)) => Some(k.min(length)),
        Some(_) => Some(length / 2),
        None => None,
    };
    let close = close || limit.is_some();
    if write_head(out, status, "application/x-tar", &extra, length, close).is_err() {
        return false;
    }
    if head_only {
        return out.flush().is_ok() && !close;
    }
    let to_send = limit.unwrap_or(length);
    // Counted before streaming so that a client that has read everything can
    // rely on the counters.
    shared.count_download(to_send);
    match stream_bytes(out, task.seed, start, to_send) {
        Ok(()) => limit.is_none(),
        Err(_) => false,
    }
}

fn stream_bytes(out: &mut TcpStream, seed: u64, start: u64, len: u64) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    let mut pos = start;
    let end = start + len;
    while pos < end {
        let n = ((end - pos) as usize).min(CHUNK);
        fill(seed, pos, &mut buf[..n]);
        out.write_all(&buf[..n])?;
        pos += n as u64;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_deterministic_and_offset_independent() {
        let mut whole = vec![0u8; 1000];
        fill(42, 0, &mut whole);
        let mut part = vec![0u8; 101];
        fill(42, 333, &mut part);
        assert_eq!(&whole[333..434], &part[..]);
        let mut other = vec![0u8; 1000];
        fill(43, 0, &mut other);
        assert_ne!(whole, other);
    }

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
}
