//! End-to-end tests of the `tcmongo` binary against the emulator, started in the test process.
//!
//! Every run gets a cleared environment with `HOME` pointing at an empty temporary directory,
//! so no real profile or proxy setting is read. Stdout and stderr are captured (not a
//! terminal), so progress is reported as plain lines.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use mongodb_emulator::{Emulator, EmulatorHandle, Fault, Progress};
use serde_json::Value;

/// A running emulator plus an empty home directory for the runs of one test.
struct Env {
    emu: EmulatorHandle,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let emu = Emulator::builder()
            .progress(Progress::Elapsed(Duration::ZERO))
            .rate_limit(None)
            .start()
            .expect("start emulator");
        Env {
            emu,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary with a clean environment and the emulator's credentials.
    fn cmd(&self) -> Command {
        let mut c = bare(self.home.path());
        c.env("TENCENTCLOUD_SECRET_ID", self.emu.secret_id())
            .env("TENCENTCLOUD_SECRET_KEY", self.emu.secret_key())
            .arg("--endpoint")
            .arg(self.emu.url());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        run_cmd(self.cmd().args(args), None)
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_cmd(self.cmd().args(args), Some(stdin))
    }
}

/// The binary with nothing in its environment but `HOME`.
fn bare(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tcmongo"));
    c.env_clear().env("HOME", home);
    c
}

fn run_cmd(c: &mut Command, stdin: Option<&str>) -> Output {
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn tcmongo");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
fn expect_code(o: &Output, expected: i32) {
    assert_eq!(
        code(o),
        expected,
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

fn json_out(o: &Output) -> Value {
    expect_code(o, 0);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn instance_ids(v: &Value) -> Vec<String> {
    v["InstanceDetails"]
        .as_array()
        .unwrap_or_else(|| panic!("no InstanceDetails: {v}"))
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect()
}

// ---- exit code 0, POST and GET ----

#[test]
fn post_and_get_succeed() {
    let env = Env::new();
    for method in ["POST", "GET"] {
        let o = env.run(&[
            "--http-method",
            method,
            "DescribeDBInstances",
            "--InstanceIds",
            "[\"cmgo-demo0002\"]",
        ]);
        let v = json_out(&o);
        assert_eq!(instance_ids(&v), ["cmgo-demo0002"], "{method}");
        assert!(v["RequestId"].is_string(), "RequestId kept: {v}");
        assert!(v.get("Response").is_none(), "no wrapper: {v}");
    }
    assert_eq!(env.emu.request_count("DescribeDBInstances"), 2);
}

#[test]
fn get_sends_nested_lists() {
    let env = Env::new();
    // BackupSets.0.ReplicaSetId=… in the query string.
    let o = env.run(&[
        "--http-method",
        "get",
        "backup",
        "create",
        "--instance-id",
        "cmgo-demo0001",
        "--wait",
    ]);
    expect_code(&o, 0);
    let name = stdout(&o).trim().to_string();
    let o = env.run(&[
        "--http-method",
        "GET",
        "CreateBackupDownloadTask",
        "--InstanceId",
        "cmgo-demo0001",
        "--BackupName",
        &name,
        "--BackupSets",
        "{\"ReplicaSetId\":\"cmgo-demo0001_0\"}",
    ]);
    let v = json_out(&o);
    assert!(v["Tasks"].is_array(), "{v}");
}

#[test]
fn action_names_are_loose() {
    let env = Env::new();
    for name in [
        "describe-db-instances",
        "describedbinstances",
        "Describe_DB_Instances",
    ] {
        let o = env.run(&[name, "--Limit", "5"]);
        let v = json_out(&o);
        assert!(instance_ids(&v).contains(&"cmgo-demo0001".to_string()));
    }
}

#[test]
fn global_flags_are_accepted_anywhere() {
    let env = Env::new();
    let o = env.run(&[
        "--region",
        "ap-guangzhou",
        "--language",
        "zh-CN",
        "--timeout",
        "30",
        "DescribeDBInstances",
        "--output",
        "json",
    ]);
    json_out(&o);
}

// ---- exit code 1 ----

#[test]
fn service_error_is_exit_1_with_code_and_request_id() {
    let env = Env::new();
    let o = env.run(&[
        "CreateBackupDBInstance",
        "--InstanceId",
        "cmgo-nosuch99",
        "--BackupMethod",
        "0",
    ]);
    expect_code(&o, 1);
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("(RequestId: "), "{err}");
    assert!(err.contains("InvalidParameter"), "{err}");
    assert!(o.stdout.is_empty());
}

// ---- exit code 2 ----

#[test]
fn unknown_action_is_exit_2() {
    let env = Env::new();
    let o = env.run(&["DescribeEverything"]);
    expect_code(&o, 2);
    assert_eq!(env.emu.stats().total_requests, 0);
}

#[test]
fn unknown_parameter_is_exit_2() {
    let env = Env::new();
    let o = env.run(&["DescribeDBInstances", "--Bogus", "1"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("--Bogus"), "{}", stderr(&o));

    let o = env.run(&["DescribeDBInstances", "--cli-input-json", "{\"Bogus\": 1}"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("Bogus"), "{}", stderr(&o));
    assert_eq!(env.emu.stats().total_requests, 0);
}

#[test]
fn wrong_type_is_exit_2_naming_the_parameter() {
    let env = Env::new();
    let o = env.run(&["DescribeDBInstances", "--Limit", "many"]);
    expect_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains("Limit") && err.to_lowercase().contains("integer"),
        "{err}"
    );

    let o = env.run(&[
        "DescribeDBInstances",
        "--cli-input-json",
        "{\"Limit\": \"many\"}",
    ]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("Limit"), "{}", stderr(&o));

    let o = env.run(&["DescribeDBInstances", "--InstanceIds", "[oops"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("InstanceIds"), "{}", stderr(&o));
    assert_eq!(env.emu.stats().total_requests, 0);
}

#[test]
fn missing_required_parameter_is_exit_2() {
    let env = Env::new();
    let o = env.run(&["CreateBackupDBInstance", "--BackupMethod", "0"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("InstanceId"), "{}", stderr(&o));
}

#[test]
fn bad_cli_input_json_is_exit_2() {
    let env = Env::new();
    for input in ["{", "[1,2]", "@/nonexistent/params.json"] {
        let o = env.run(&["DescribeDBInstances", "--cli-input-json", input]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("--cli-input-json"), "{}", stderr(&o));
    }
}

#[test]
fn bad_global_flags_are_exit_2() {
    let env = Env::new();
    expect_code(&env.run(&["--output", "yaml", "DescribeDBInstances"]), 2);
    expect_code(
        &env.run(&["--http-method", "PUT", "DescribeDBInstances"]),
        2,
    );
    expect_code(&env.run(&["--timeout", "soon", "DescribeDBInstances"]), 2);
    expect_code(&env.run(&[]), 2);
}

// ---- exit code 3 ----

#[test]
fn connection_refused_is_exit_3() {
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let o = run_cmd(
        bare(home.path())
            .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
            .env("TENCENTCLOUD_SECRET_KEY", "test-key")
            .args([
                "--endpoint",
                &url,
                "--max-attempts",
                "1",
                "DescribeDBInstances",
            ]),
        None,
    );
    expect_code(&o, 3);
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

#[test]
fn non_api_http_answer_is_exit_3() {
    // A server that answers every request with an HTML 502, like a gateway would.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let page = "<html>bad gateway</html>";
            let _ = write!(
                s,
                "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    let o = run_cmd(
        bare(home.path())
            .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
            .env("TENCENTCLOUD_SECRET_KEY", "test-key")
            .args([
                "--endpoint",
                &url,
                "--max-attempts",
                "1",
                "DescribeDBInstances",
            ]),
        None,
    );
    expect_code(&o, 3);
    assert!(stderr(&o).contains("502"), "{}", stderr(&o));
    server.join().unwrap();
}

#[test]
fn malformed_answer_is_exit_3() {
    let env = Env::new();
    env.emu.inject("DescribeDBInstances", Fault::NonJson);
    let o = env.run(&["--max-attempts", "1", "DescribeDBInstances"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("malformed"), "{}", stderr(&o));
}

#[test]
fn timeout_is_exit_3() {
    let env = Env::new();
    env.emu.inject("DescribeDBInstances", Fault::Hang);
    let o = env.run(&[
        "--max-attempts",
        "1",
        "--timeout",
        "0.3",
        "DescribeDBInstances",
    ]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));
    env.emu.clear_faults();
}

#[test]
fn service_error_while_waiting_is_exit_1() {
    let env = Env::new();
    env.emu
        .inject("DescribeAsyncRequestInfo", Fault::error("ResourceNotFound"));
    let o = env.run(&[
        "backup",
        "create",
        "--instance-id",
        "cmgo-demo0001",
        "--wait",
    ]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("ResourceNotFound"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

// ---- exit code 4 ----

#[test]
fn no_credentials_is_exit_4() {
    let env = Env::new();
    let o = run_cmd(
        bare(env.home.path()).args(["--endpoint", &env.emu.url(), "DescribeDBInstances"]),
        None,
    );
    expect_code(&o, 4);
    assert!(stderr(&o).contains("credentials"), "{}", stderr(&o));
}

#[test]
fn unusable_endpoint_is_exit_4() {
    let env = Env::new();
    let o = env.run(&["--endpoint", "ftp://example.com", "DescribeDBInstances"]);
    expect_code(&o, 4);
}

#[test]
fn profile_flag_selects_the_profile_section() {
    let env = Env::new();
    let dir = env.home.path().join(".tencentcloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        format!(
            "[default]\nsecret_id = AKIDwrong\nsecret_key = wrong\n\n[emu]\nsecret_id = {}\nsecret_key = {}\n",
            env.emu.secret_id(),
            env.emu.secret_key()
        ),
    )
    .unwrap();
    let base = || {
        let mut c = bare(env.home.path());
        c.args(["--endpoint", &env.emu.url()]);
        c
    };
    let o = run_cmd(
        base().args(["--profile", "emu", "DescribeDBInstances"]),
        None,
    );
    json_out(&o);
    // The default section's key is wrong: the service rejects the signature.
    let o = run_cmd(base().args(["DescribeDBInstances"]), None);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("AuthFailure"), "{}", stderr(&o));
}

// ---- input ----

#[test]
fn strings_convert_to_numbers() {
    let env = Env::new();
    let o = env.run(&[
        "CreateBackupDBInstance",
        "--InstanceId",
        "cmgo-demo0001",
        "--BackupMethod",
        "0",
    ]);
    let v = json_out(&o);
    assert!(!v["AsyncRequestId"].is_null(), "{v}");

    let o = env.run(&[
        "CreateBackupDBInstance",
        "--cli-input-json",
        "{\"InstanceId\": \"cmgo-demo0001\", \"BackupMethod\": \"1\"}",
    ]);
    json_out(&o);
}

#[test]
fn cli_input_json_inline_file_and_stdin() {
    let env = Env::new();
    let params = "{\"InstanceIds\": [\"cmgo-demo0001\"]}";

    let v = json_out(&env.run(&["DescribeDBInstances", "--cli-input-json", params]));
    assert_eq!(instance_ids(&v), ["cmgo-demo0001"]);

    let file = env.home.path().join("params.json");
    std::fs::write(&file, params).unwrap();
    let at = format!("@{}", file.display());
    let v = json_out(&env.run(&["DescribeDBInstances", "--cli-input-json", &at]));
    assert_eq!(instance_ids(&v), ["cmgo-demo0001"]);

    let v = json_out(&env.run_stdin(&["DescribeDBInstances", "--cli-input-json", "-"], params));
    assert_eq!(instance_ids(&v), ["cmgo-demo0001"]);
}

#[test]
fn flags_override_cli_input_json() {
    let env = Env::new();
    let o = env.run(&[
        "DescribeDBInstances",
        "--cli-input-json",
        "{\"InstanceIds\": [\"cmgo-demo0001\"]}",
        "--InstanceIds",
        "cmgo-demo0002",
    ]);
    let v = json_out(&o);
    assert_eq!(instance_ids(&v), ["cmgo-demo0002"]);
}

// ---- output, help, completions ----

#[test]
fn table_output() {
    let env = Env::new();
    let o = env.run(&[
        "--output",
        "table",
        "DescribeDBBackups",
        "--InstanceId",
        "cmgo-demo0001",
    ]);
    expect_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("TotalCount:"), "{out}");
    let header = out
        .lines()
        .find(|l| l.contains("BackupName"))
        .unwrap_or_else(|| panic!("no header:\n{out}"));
    assert!(header.contains("Status"), "{header}");
    let rule = out.lines().find(|l| l.starts_with("---")).expect("rule");
    assert!(rule.chars().all(|c| c == '-' || c == ' '));
    assert!(rule.len() >= header.trim_end().len(), "{header}\n{rule}");
    assert!(out.contains("cmgo-demo0001"), "{out}");
}

#[test]
fn action_help_lists_parameters() {
    let env = Env::new();
    let o = env.run(&["create-backup-db-instance", "--help"]);
    expect_code(&o, 0);
    let out = stdout(&o);
    for needle in [
        "--InstanceId",
        "--BackupMethod",
        "--BackupRemark",
        "--cli-input-json",
        "required",
        "Integer",
    ] {
        assert!(out.contains(needle), "{needle} missing:\n{out}");
    }
    let o = env.run(&["--help"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("CreateBackupDownloadTask"));
}

#[test]
fn completions_for_each_shell() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let o = run_cmd(bare(home.path()).args(["completions", shell]), None);
        expect_code(&o, 0);
        let out = stdout(&o);
        assert!(out.contains("tcmongo"), "{shell}");
        assert!(out.contains("DescribeDBBackups"), "{shell}");
    }
    let o = run_cmd(bare(home.path()).args(["completions", "tcsh"]), None);
    expect_code(&o, 2);
}

#[test]
fn verbose_never_prints_the_secret_key() {
    let env = Env::new();
    let o = env.run(&["--verbose", "DescribeDBInstances"]);
    expect_code(&o, 0);
    assert!(!stderr(&o).contains(env.emu.secret_key()));
    assert!(!stdout(&o).contains(env.emu.secret_key()));
}

// ---- workflow commands ----

fn assert_plain(err: &str) {
    assert!(
        !err.contains('\u{1b}'),
        "escape codes on a non-terminal:\n{err}"
    );
    assert!(
        !err.contains('\r'),
        "carriage returns on a non-terminal:\n{err}"
    );
}

#[test]
fn backup_create_list_and_download() {
    let env = Env::new();
    // Without --wait: the response object.
    let v = json_out(&env.run(&["backup", "create", "--instance-id", "cmgo-demo0002"]));
    assert!(!v["AsyncRequestId"].is_null(), "{v}");

    // With --wait: the backup's name only.
    let o = env.run(&[
        "backup",
        "create",
        "--instance-id",
        "cmgo-demo0002",
        "--method",
        "physical",
        "--remark",
        "from the test",
        "--wait",
    ]);
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let name = stdout(&o).trim().to_string();
    assert!(!name.is_empty() && !name.contains('\n'), "{name:?}");

    // list: a table by default, JSON on request.
    let o = env.run(&["backup", "list", "--instance-id", "cmgo-demo0002"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains(&name), "{}", stdout(&o));
    assert!(stdout(&o).lines().next().unwrap().starts_with("BackupName"));
    let v = json_out(&env.run(&[
        "--output",
        "json",
        "backup",
        "list",
        "--instance-id",
        "cmgo-demo0002",
    ]));
    let names: Vec<&str> = v["BackupList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["BackupName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&name.as_str()), "{v}");

    // download: every shard by default.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("files");
    let o = env.run(&[
        "backup",
        "download",
        "--instance-id",
        "cmgo-demo0002",
        "--backup-name",
        &name,
        "--out",
        dir.to_str().unwrap(),
    ]);
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let paths: Vec<PathBuf> = stdout(&o).lines().map(PathBuf::from).collect();
    assert_eq!(paths.len(), 2, "{}", stdout(&o));

    // Sizes as the service announces them.
    let tasks = json_out(&env.run(&[
        "DescribeBackupDownloadTask",
        "--InstanceId",
        "cmgo-demo0002",
        "--BackupName",
        &name,
    ]));
    for p in &paths {
        assert!(p.starts_with(&dir), "{}", p.display());
        let len = std::fs::metadata(p).unwrap().len();
        let set = if p.to_string_lossy().contains("cmgo-demo0002_1") {
            "cmgo-demo0002_1"
        } else {
            "cmgo-demo0002_0"
        };
        let task = tasks["Tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["ReplicaSetId"] == set)
            .unwrap_or_else(|| panic!("no task for {set}: {tasks}"));
        assert_eq!(Some(len), task["BackupSize"].as_u64(), "{}", p.display());
    }

    // Only one shard; its file is already complete, so nothing is fetched again.
    let downloads_before = env.emu.stats().downloads;
    let o = env.run(&[
        "backup",
        "download",
        "--instance-id",
        "cmgo-demo0002",
        "--backup-name",
        &name,
        "--replica-set",
        "cmgo-demo0002_1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    expect_code(&o, 0);
    let again: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(again.len(), 1);
    assert!(again[0].contains("cmgo-demo0002_1"));
    assert!(stderr(&o).contains("already complete"), "{}", stderr(&o));
    assert_eq!(env.emu.stats().downloads, downloads_before);

    // A partial file from an interrupted run (every attempt dropped, exit 3) is resumed, and
    // the result is identical.
    let shard0 = paths
        .iter()
        .find(|p| p.to_string_lossy().contains("cmgo-demo0002_0"))
        .unwrap();
    let full = std::fs::read(shard0).unwrap();
    std::fs::remove_file(shard0).unwrap();
    let download_shard0 = [
        "backup",
        "download",
        "--instance-id",
        "cmgo-demo0002",
        "--backup-name",
        &name,
        "--replica-set",
        "cmgo-demo0002_0",
        "--out",
        dir.to_str().unwrap(),
    ];
    env.emu.inject_times(
        mongodb_emulator::DOWNLOAD_FAULT_KEY,
        Fault::DropAfterBytes(full.len() as u64 / 10),
        5,
    );
    expect_code(&env.run(&download_shard0), 3);
    let half = std::fs::metadata(mongodb_client_blocking::part_path(shard0))
        .unwrap()
        .len();
    assert_eq!(half, full.len() as u64 / 10 * 5);
    let o = env.run(&[
        "backup",
        "download",
        "--instance-id",
        "cmgo-demo0002",
        "--backup-name",
        &name,
        "--replica-set",
        "cmgo-demo0002_0",
        "--out",
        dir.to_str().unwrap(),
    ]);
    expect_code(&o, 0);
    assert!(
        stderr(&o).contains(&format!("resumed from byte {half}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(shard0).unwrap(), full);
}

#[test]
fn backup_create_wait_json() {
    let env = Env::new();
    let o = env.run(&[
        "backup",
        "create",
        "--instance-id",
        "cmgo-demo0001",
        "--wait",
        "--output",
        "json",
    ]);
    let v = json_out(&o);
    assert_eq!(v["InstanceId"], "cmgo-demo0001");
    assert!(
        v["BackupName"].as_str().is_some_and(|n| !n.is_empty()),
        "{v}"
    );
    assert!(v["AsyncRequestId"].is_string(), "{v}");
}

#[test]
fn table_output_of_a_flat_response() {
    let env = Env::new();
    let o = env.run(&[
        "--output",
        "table",
        "CreateBackupDBInstance",
        "--InstanceId",
        "cmgo-demo0001",
        "--BackupMethod",
        "0",
    ]);
    expect_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with("AsyncRequestId:")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("RequestId:")), "{out}");
}

#[test]
fn backup_of_unknown_instance_fails_cleanly() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-nosuch99",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 1);
    assert!(o.stdout.is_empty());
}

#[test]
fn backup_run_against_a_server() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let paths: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(paths.len(), 1, "{}", stdout(&o));
    assert!(std::fs::metadata(&paths[0]).unwrap().len() > 0);
    assert!(env.emu.request_count("CreateBackupDBInstance") == 1);
    assert!(env.emu.stats().downloads >= 1);
}

/// The README's main command, exactly (apart from the output directory).
#[test]
fn readme_main_command() {
    let home = tempfile::tempdir().unwrap();
    let dead_proxy = format!("http://127.0.0.1:{}", closed_port());
    let out = home.path().join("backups");
    let o = run_cmd(
        bare(home.path())
            .env("TCMONGO_EMULATOR_FAST", "1")
            // A proxy from the environment must not capture traffic to the embedded emulator.
            .env("HTTP_PROXY", &dead_proxy)
            .env("http_proxy", &dead_proxy)
            .env("ALL_PROXY", &dead_proxy)
            .current_dir(home.path())
            .args([
                "--emulator",
                "backup",
                "run",
                "--instance-id",
                "cmgo-demo0001",
                "--out",
                "./backups",
            ]),
        None,
    );
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let paths: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(paths.len(), 1, "{}", stdout(&o));
    let file = home.path().join(&paths[0]);
    assert!(file.starts_with(&out) || Path::new(&paths[0]).starts_with("./backups"));
    let len = std::fs::metadata(&file).unwrap().len();
    // The emulator's backup files are between 256 KiB and 2 MiB.
    assert!((256 * 1024..=2 * 1024 * 1024).contains(&len), "{len}");
}

#[test]
fn emulator_env_var_works_like_the_flag() {
    let home = tempfile::tempdir().unwrap();
    let o = run_cmd(
        bare(home.path())
            .env("TCMONGO_EMULATOR", "1")
            .args(["DescribeDBInstances"]),
        None,
    );
    let v = json_out(&o);
    assert_eq!(instance_ids(&v).len(), 2, "{v}");
}

// ---- tcmongo emulator ----

/// Kills the child when the test ends, even on panic.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn emulator_subcommand_serves_until_killed() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let mut child = Killed(
        bare(home.path())
            .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
            .arg(&state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("emulator listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let o = run_cmd(
        bare(home.path())
            .env("TENCENTCLOUD_SECRET_ID", mongodb_emulator::DEMO_SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", mongodb_emulator::DEMO_SECRET_KEY)
            .args(["--endpoint", &url, "DescribeDBInstances"]),
        None,
    );
    let v = json_out(&o);
    assert_eq!(instance_ids(&v).len(), 2);
    assert!(child.0.try_wait().unwrap().is_none(), "still serving");
}

#[test]
fn emulator_subcommand_with_own_credentials_hides_the_key() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Killed(
        bare(home.path())
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--secret-id",
                "AKIDmine",
                "--secret-key",
                "my-very-secret-key",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    let mut banner = String::new();
    for _ in 0..3 {
        reader.read_line(&mut banner).unwrap();
    }
    assert!(banner.contains("AKIDmine"), "{banner}");
    assert!(!banner.contains("my-very-secret-key"), "{banner}");
    let url = banner
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("emulator listening on "))
        .unwrap()
        .to_string();
    let o = run_cmd(
        bare(home.path())
            .env("TENCENTCLOUD_SECRET_ID", "AKIDmine")
            .env("TENCENTCLOUD_SECRET_KEY", "my-very-secret-key")
            .args(["--endpoint", &url, "DescribeDBInstances"]),
        None,
    );
    json_out(&o);
}
