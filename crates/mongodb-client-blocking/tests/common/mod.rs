//! Test helpers: a scriptable in-process HTTP server and a log capturer.
//!
//! The server speaks just enough HTTP/1.1 over a `TcpListener` to control what the client sees
//! byte for byte: scripted answers, connections dropped mid-answer, `Content-Length` headers
//! that lie. Every request is recorded. It also accepts `CONNECT` (recorded too), so it can
//! stand in for a proxy that tunnels to it.
#![allow(dead_code)] // reason: each test binary uses a different subset of the helpers

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn action(&self) -> &str {
        self.header("X-TC-Action").unwrap_or("")
    }

    /// Check the TC3 signature with `tc_sign::verify`.
    pub fn verify(&self, secret_id: &str, secret_key: &str) -> Result<tc_sign::Verified, String> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let req = tc_sign::ReceivedRequest {
            method: &self.method,
            path_and_query: &self.path_and_query,
            headers: &headers,
            body: &self.body,
        };
        let id = secret_id.to_string();
        let key = secret_key.to_string();
        let now: i64 = self
            .header("X-TC-Timestamp")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        tc_sign::verify(
            &req,
            &move |sid: &str| (sid == id).then(|| key.clone()),
            now,
            300,
        )
        .map_err(|e| e.to_string())
    }
}

/// What the server does with one request.
pub enum Reply {
    /// A normal answer; `Content-Length` is added.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Reset,
    /// Write these bytes as they are, then close the connection.
    RawClose(Vec<u8>),
    /// Write these bytes as they are and keep the connection open until the client goes.
    RawHold(Vec<u8>),
}

impl Reply {
    pub fn json(body: serde_json::Value) -> Reply {
        Reply::Http {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// `{"Response": {..fields, "RequestId": rid}}`
    pub fn ok(mut fields: serde_json::Value, rid: &str) -> Reply {
        fields["RequestId"] = rid.into();
        Reply::json(serde_json::json!({ "Response": fields }))
    }

    pub fn error(code: &str, message: &str, rid: &str) -> Reply {
        Reply::json(serde_json::json!({
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": rid}
        }))
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Http {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Http {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// A scripted server on 127.0.0.1 with an ephemeral port. The handler gets each request and
/// its 0-based index in arrival order.
pub struct Mock {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Mock {
    pub fn start(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let counter = Arc::new(AtomicUsize::new(0));
        let reqs = requests.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let handler = handler.clone();
                let reqs = reqs.clone();
                let counter = counter.clone();
                thread::spawn(move || serve(stream, &*handler, &reqs, &counter));
            }
        });
        Mock { addr, requests }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path_and_query = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path_and_query,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(stream: TcpStream, handler: &Handler, reqs: &Mutex<Vec<Recorded>>, counter: &AtomicUsize) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        if req.method == "CONNECT" {
            // Act as a proxy that tunnels to itself: record the CONNECT, accept it, and serve
            // what comes through the tunnel with the same handler.
            reqs.lock().unwrap().push(req);
            if writer
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_err()
            {
                return;
            }
            continue;
        }
        let n = counter.fetch_add(1, Ordering::SeqCst);
        reqs.lock().unwrap().push(req.clone());
        match handler(&req, n) {
            Reply::Http {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if writer.write_all(&bytes).is_err() {
                    return;
                }
            }
            Reply::Reset => {
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Reply::RawClose(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.flush();
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Reply::RawHold(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.flush();
                // Wait for the client to close its side.
                let mut sink = [0u8; 1024];
                while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
        }
    }
}

/// A logger that records every line with the thread that logged it.
struct Capture {
    lines: Mutex<Vec<(thread::ThreadId, String)>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.lines
            .lock()
            .unwrap()
            .push((thread::current().id(), line));
    }

    fn flush(&self) {}
}

static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();

/// Install the capturing logger (once per test binary) at `trace` level.
pub fn init_logger() {
    CAPTURE.get_or_init(|| {
        let cap: &'static Capture = Box::leak(Box::new(Capture {
            lines: Mutex::new(Vec::new()),
        }));
        log::set_logger(cap).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
        cap
    });
}

/// Lines logged so far by the current thread.
pub fn my_log_lines() -> Vec<String> {
    let me = thread::current().id();
    CAPTURE
        .get()
        .map(|c| {
            c.lines
                .lock()
                .unwrap()
                .iter()
                .filter(|(t, _)| *t == me)
                .map(|(_, l)| l.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Every line logged so far, by any thread.
pub fn all_log_lines() -> Vec<String> {
    CAPTURE
        .get()
        .map(|c| {
            c.lines
                .lock()
                .unwrap()
                .iter()
                .map(|(_, l)| l.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub const ID: &str = "AKIDtestid0000000001";
pub const KEY: &str = "TopSecretKeyValue-DoNotLog";

/// A client for `mock` with fast retries and no rate limit.
pub fn client_for(mock: &Mock) -> mongodb_client_blocking::ClientBuilder {
    mongodb_client_blocking::Client::builder()
        .endpoint(mock.url())
        .region("ap-guangzhou")
        .credentials(tc_sign::Credentials::new(ID, KEY).unwrap())
        .no_proxy()
        .rate_limit(None)
        .env_source(mongodb_client_blocking::EnvSource::from_vars(Vec::<(
            String,
            String,
        )>::new(
        )))
        .retry(
            mongodb_client_blocking::RetryPolicy::default()
                .with_base_delay(std::time::Duration::from_millis(1))
                .with_max_delay(std::time::Duration::from_millis(5)),
        )
}
