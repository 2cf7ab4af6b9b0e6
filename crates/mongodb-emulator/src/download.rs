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
use crate::cos;
use crate::faults::Fault;
use crate::http::HttpRequest;
use crate::object::{self, Object};
use crate::presign;
use crate::shared::Shared;
use crate::state::backups::DownloadTask;

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
    object::presigned_url(shared, host, &path(task), &task.sign, now_ms)
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

/// Answers one download request; returns whether the connection can be kept.
pub(crate) fn serve(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    fault: Option<Fault>,
    close: bool,
) -> bool {
    let started = match object::start(shared, req, out, fault, close, "backup files") {
        Ok(s) => s,
        Err(keep) => return keep,
    };
    let close = started.close;
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
        return object::no_such_key(out, req, close);
    };
    let now_secs = now.div_euclid(1000);
    let revoked = shared.revoked_below();
    if let Err(denial) = presign::check(&task.sign, &req.path, &req.query, now_secs, revoked) {
        log::debug!("download of task {} refused: {denial:?}", task.id);
        return cos::write_error(out, 403, "AccessDenied", denial.message(), &req.path, close);
    }
    if task.step(progress, now).phase != 2 {
        return object::no_such_key(out, req, close);
    }

    let archive = shared.objects.get(&archive_spec(&task));
    let name = file_name(&task);
    let modified_ms = if task.backup_end_ms > 0 {
        task.backup_end_ms
    } else {
        task.created_ms
    };
    let answer = Object {
        size: archive.layout.len(),
        etag: archive.etag.clone(),
        crc64: archive.crc64,
        modified_ms,
        file_name: &name,
        content_type: "application/x-tar",
    };
    object::send(shared, req, out, started, &answer, |at, buf| {
        archive.layout.read_at(at, buf)
    })
}
