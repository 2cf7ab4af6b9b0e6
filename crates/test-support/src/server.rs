//! [`FileServer`]: a scripted, COS-like file server on `127.0.0.1:0`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::fault::{self, Scripted};
use crate::http::{self, Head};
use crate::{Fault, Object, Trigger};

/// The path objects are served at.
const PATH: &str = "/backups/file.tar";
/// The query parameter that carries a URL's signature.
const SIGNATURE: &str = "q-signature";
/// How long a stalled answer holds its connection at most.
const STALL_CAP: Duration = Duration::from_secs(60);
/// Bytes written at once.
const CHUNK: usize = 64 * 1024;

/// One request as the server saw it. The query string (the URL's signature) is not kept.
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

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A local file server that behaves like Tencent COS for one object: pre-signed URLs that can
/// expire, `ETag`, `Last-Modified`, `Accept-Ranges`, `x-cos-hash-crc64ecma`, `Range` and
/// `If-Range`, and COS's XML error answers; plus a script of faults per request, an optional
/// per-connection rate cap, and a record of every request.
///
/// Every answer closes its connection (no keep-alive). The server stops when dropped.
///
/// ```
/// use test_support::{Fault, FileServer, Object, Trigger};
///
/// let server = FileServer::start(Object::new(b"hello".to_vec()));
/// server.script(Trigger::Next, Fault::DropAfter(2));
/// let url = server.url(); // http://127.0.0.1:PORT/backups/file.tar?q-sign-algorithm=sha1&…
/// assert!(url.contains("q-signature="));
/// assert_eq!(server.request_count(), 0);
/// ```
pub struct FileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FileServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FileServer {
    /// Start serving `object` on `127.0.0.1` with an ephemeral port.
    pub fn start(object: Object) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
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
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                thread::spawn(move || serve(stream, &s));
            }
        });
        FileServer { addr, shared }
    }

    /// A fresh pre-signed URL of the object, valid until [`expire_urls`](Self::expire_urls).
    pub fn url(&self) -> String {
        let mut st = self.shared.lock();
        st.minted += 1;
        let token = format!(
            "sig{:04}x{:016x}",
            st.minted,
            st.minted.wrapping_mul(0x5DEE_CE66D)
        );
        st.tokens.push(token.clone());
        format!(
            "http://{}{PATH}?q-sign-algorithm=sha1&q-ak=AKIDtest&q-sign-time=1700000000%3B1700003600&{SIGNATURE}={token}",
            self.addr
        )
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Expire every URL handed out so far: they are answered 403 `AccessDenied`.
    pub fn expire_urls(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Replace the object now (a new version: new ETag when the bytes differ, later
    /// Last-Modified).
    pub fn set_object(&self, object: Object) {
        let mut st = self.shared.lock();
        replace(&mut st, object);
    }

    /// The object being served.
    pub fn object(&self) -> Object {
        self.shared.lock().object.clone()
    }

    /// Cap every connection's rate at `bytes_per_sec` (`None`: as fast as possible).
    pub fn rate_limit(&self, bytes_per_sec: Option<u64>) {
        self.shared.lock().rate = bytes_per_sec.filter(|r| *r > 0);
    }

    /// Apply `fault` to the request `trigger` picks (once, or every time for
    /// [`Trigger::Always`]).
    pub fn script(&self, trigger: Trigger, fault: Fault) {
        self.shared.lock().script.push(Scripted { trigger, fault });
    }

    /// Drop every scripted fault not yet applied.
    pub fn clear_script(&self) {
        self.shared.lock().script.clear();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.lock().seen.clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.shared.lock().seen.len()
    }

    /// The ranges asked so far (requests without `Range` are left out), in arrival order.
    pub fn ranges(&self) -> Vec<(u64, Option<u64>)> {
        self.shared
            .lock()
            .seen
            .iter()
            .filter_map(|r| r.range)
            .collect()
    }

    /// Body bytes written so far, over all answers.
    pub fn bytes_sent(&self) -> u64 {
        self.shared.lock().bytes_sent
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn replace(st: &mut State, mut object: Object) {
    st.versions += 1;
    object.set_version(st.versions.max(object.version()));
    st.object = object;
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

fn serve(mut stream: TcpStream, shared: &Shared) {
    let Some(head) = http::read_head(&mut stream) else {
        return;
    };
    let plan = decide(&head, shared);
    let _ = send(&mut stream, &head, plan, shared);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn decide(head: &Head, shared: &Shared) -> Plan {
    let mut st = shared.lock();
    let asked = head.range();
    let fault = fault::take(&mut st.script, asked.map_or(0, |r| r.0));
    if let Some(Fault::Replace(o)) = &fault {
        replace(&mut st, o.clone());
    }
    let object = st.object.clone();
    let len = object.len();
    let signed = head
        .query_param(SIGNATURE)
        .is_some_and(|t| st.tokens.iter().any(|k| k == t));
    let request_id = st.seen.len() as u64;
    let error = |status: u16, code: &str| Plan {
        status,
        headers: vec![("Content-Type", "application/xml".to_owned())],
        object: object.clone(),
        start: 0,
        end: 0,
        error_body: Some(http::cos_error_xml(code, &head.target, request_id)),
        fault: None,
        rate: None,
    };
    let mut plan = if head.path() != PATH {
        error(404, "NoSuchKey")
    } else if !signed {
        error(403, "AccessDenied")
    } else if let Some(Fault::Refuse { status, code }) = &fault {
        error(*status, code)
    } else {
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
        let validator_ok = head.header("if-range").is_none_or(|v| {
            object.sends_validators() && (v == object.etag() || v == object.last_modified())
        });
        let ranged = asked.filter(|_| {
            object.accepts_ranges() && validator_ok && !matches!(fault, Some(Fault::IgnoreRange))
        });
        match ranged {
            Some((start, _)) if start >= len => {
                let mut p = error(416, "InvalidRange");
                p.headers.push(("Content-Range", format!("bytes */{len}")));
                p
            }
            Some((start, end)) => {
                let end = end.map_or(len, |e| (e + 1).min(len));
                headers.push(("Content-Range", format!("bytes {start}-{}/{len}", end - 1)));
                Plan {
                    status: 206,
                    headers,
                    object: object.clone(),
                    start,
                    end,
                    error_body: None,
                    fault: None,
                    rate: None,
                }
            }
            None => Plan {
                status: 200,
                headers,
                object: object.clone(),
                start: 0,
                end: len,
                error_body: None,
                fault: None,
                rate: None,
            },
        }
    };
    plan.rate = st.rate;
    st.seen.push(SeenRequest {
        method: head.method.clone(),
        path: head.path().to_owned(),
        range: asked,
        if_range: head.header("if-range").map(str::to_owned),
        signed,
        status: plan.status,
        fault: fault.as_ref().map(describe),
    });
    if head.method == "HEAD" {
        plan.end = plan.start;
    }
    plan.fault = fault;
    plan
}

fn describe(f: &Fault) -> String {
    match f {
        Fault::Replace(o) => format!("Replace({})", o.etag()),
        other => format!("{other:?}"),
    }
}

fn send(stream: &mut TcpStream, head: &Head, plan: Plan, shared: &Shared) -> std::io::Result<()> {
    let mut headers = plan.headers;
    if let Some(body) = &plan.error_body {
        headers.push(("Content-Length", body.len().to_string()));
        http::write_head(stream, plan.status, &headers)?;
        if head.method != "HEAD" {
            stream.write_all(body.as_bytes())?;
        }
        return Ok(());
    }
    headers.push(("Content-Length", (plan.end - plan.start).to_string()));
    http::write_head(stream, plan.status, &headers)?;
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
        write_object(stream, &plan.object, at, &mut buf[..n], corrupt, shared)?;
        at += n as u64;
    }
    if let Some(every) = trickle {
        while at < plan.end {
            thread::sleep(every);
            write_object(stream, &plan.object, at, &mut buf[..1], corrupt, shared)?;
            at += 1;
        }
    } else if stall && at < plan.end {
        hold(stream);
    }
    Ok(())
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

fn write_object(
    stream: &mut TcpStream,
    object: &Object,
    at: u64,
    buf: &mut [u8],
    corrupt: Option<u64>,
    shared: &Shared,
) -> std::io::Result<()> {
    object.read_at(at, buf);
    if let Some(c) = corrupt.filter(|c| (at..at + buf.len() as u64).contains(c)) {
        buf[(c - at) as usize] ^= 0xFF;
    }
    stream.write_all(buf)?;
    shared.lock().bytes_sent += buf.len() as u64;
    Ok(())
}

/// Keep the connection open, sending nothing, until the client closes it.
fn hold(stream: &mut TcpStream) {
    let _ = stream.flush();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let started = Instant::now();
    let mut sink = [0u8; 256];
    while started.elapsed() < STALL_CAP {
        match stream.read(&mut sink) {
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
