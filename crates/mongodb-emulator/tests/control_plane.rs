//! The control plane over HTTP (`/_emulator/…`, driven with ureq): each operation, and its
//! effect seen through the API; who may use it; what it never touches.

mod common;

use std::time::Duration;

use common::{builder, make_backup, start, Api};
use mongodb_emulator::{Emulator, EmulatorHandle, Fault, InstanceSpec, ANY_ACTION};
use serde_json::{json, Value};

/// A control-plane client: JSON in, status and JSON out.
struct Control {
    base: String,
    agent: ureq::Agent,
    token: Option<String>,
}

impl Control {
    fn new(h: &EmulatorHandle) -> Control {
        Control::at(h.control_url(), None)
    }

    fn at(base: String, token: Option<&str>) -> Control {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build();
        Control {
            base,
            agent: ureq::Agent::new_with_config(config),
            token: token.map(str::to_owned),
        }
    }

    /// Sends `method /_emulator/<op>` with `body` (if any); returns status, headers, JSON.
    fn call(
        &self,
        method: &str,
        op: &str,
        body: Option<Value>,
    ) -> (u16, ureq::http::HeaderMap, Value) {
        let url = format!("{}/{op}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let text = body.map(|b| b.to_string()).unwrap_or_default();
        let req = req
            .header("Content-Type", "application/json")
            .body(text)
            .unwrap();
        let mut resp = self.agent.run(req).expect("control exchange");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.body_mut().read_to_string().unwrap();
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, headers, value)
    }

    fn ok(&self, method: &str, op: &str, body: Option<Value>) -> Value {
        let (status, _, v) = self.call(method, op, body);
        assert_eq!(status, 200, "{method} {op}: {v}");
        v
    }
}

fn instance_ids(api: &Api) -> Vec<String> {
    let r = api.ok("DescribeDBInstances", json!({}));
    r["InstanceDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_owned())
        .collect()
}

fn backup_count(api: &Api, instance: &str) -> usize {
    let r = api.ok("DescribeDBBackups", json!({ "InstanceId": instance }));
    r["BackupList"].as_array().unwrap().len()
}

#[test]
fn reset_goes_back_to_the_seeded_state() {
    let h = start();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    make_backup(&api, "cmgo-demo0001");
    h.add_instance(InstanceSpec::replica_set("cmgo-extra001"))
        .unwrap();
    h.inject(ANY_ACTION, Fault::error("InternalError"));
    assert_eq!(api.err("DescribeDBInstances", json!({})).0, "InternalError");

    let v = ctl.ok("POST", "reset", None);
    assert_eq!(v["instances"], json!(["cmgo-demo0001", "cmgo-demo0002"]));
    // The fault is gone, the added instance and the new backup too.
    assert_eq!(instance_ids(&api), ["cmgo-demo0001", "cmgo-demo0002"]);
    assert_eq!(backup_count(&api, "cmgo-demo0001"), 1);
    assert_eq!(h.requests().len(), 2, "the log starts afresh");
}

#[test]
fn state_dumps_and_loads_in_the_state_file_format() {
    let h = start();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    let mut state = ctl.ok("GET", "state", None);
    assert_eq!(state, h.dump_state(), "both doors show the same state");
    assert_eq!(state["format"], 2);
    let instances = &mut state["regions"]["ap-guangzhou"]["instances"];
    assert_eq!(instances.as_array().unwrap().len(), 2);

    // Drop the sharded instance and load the result.
    instances
        .as_array_mut()
        .unwrap()
        .retain(|i| i["id"] == "cmgo-demo0001");
    let v = ctl.ok("PUT", "state", Some(state.clone()));
    assert_eq!(v["instances"], json!(["cmgo-demo0001"]));
    assert_eq!(instance_ids(&api), ["cmgo-demo0001"]);

    // Something that is not a state is refused, naming the problem, and changes nothing.
    let (status, _, v) = ctl.call("PUT", "state", Some(json!({ "instances": [] })));
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("format"),
        "{v}"
    );
    let (status, _, v) = ctl.call(
        "PUT",
        "state",
        Some(json!({ "format": 99, "next_id": 1, "regions": {} })),
    );
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("99"),
        "{v}"
    );
    assert_eq!(instance_ids(&api), ["cmgo-demo0001"]);
    assert!(h.load_state(json!("nope")).is_err());
}

#[test]
fn state_loaded_over_http_reaches_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let h = builder().state_file(&file).start().unwrap();
    let ctl = Control::new(&h);
    let mut state = ctl.ok("GET", "state", None);
    let instances = |v: &Value| {
        v["regions"]["ap-guangzhou"]["instances"]
            .as_array()
            .unwrap()
            .len()
    };
    state["regions"]["ap-guangzhou"]["instances"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    ctl.ok("PUT", "state", Some(state));
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(instances(&saved), 1);
    ctl.ok("POST", "reset", None);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(instances(&saved), 2);
}

#[test]
fn instances_added_over_http_show_in_the_api() {
    let h = start();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    let spec = json!({ "instance_id": "cmgo-http0001", "sharded": true, "shards": 3, "name": "from curl" });
    let v = ctl.ok("POST", "instances", Some(spec.clone()));
    assert_eq!(v["instance_id"], "cmgo-http0001");
    let r = api.ok(
        "DescribeDBInstances",
        json!({ "InstanceIds": ["cmgo-http0001"] }),
    );
    let detail = &r["InstanceDetails"][0];
    assert_eq!(detail["InstanceName"], "from curl");
    assert_eq!(
        detail["ReplicaSets"].as_array().unwrap().len(),
        3,
        "{detail}"
    );

    let (status, _, v) = ctl.call("POST", "instances", Some(spec));
    assert_eq!(status, 409, "{v}");
    let (status, _, v) = ctl.call("POST", "instances", Some(json!({ "instance": "x" })));
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("instance"),
        "{v}"
    );
}

#[test]
fn faults_injected_over_http_hit_the_api_and_downloads() {
    let h = start();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    let v = ctl.ok(
        "POST",
        "faults",
        Some(json!({ "key": "DescribeDBInstances", "fault": { "kind": "error", "code": "InternalError" }, "times": 1 })),
    );
    assert_eq!(v["fault"]["kind"], "error");
    assert_eq!(api.err("DescribeDBInstances", json!({})).0, "InternalError");
    assert_eq!(
        instance_ids(&api).len(),
        2,
        "counted: used up after one request"
    );

    ctl.ok(
        "POST",
        "faults",
        Some(json!({ "action": "DescribeDBInstances", "fault": { "kind": "http_status", "status": 503 } })),
    );
    assert_eq!(api.post("DescribeDBInstances", json!({})).status, 503);
    assert_eq!(api.post("DescribeDBInstances", json!({})).status, 503);
    let v = ctl.ok("DELETE", "faults?key=DescribeDBInstances", None);
    assert_eq!(v["cleared"], "DescribeDBInstances");
    assert_eq!(instance_ids(&api).len(), 2);

    // The download key, with a fault that acts on the file store.
    let backup = make_backup(&api, "cmgo-demo0001");
    let tasks = common::ready_tasks(&api, "cmgo-demo0001", &backup, &["cmgo-demo0001_0"]);
    let url = tasks[0]["Url"].as_str().unwrap();
    ctl.ok(
        "POST",
        "faults",
        Some(json!({ "key": "download", "fault": { "kind": "access_denied" } })),
    );
    assert_eq!(api.download(url, None).status, 403);
    ctl.ok("DELETE", "faults", None);
    assert_eq!(api.download(url, None).status, 200);

    for bad in [
        json!({ "key": "", "fault": { "kind": "disconnect" } }),
        json!({ "key": "X", "fault": { "kind": "explode" } }),
        json!({ "key": "X" }),
    ] {
        let (status, _, v) = ctl.call("POST", "faults", Some(bad));
        assert_eq!(status, 400, "{v}");
    }
}

#[test]
fn the_clock_moves_over_http() {
    let h = start();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    // An hour ahead: a request signed now is more than five minutes off.
    assert_eq!(
        ctl.ok("POST", "clock", Some(json!({ "offset_secs": 3600 })))["offset_secs"],
        3600
    );
    assert_eq!(
        api.err("DescribeDBInstances", json!({})).0,
        "AuthFailure.SignatureExpire"
    );
    let v = ctl.ok("POST", "clock", Some(json!({ "advance_secs": -3590 })));
    assert_eq!(v["offset_secs"], 10);
    assert_eq!(instance_ids(&api).len(), 2);
    assert_eq!(
        h.advance_clock_secs(-10),
        0,
        "the Rust door moves the same clock"
    );
    let (status, _, v) = ctl.call(
        "POST",
        "clock",
        Some(json!({ "offset_secs": 1, "advance_secs": 1 })),
    );
    assert_eq!(status, 400, "{v}");
}

#[test]
fn progress_is_set_and_advanced_over_http() {
    let h = start(); // per-poll
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 0 }),
    );
    let id = r["AsyncRequestId"].as_str().unwrap().to_owned();
    let v = ctl.ok("POST", "progress", Some(json!({ "advance": 2 })));
    assert_eq!(v["advanced"], 1);
    assert_eq!(v["progress"], json!({ "mode": "per_poll" }));
    // Two steps on: the first poll already says success, and the backup is there.
    let r = api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }));
    assert_eq!(r["Status"], "success");
    assert_eq!(backup_count(&api, "cmgo-demo0002"), 2);

    // Elapsed with zero-length phases: new work is done at once.
    let v = ctl.ok(
        "POST",
        "progress",
        Some(json!({ "mode": "elapsed", "phase_ms": 0 })),
    );
    assert_eq!(v["progress"], json!({ "mode": "elapsed", "phase_ms": 0 }));
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    );
    let r = api.ok(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": r["AsyncRequestId"] }),
    );
    assert_eq!(r["Status"], "success");

    // Elapsed with long phases: advancing moves the clock-based work on.
    ctl.ok(
        "POST",
        "progress",
        Some(json!({ "mode": "elapsed", "phase_ms": 3_600_000 })),
    );
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    );
    let id = r["AsyncRequestId"].clone();
    let r = api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }));
    assert_eq!(r["Status"], "initial");
    assert_eq!(h.advance_work(1), 1, "the Rust door advances the same work");
    let r = api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }));
    assert_eq!(r["Status"], "running");

    for bad in [
        json!({}),
        json!({ "mode": "elapsed" }),
        json!({ "mode": "soon" }),
    ] {
        let (status, _, v) = ctl.call("POST", "progress", Some(bad));
        assert_eq!(status, 400, "{v}");
    }
}

#[test]
fn the_request_log_shows_calls_without_their_secrets() {
    let h = builder()
        .account_with_token(
            "AKIDtemporary01",
            "temporary-secret-key",
            "session-token-xyz",
        )
        .start()
        .unwrap();
    let (mut api, ctl) = (Api::new(&h), Control::new(&h));
    api.ok("DescribeDBInstances", json!({}));
    api.get("DescribeDBBackups", json!({ "InstanceId": "cmgo-nope" }));
    let tasks = {
        let backup = make_backup(&api, "cmgo-demo0001");
        common::ready_tasks(&api, "cmgo-demo0001", &backup, &["cmgo-demo0001_0"])
    };
    let url = tasks[0]["Url"].as_str().unwrap().to_owned();
    assert_eq!(api.download(&url, None).status, 200);
    api.creds = tc_sign::Credentials::new("AKIDtemporary01", "temporary-secret-key")
        .unwrap()
        .with_token("session-token-xyz")
        .unwrap();
    api.ok("DescribeDBInstances", json!({}));

    let v = ctl.ok("GET", "requests", None);
    let entries = v["requests"].as_array().unwrap();
    assert_eq!(
        serde_json::to_value(h.requests()).unwrap(),
        v["requests"],
        "both doors show the same log"
    );
    let first = &entries[0];
    assert_eq!(first["action"], "DescribeDBInstances");
    assert_eq!(first["method"], "POST");
    assert_eq!(first["kind"], "api");
    assert_eq!(first["status"], 200);
    assert_eq!(first["secret_id"], h.secret_id());
    assert_eq!(first["signature_method"], "TC3-HMAC-SHA256");
    assert!(first["error_code"].is_null());
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    let second = &entries[1];
    assert_eq!(
        (second["method"].as_str(), second["action"].as_str()),
        (Some("GET"), Some("DescribeDBBackups"))
    );
    assert_eq!(
        second["error_code"],
        "InvalidParameterValue.NotFoundInstance"
    );
    let download = entries.iter().find(|e| e["kind"] == "download").unwrap();
    assert!(url.contains('?') && !download["path"].as_str().unwrap().contains('?'));
    let last = entries.last().unwrap();
    assert_eq!(last["secret_id"], "AKIDtemporary01");

    let text = v.to_string();
    let query = url.split_once('?').unwrap().1;
    for secret in [
        h.secret_key(),
        "temporary-secret-key",
        "session-token-xyz",
        query,
        "Signature=",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
}

#[test]
fn control_requests_skip_faults_the_rate_limit_and_the_counters() {
    let h = builder()
        .rate_limit(Some(1))
        .rate_limit_window(Duration::from_secs(3600))
        .start()
        .unwrap();
    let (api, ctl) = (Api::new(&h), Control::new(&h));
    ctl.ok(
        "POST",
        "faults",
        Some(json!({ "key": "*", "fault": { "kind": "disconnect" } })),
    );
    for _ in 0..5 {
        ctl.ok("GET", "requests", None);
        ctl.ok("POST", "clock", Some(json!({ "advance_secs": 0 })));
    }
    assert_eq!(h.stats().total_requests, 0);
    ctl.ok("DELETE", "faults", None);
    assert_eq!(instance_ids(&api).len(), 2);
    assert_eq!(
        api.err("DescribeDBInstances", json!({})).0,
        "RequestLimitExceeded"
    );
    ctl.ok("GET", "state", None);
}

#[test]
fn unknown_operations_and_wrong_methods_are_named() {
    let h = start();
    let ctl = Control::new(&h);
    let v = ctl.ok("GET", "", None);
    assert_eq!(v["operations"].as_array().unwrap().len(), 9, "{v}");
    let (status, _, v) = ctl.call("POST", "explode", Some(json!({})));
    assert_eq!(status, 404, "{v}");
    let (status, headers, v) = ctl.call("GET", "faults", None);
    assert_eq!(status, 405, "{v}");
    assert_eq!(headers["allow"], "POST, DELETE");
}

#[test]
fn beyond_loopback_the_control_plane_demands_its_token() {
    let h = Emulator::builder()
        .listen("0.0.0.0:0")
        .control_token("ctl-token-123")
        .start()
        .unwrap();
    // Reached through loopback, but the emulator listens beyond it: the token is required.
    let base = format!("http://127.0.0.1:{}/_emulator", h.addr().port());
    let (status, headers, v) = Control::at(base.clone(), None).call("GET", "state", None);
    assert_eq!(status, 401, "{v}");
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--control-token"));
    let (status, _, _) =
        Control::at(base.clone(), Some("ctl-token-124")).call("POST", "reset", None);
    assert_eq!(status, 401);
    let ok = Control::at(base, Some("ctl-token-123"));
    ok.ok(
        "POST",
        "instances",
        Some(json!({ "instance_id": "cmgo-lan00001" })),
    );
    assert!(h.dump_state().to_string().contains("cmgo-lan00001"));
}

#[test]
fn a_token_given_on_loopback_is_demanded_too() {
    let h = builder().control_token("loop-token").start().unwrap();
    let (status, _, _) = Control::new(&h).call("GET", "requests", None);
    assert_eq!(status, 401);
    Control::at(h.control_url(), Some("loop-token")).ok("GET", "requests", None);
}

#[test]
fn beyond_loopback_without_a_token_the_emulator_refuses_to_start() {
    let err = Emulator::builder().listen("0.0.0.0:0").start().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let text = err.to_string();
    assert!(
        text.contains("--control-token") && text.contains("control_token"),
        "{text}"
    );
    let err = Emulator::builder()
        .listen("0.0.0.0:0")
        .control_token("has space")
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("control token"), "{err}");
}

/// The token check compares in constant time: `ControlToken::admits` goes through
/// `secrets_equal`, which compares SHA-256 digests with `subtle`'s `ct_eq`, and no `==` on
/// the token itself.
#[test]
fn the_control_token_is_compared_in_constant_time() {
    let src = |f: &str| {
        std::fs::read_to_string(format!("{}/src/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let access = src("access.rs");
    let equal = access.split("fn secrets_equal").nth(1).unwrap();
    let equal = &equal[..equal.find("\n}\n").unwrap()];
    assert!(equal.contains(".ct_eq("), "{equal}");
    assert!(access.contains("use subtle::ConstantTimeEq;"));
    let admits = access.split("fn admits").nth(1).unwrap();
    let admits = &admits[..admits.find("\n    }\n").unwrap()];
    assert!(admits.contains("secrets_equal("), "{admits}");
    assert!(!admits.contains("self.0 =="), "{admits}");
    assert!(src("control/route.rs").contains("token.admits(req.header(\"authorization\"))"));
}
