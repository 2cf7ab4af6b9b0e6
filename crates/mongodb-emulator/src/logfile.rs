//! The file store's log files: the files of log download tasks and audit log
//! files, at `GET /logfile/<id>/<file>?<pre-signed query>`, served like backup
//! files (`download`): pre-signed URLs, `ETag`, `Last-Modified`,
//! `x-cos-hash-crc64ecma`, byte ranges, `If-Range`, COS error bodies, and the
//! download faults (registered under the same key). A file's bytes are made
//! when asked for, from the instance and the task (`synth::files`); a task
//! that is not ready, deleted or unknown gets 404.

use std::net::TcpStream;

use crate::cos;
use crate::faults::Fault;
use crate::http::HttpRequest;
use crate::object::{self, Object};
use crate::presign;
use crate::shared::Shared;
use crate::state::features::Audit;
use crate::state::logs::{AuditFile, LogDownloadTask, LogTaskKind};
use crate::state::State;
use crate::synth::files::{audit_body, task_body, task_file_name};
use crate::synth::view::View;

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
    object::presigned_url(shared, host, &format!("{PREFIX}{id}/{name}"), sign, now_ms)
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
    let started = match object::start(shared, req, out, fault, close, "log files") {
        Ok(s) => s,
        Err(keep) => return keep,
    };
    let close = started.close;
    let mut parts = req.path.trim_start_matches(PREFIX).splitn(2, '/');
    let id = parts.next().and_then(|s| s.parse::<u64>().ok());
    let name = parts.next().unwrap_or_default();
    let file = id.and_then(|id| shared.with_state(|s| (find(s, id, shared), false)));
    let Some(file) = file.filter(|f| f.name() == name) else {
        return object::no_such_key(out, req, close);
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
    let answer = Object {
        size,
        etag: format!("\"{crc64:016x}{size:08x}\""),
        crc64,
        modified_ms: file.modified_ms(),
        file_name: name,
        content_type: file.content_type(),
    };
    object::send(shared, req, out, started, &answer, |at, buf| {
        let at = at as usize;
        buf.copy_from_slice(&bytes[at..at + buf.len()]);
    })
}
