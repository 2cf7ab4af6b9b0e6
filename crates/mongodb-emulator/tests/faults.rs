//! Fault injection, rate limiting and request counters.

mod common;

use std::time::{Duration, Instant};

use common::{builder, raw_exchange, ready_tasks, split_answer, start, Api};
use mongodb_emulator::{Fault, ANY_ACTION, DOWNLOAD_FAULT_KEY};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

fn raw(h: &mongodb_emulator::EmulatorHandle, api: &Api, action: &str) -> (Vec<u8>, bool) {
    let req = api.raw_post(action, &json!({}));
    raw_exchange(h.addr(), &req, WAIT)
}

/// Waits (polling) until `cond` holds.
fn eventually(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "condition never held");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn latency_delays_then_answers() {
    let h = start();
    let api = Api::new(&h);
    h.inject(
        "DescribeDBInstances",
        Fault::Latency(Duration::from_millis(150)),
    );
    let t = Instant::now();
    api.ok("DescribeDBInstances", json!({}));
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(h.stats().faults_applied, 1);
}

#[test]
fn disconnect_closes_without_an_answer() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::Disconnect);
    let (bytes, closed) = raw(&h, &api, "DescribeDBInstances");
    assert!(bytes.is_empty());
    assert!(closed);
    assert_eq!(h.request_count("DescribeDBInstances"), 1);
}

#[test]
fn gateway_errors_are_html() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::BadGateway);
    let a = api.post("DescribeDBInstances", json!({}));
    assert_eq!(a.status, 502);
    assert!(String::from_utf8_lossy(&a.body).contains("<html>"));
    h.inject("DescribeDBInstances", Fault::HttpStatus(503));
    assert_eq!(api.post("DescribeDBInstances", json!({})).status, 503);
    h.clear_fault("DescribeDBInstances");
    api.ok("DescribeDBInstances", json!({}));
}

#[test]
fn truncated_body_announces_more_than_it_sends() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::TruncatedBody);
    let (bytes, closed) = raw(&h, &api, "DescribeDBInstances");
    assert!(closed);
    let (status, head, body) = split_answer(&bytes);
    assert_eq!(status, 200);
    let announced: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < announced, "{} of {announced}", body.len());
    assert!(!body.is_empty());
}

#[test]
fn body_faults_act_on_api_answers_too() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times("DescribeDBInstances", Fault::CorruptByte { offset: 0 }, 1);
    let a = api.post("DescribeDBInstances", json!({}));
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body[0],
        b'{' ^ 0xff,
        "the first byte of the JSON, inverted"
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&a.body).is_err());
    h.inject_times(
        "DescribeDBInstances",
        Fault::Stall {
            after_bytes: 10,
            pause: Duration::from_millis(1),
        },
        1,
    );
    api.ok("DescribeDBInstances", json!({}));
}

#[test]
fn non_json_and_missing_response() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::NonJson);
    let a = api.post("DescribeDBInstances", json!({}));
    assert_eq!(a.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&a.body).is_err());
    h.inject("DescribeDBInstances", Fault::MissingResponse);
    let a = api.post("DescribeDBInstances", json!({}));
    assert_eq!(a.status, 200);
    assert!(a.json().get("Response").is_none());
    let decoded =
        mongodb_models::decode_response::<mongodb_models::DescribeDBInstancesResponse>(&a.body);
    assert!(decoded.is_err());
}

#[test]
fn huge_content_length_then_close() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::HugeContentLength);
    let (bytes, closed) = raw(&h, &api, "DescribeDBInstances");
    assert!(closed);
    let (status, head, body) = split_answer(&bytes);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Length: 1073741824"), "{head}");
    assert!(body.len() < 100);
}

#[test]
fn error_for_the_next_n_calls() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times("CreateBackupDBInstance", Fault::error("InternalError"), 2);
    let p = json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 });
    assert_eq!(
        api.err("CreateBackupDBInstance", p.clone()).0,
        "InternalError"
    );
    let (code, msg) = api.err("CreateBackupDBInstance", p.clone());
    assert_eq!(code, "InternalError");
    assert!(msg.contains("injected"));
    api.ok("CreateBackupDBInstance", p.clone());
    assert_eq!(h.request_count("CreateBackupDBInstance"), 3);
    assert_eq!(h.stats().faults_applied, 2);

    h.inject(
        "CreateBackupDBInstance",
        Fault::Error {
            code: "RequestLimitExceeded".into(),
            message: "slow down".into(),
        },
    );
    let (code, msg) = api.err("CreateBackupDBInstance", p);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("RequestLimitExceeded", "slow down")
    );
}

#[test]
fn wildcard_faults_cover_every_action_until_cleared() {
    let h = start();
    let api = Api::new(&h);
    h.inject(ANY_ACTION, Fault::error("ServiceUnavailable"));
    assert_eq!(
        api.err("DescribeDBInstances", json!({})).0,
        "ServiceUnavailable"
    );
    assert_eq!(
        api.err(
            "DescribeDBBackups",
            json!({ "InstanceId": "cmgo-demo0001" })
        )
        .0,
        "ServiceUnavailable"
    );
    // A fault of the action's own wins over the wildcard.
    h.inject("DescribeDBInstances", Fault::Latency(Duration::ZERO));
    api.ok("DescribeDBInstances", json!({}));
    h.clear_faults();
    api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001" }),
    );
}

#[test]
fn hang_until_released() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times("DescribeDBInstances", Fault::Hang, 1);
    let req = api.raw_post("DescribeDBInstances", &json!({}));
    let addr = h.addr();
    let waiter = std::thread::spawn(move || raw_exchange_keepalive(addr, &req));
    eventually(|| h.hung_requests() == 1);
    // Other requests are still served meanwhile.
    api.ok("DescribeDBInstances", json!({}));
    h.release_hung();
    let answer = waiter.join().unwrap();
    let (status, _, body) = split_answer(&answer);
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["Response"]["TotalCount"], 2);
    assert_eq!(h.hung_requests(), 0);
}

/// Sends one request and reads exactly one answer (by Content-Length).
fn raw_exchange_keepalive(addr: std::net::SocketAddr, req: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(req).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
        if let Some(pos) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..pos]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if out.len() >= pos + 4 + len {
                return out;
            }
        }
    }
}

#[test]
fn hang_does_not_block_stop() {
    let h = start();
    let api = Api::new(&h);
    h.inject("DescribeDBInstances", Fault::Hang);
    let req = api.raw_post("DescribeDBInstances", &json!({}));
    let addr = h.addr();
    let waiter = std::thread::spawn(move || raw_exchange(addr, &req, WAIT));
    eventually(|| h.hung_requests() == 1);
    let t = Instant::now();
    h.stop();
    assert!(t.elapsed() < Duration::from_secs(5));
    let (bytes, closed) = waiter.join().unwrap();
    assert!(bytes.is_empty());
    assert!(closed);
}

#[test]
fn download_dropped_after_k_bytes_can_be_resumed() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0001")[0].clone();
    let tasks = ready_tasks(&api, "cmgo-demo0001", &name, &["cmgo-demo0001_0"]);
    let url = tasks[0]["Url"].as_str().unwrap().to_owned();
    let size = tasks[0]["BackupSize"].as_u64().unwrap() as usize;
    let full = api.download(&url, None).body;
    assert_eq!(full.len(), size);

    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::DropAfterBytes(10_000), 1);
    let path = url.trim_start_matches(&h.url()).to_owned();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", h.addr());
    let (bytes, closed) = raw_exchange(h.addr(), req.as_bytes(), WAIT);
    assert!(closed);
    let (status, head, body) = split_answer(&bytes);
    assert_eq!(status, 200);
    assert!(head.contains(&format!("Content-Length: {size}")));
    assert_eq!(body, full[..10_000]);

    let rest = api.download(&url, Some(&format!("bytes={}-", body.len())));
    assert_eq!(rest.status, 206);
    let mut joined = body;
    joined.extend_from_slice(&rest.body);
    assert_eq!(joined, full);
    let stats = h.stats();
    assert_eq!(stats.downloads, 3, "full, cut, rest");
    assert_eq!(
        stats.download_bytes as usize,
        size + 10_000 + (size - 10_000)
    );
}

#[test]
fn download_faults_other_than_drops() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0001")[0].clone();
    let tasks = ready_tasks(&api, "cmgo-demo0001", &name, &["cmgo-demo0001_0"]);
    let url = tasks[0]["Url"].as_str().unwrap().to_owned();
    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::BadGateway, 1);
    assert_eq!(api.download(&url, None).status, 502);
    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::error("InternalError"), 1);
    assert_eq!(api.download(&url, None).status, 500);
    assert_eq!(api.download(&url, None).status, 200);
}

#[test]
fn rate_limit_per_action() {
    let h = builder()
        .rate_limit(Some(3))
        .rate_limit_window(Duration::from_secs(3600))
        .start()
        .unwrap();
    let api = Api::new(&h);
    for _ in 0..3 {
        api.ok("DescribeDBInstances", json!({}));
    }
    let (code, msg) = api.err("DescribeDBInstances", json!({}));
    assert_eq!(code, "RequestLimitExceeded");
    assert!(msg.contains("DescribeDBInstances"));
    assert_eq!(
        api.err("DescribeDBInstances", json!({})).0,
        "RequestLimitExceeded"
    );
    // Other actions have their own budget.
    api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001" }),
    );
    let stats = h.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.requests["DescribeDBInstances"], 5);
    assert_eq!(stats.total_requests, 6);
    h.set_rate_limit(None);
    api.ok("DescribeDBInstances", json!({}));
}

#[test]
fn default_rate_limit_is_twenty_per_window() {
    let h = mongodb_emulator::Emulator::builder()
        .rate_limit_window(Duration::from_secs(3600))
        .start()
        .unwrap();
    let api = Api::new(&h);
    for _ in 0..20 {
        api.ok("DescribeDBInstances", json!({}));
    }
    assert_eq!(
        api.err("DescribeDBInstances", json!({})).0,
        "RequestLimitExceeded"
    );
}
