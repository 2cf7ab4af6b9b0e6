//! [`FileServer`]: a [`TestServer`] with only the file route, under the names download tests
//! use.

use std::net::SocketAddr;

use crate::{Fault, Object, SeenRequest, TestServer, Trigger};

/// A local file server that behaves like Tencent COS for one object: pre-signed URLs that can
/// expire, `ETag`, `Last-Modified`, `Accept-Ranges`, `x-cos-hash-crc64ecma`, `Range` and
/// `If-Range`, and COS's XML error answers; plus a script of faults per request, an optional
/// per-connection rate cap, and a record of every request.
///
/// It is a [`TestServer`] started with only a [`file`](crate::TestServerBuilder::file) route
/// ([`server`](Self::server) reaches it). Every answer closes its connection (no keep-alive).
/// The server stops when dropped.
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
#[derive(Debug)]
pub struct FileServer {
    server: TestServer,
}

impl FileServer {
    /// Start serving `object` on `127.0.0.1` with an ephemeral port.
    pub fn start(object: Object) -> FileServer {
        FileServer {
            server: TestServer::builder().file(object).start(),
        }
    }

    /// The server underneath, for what only it records (request headers, TLS handshakes).
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// A fresh pre-signed URL of the object, valid until [`expire_urls`](Self::expire_urls).
    pub fn url(&self) -> String {
        self.server.file_url()
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Expire every URL handed out so far: they are answered 403 `AccessDenied`.
    pub fn expire_urls(&self) {
        self.server.expire_urls();
    }

    /// Replace the object now (a new version: new ETag when the bytes differ, later
    /// Last-Modified).
    pub fn set_object(&self, object: Object) {
        self.server.set_object(object);
    }

    /// The object being served.
    pub fn object(&self) -> Object {
        self.server.object()
    }

    /// Cap every connection's rate at `bytes_per_sec` (`None`: as fast as possible).
    pub fn rate_limit(&self, bytes_per_sec: Option<u64>) {
        self.server.rate_limit(bytes_per_sec);
    }

    /// Apply `fault` to the request `trigger` picks (once, or every time for
    /// [`Trigger::Always`]).
    pub fn script(&self, trigger: Trigger, fault: Fault) {
        self.server.script(trigger, fault);
    }

    /// Drop every scripted fault not yet applied.
    pub fn clear_script(&self) {
        self.server.clear_script();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.server.file_requests()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.server.file_requests().len()
    }

    /// The ranges asked so far (requests without `Range` are left out), in arrival order.
    pub fn ranges(&self) -> Vec<(u64, Option<u64>)> {
        self.requests().iter().filter_map(|r| r.range).collect()
    }

    /// Body bytes written so far, over all answers.
    pub fn bytes_sent(&self) -> u64 {
        self.server.bytes_sent()
    }
}
