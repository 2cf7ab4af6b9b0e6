//! The HTTP/1.1 server: accepting connections, reading requests with strict
//! limits, writing answers, applying faults, and the state shared by all threads.
//!
//! Request heads (request line and header fields) are parsed by `httparse`.
//! Everything around the parser is our own, over `std::net`: one thread per
//! connection, keep-alive, the size limits, `Content-Length` and chunked
//! request bodies, `Expect: 100-continue`. An HTTP server crate would hide the
//! socket, and the faults need it: "close the connection without answering",
//! "announce more bytes than are sent, then close" and "drop a download after
//! K bytes" must behave exactly as they would on a real network.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mongodb_errors::ErrorCode;

use crate::faults::{Fault, FaultTable};
use crate::persist::Persister;
use crate::ratelimit::RateLimiter;
use crate::state::{InstanceSpec, State};
use crate::util::{self, error_envelope, ApiError};
use crate::{EmulatorBuilder, Progress, Stats};

/// Longest request line accepted.
const MAX_REQUEST_LINE: usize = 16 * 1024;
/// Largest request head accepted: the request line and up to 64 KiB of header
/// fields.
const MAX_HEAD_BYTES: usize = MAX_REQUEST_LINE + 64 * 1024;
/// Longest line of chunked-body framing (a chunk size, a trailer field).
const MAX_CHUNK_LINE: u64 = 64 * 1024;
/// Most header fields accepted.
const MAX_HEADERS: usize = 128;
/// How much of an oversized body is read and thrown away so that the client can
/// read the answer instead of seeing its upload reset.
const MAX_DRAIN: u64 = 64 * 1024 * 1024;
/// Idle keep-alive connections are closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// The body length [`Fault::HugeContentLength`] announces.
const HUGE_LENGTH: u64 = 1 << 30;

/// One parsed HTTP request.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    /// Path and query exactly as sent.
    pub(crate) target: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) http10: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client asked to close the connection after this exchange.
    fn wants_close(&self) -> bool {
        let conn = self.header("connection").map(|v| v.to_ascii_lowercase());
        match conn {
            Some(v) if v.contains("close") => true,
            Some(v) if v.contains("keep-alive") => false,
            _ => self.http10,
        }
    }
}

/// Why a request could not be read.
enum ReadError {
    /// Not HTTP we understand: answer 400 and close.
    Malformed(String),
    /// The body is larger than allowed: answer `RequestSizeLimitExceeded` and close.
    TooLarge(u64),
    /// The connection failed or closed mid-request.
    Io,
}

/// Counters behind [`Stats`].
#[derive(Debug, Default)]
struct Counters {
    stats: Stats,
}

/// Requests held by [`Fault::Hang`].
#[derive(Debug, Default)]
struct HangState {
    generation: u64,
    held: usize,
}

/// Everything the server threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) addr: SocketAddr,
    /// The accepted key pair (its `Debug` keeps the key out of logs).
    credentials: tc_sign::Credentials,
    pub(crate) token: Option<String>,
    pub(crate) max_body: usize,
    pub(crate) sizes: (u64, u64),
    progress: Mutex<Progress>,
    clock_offset: AtomicI64,
    state: Mutex<State>,
    persister: Option<Persister>,
    pub(crate) faults: FaultTable,
    pub(crate) limiter: RateLimiter,
    counters: Mutex<Counters>,
    hang: Mutex<HangState>,
    wake: Condvar,
    pub(crate) stopping: AtomicBool,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
    live: Mutex<usize>,
    live_cv: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(
        b: &EmulatorBuilder,
        addr: SocketAddr,
        credentials: tc_sign::Credentials,
    ) -> io::Result<Self> {
        let now = util::now_ms(b.clock_offset_secs);
        let persister = b.state_file.clone().map(Persister::new);
        let loaded = match &persister {
            Some(p) => p.load()?,
            None => None,
        };
        let fresh = loaded.is_none();
        let state = loaded.unwrap_or_else(|| {
            let mut s = if b.seed_instances {
                State::seeded(now, b.backup_size)
            } else {
                State::empty()
            };
            for spec in &b.instances {
                if !s.add_instance(spec.clone(), now) {
                    log::warn!(
                        "instance {} is defined twice; keeping the first",
                        spec.instance_id()
                    );
                }
            }
            s
        });
        let shared = Shared {
            addr,
            credentials,
            token: b.token.clone(),
            max_body: b.max_body_bytes,
            sizes: b.backup_size,
            progress: Mutex::new(b.progress),
            clock_offset: AtomicI64::new(b.clock_offset_secs),
            state: Mutex::new(state),
            persister,
            faults: FaultTable::default(),
            limiter: RateLimiter::new(b.rate_limit, b.rate_limit_window),
            counters: Mutex::default(),
            hang: Mutex::default(),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
            conns: Mutex::default(),
            next_conn: AtomicU64::new(1),
            live: Mutex::new(0),
            live_cv: Condvar::new(),
        };
        if fresh {
            if let Some(p) = &shared.persister {
                let (g, bytes) = p.snapshot(&lock(&shared.state));
                p.write(g, &bytes)?;
            }
        }
        Ok(shared)
    }

    /// The secret key for `secret_id`, if it is the configured one.
    pub(crate) fn lookup_secret(&self, secret_id: &str) -> Option<String> {
        (secret_id == self.credentials.secret_id())
            .then(|| self.credentials.secret_key().to_owned())
    }

    /// The emulator clock, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        util::now_ms(self.clock_offset.load(Ordering::Relaxed))
    }

    pub(crate) fn set_clock_offset(&self, secs: i64) {
        self.clock_offset.store(secs, Ordering::Relaxed);
    }

    pub(crate) fn progress(&self) -> Progress {
        *lock(&self.progress)
    }

    pub(crate) fn set_progress(&self, p: Progress) {
        *lock(&self.progress) = p;
    }

    /// Runs `f` on the state; when it reports a change, the state file is
    /// rewritten (after the lock is released).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> (R, bool)) -> R {
        let (result, snapshot) = {
            let mut state = lock(&self.state);
            let (result, changed) = f(&mut state);
            let snap = match (&self.persister, changed) {
                (Some(p), true) => Some(p.snapshot(&state)),
                _ => None,
            };
            (result, snap)
        };
        if let (Some(p), Some((g, bytes))) = (&self.persister, snapshot) {
            if let Err(e) = p.write(g, &bytes) {
                log::error!("could not save the emulator state: {e}");
            }
        }
        result
    }

    pub(crate) fn add_instance(&self, spec: InstanceSpec) -> io::Result<()> {
        let now = self.now_ms();
        let id = spec.instance_id().to_owned();
        let added = self.with_state(|s| {
            let ok = s.add_instance(spec, now);
            (ok, ok)
        });
        if added {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("instance {id} already exists"),
            ))
        }
    }

    pub(crate) fn set_instance_status(&self, id: &str, status: i64) -> bool {
        self.with_state(|s| match s.instances.iter_mut().find(|i| i.id == id) {
            Some(i) => {
                i.status = status;
                (true, true)
            }
            None => (false, false),
        })
    }

    // ----- counters -----

    fn count_request(&self, action: &str) {
        let mut c = lock(&self.counters);
        *c.stats.requests.entry(action.to_owned()).or_insert(0) += 1;
        c.stats.total_requests += 1;
    }

    pub(crate) fn count_rate_limited(&self) {
        lock(&self.counters).stats.rate_limited += 1;
    }

    fn count_fault(&self) {
        lock(&self.counters).stats.faults_applied += 1;
    }

    pub(crate) fn count_download(&self, bytes: u64) {
        let mut c = lock(&self.counters);
        c.stats.downloads += 1;
        c.stats.download_bytes += bytes;
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.counters).stats.clone()
    }

    pub(crate) fn request_count(&self, action: &str) -> u64 {
        lock(&self.counters)
            .stats
            .requests
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    // ----- waiting (latency, hang) -----

    /// Sleeps `d` unless the server stops first; `false` when it stopped.
    pub(crate) fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut guard = lock(&self.hang);
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            guard = self
                .wake
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Holds the calling request until released; `false` when the server stops.
    fn hang(&self) -> bool {
        let mut guard = lock(&self.hang);
        let generation = guard.generation;
        guard.held += 1;
        let released = loop {
            if self.stopping.load(Ordering::SeqCst) {
                break false;
            }
            if guard.generation != generation {
                break true;
            }
            guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
        };
        guard.held -= 1;
        released
    }

    pub(crate) fn release_hung(&self) {
        lock(&self.hang).generation += 1;
        self.wake.notify_all();
    }

    pub(crate) fn hung_count(&self) -> usize {
        lock(&self.hang).held
    }
}

/// The accept loop and its connections.
#[derive(Debug)]
pub(crate) struct Server {
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(listener: TcpListener, shared: Arc<Shared>) -> io::Result<Server> {
        let accept = thread::Builder::new()
            .name("mongodb-emulator-accept".to_owned())
            .spawn(move || accept_loop(&listener, &shared))?;
        Ok(Server {
            accept: Some(accept),
        })
    }

    pub(crate) fn stop(mut self, shared: &Shared) {
        shared.stopping.store(true, Ordering::SeqCst);
        {
            // Take the lock so that no waiter misses the wake-up.
            let _g = lock(&shared.hang);
            shared.wake.notify_all();
        }
        for (_, conn) in lock(&shared.conns).drain() {
            let _ = conn.shutdown(Shutdown::Both);
        }
        // Wake the accept loop with a connection of our own.
        let mut wake_addr = shared.addr;
        if wake_addr.ip().is_unspecified() {
            wake_addr.set_ip(if wake_addr.is_ipv4() {
                [127, 0, 0, 1].into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let woke = TcpStream::connect_timeout(&wake_addr, Duration::from_secs(1)).is_ok();
        if let Some(handle) = self.accept.take() {
            if woke {
                let _ = handle.join();
            }
        }
        // Give connection threads a moment to notice.
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut live = lock(&shared.live);
        while *live > 0 {
            let now = Instant::now();
            if now >= deadline {
                log::debug!("{} connection threads still finishing", *live);
                break;
            }
            live = shared
                .live_cv
                .wait_timeout(live, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut consecutive_errors = 0u32;
    loop {
        let accepted = listener.accept();
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let stream = match accepted {
            Ok((s, _)) => {
                consecutive_errors = 0;
                s
            }
            Err(e) => {
                consecutive_errors += 1;
                log::debug!("accept failed: {e}");
                if consecutive_errors > 10 {
                    thread::sleep(Duration::from_millis(50));
                }
                continue;
            }
        };
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).insert(id, clone);
        }
        *lock(&shared.live) += 1;
        let sh = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("mongodb-emulator-conn".to_owned())
            .spawn(move || {
                // A panic escaping here would only end this connection; the
                // counters below must still be fixed up.
                let _ = catch_unwind(AssertUnwindSafe(|| serve_connection(&sh, stream)));
                lock(&sh.conns).remove(&id);
                *lock(&sh.live) -= 1;
                sh.live_cv.notify_all();
            });
        if let Err(e) = spawned {
            log::warn!("could not start a connection thread: {e}");
            lock(&shared.conns).remove(&id);
            *lock(&shared.live) -= 1;
        }
    }
}

fn serve_connection(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(16 * 1024, read_half);
    let mut out = stream;
    while !shared.stopping.load(Ordering::SeqCst) {
        match read_request(&mut reader, &mut out, shared.max_body) {
            Ok(Some(req)) => {
                log::debug!(
                    "{} {} action={:?}",
                    req.method,
                    req.path,
                    req.header("x-tc-action")
                );
                let close = req.wants_close();
                let keep = dispatch(shared, &req, &mut out, close);
                if !keep || close {
                    break;
                }
            }
            Ok(None) | Err(ReadError::Io) => break,
            Err(ReadError::Malformed(why)) => {
                log::debug!("malformed request: {why}");
                let err = ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!("malformed HTTP request: {why}"),
                );
                let body = error_body(&err);
                let _ = write_response(&mut out, 400, "application/json", &[], &body, true);
                break;
            }
            Err(ReadError::TooLarge(len)) => {
                let err = ApiError::new(
                    ErrorCode::RequestSizeLimitExceeded,
                    format!(
                        "The request body ({len} bytes or more) is larger than the limit of {} bytes.",
                        shared.max_body
                    ),
                );
                let body = error_body(&err);
                let _ = write_response(&mut out, 200, "application/json", &[], &body, true);
                break;
            }
        }
    }
    let _ = out.flush();
    let _ = out.shutdown(Shutdown::Both);
}

fn error_body(err: &ApiError) -> Vec<u8> {
    serde_json::to_vec(&error_envelope(err, &util::request_id())).unwrap_or_default()
}

/// Reads one line ending in `\n` of at most `limit` bytes (chunked-body
/// framing). `Ok(None)` at a clean end of stream before any byte.
fn read_line(reader: &mut impl BufRead, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    let mut buf = Vec::new();
    match reader.take(limit).read_until(b'\n', &mut buf) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(_) => return Err(ReadError::Io),
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() as u64 >= limit {
            return Err(ReadError::Malformed("a line is too long".to_owned()));
        }
        return Err(ReadError::Io);
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(buf))
}

/// A request line and its header fields.
struct Head {
    method: String,
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
}

impl Head {
    /// Takes what we need from a completely parsed head.
    fn from_parsed(req: &httparse::Request<'_, '_>) -> Result<Head, ReadError> {
        let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version)
        else {
            return Err(ReadError::Malformed("incomplete request line".to_owned()));
        };
        if !target.starts_with('/') {
            return Err(ReadError::Malformed(
                "the request target must start with '/'".to_owned(),
            ));
        }
        let headers = req
            .headers
            .iter()
            .map(|h| match std::str::from_utf8(h.value) {
                Ok(v) => Ok((h.name.to_owned(), v.trim().to_owned())),
                Err(_) => Err(ReadError::Malformed("a header is not UTF-8".to_owned())),
            })
            .collect::<Result<_, _>>()?;
        Ok(Head {
            method: method.to_owned(),
            target: target.to_owned(),
            http10: version == 0,
            headers,
        })
    }
}

/// Reads and parses a request head, growing a buffer until `httparse` finds it
/// complete or it reaches [`MAX_HEAD_BYTES`]. Only the head's bytes are taken
/// from `reader`; whatever follows stays there for the body and the next
/// request. `Ok(None)` at a clean end of stream before any byte.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Head>, ReadError> {
    let mut buf = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Io),
        };
        if available.is_empty() {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io)
            };
        }
        let before = buf.len();
        let take = available.len().min(MAX_HEAD_BYTES - before);
        buf.extend_from_slice(&available[..take]);
        if request_line_len(&buf) > MAX_REQUEST_LINE {
            return Err(ReadError::Malformed(
                "the request line is too long".to_owned(),
            ));
        }
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut fields);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let head = Head::from_parsed(&req)?;
                reader.consume(len - before);
                return Ok(Some(head));
            }
            Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
                return Err(ReadError::Malformed(format!(
                    "the request head is larger than {MAX_HEAD_BYTES} bytes"
                )));
            }
            Ok(httparse::Status::Partial) => reader.consume(take),
            Err(e) => return Err(ReadError::Malformed(e.to_string())),
        }
    }
}

/// The length of the request line in `buf` (or of as much of it as is there),
/// after the empty lines that may come before it.
fn request_line_len(buf: &[u8]) -> usize {
    let start = buf.iter().position(|b| !b"\r\n".contains(b));
    let line = &buf[start.unwrap_or(buf.len())..];
    line.iter().position(|&b| b == b'\n').unwrap_or(line.len())
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    max_body: usize,
) -> Result<Option<HttpRequest>, ReadError> {
    let Some(Head {
        method,
        target,
        http10,
        headers,
    }) = read_head(reader)?
    else {
        return Ok(None);
    };
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };

    let expect_continue = find("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let chunked = match find("transfer-encoding") {
        None => false,
        Some(te) if te.to_ascii_lowercase().trim_end().ends_with("chunked") => true,
        Some(_) => {
            return Err(ReadError::Malformed(
                "unsupported Transfer-Encoding".to_owned(),
            ))
        }
    };
    let mut lengths = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse::<u64>());
    let content_length = match lengths.next() {
        None => None,
        Some(Ok(n)) => {
            if lengths.any(|other| other.ok() != Some(n)) {
                return Err(ReadError::Malformed(
                    "conflicting Content-Length".to_owned(),
                ));
            }
            Some(n)
        }
        Some(Err(_)) => return Err(ReadError::Malformed("bad Content-Length".to_owned())),
    };

    let mut body = Vec::new();
    if chunked {
        if expect_continue {
            send_continue(out)?;
        }
        read_chunked(reader, &mut body, max_body)?;
    } else if let Some(len) = content_length {
        if len > max_body as u64 {
            if !expect_continue {
                // Read and discard (bounded) so the client gets to read our answer.
                let _ = reader
                    .get_ref()
                    .set_read_timeout(Some(Duration::from_secs(2)));
                let _ = io::copy(&mut reader.take(len.min(MAX_DRAIN)), &mut io::sink());
            }
            return Err(ReadError::TooLarge(len));
        }
        if expect_continue && len > 0 {
            send_continue(out)?;
        }
        body.reserve(len as usize);
        reader
            .take(len)
            .read_to_end(&mut body)
            .map_err(|_| ReadError::Io)?;
        if body.len() as u64 != len {
            return Err(ReadError::Io);
        }
    }

    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.clone(), String::new()),
    };
    Ok(Some(HttpRequest {
        method,
        target,
        path,
        query,
        http10,
        headers,
        body,
    }))
}

fn send_continue(out: &mut TcpStream) -> Result<(), ReadError> {
    out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
        .and_then(|_| out.flush())
        .map_err(|_| ReadError::Io)
}

fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    max: usize,
) -> Result<(), ReadError> {
    loop {
        let Some(line) = read_line(reader, 1024)? else {
            return Err(ReadError::Io);
        };
        let text = String::from_utf8_lossy(&line);
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Malformed("bad chunk size".to_owned()))?;
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                match read_line(reader, MAX_CHUNK_LINE)? {
                    Some(l) if l.is_empty() => return Ok(()),
                    Some(_) => continue,
                    None => return Err(ReadError::Io),
                }
            }
        }
        // A chunk size near u64::MAX must not wrap around the limit check.
        let total = (body.len() as u64).saturating_add(size);
        if total > max as u64 {
            return Err(ReadError::TooLarge(total));
        }
        let before = body.len();
        reader
            .take(size)
            .read_to_end(body)
            .map_err(|_| ReadError::Io)?;
        if (body.len() - before) as u64 != size {
            return Err(ReadError::Io);
        }
        match read_line(reader, 2)? {
            Some(l) if l.is_empty() => {}
            _ => return Err(ReadError::Malformed("bad chunk terminator".to_owned())),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Writes the status line and headers; `length` becomes `Content-Length`.
pub(crate) fn write_head(
    out: &mut impl Write,
    status: u16,
    content_type: &str,
    extra: &[(&str, String)],
    length: u64,
    close: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nServer: mongodb-emulator\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n",
        reason(status)
    );
    for (k, v) in extra {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    out.write_all(head.as_bytes())
}

/// Writes a complete answer.
pub(crate) fn write_response(
    out: &mut impl Write,
    status: u16,
    content_type: &str,
    extra: &[(&str, String)],
    body: &[u8],
    close: bool,
) -> io::Result<()> {
    write_head(out, status, content_type, extra, body.len() as u64, close)?;
    out.write_all(body)?;
    out.flush()
}

fn html_page(status: u16) -> Vec<u8> {
    format!(
        "<html>\r\n<head><title>{status} {r}</title></head>\r\n<body>\r\n<center><h1>{status} {r}</h1></center>\r\n<hr><center>emulated gateway</center>\r\n</body>\r\n</html>\r\n",
        r = reason(status)
    )
    .into_bytes()
}

/// What a fault leaves to do once it has been applied before the request is handled.
pub(crate) enum Applied {
    /// Handle the request normally, then deliver the answer as given.
    Continue(Option<Fault>),
    /// The fault answered; keep the connection if `true`.
    Done(bool),
}

/// Applies the part of `fault` that happens before the request is handled.
pub(crate) fn apply_fault(
    shared: &Shared,
    fault: Fault,
    out: &mut TcpStream,
    close: bool,
) -> Applied {
    shared.count_fault();
    log::debug!("applying fault {fault:?}");
    match fault {
        Fault::Latency(d) => {
            if shared.pause(d) {
                Applied::Continue(None)
            } else {
                Applied::Done(false)
            }
        }
        Fault::Hang => {
            if shared.hang() {
                Applied::Continue(None)
            } else {
                Applied::Done(false)
            }
        }
        Fault::Disconnect => Applied::Done(false),
        Fault::BadGateway => Applied::Done(
            write_response(out, 502, "text/html", &[], &html_page(502), close).is_ok(),
        ),
        Fault::HttpStatus(status) => Applied::Done(
            write_response(out, status, "text/html", &[], &html_page(status), close).is_ok(),
        ),
        Fault::NonJson => {
            let page = b"<html><body>Service is being upgraded, please try again.</body></html>";
            Applied::Done(write_response(out, 200, "text/html", &[], page, close).is_ok())
        }
        Fault::MissingResponse => {
            let body = serde_json::json!({
                "Result": { "RequestId": util::request_id() },
                "Note": "this answer has no Response member"
            });
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            Applied::Done(write_response(out, 200, "application/json", &[], &bytes, close).is_ok())
        }
        Fault::HugeContentLength => {
            let _ = write_head(out, 200, "application/json", &[], HUGE_LENGTH, true)
                .and_then(|_| out.write_all(b"{\"Response\": {\"RequestId\": \""))
                .and_then(|_| out.flush());
            Applied::Done(false)
        }
        Fault::Error { code, message } => {
            let err = ApiError::new(ErrorCode::from(code.as_str()), message);
            Applied::Done(
                write_response(out, 200, "application/json", &[], &error_body(&err), close).is_ok(),
            )
        }
        Fault::TruncatedBody | Fault::DropAfterBytes(_) => Applied::Continue(Some(fault)),
    }
}

fn dispatch(shared: &Shared, req: &HttpRequest, out: &mut TcpStream, close: bool) -> bool {
    if req.path.starts_with("/download/") {
        let fault = shared.faults.take(crate::DOWNLOAD_FAULT_KEY, false);
        return crate::download::serve(shared, req, out, fault, close);
    }

    let action = req
        .header("x-tc-action")
        .map(str::to_owned)
        .or_else(|| crate::actions::query_param(&req.query, "Action"))
        .unwrap_or_default();
    shared.count_request(&action);

    let mut post = None;
    if let Some(fault) = shared.faults.take(&action, true) {
        match apply_fault(shared, fault, out, close) {
            Applied::Done(keep) => return keep,
            Applied::Continue(p) => post = p,
        }
    }

    let request_id = util::request_id();
    let answer = catch_unwind(AssertUnwindSafe(|| {
        crate::actions::handle(shared, req, &action, &request_id)
    }))
    .unwrap_or_else(|_| {
        log::error!("the handler of {action} panicked");
        error_envelope(
            &ApiError::new(
                ErrorCode::InternalError,
                "The emulator failed to handle the request.",
            ),
            &request_id,
        )
    });
    let bytes = serde_json::to_vec(&answer).unwrap_or_default();
    // Like the real service, every API answer carries the server's clock in `Date`, which is
    // what a client reads to correct its own clock after `AuthFailure.SignatureExpire`.
    let date = [("Date", util::http_date(shared.now_ms()))];
    match post {
        None => write_response(out, 200, "application/json", &date, &bytes, close).is_ok(),
        Some(f) => {
            let keep = match f {
                Fault::DropAfterBytes(k) => k.min(bytes.len() as u64) as usize,
                _ => bytes.len() / 2,
            };
            let _ = write_head(out, 200, "application/json", &[], bytes.len() as u64, true)
                .and_then(|_| out.write_all(&bytes[..keep]))
                .and_then(|_| out.flush());
            false
        }
    }
}
