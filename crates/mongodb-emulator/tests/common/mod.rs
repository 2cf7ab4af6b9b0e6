//! A tiny signed-request helper for driving the emulator over loopback HTTP
//! (the SDK's client crate is not a dependency of the emulator).
#![allow(dead_code)] // reason: each test binary uses a different subset of the helpers

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mongodb_emulator::{Emulator, EmulatorBuilder, EmulatorHandle, Progress};
use serde_json::Value;
use tc_sign::{Credentials, HttpMethod, SignableBody, SigningParams};

pub const VERSION: &str = "2019-07-25";

/// A deterministic emulator: per-poll progress, no rate limit, small files.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .progress(Progress::PerPoll)
        .rate_limit(None)
        .backup_size_range(100_000, 300_000)
}

/// The clock offset that puts an emulator's clock at `unix_secs` now: for answers that
/// depend on the time (current operations), so the test doesn't depend on when it runs.
pub fn at_fixed_time(unix_secs: i64) -> i64 {
    unix_secs - now()
}

pub fn start() -> EmulatorHandle {
    builder().start().expect("emulator starts")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One HTTP request to send.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: HttpMethod,
    pub action: String,
    pub version: String,
    /// POST: the JSON body; GET: the query string (without `?`).
    pub payload: Vec<u8>,
    pub timestamp: i64,
    pub creds: Credentials,
}

/// Answer: HTTP status, headers (lower-case names), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `Response` object.
    pub fn response(&self) -> Value {
        let v = self.json();
        v.get("Response")
            .cloned()
            .unwrap_or_else(|| panic!("no Response in {v}"))
    }

    /// The error code, if the answer is an error.
    pub fn code(&self) -> Option<String> {
        self.response()["Error"]["Code"].as_str().map(str::to_owned)
    }

    pub fn message(&self) -> String {
        self.response()["Error"]["Message"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Api {
    pub addr: SocketAddr,
    pub host: String,
    pub creds: Credentials,
    pub agent: ureq::Agent,
    /// Sent as `X-TC-Region` when set.
    pub region: Option<String>,
    /// Added to the time requests are signed at: the emulator's clock offset.
    pub clock_offset_secs: i64,
}

impl Api {
    pub fn new(h: &EmulatorHandle) -> Api {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build();
        Api {
            addr: h.addr(),
            host: h.addr().to_string(),
            creds: h.credentials(),
            agent: ureq::Agent::new_with_config(config),
            region: None,
            clock_offset_secs: 0,
        }
    }

    /// A client of `h` whose clock runs `secs` ahead, as an emulator built with
    /// `clock_offset_secs(secs)` does (see [`at_fixed_time`]).
    pub fn with_clock_offset(h: &EmulatorHandle, secs: i64) -> Api {
        Api {
            clock_offset_secs: secs,
            ..Api::new(h)
        }
    }

    /// A client of `h` whose requests name `region` in `X-TC-Region`.
    pub fn in_region(h: &EmulatorHandle, region: &str) -> Api {
        Api {
            region: Some(region.to_owned()),
            ..Api::new(h)
        }
    }

    pub fn req(&self, method: HttpMethod, action: &str, payload: impl Into<Vec<u8>>) -> Req {
        Req {
            method,
            action: action.to_owned(),
            version: VERSION.to_owned(),
            payload: payload.into(),
            timestamp: now() + self.clock_offset_secs,
            creds: self.creds.clone(),
        }
    }

    /// The headers a correct client would send for `r` (without Host, which the
    /// HTTP library adds).
    pub fn sign(&self, r: &Req) -> Vec<(String, String)> {
        let (query, body) = match r.method {
            HttpMethod::Get => (std::str::from_utf8(&r.payload).unwrap(), &[][..]),
            HttpMethod::Post => ("", &r.payload[..]),
        };
        let params = SigningParams::builder()
            .method(r.method)
            .service("mongodb")
            .host(&self.host)
            .action(&r.action)
            .version(&r.version)
            .timestamp(r.timestamp)
            .query(query)
            .payload(SignableBody::Bytes(body))
            .build()
            .expect("complete signing parameters");
        tc_sign::sign(&r.creds, &params)
            .headers
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
            .collect()
    }

    /// Sends `r` with exactly `headers`.
    pub fn send_with(&self, r: &Req, headers: &[(String, String)]) -> Answer {
        let result = match r.method {
            HttpMethod::Post => {
                let mut b = self.agent.post(format!("http://{}/", self.host));
                for (k, v) in headers {
                    b = b.header(k.as_str(), v.as_str());
                }
                b.send(&r.payload[..])
            }
            HttpMethod::Get => {
                let q = String::from_utf8(r.payload.clone()).unwrap();
                let url = if q.is_empty() {
                    format!("http://{}/", self.host)
                } else {
                    format!("http://{}/?{q}", self.host)
                };
                let mut b = self.agent.get(url);
                for (k, v) in headers {
                    b = b.header(k.as_str(), v.as_str());
                }
                b.call()
            }
        };
        let mut resp = result.expect("HTTP exchange");
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .expect("body");
        Answer {
            status,
            headers,
            body,
        }
    }

    pub fn send(&self, r: &Req) -> Answer {
        let mut headers = self.sign(r);
        if let Some(region) = &self.region {
            headers.push(("X-TC-Region".to_owned(), region.clone()));
        }
        self.send_with(r, &headers)
    }

    /// POST `params` as JSON.
    pub fn post(&self, action: &str, params: Value) -> Answer {
        let r = self.req(
            HttpMethod::Post,
            action,
            serde_json::to_vec(&params).unwrap(),
        );
        self.send(&r)
    }

    /// GET with `params` form-encoded in the query.
    pub fn get(&self, action: &str, params: Value) -> Answer {
        let q = mongodb_models::form::encode(&params);
        let r = self.req(HttpMethod::Get, action, q);
        self.send(&r)
    }

    /// POST and expect success; returns the `Response` object.
    pub fn ok(&self, action: &str, params: Value) -> Value {
        let a = self.post(action, params);
        assert_eq!(a.status, 200);
        let r = a.response();
        assert!(r.get("Error").is_none(), "{action} failed: {r}");
        assert!(r["RequestId"].as_str().is_some_and(|s| !s.is_empty()));
        r
    }

    /// POST and expect an error; returns its code.
    pub fn err(&self, action: &str, params: Value) -> (String, String) {
        let a = self.post(action, params);
        assert_eq!(a.status, 200);
        let code = a
            .code()
            .unwrap_or_else(|| panic!("{action} succeeded: {}", a.response()));
        (code, a.message())
    }

    /// Downloads `url` (optionally with a Range header).
    pub fn download(&self, url: &str, range: Option<&str>) -> Answer {
        let range: Vec<(&str, &str)> = range.map(|r| ("Range", r)).into_iter().collect();
        self.get_with(url, &range)
    }

    /// GETs `url` with extra headers (no signature: for the file store).
    pub fn get_with(&self, url: &str, headers: &[(&str, &str)]) -> Answer {
        let mut b = self.agent.get(url);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let mut resp = b.call().expect("an HTTP answer");
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// The raw bytes of a signed POST request for `action`, ready to write on a socket.
    pub fn raw_post(&self, action: &str, params: &Value) -> Vec<u8> {
        let body = serde_json::to_vec(params).unwrap();
        let r = self.req(HttpMethod::Post, action, body.clone());
        let mut text = format!("POST / HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (k, v) in self.sign(&r) {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&body);
        bytes
    }
}

/// Writes `request` on a fresh connection and reads until the server closes it
/// (or `wait` passes without any byte). Returns what was read.
pub fn raw_exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> (Vec<u8>, bool) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (out, closed)
}

/// Splits a raw HTTP answer into (status, head text, body bytes).
pub fn split_answer(raw: &[u8]) -> (u16, String, Vec<u8>) {
    let pos = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..pos]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, raw[pos + 4..].to_vec())
}

/// Polls `DescribeAsyncRequestInfo` until success; returns the statuses seen.
pub fn wait_async(api: &Api, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..20 {
        let r = api.ok(
            "DescribeAsyncRequestInfo",
            serde_json::json!({ "AsyncRequestId": id }),
        );
        let status = r["Status"].as_str().unwrap().to_owned();
        seen.push(status.clone());
        if status == "success" {
            return seen;
        }
    }
    panic!("async request {id} never finished: {seen:?}");
}

/// Creates a backup and waits for it; returns its name.
pub fn make_backup(api: &Api, instance: &str) -> String {
    let before: Vec<String> = backup_names(api, instance);
    let r = api.ok(
        "CreateBackupDBInstance",
        serde_json::json!({ "InstanceId": instance, "BackupMethod": 0, "BackupRemark": "test" }),
    );
    let id = r["AsyncRequestId"].as_str().unwrap().to_owned();
    wait_async(api, &id);
    backup_names(api, instance)
        .into_iter()
        .find(|n| !before.contains(n))
        .expect("a new backup")
}

pub fn backup_names(api: &Api, instance: &str) -> Vec<String> {
    let r = api.ok(
        "DescribeDBBackups",
        serde_json::json!({ "InstanceId": instance }),
    );
    r["BackupList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["BackupName"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates download tasks for every set and polls until all are done; returns the tasks.
pub fn ready_tasks(api: &Api, instance: &str, backup: &str, sets: &[&str]) -> Vec<Value> {
    let backup_sets: Vec<Value> = sets
        .iter()
        .map(|s| serde_json::json!({ "ReplicaSetId": s }))
        .collect();
    api.ok(
        "CreateBackupDownloadTask",
        serde_json::json!({ "InstanceId": instance, "BackupName": backup, "BackupSets": backup_sets }),
    );
    for _ in 0..20 {
        let r = api.ok(
            "DescribeBackupDownloadTask",
            serde_json::json!({ "InstanceId": instance, "BackupName": backup }),
        );
        let tasks = r["Tasks"].as_array().unwrap().clone();
        if tasks.iter().all(|t| t["Status"] == 2) {
            return tasks;
        }
    }
    panic!("download tasks never finished");
}

/// `DescribeDBInstances` of instance `id`: its `InstanceDetails[0]`.
pub fn detail(api: &Api, id: &str) -> Value {
    let r = api.ok(
        "DescribeDBInstances",
        serde_json::json!({ "InstanceIds": [id] }),
    );
    r["InstanceDetails"][0].clone()
}

/// The state the emulator keeps of instance `id` (in `ap-guangzhou`).
pub fn kept(h: &EmulatorHandle, id: &str) -> Value {
    let state = h.dump_state();
    state["regions"]["ap-guangzhou"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap()
}

/// The `FlowId` of an answer, as text.
pub fn flow(r: &Value) -> String {
    r["FlowId"].to_string()
}
