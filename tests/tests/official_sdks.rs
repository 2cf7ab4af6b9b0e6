//! The official Tencent Cloud SDKs for Python and Node.js, unchanged, against `tcmongo
//! emulator` on a free port: the seed flow by POST and by GET (with polling, download tasks and
//! the files' CRC-64 checked against `x-cos-hash-crc64ecma`), the error cases as each SDK's
//! exception type reports them, and the legacy HmacSHA1/HmacSHA256 signatures; and every action
//! of the API, sent by the Python SDK with its published example, modelled by the emulator.
//!
//! The SDKs are installed (pinned) by `xtask/sdk-check/install.sh`, which `.ci/run` and
//! `cargo xtask sdk-check` run; this test finds them through `TCMONGO_OFFICIAL_SDKS` (the
//! install directory). Without that variable it says so and passes, so that `cargo test`
//! works on a machine without Python packages or npm.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::examples;

const SDKS_VAR: &str = "TCMONGO_OFFICIAL_SDKS";
const SEED_FLOW: &str = "seed flow, errors and legacy signatures";

/// The install directory of the official SDKs, or `None` (the test is then skipped).
fn sdk_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os(SDKS_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            println!(
                "skipped {test}: {SDKS_VAR} is not set (run xtask/sdk-check/install.sh DIR and set {SDKS_VAR}=DIR, or `cargo xtask sdk-check`)"
            );
            None
        }
    }
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../xtask/sdk-check")
        .join(name)
}

/// `tcmongo emulator` on a free loopback port, killed on drop.
struct Emulator {
    child: Child,
    /// `127.0.0.1:<port>`.
    addr: String,
    agent: ureq::Agent,
}

impl Emulator {
    fn start() -> Emulator {
        let home = std::env::temp_dir();
        let mut child = Command::new(common::tcmongo())
            .env_clear()
            .env("HOME", home)
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tcmongo emulator");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut first).unwrap();
        let addr = first
            .trim()
            .strip_prefix("emulator listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(20)))
            .build();
        let emu = Emulator {
            child,
            addr,
            agent: ureq::Agent::new_with_config(config),
        };
        // One step per poll: the scripts see every stage of the work, with no clock involved.
        emu.control("POST", "progress", Some(json!({ "mode": "per_poll" })));
        emu
    }

    /// A control-plane call; returns its JSON answer.
    fn control(&self, method: &str, op: &str, body: Option<Value>) -> Value {
        let url = format!("http://{}/_emulator/{op}", self.addr);
        let mut resp = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        }
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        serde_json::from_reader(resp.body_mut().as_reader()).unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs an SDK script against `emu` with `arg` (its output directory or input file); returns
/// its JSON report.
fn run_script(mut cmd: Command, emu: &Emulator, arg: &Path, what: &str) -> Value {
    let started = Instant::now();
    let o = cmd
        .arg(&emu.addr)
        .arg(arg)
        .stdin(Stdio::null())
        .output()
        .expect("run the SDK script");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "the SDK script failed ({}):\n{stdout}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {stdout}"));
    println!(
        "{}: {what} in {:.1} s",
        report["sdk"].as_str().unwrap_or("?"),
        started.elapsed().as_secs_f64()
    );
    report
}

/// Checks a report: four flows (POST and GET × both demo instances), each polled through
/// every stage, each file intact; the error cases; the legacy signatures.
fn check_report(report: &Value, exception: &str) {
    let flows = report["flows"].as_array().unwrap();
    let mut seen = Vec::new();
    for flow in flows {
        let (method, instance) = (
            flow["method"].as_str().unwrap(),
            flow["instance"].as_str().unwrap(),
        );
        seen.push(format!("{method} {instance}"));
        assert_eq!(flow["new_backups"].as_array().unwrap().len(), 1, "{flow}");
        assert_eq!(
            flow["async_statuses"],
            json!(["initial", "running", "success"]),
            "{flow}"
        );
        let statuses = flow["task_statuses"].as_array().unwrap();
        let sets = if instance == "cmgo-demo0002" { 2 } else { 1 };
        assert_eq!(statuses.first().unwrap(), &json!(vec![0; sets]), "{flow}");
        assert_eq!(statuses.last().unwrap(), &json!(vec![2; sets]), "{flow}");
        let mut replica_sets = Vec::new();
        for file in flow["files"].as_array().unwrap() {
            replica_sets.push(file["replica_set"].as_str().unwrap().to_owned());
            let bytes = std::fs::read(file["path"].as_str().unwrap()).unwrap();
            assert_eq!(
                bytes.len() as u64,
                file["backup_size"].as_u64().unwrap(),
                "{file}"
            );
            assert!(bytes.len() >= 64 * 1024, "{file}");
            let header: u64 = file["crc64"].as_str().unwrap().parse().unwrap();
            let crc = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, &bytes);
            assert_eq!(crc, header, "CRC-64 of {file}");
        }
        replica_sets.sort();
        let want: Vec<String> = (0..sets).map(|i| format!("{instance}_{i}")).collect();
        assert_eq!(replica_sets, want, "{flow}");
    }
    assert_eq!(
        seen,
        [
            "POST cmgo-demo0001",
            "POST cmgo-demo0002",
            "GET cmgo-demo0001",
            "GET cmgo-demo0002"
        ]
    );

    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4, "{errors:?}");
    for e in errors {
        let case = e["case"].as_str().unwrap();
        let want = if case.starts_with("unknown_instance/") {
            "InvalidParameterValue.NotFoundInstance"
        } else {
            "AuthFailure.SignatureFailure"
        };
        assert_eq!(e["code"], want, "{e}");
        assert_eq!(e["exception"], exception, "{e}");
        assert!(
            e["request_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{e}"
        );
    }

    let legacy = report["legacy"].as_array().unwrap();
    assert_eq!(legacy.len(), 3, "{legacy:?}");
    assert!(legacy.iter().all(|l| l["total"] == 1), "{legacy:?}");
}

/// Checks the emulator's request log: the SDK's calls arrived by POST and by GET, signed with
/// TC3 and with both legacy methods, and failed only where the script meant them to.
fn check_requests(emu: &Emulator, client_prefix: &str) {
    let log = emu.control("GET", "requests", None);
    let entries: Vec<&Value> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["request_client"]
                .as_str()
                .is_some_and(|c| c.starts_with(client_prefix))
        })
        .collect();
    let has = |method: &str, action: &str, signature: &str| {
        entries.iter().any(|e| {
            e["method"] == method && e["action"] == action && e["signature_method"] == signature
        })
    };
    for method in ["POST", "GET"] {
        for action in [
            "CreateBackupDBInstance",
            "DescribeAsyncRequestInfo",
            "DescribeDBBackups",
            "CreateBackupDownloadTask",
            "DescribeBackupDownloadTask",
        ] {
            assert!(
                has(method, action, "TC3-HMAC-SHA256"),
                "no {method} {action} from {client_prefix}"
            );
        }
    }
    assert!(has("POST", "DescribeDBInstances", "HmacSHA256"));
    assert!(has("GET", "DescribeDBInstances", "HmacSHA256"));
    assert!(has("GET", "DescribeDBInstances", "HmacSHA1"));
    let mut codes: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["error_code"].as_str())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SignatureFailure",
            "InvalidParameterValue.NotFoundInstance",
            "InvalidParameterValue.NotFoundInstance"
        ]
    );
}

#[test]
fn the_official_python_sdk_runs_the_seed_flow() {
    let Some(dir) = sdk_dir("the_official_python_sdk_runs_the_seed_flow") else {
        return;
    };
    let emu = Emulator::start();
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(dir.join("python/bin/python"));
    cmd.arg(script("python_flow.py"));
    let report = run_script(cmd, &emu, out.path(), SEED_FLOW);
    assert!(report["sdk"]
        .as_str()
        .unwrap()
        .starts_with("tencentcloud-sdk-python 3."));
    check_report(&report, "TencentCloudSDKException");
    check_requests(&emu, "SDK_PYTHON_");
}

#[test]
fn the_official_nodejs_sdk_runs_the_seed_flow() {
    let Some(dir) = sdk_dir("the_official_nodejs_sdk_runs_the_seed_flow") else {
        return;
    };
    let emu = Emulator::start();
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("node");
    cmd.env("NODE_PATH", dir.join("node/node_modules"))
        .arg(script("node_flow.js"));
    let report = run_script(cmd, &emu, out.path(), SEED_FLOW);
    assert!(report["sdk"]
        .as_str()
        .unwrap()
        .starts_with("tencentcloud-sdk-nodejs 4."));
    check_report(&report, "TencentCloudSDKHttpException");
    check_requests(&emu, "SDK_NODEJS_");
}

/// Every action of the models' registry with its published example parameters (instance ids
/// mapped to the seeded demo instance), as the Python script takes them.
fn every_action_plan(emu: &Emulator) -> Value {
    let spec = examples::spec();
    let calls: Vec<Value> = mongodb_models::actions()
        .iter()
        .map(|a| {
            let params = examples::action_example(&spec, a.name, examples::Ids::Demo);
            json!({ "action": a.name, "params": params })
        })
        .collect();
    json!({
        "reset_url": format!("http://{}/_emulator/reset", emu.addr),
        "calls": calls,
    })
}

#[test]
fn the_official_python_sdk_finds_every_action_modelled() {
    let Some(dir) = sdk_dir("the_official_python_sdk_finds_every_action_modelled") else {
        return;
    };
    let emu = Emulator::start();
    let plan = every_action_plan(&emu);
    let sent: Vec<&str> = plan["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(sent.len(), 97, "the registry holds every action of the API");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), plan.to_string()).unwrap();
    let mut cmd = Command::new(dir.join("python/bin/python"));
    cmd.arg(script("python_every_action.py"));
    let report = run_script(cmd, &emu, file.path(), "every action");

    let results = report["results"].as_array().unwrap();
    let answered: Vec<&str> = results
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(answered, sent, "one answer per action, in order");
    // Business errors from the example data are fine (an example id that is not the demo's);
    // they are counted and shown. An action the emulator does not model is not.
    let mut by_code: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in results {
        let code = r["code"].as_str().unwrap_or("(success)");
        by_code
            .entry(code)
            .or_default()
            .push(r["action"].as_str().unwrap());
    }
    for (code, actions) in &by_code {
        println!("{code}: {} {}", actions.len(), actions.join(", "));
    }
    let unsupported = by_code
        .get("UnsupportedOperation")
        .cloned()
        .unwrap_or_default();
    assert!(
        unsupported.is_empty(),
        "{} of 97 actions are not modelled by the emulator (UnsupportedOperation): {}",
        unsupported.len(),
        unsupported.join(", ")
    );
}
