//! `roundtrip`: one `client.create_backup_db_instance(&req)` over loopback keep-alive, against
//! the floor of sending the same request bytes with plain `ureq` (an agent configured like the
//! client's) to the same server, with no signing and no models.
//!
//! The server is a few lines of `std::net`: it reads the head, then `Content-Length` bytes of
//! body, and answers a fixed body with `Content-Length`, keeping the connection open. It does
//! the same work for both sides, so the ratio shows what the client adds on top of ureq. The
//! two are measured interleaved against the same server (see `common/measure.rs`), timed by
//! the CPU time of the whole process: the client's thread, the server's threads and the kernel
//! work done on their behalf, without the time they wait for a core on a busy machine.

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use mongodb_client_blocking::models::{BackupMethod, CreateBackupDBInstanceRequest};
use mongodb_client_blocking::{Client, Credentials, RetryPolicy};

#[path = "common/measure.rs"]
mod measure;

const ANSWER: &[u8] = br#"{"Response":{"AsyncRequestId":"1","RequestId":"x"}}"#;
const REQUEST_CLIENT: &str = "tcmongo-bench";
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Headers ureq adds by itself; the floor lets ureq add them the same way.
const UREQ_OWN: &[&str] = &[
    "accept",
    "accept-encoding",
    "user-agent",
    "content-length",
    "transfer-encoding",
];

/// The head and body of the first request the server saw.
type Captured = Arc<Mutex<Option<(Vec<(String, String)>, Vec<u8>)>>>;

/// Starts the server; returns its address and the slot holding the first request it saw.
fn start_server() -> (SocketAddr, Captured) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let captured: Captured = Arc::default();
    let slot = Arc::clone(&captured);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let slot = Arc::clone(&slot);
            thread::spawn(move || serve(stream, &slot));
        }
    });
    (addr, captured)
}

/// Serves one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, slot: &Captured) {
    let _ = stream.set_nodelay(true);
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        ANSWER.len()
    )
    .into_bytes();
    response.extend_from_slice(ANSWER);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        // Request line.
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                let (name, value) = (name.trim(), value.trim());
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                }
                headers.push((name.to_string(), value.to_string()));
            }
        }
        body.resize(length, 0);
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        {
            let mut first = slot.lock().unwrap_or_else(|e| e.into_inner());
            if first.is_none() {
                *first = Some((headers, body.clone()));
            }
        }
        if writer.write_all(&response).is_err() {
            return;
        }
    }
}

fn main() {
    let (addr, captured) = start_server();
    let url = format!("http://{addr}/");

    let client = Client::builder()
        .endpoint(url.as_str())
        .credentials(
            Credentials::new(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            )
            .expect("valid credentials"),
        )
        .region("ap-guangzhou")
        .request_client(REQUEST_CLIENT)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .no_proxy()
        .rate_limit(None)
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let req = CreateBackupDBInstanceRequest::new("cmgo-p8vnipr5", BackupMethod::Logical)
        .with_backup_remark("nightly logical backup before the schema migration");

    // One call opens the connection and shows the server what the client sends.
    let first = client.create_backup_db_instance(&req).expect("first call");
    assert_eq!(first.async_request_id.as_deref(), Some("1"));
    let (headers, body) = captured
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .expect("the server saw the request");
    // Everything the client set itself is replayed; what ureq adds, ureq adds again.
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(n, _)| !UREQ_OWN.contains(&n.to_ascii_lowercase().as_str()))
        .collect();

    // The client's agent settings (see ClientBuilder::build), nothing else.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(TIMEOUT))
        .proxy(None)
        .max_redirects(0)
        .user_agent(REQUEST_CLIENT)
        .build()
        .new_agent();
    let send_plain = || -> Vec<u8> {
        let mut r = agent.post(url.as_str());
        for (name, value) in &headers {
            r = r.header(name.as_str(), value.as_str());
        }
        let mut resp = r.send(&body[..]).expect("plain ureq call");
        resp.body_mut().read_to_vec().expect("plain ureq body")
    };
    assert_eq!(send_plain(), ANSWER);

    measure::compare(
        "roundtrip",
        measure::Clock::ProcessCpu,
        || {
            client
                .create_backup_db_instance(black_box(&req))
                .expect("call")
        },
        send_plain,
    );
}
