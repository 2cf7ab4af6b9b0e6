//! [`TestServer`]: the one scripted HTTP server of the workspace's tests, on `127.0.0.1:0`.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use crate::conn::Conn;
use crate::files::{Files, SeenRequest, PATH};
use crate::{http, tls, Fault, Object, Recorded, Reply, Trigger};

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// Settings of a [`TestServer`] to start: which routes it serves, and whether over TLS.
#[must_use]
pub struct TestServerBuilder {
    api: Option<Arc<Handler>>,
    file: Option<Object>,
    tls: bool,
}

impl std::fmt::Debug for TestServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServerBuilder")
            .field("api", &self.api.is_some())
            .field("file", &self.file)
            .field("tls", &self.tls)
            .finish()
    }
}

impl TestServerBuilder {
    /// Answer API requests (every path but the file's) with `handler`, which gets each request
    /// and its 0-based index among the API requests, in arrival order. Connections stay open
    /// between answers (keep-alive).
    pub fn api(
        mut self,
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        self.api = Some(Arc::new(handler));
        self
    }

    /// Serve `object` at `/backups/file.tar` the way Tencent COS does (see
    /// [`FileServer`](crate::FileServer)); every answer closes its connection. Without an
    /// API handler, other paths are answered 404 `NoSuchKey`.
    pub fn file(mut self, object: Object) -> Self {
        self.file = Some(object);
        self
    }

    /// Speak TLS with a certificate for `127.0.0.1` signed by the test CA
    /// ([`TEST_CA_PEM`](crate::TEST_CA_PEM)); [`TestServer::url`] is then `https://…`.
    /// Connections that open with plain HTTP are still served in the clear.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Bind `127.0.0.1:0` and serve on background threads until the server is dropped.
    pub fn start(self) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            api: self.api,
            files: self.file.map(Files::new),
            tls: self.tls.then(tls::server_config),
            requests: Mutex::new(Vec::new()),
            api_count: AtomicUsize::new(0),
            handshakes: AtomicUsize::new(0),
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
                thread::spawn(move || s.accept(stream));
            }
        });
        TestServer {
            addr,
            scheme: if self.tls { "https" } else { "http" },
            shared,
        }
    }
}

/// A local HTTP server for what the emulator can't fake, with routes chosen at start:
///
/// - **API answers**: a handler scripts the answer to each request, byte for byte if need be
///   ([`Reply`]: JSON envelopes, any status, a reset, raw bytes that lie).
/// - **A file**: one [`Object`] served like Tencent COS, with pre-signed URLs that expire,
///   validators, ranges, COS's XML errors, a per-connection rate cap and a script of
///   [`Fault`]s; [`FileServer`](crate::FileServer) is this route on its own.
/// - **Proxy `CONNECT`**: accepted (and recorded), then the tunnel is served by the same
///   routes, so the server stands in for a proxy that tunnels to itself.
/// - **TLS** with the test CA's certificate, when started with
///   [`tls`](TestServerBuilder::tls).
///
/// Every request is recorded. The server stops accepting when dropped.
///
/// ```
/// use test_support::{Reply, TestServer};
///
/// let server = TestServer::start(|req, n| {
///     assert_eq!(req.action(), "DescribeDBInstances");
///     Reply::ok(serde_json::json!({"TotalCount": 0}), &format!("req-{n}"))
/// });
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.count(), 0);
/// ```
pub struct TestServer {
    addr: SocketAddr,
    scheme: &'static str,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// A server with no route yet: add them, then [`start`](TestServerBuilder::start).
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder {
            api: None,
            file: None,
            tls: false,
        }
    }

    /// A plain-HTTP server answering every request with `handler` (see
    /// [`TestServerBuilder::api`]).
    pub fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::builder().api(handler).start()
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far (API, file and `CONNECT`), in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests().clone()
    }

    /// How many requests arrived (API, file and `CONNECT`).
    pub fn count(&self) -> usize {
        self.shared.requests().len()
    }

    /// How many connections opened with a TLS handshake, whether or not the server speaks
    /// TLS (a plain server closes them at once).
    pub fn tls_handshakes(&self) -> usize {
        self.shared.handshakes.load(Ordering::SeqCst)
    }

    fn files(&self) -> &Files {
        self.shared
            .files
            .as_ref()
            .expect("this server serves no file: start it with TestServer::builder().file(..)")
    }

    /// A fresh pre-signed URL of the file, valid until [`expire_urls`](Self::expire_urls).
    pub fn file_url(&self) -> String {
        self.files().mint_url(&self.url())
    }

    /// Expire every file URL handed out so far: they are answered 403 `AccessDenied`.
    pub fn expire_urls(&self) {
        self.files().expire_urls();
    }

    /// Replace the file now (a new version: new ETag when the bytes differ, later
    /// Last-Modified).
    pub fn set_object(&self, object: Object) {
        self.files().set_object(object);
    }

    /// The file being served.
    pub fn object(&self) -> Object {
        self.files().object()
    }

    /// Cap every file connection's rate at `bytes_per_sec` (`None`: as fast as possible).
    pub fn rate_limit(&self, bytes_per_sec: Option<u64>) {
        self.files().rate_limit(bytes_per_sec);
    }

    /// Apply `fault` to the file request `trigger` picks (once, or every time for
    /// [`Trigger::Always`]).
    pub fn script(&self, trigger: Trigger, fault: Fault) {
        self.files().script(trigger, fault);
    }

    /// Drop every scripted fault not yet applied.
    pub fn clear_script(&self) {
        self.files().clear_script();
    }

    /// Every request of the file route so far, as COS saw it, in arrival order.
    pub fn file_requests(&self) -> Vec<SeenRequest> {
        self.files().requests()
    }

    /// File body bytes written so far, over all answers.
    pub fn bytes_sent(&self) -> u64 {
        self.files().bytes_sent()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

struct Shared {
    api: Option<Arc<Handler>>,
    files: Option<Files>,
    tls: Option<Arc<rustls::ServerConfig>>,
    requests: Mutex<Vec<Recorded>>,
    /// API requests so far: the index handed to the handler.
    api_count: AtomicUsize,
    handshakes: AtomicUsize,
    stop: AtomicBool,
}

/// What to do with the connection after one request.
enum Next {
    KeepOpen,
    Close,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Vec<Recorded>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serve one connection: TLS or not by its first byte, then request after request.
    fn accept(&self, tcp: TcpStream) {
        let mut first = [0u8; 1];
        if !matches!(tcp.peek(&mut first), Ok(1)) {
            return;
        }
        let conn = if tls::is_handshake(first[0]) {
            self.handshakes.fetch_add(1, Ordering::SeqCst);
            match &self.tls {
                Some(config) => match Conn::tls(tcp, config.clone()) {
                    Ok(c) => c,
                    Err(_) => return,
                },
                None => return, // a plain server: the client's handshake fails
            }
        } else {
            Conn::Plain(tcp)
        };
        let mut reader = BufReader::new(conn);
        while let Some(req) = http::read_request(&mut reader) {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            self.requests().push(req.clone());
            match self.route(reader.get_mut(), &req) {
                Next::KeepOpen => {}
                Next::Close => break,
            }
        }
    }

    fn route(&self, conn: &mut Conn, req: &Recorded) -> Next {
        if req.method == "CONNECT" {
            // A proxy that tunnels to itself: accept, and serve what comes through the tunnel
            // with the same routes.
            let accepted = conn
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .and_then(|()| conn.flush());
            return if accepted.is_ok() {
                Next::KeepOpen
            } else {
                Next::Close
            };
        }
        match (&self.files, &self.api) {
            (Some(files), api) if api.is_none() || req.path() == PATH => {
                files.serve(conn, req);
                conn.close();
                Next::Close
            }
            (_, Some(api)) => {
                let n = self.api_count.fetch_add(1, Ordering::SeqCst);
                answer(conn, api(req, n))
            }
            (_, None) => {
                let _ = http::write_answer(conn, 404, &[], b"no route");
                Next::KeepOpen
            }
        }
    }
}

/// Send an API [`Reply`].
fn answer(conn: &mut Conn, reply: Reply) -> Next {
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => match http::write_answer(conn, status, &headers, &body) {
            Ok(()) => Next::KeepOpen,
            Err(_) => Next::Close,
        },
        Reply::Reset => {
            conn.reset();
            Next::Close
        }
        Reply::RawClose(bytes) => {
            let _ = conn.write_all(&bytes);
            conn.close();
            Next::Close
        }
        Reply::RawHold(bytes) => {
            let _ = conn.write_all(&bytes);
            let _ = conn.flush();
            // Wait for the client to close its side.
            let mut sink = [0u8; 1024];
            while matches!(conn.read(&mut sink), Ok(n) if n > 0) {}
            Next::Close
        }
    }
}
