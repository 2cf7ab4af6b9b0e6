//! The file route of a [`TestServer`](crate::TestServer): one object served the way Tencent COS
//! serves it, with a script of faults, and a record of every request.

use std::io::{Read, Write};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::conn::Conn;
use crate::fault::{self, Scripted};
use crate::http;
use crate::{Fault, Object, Recorded, Trigger};

/// The path the object is served at.
pub(crate) const PATH: &str = "/backups/file.tar";
/// The query parameter that carries a URL's signature.
const SIGNATURE: &str = "q-signature";
/// How long a stalled answer holds its connection at most.
const STALL_CAP: Duration = Duration::from_secs(60);
/// Bytes written at once.
const CHUNK: usize = 64 * 1024;

/// One request of the file route as the server saw it. The query string (the URL's
/// signature) is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The range asked (`bytes=START-[END]`, END inclusive), if any.
    pub range: Option<(u64, Option<u64>)>,
    /// The `If-Range` header, if any.
    pub if_range: Option<String>,
    /// Whether the URL's signature was one the server handed out and has not expired.
    pub signed: bool,
    /// The status answered.
    pub status: u16,
    /// The scripted fault applied, if any (its `Debug` form, without object bytes).
    pub fault: Option<String>,
}

struct State {
    object: Object,
    versions: u64,
    script: Vec<Scripted>,
    tokens: Vec<String>,
    minted: u64,
    rate: Option<u64>,
    seen: Vec<SeenRequest>,
    bytes_sent: u64,
}

/// The object, its script and its record.
pub(crate) struct Files {
    state: Mutex<State>,
}

impl Files {
    pub(crate) fn new(object: Object) -> Files {
        Files {
            state: Mutex::new(State {
                object,
                versions: 1,
                script: Vec::new(),
                tokens: Vec::new(),
                minted: 0,
                rate: None,
                seen: Vec::new(),
                bytes_sent: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh pre-signed URL below `base` (`http://host:port`).
    pub(crate) fn mint_url(&self, base: &str) -> String {
        let mut st = self.lock();
        st.minted += 1;
        let token = format!(
            "sig{:04}x{:016x}",
            st.minted,
            st.minted.wrapping_mul(0x5DEE_CE66D)
        );
        st.tokens.push(token.clone());
        format!(
            "{base}{PATH}?q-sign-algorithm=sha1&q-ak=AKIDtest&q-sign-time=1700000000%3B1700003600&{SIGNATURE}={token}"
        )
    }

    pub(crate) fn expire_urls(&self) {
        self.lock().tokens.clear();
    }

    pub(crate) fn set_object(&self, object: Object) {
        replace(&mut self.lock(), object);
    }

    pub(crate) fn object(&self) -> Object {
        self.lock().object.clone()
    }

    pub(crate) fn rate_limit(&self, bytes_per_sec: Option<u64>) {
        self.lock().rate = bytes_per_sec.filter(|r| *r > 0);
    }

    pub(crate) fn script(&self, trigger: Trigger, fault: Fault) {
        self.lock().script.push(Scripted { trigger, fault });
    }

    pub(crate) fn clear_script(&self) {
        self.lock().script.clear();
    }

    pub(crate) fn requests(&self) -> Vec<SeenRequest> {
        self.lock().seen.clone()
    }

    pub(crate) fn bytes_sent(&self) -> u64 {
        self.lock().bytes_sent
    }

    /// Answer `req` on `conn` (the caller closes the connection afterwards).
    pub(crate) fn serve(&self, conn: &mut Conn, req: &Recorded) {
        let plan = self.decide(req);
        let _ = self.send(conn, req, plan);
    }

    fn decide(&self, req: &Recorded) -> Plan {
        let mut st = self.lock();
        let asked = req.range();
        let fault = fault::take(&mut st.script, asked.map_or(0, |r| r.0));
        if let Some(Fault::Replace(o)) = &fault {
            replace(&mut st, o.clone());
        }
        let object = st.object.clone();
        let signed = req
            .query_param(SIGNATURE)
            .is_some_and(|t| st.tokens.iter().any(|k| k == t));
        let request_id = st.seen.len() as u64;
        let mut plan = if req.path() != PATH {
            Plan::error(&object, 404, "NoSuchKey", req, request_id)
        } else if !signed {
            Plan::error(&object, 403, "AccessDenied", req, request_id)
        } else if let Some(Fault::Refuse { status, code }) = &fault {
            Plan::error(&object, *status, code, req, request_id)
        } else {
            Plan::object(
                &object,
                req,
                matches!(fault, Some(Fault::IgnoreRange)),
                request_id,
            )
        };
        plan.rate = st.rate;
        st.seen.push(SeenRequest {
            method: req.method.clone(),
            path: req.path().to_owned(),
            range: asked,
            if_range: req.header("if-range").map(str::to_owned),
            signed,
            status: plan.status,
            fault: fault.as_ref().map(describe),
        });
        if req.method == "HEAD" {
            plan.end = plan.start;
        }
        plan.fault = fault;
        plan
    }

    fn send(&self, conn: &mut Conn, req: &Recorded, plan: Plan) -> std::io::Result<()> {
        let mut headers = plan.headers;
        if let Some(body) = &plan.error_body {
            headers.push(("Content-Length", body.len().to_string()));
            http::write_head(conn, plan.status, &headers, true)?;
            if req.method != "HEAD" {
                conn.write_all(body.as_bytes())?;
            }
            return Ok(());
        }
        headers.push(("Content-Length", (plan.end - plan.start).to_string()));
        http::write_head(conn, plan.status, &headers, true)?;
        let (limit, trickle, stall) = match &plan.fault {
            Some(Fault::DropAfter(n)) => (Some(*n), None, false),
            Some(Fault::Trickle { after, every }) => (Some(*after), Some(*every), false),
            Some(Fault::Stall { after }) => (Some(*after), None, true),
            _ => (None, None, false),
        };
        let corrupt = match plan.fault {
            Some(Fault::CorruptAt(at)) => Some(at),
            _ => None,
        };
        let fast_end = limit.map_or(plan.end, |n| (plan.start + n).min(plan.end));
        let started = Instant::now();
        let mut buf = vec![0u8; CHUNK];
        let mut at = plan.start;
        while at < fast_end {
            let n = (fast_end - at).min(pace(plan.rate, at - plan.start, started)) as usize;
            self.write_object(conn, &plan.object, at, &mut buf[..n], corrupt)?;
            at += n as u64;
        }
        if let Some(every) = trickle {
            while at < plan.end {
                thread::sleep(every);
                self.write_object(conn, &plan.object, at, &mut buf[..1], corrupt)?;
                at += 1;
            }
        } else if stall && at < plan.end {
            hold(conn);
        }
        Ok(())
    }

    fn write_object(
        &self,
        conn: &mut Conn,
        object: &Object,
        at: u64,
        buf: &mut [u8],
        corrupt: Option<u64>,
    ) -> std::io::Result<()> {
        object.read_at(at, buf);
        if let Some(c) = corrupt.filter(|c| (at..at + buf.len() as u64).contains(c)) {
            buf[(c - at) as usize] ^= 0xFF;
        }
        conn.write_all(buf)?;
        self.lock().bytes_sent += buf.len() as u64;
        Ok(())
    }
}

fn replace(st: &mut State, mut object: Object) {
    st.versions += 1;
    object.set_version(st.versions.max(object.version()));
    st.object = object;
}

fn describe(f: &Fault) -> String {
    match f {
        Fault::Replace(o) => format!("Replace({})", o.etag()),
        other => format!("{other:?}"),
    }
}

/// What to send for one request, decided under the lock.
struct Plan {
    status: u16,
    headers: Vec<(&'static str, String)>,
    object: Object,
    /// Body range `[start, end)` of the object (empty for errors and HEAD).
    start: u64,
    end: u64,
    error_body: Option<String>,
    fault: Option<Fault>,
    rate: Option<u64>,
}

impl Plan {
    fn error(object: &Object, status: u16, code: &str, req: &Recorded, request_id: u64) -> Plan {
        Plan {
            status,
            headers: vec![("Content-Type", "application/xml".to_owned())],
            object: object.clone(),
            start: 0,
            end: 0,
            error_body: Some(http::cos_error_xml(code, &req.path_and_query, request_id)),
            fault: None,
            rate: None,
        }
    }

    /// The object, whole or the range asked (when ranges are honoured and `If-Range` holds).
    fn object(object: &Object, req: &Recorded, ignore_range: bool, request_id: u64) -> Plan {
        let len = object.len();
        let mut headers = vec![("Content-Type", "application/octet-stream".to_owned())];
        if object.sends_validators() {
            headers.push(("ETag", object.etag()));
            headers.push(("Last-Modified", object.last_modified()));
        }
        if object.accepts_ranges() {
            headers.push(("Accept-Ranges", "bytes".to_owned()));
        }
        if object.sends_crc() {
            headers.push(("x-cos-hash-crc64ecma", object.crc64().to_string()));
        }
        let validator_ok = req.header("if-range").is_none_or(|v| {
            object.sends_validators() && (v == object.etag() || v == object.last_modified())
        });
        let ranged = req
            .range()
            .filter(|_| object.accepts_ranges() && validator_ok && !ignore_range);
        let (status, start, end) = match ranged {
            Some((start, _)) if start >= len => {
                let mut p = Plan::error(object, 416, "InvalidRange", req, request_id);
                p.headers.push(("Content-Range", format!("bytes */{len}")));
                return p;
            }
            Some((start, end)) => {
                let end = end.map_or(len, |e| (e + 1).min(len));
                headers.push(("Content-Range", format!("bytes {start}-{}/{len}", end - 1)));
                (206, start, end)
            }
            None => (200, 0, len),
        };
        Plan {
            status,
            headers,
            object: object.clone(),
            start,
            end,
            error_body: None,
            fault: None,
            rate: None,
        }
    }
}

/// How many bytes may be written now so that `sent` stays under `rate` bytes/s (sleeping
/// when ahead).
fn pace(rate: Option<u64>, sent: u64, started: Instant) -> u64 {
    let Some(rate) = rate else {
        return CHUNK as u64;
    };
    let chunk = (rate / 20).clamp(1, CHUNK as u64);
    let due = Duration::from_secs_f64(sent as f64 / rate as f64);
    if let Some(wait) = due.checked_sub(started.elapsed()) {
        thread::sleep(wait);
    }
    chunk
}

/// Keep the connection open, sending nothing, until the client closes it.
fn hold(conn: &mut Conn) {
    let _ = conn.flush();
    let _ = conn.set_read_timeout(Some(Duration::from_millis(50)));
    let started = Instant::now();
    let mut sink = [0u8; 256];
    while started.elapsed() < STALL_CAP {
        match conn.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}
