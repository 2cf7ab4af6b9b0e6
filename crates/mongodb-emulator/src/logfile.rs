//! The file store's log files: the files of log download tasks and audit log
//! files, at `GET /logfile/<id>/<file>?<pre-signed query>`, served like backup
//! files (`download`): pre-signed URLs, `ETag`, `Last-Modified`,
//! `x-cos-hash-crc64ecma`, byte ranges, `If-Range`, COS error bodies, and the
//! download faults (registered under the same key). A file's bytes are made
//! when asked for, from the instance and the task (`synth::files`); a task
//! that is not ready, deleted or unknown gets 404.

use std::net::TcpStream;

use crate::cos::{self, CRC64_HEADER, REQUEST_ID_HEADER};
use crate::download::{parse_range, RangeSpec};
use crate::faults::Fault;
use crate::http::{write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, send_body, Applied, Delivery};
use crate::presign;
use crate::shared::Shared;
use crate::state::features::Audit;
use crate::state::logs::{AuditFile, LogDownloadTask, LogTaskKind};
use crate::state::State;
use crate::synth::files::{audit_body, task_body, task_file_name};
use crate::synth::view::View;
use crate::util::http_date;

/// Where log files live in the store.
pub(crate) const PREFIX: &str = "/logfile/";

/// A fresh pre-signed URL of file `id` called `name`, signed with `sign`, for
/// a client that reached us as `host`.
pub(crate) fn url(
    shared: &Shared,
    host: &str,
    id: u64,
    name: &str,
    sign: &str,
    now_ms: i64,
) -> String {
    let start = now_ms.div_euclid(1000);
    let ttl_secs = shared.url_ttl_ms().div_ceil(1000).min(i64::MAX as u64) as i64;
    let path = format!("{PREFIX}{id}/{name}");
    let query = presign::query(
        sign,
        &path,
        start,
        start.saturating_add(ttl_secs),
        shared.next_url_serial(),
    );
    format!("http://{host}{path}?{query}")
}

/// What a ready file is made from.
enum Source {
    Task(View, LogDownloadTask),
    Audit(View, Audit, AuditFile),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Task(v, t) => task_file_name(&v.id, t),
            Source::Audit(_, _, f) => f.name.clone(),
        }
    }

    fn sign(&self) -> &str {
        match self {
            Source::Task(_, t) => &t.sign,
            Source::Audit(_, _, f) => &f.sign,
        }
    }

    fn modified_ms(&self) -> i64 {
        match self {
            Source::Task(_, t) => t.created_ms,
            Source::Audit(_, _, f) => f.created_ms,
        }
    }

    fn content_type(&self) -> &'static str {
        match self {
            Source::Task(_, t) if t.kind == LogTaskKind::ErrorLog => "text/plain",
            _ => "text/csv",
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Source::Task(v, t) => task_body(v, t),
            Source::Audit(v, a, f) => audit_body(v, a, f),
        }
    }
}

/// The ready file `id`, if there is one (in any region: URLs carry none).
fn find(state: &State, id: u64, shared: &Shared) -> Option<Source> {
    let (progress, now) = (shared.progress(), shared.now_ms());
    for region in state.regions.values() {
        for instance in &region.instances {
            let logs = &instance.logs;
            if let Some(t) = logs.download_tasks.iter().find(|t| t.id == id) {
                let ready = t.step(progress, now).phase == 2;
                return ready.then(|| Source::Task(View::of(instance), t.clone()));
            }
            if let Some(f) = logs.audit_files.iter().find(|f| f.id == id) {
                let ready = f.step(progress, now).phase == 2;
                let audit = instance.features.audit.clone();
                return ready.then(|| Source::Audit(View::of(instance), audit, f.clone()));
            }
        }
    }
    None
}

/// Answers one log file request; returns whether the connection can be kept.
pub(crate) fn serve(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    fault: Option<Fault>,
    close: bool,
) -> bool {
    let mut post = None;
    if let Some(f) = fault {
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
    let close = close || head_only;
    if req.method != "GET" && !head_only {
        let message = "Use GET (or HEAD) to download log files.";
        return cos::write_error(out, 405, "MethodNotAllowed", message, &req.path, close);
    }
    let no_such_key = |out: &mut TcpStream| {
        let message = "The specified key does not exist.";
        cos::write_error(out, 404, "NoSuchKey", message, &req.path, close)
    };
    let mut parts = req.path.trim_start_matches(PREFIX).splitn(2, '/');
    let id = parts.next().and_then(|s| s.parse::<u64>().ok());
    let name = parts.next().unwrap_or_default();
    let file = id.and_then(|id| shared.with_state(|s| (find(s, id, shared), false)));
    let Some(file) = file.filter(|f| f.name() == name) else {
        return no_such_key(out);
    };
    let now = shared.now_ms();
    if let Err(denial) = presign::check(
        file.sign(),
        &req.path,
        &req.query,
        now.div_euclid(1000),
        shared.revoked_below(),
    ) {
        return cos::write_error(out, 403, "AccessDenied", denial.message(), &req.path, close);
    }

    // Made outside the state's lock.
    let bytes = file.bytes();
    let size = bytes.len() as u64;
    let crc64 = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, &bytes);
    let etag = format!("\"{crc64:016x}{size:08x}\"");
    let last_modified = http_date(file.modified_ms());
    let range = match req.header("if-range") {
        Some(v) if v.trim() != etag && v.trim() != last_modified => None,
        _ => req.header("range"),
    };
    let mut extra = vec![
        ("Accept-Ranges", "bytes".to_owned()),
        ("ETag", etag),
        ("Last-Modified", last_modified),
        (CRC64_HEADER, crc64.to_string()),
        (REQUEST_ID_HEADER, cos::request_id()),
        ("Date", http_date(now)),
        (
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", file.name()),
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
    if write_head(out, status, file.content_type(), &extra, length, close).is_err() {
        return false;
    }
    if head_only {
        return std::io::Write::flush(out).is_ok() && !close;
    }
    shared.count_download(delivery.sent_of(length));
    let sent = send_body(shared, out, start, length, &delivery, |at, buf| {
        let at = at as usize;
        buf.copy_from_slice(&bytes[at..at + buf.len()]);
    });
    matches!(sent, Ok(true)) && !close
}
