//! The scripted server's routes, seen from a raw socket: API answers in order over one
//! connection, the file route beside them, proxy `CONNECT`, TLS, and a TLS client at a plain
//! server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use test_support::{Fault, Object, RawAnswer, Reply, TestServer, Trigger, TEST_CA_PEM};

/// Writes `request`, then reads one answer with a `Content-Length` body.
fn exchange(stream: &mut (impl Read + Write), request: &str) -> RawAnswer {
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert_ne!(reader.read_line(&mut line).unwrap(), 0, "closed: {head}");
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let mut raw = head.into_bytes();
    raw.extend_from_slice(&body);
    RawAnswer::parse(&raw)
}

fn post(action: &str, body: &str) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-TC-Action: {action}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn api_answers_come_in_order_over_one_kept_alive_connection_and_are_recorded() {
    let server = TestServer::start(|req, n| {
        Reply::ok(serde_json::json!({"Seen": req.action(), "N": n}), "rid")
            .with_header("X-Seen", &req.body.len().to_string())
    });
    let mut s = TcpStream::connect(server.addr()).unwrap();
    let a = exchange(&mut s, &post("First", "{}"));
    let b = exchange(&mut s, &post("Second", r#"{"A":1}"#));
    assert_eq!(a.response()["N"], 0);
    assert_eq!(b.response()["Seen"], "Second");
    assert_eq!(b.response()["N"], 1);
    assert_eq!(b.header("x-seen"), Some("7"));
    let seen = server.requests();
    assert_eq!(server.count(), 2);
    assert_eq!(seen[1].body, br#"{"A":1}"#);
    assert_eq!(seen[0].action(), "First");
}

#[test]
fn the_file_route_and_the_api_share_one_server() {
    let server = TestServer::builder()
        .file(Object::new(b"0123456789".to_vec()))
        .api(|_, n| Reply::status(503, &format!("busy {n}")))
        .start();
    server.script(Trigger::Next, Fault::refuse(410, "Gone"));
    let url = server.file_url();
    let target = url.strip_prefix(&server.url()).unwrap();
    let get = |range: &str| {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        exchange(
            &mut s,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\n{range}\r\n"),
        )
    };
    assert_eq!(get("").status, 410);
    let part = get("Range: bytes=4-\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.body, b"456789");
    assert_eq!(part.header("content-range"), Some("bytes 4-9/10"));
    let mut s = TcpStream::connect(server.addr()).unwrap();
    let api = exchange(&mut s, &post("Any", ""));
    assert_eq!((api.status, &api.body[..]), (503, &b"busy 0"[..]));
    assert_eq!(server.file_requests().len(), 2);
    assert_eq!(server.count(), 3);
}

#[test]
fn connect_is_accepted_and_the_tunnel_is_served_by_the_same_routes() {
    let server = TestServer::start(|req, _| Reply::ok(serde_json::json!({}), req.action()));
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"CONNECT sts.example:443 HTTP/1.1\r\nHost: sts.example:443\r\n\r\n")
        .unwrap();
    let mut established = [0u8; 39];
    s.read_exact(&mut established).unwrap();
    assert_eq!(&established, b"HTTP/1.1 200 Connection established\r\n\r\n");
    let a = exchange(&mut s, &post("Through", ""));
    assert_eq!(a.response()["RequestId"], "Through");
    let seen = server.requests();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].path_and_query, "sts.example:443");
    assert_eq!(seen.len(), 2);
}

fn tls_client() -> rustls::ClientConnection {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let ca = rustls::pki_types::CertificateDer::from_pem_slice(TEST_CA_PEM.as_bytes()).unwrap();
    roots.add(ca).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    rustls::ClientConnection::new(Arc::new(config), "127.0.0.1".try_into().unwrap()).unwrap()
}

#[test]
fn a_tls_server_is_trusted_through_the_test_ca() {
    let server = TestServer::builder()
        .tls()
        .api(|_, _| Reply::json(serde_json::json!({"ok": true})))
        .start();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let tcp = TcpStream::connect(server.addr()).unwrap();
    let mut tls = rustls::StreamOwned::new(tls_client(), tcp);
    let a = exchange(&mut tls, &post("Secure", ""));
    assert_eq!(a.json()["ok"], true);
    assert_eq!(server.tls_handshakes(), 1);
    assert_eq!(server.requests()[0].action(), "Secure");
}

#[test]
fn a_plain_server_counts_a_tls_hello_and_closes() {
    let server = TestServer::start(|_, _| Reply::Reset);
    let tcp = TcpStream::connect(server.addr()).unwrap();
    let mut tls = rustls::StreamOwned::new(tls_client(), tcp);
    let sent = tls
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .and_then(|()| tls.flush());
    assert!(sent.is_err(), "the handshake cannot succeed");
    assert_eq!(server.tls_handshakes(), 1);
    assert_eq!(server.count(), 0);
}
