//! Bad input of every kind gets a clean answer, and the server keeps serving;
//! concurrent clients are served correctly.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{builder, raw_exchange, split_answer, start, Api};
use serde_json::{json, Value};
use tc_sign::HttpMethod;

const WAIT: Duration = Duration::from_secs(10);

fn error_code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)));
    v["Response"]["Error"]["Code"].as_str().unwrap().to_owned()
}

/// A request signed over `body` as-is, sent raw.
fn signed_raw(api: &Api, action: &str, body: &[u8], extra: &str) -> Vec<u8> {
    let r = api.req(HttpMethod::Post, action, body.to_vec());
    let mut text = format!("POST / HTTP/1.1\r\nHost: {}\r\n{extra}", api.host);
    for (k, v) in api.sign(&r) {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn malformed_http_gets_400_and_the_server_lives_on() {
    let h = start();
    let api = Api::new(&h);
    for garbage in [
        &b"HELLO\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"\xff\xfe / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: \xff\r\n\r\n",
        b"GET nopath HTTP/1.1\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    ] {
        let (bytes, closed) = raw_exchange(h.addr(), garbage, WAIT);
        assert!(closed);
        let (status, _, body) = split_answer(&bytes);
        assert_eq!(status, 400, "{:?}", String::from_utf8_lossy(garbage));
        assert_eq!(error_code(&body), "InvalidRequest");
    }
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100_000));
    let (bytes, _) = raw_exchange(h.addr(), long_line.as_bytes(), WAIT);
    assert_eq!(split_answer(&bytes).0, 400);
    let many_headers: String = (0..500).map(|i| format!("X-H{i}: v\r\n")).collect();
    let req = format!("GET / HTTP/1.1\r\n{many_headers}\r\n");
    let (bytes, _) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    assert_eq!(split_answer(&bytes).0, 400);
    // A connection that closes half way through is simply dropped.
    let (bytes, _) = raw_exchange(
        h.addr(),
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        Duration::from_millis(200),
    );
    assert!(bytes.is_empty());
    api.ok("DescribeDBInstances", json!({}));
}

#[test]
fn oversized_bodies_are_refused_without_being_stored() {
    let h = builder().max_body_bytes(1024).start().unwrap();
    let api = Api::new(&h);
    let big = format!(r#"{{"InstanceId":"{}"}}"#, "x".repeat(5000));
    let req = signed_raw(&api, "DescribeDBBackups", big.as_bytes(), "");
    let (bytes, closed) = raw_exchange(h.addr(), &req, WAIT);
    assert!(closed);
    let (status, _, body) = split_answer(&bytes);
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), "RequestSizeLimitExceeded");

    // A client that waits for 100-continue is answered before it sends anything.
    let req = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 10737418240\r\n\r\n",
        h.addr()
    );
    let (bytes, closed) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    assert!(closed);
    assert_eq!(
        error_code(&split_answer(&bytes).2),
        "RequestSizeLimitExceeded"
    );

    // Chunked uploads are limited too.
    let chunk = "a".repeat(800);
    let req = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n",
        h.addr()
    );
    let (bytes, _) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    assert_eq!(
        error_code(&split_answer(&bytes).2),
        "RequestSizeLimitExceeded"
    );
    api.ok("DescribeDBInstances", json!({}));
}

#[test]
fn bad_bodies_get_invalid_parameter() {
    let h = start();
    let api = Api::new(&h);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<Vec<u8>> = vec![
        b"\xff\xfe{not utf8".to_vec(),
        b"{\"InstanceId\": ".to_vec(),
        deep.into_bytes(),
        b"[1,2,3]".to_vec(),
        b"\"text\"".to_vec(),
    ];
    for body in cases {
        let r = api.req(HttpMethod::Post, "DescribeDBBackups", body.clone());
        let a = api.send(&r);
        assert_eq!(a.status, 200);
        assert_eq!(
            a.code().as_deref(),
            Some("InvalidParameter"),
            "{:?}",
            String::from_utf8_lossy(&body)
        );
    }
    // Wrong content type.
    let req = signed_raw(&api, "DescribeDBInstances", b"{}", "");
    let req = String::from_utf8(req)
        .unwrap()
        .replace("application/json", "text/plain");
    let (bytes, _) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    // The content type is signed, so the signature no longer matches: still a clean error.
    assert!(error_code(&split_answer(&bytes).2).starts_with("AuthFailure"));
}

#[test]
fn missing_protocol_headers() {
    let h = start();
    let api = Api::new(&h);
    let base = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    let without = |name: &str| -> Vec<(String, String)> {
        api.sign(&base)
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
            .collect()
    };
    let a = api.send_with(&base, &without("X-TC-Action"));
    assert_eq!(a.code().as_deref(), Some("MissingParameter"));
    assert!(a.message().contains("Action"));
    let a = api.send_with(&base, &without("X-TC-Version"));
    assert_eq!(a.code().as_deref(), Some("MissingParameter"));
    assert!(a.message().contains("Version"));
    let a = api.send_with(&base, &without("X-TC-Timestamp"));
    assert_eq!(a.code().as_deref(), Some("MissingParameter"));
    // Nothing but a body.
    let (bytes, _) = raw_exchange(
        h.addr(),
        b"POST / HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        WAIT,
    );
    let (status, _, body) = split_answer(&bytes);
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), "MissingParameter");
    assert_eq!(h.request_count(""), 2, "both requests without an action");
}

#[test]
fn other_paths_and_methods() {
    let h = start();
    let api = Api::new(&h);
    let r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    let mut text = format!("PUT / HTTP/1.1\r\nHost: {}\r\n", api.host);
    for (k, v) in api.sign(&r) {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    let (bytes, _) = raw_exchange(h.addr(), text.as_bytes(), WAIT);
    assert_eq!(error_code(&split_answer(&bytes).2), "UnsupportedProtocol");
    let (bytes, _) = raw_exchange(
        h.addr(),
        format!("GET /elsewhere HTTP/1.1\r\nHost: {}\r\nX-TC-Action: DescribeDBInstances\r\nConnection: close\r\n\r\n", api.host).as_bytes(),
        WAIT,
    );
    assert_eq!(error_code(&split_answer(&bytes).2), "InvalidRequest");
    let a = api.download(&format!("{}/download/12345/x.tar?sign=abc", h.url()), None);
    assert_eq!(a.status, 404);
    let a = api.download(&format!("{}/download/zzz", h.url()), None);
    assert_eq!(a.status, 404);
}

#[test]
fn chunked_body_expect_continue_and_http10() {
    let h = start();
    let api = Api::new(&h);
    let body = br#"{"InstanceIds":["cmgo-demo0001"]}"#;
    let r = api.req(HttpMethod::Post, "DescribeDBInstances", body.to_vec());
    let mut head = format!("POST / HTTP/1.1\r\nHost: {}\r\n", api.host);
    for (k, v) in api.sign(&r) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }

    // Chunked.
    let mut req =
        format!("{head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").into_bytes();
    let (a, b) = body.split_at(10);
    for part in [a, b] {
        req.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
        req.extend_from_slice(part);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\nTrailer: x\r\n\r\n");
    let (bytes, _) = raw_exchange(h.addr(), &req, WAIT);
    let v: Value = serde_json::from_slice(&split_answer(&bytes).2).unwrap();
    assert_eq!(v["Response"]["TotalCount"], 1, "{v}");

    // Expect: 100-continue.
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(
        format!(
            "{head}Expect: 100-continue\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let mut buf = [0u8; 25];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(body).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert_eq!(split_answer(&rest).0, 200);

    // HTTP/1.0: answered, then closed.
    let req = String::from_utf8(signed_raw(&api, "DescribeDBInstances", b"{}", ""))
        .unwrap()
        .replace("HTTP/1.1", "HTTP/1.0")
        .replace("Connection: close\r\n", "");
    let (bytes, closed) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    assert!(closed);
    assert_eq!(split_answer(&bytes).0, 200);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let h = start();
    let api = Api::new(&h);
    let one = String::from_utf8(api.raw_post("DescribeDBInstances", &json!({}))).unwrap();
    let last = String::from_utf8(signed_raw(&api, "DescribeDBInstances", b"{}", "")).unwrap();
    let pipelined = format!("{one}{one}{last}");
    let (bytes, closed) = raw_exchange(h.addr(), pipelined.as_bytes(), WAIT);
    assert!(closed);
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 3);
    assert_eq!(h.request_count("DescribeDBInstances"), 3);
}

#[test]
fn concurrent_clients() {
    let h = start();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let api = Api::new(&h);
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for _ in 0..5 {
                    let r = api.ok(
                        "CreateBackupDBInstance",
                        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 1 }),
                    );
                    let id = r["AsyncRequestId"].as_str().unwrap().to_owned();
                    common::wait_async(&api, &id);
                    api.ok("DescribeDBInstances", json!({}));
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let mut all: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40, "async request ids are unique");
    let api = Api::new(&h);
    let list = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 1 }),
    );
    assert_eq!(list["TotalCount"], 40);
    let mut names: Vec<&str> = list["BackupList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["BackupName"].as_str().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 40, "backup names are unique");
    assert_eq!(h.request_count("CreateBackupDBInstance"), 40);
}
