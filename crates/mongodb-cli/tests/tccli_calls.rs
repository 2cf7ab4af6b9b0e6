//! End-to-end: tccli's ways of calling an action: the `mongodb` service word, dotted
//! parameters, `--waiter`, and `--endpoint` given as a bare host.

use mongodb_emulator::Progress;
use serde_json::Value;
use test_support::{Reply, TestServer};

mod common;

use common::*;

#[test]
fn the_service_word_is_accepted_and_ignored() {
    let env = Env::new();
    let v = json_out(&env.run(&["mongodb", "DescribeDBInstances", "--Limit", "5"]));
    assert_eq!(instance_ids(&v), ["cmgo-demo0001", "cmgo-demo0002"]);
    let v = json_out(&env.run(&[
        "--region",
        "ap-guangzhou",
        "mongodb",
        "describe-db-instances",
        "--InstanceIds",
        "cmgo-demo0002",
    ]));
    assert_eq!(instance_ids(&v), ["cmgo-demo0002"]);
    assert_eq!(env.emu.request_count("DescribeDBInstances"), 2);
    // The service word alone is no action.
    expect_code(&env.run(&["mongodb"]), 2);
}

/// Starts a backup of `instance`, waits for it, and returns its name.
fn new_backup(env: &Env, instance: &str) -> String {
    let o = env.run(&["backup", "create", "--instance-id", instance, "--wait"]);
    expect_code(&o, 0);
    stdout(&o).trim().to_string()
}

#[test]
fn dotted_parameters_send_what_the_json_form_sends() {
    let env = Env::new();
    let name = new_backup(&env, "cmgo-demo0002");
    let tasks = |extra: &[&str]| -> Value {
        let mut args = vec![
            "CreateBackupDownloadTask",
            "--InstanceId",
            "cmgo-demo0002",
            "--BackupName",
            &name,
            "--filter",
            "Tasks[].ReplicaSetId",
        ];
        args.extend_from_slice(extra);
        json_out(&env.run(&args))
    };
    let dotted = tasks(&[
        "--BackupSets.1.ReplicaSetId",
        "cmgo-demo0002_1",
        "--BackupSets.0.ReplicaSetId=cmgo-demo0002_0",
    ]);
    let json = tasks(&[
        "--BackupSets",
        r#"[{"ReplicaSetId":"cmgo-demo0002_0"},{"ReplicaSetId":"cmgo-demo0002_1"}]"#,
    ]);
    assert_eq!(
        dotted,
        serde_json::json!(["cmgo-demo0002_0", "cmgo-demo0002_1"])
    );
    assert_eq!(dotted, json);
    // One shard only, by parts: the emulator prepares that one alone.
    let one = tasks(&["--BackupSets.0.ReplicaSetId", "cmgo-demo0002_1"]);
    assert_eq!(one, serde_json::json!(["cmgo-demo0002_1"]));
    assert_eq!(env.emu.request_count("CreateBackupDownloadTask"), 3);

    // Dotted parts win over the key in --cli-input-json, like any flag; over GET too.
    let o = env.run(&[
        "--http-method",
        "GET",
        "DescribeDBInstances",
        "--cli-input-json",
        r#"{"InstanceIds": ["cmgo-demo0001"]}"#,
        "--InstanceIds.0",
        "cmgo-demo0002",
    ]);
    assert_eq!(instance_ids(&json_out(&o)), ["cmgo-demo0002"]);
}

#[test]
fn dotted_mistakes_are_exit_2_naming_the_argument() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "CreateBackupDownloadTask",
                "--InstanceId",
                "cmgo-demo0001",
                "--BackupName",
                "b",
                "--BackupSets",
                "[]",
                "--BackupSets.0.ReplicaSetId",
                "x",
            ],
            "--BackupSets is given both whole",
        ),
        (
            &[
                "DescribeAuditLogs",
                "--InstanceId",
                "cmgo-demo0001",
                "--StartTime",
                "a",
                "--EndTime",
                "b",
                "--Filter.ExecTime",
                "soon",
            ],
            "--Filter.ExecTime",
        ),
        (
            &["DescribeDBInstances", "--InstanceIds.1", "cmgo-demo0001"],
            "--InstanceIds: the indexes of a list start at 0",
        ),
        (
            &["CreateBackupDownloadTask", "--BackupSets.0.ReplicaSet", "x"],
            "ReplicaSetInfo has no member `ReplicaSet`",
        ),
        (
            &["DescribeDBInstances", "--InstanceIds.0"],
            "--InstanceIds.0 needs a value",
        ),
    ];
    for (args, needle) in cases {
        let o = env.run(args);
        expect_code(&o, 2);
        assert!(stderr(&o).contains(needle), "{args:?}:\n{}", stderr(&o));
    }
    assert_eq!(env.emu.stats().total_requests, 0);
}

#[test]
fn waiter_polls_until_the_async_request_succeeds() {
    let env = Env::new();
    // Each poll moves the request one step on: the third says "success". Interval 0: no sleep.
    env.emu.set_progress(Progress::PerPoll);
    let id = json_out(&env.run(&[
        "CreateBackupDBInstance",
        "--InstanceId",
        "cmgo-demo0001",
        "--BackupMethod",
        "0",
        "--filter",
        "AsyncRequestId",
    ]));
    let id = id
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| id.to_string());
    let o = env.run(&[
        "mongodb",
        "DescribeAsyncRequestInfo",
        "--AsyncRequestId",
        &id,
        "--waiter",
        r#"{"expr":"Status","to":"success","timeout":600,"interval":0}"#,
        "--filter",
        "Status",
        "--output",
        "text",
    ]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o), "success\n");
    let err = stderr(&o);
    let waits: Vec<&str> = err.lines().filter(|l| l.starts_with("waiting: ")).collect();
    assert_eq!(waits.len(), 2, "{}", stderr(&o));
    assert!(waits[0].contains("waiting for \"success\""), "{waits:?}");
    assert_eq!(env.emu.request_count("DescribeAsyncRequestInfo"), 3);
}

#[test]
fn waiter_that_runs_out_of_time_is_exit_3() {
    let env = Env::new();
    let o = env.run(&[
        "DescribeDBInstances",
        "--waiter",
        "{'expr':'TotalCount','to':3,'timeout':0}",
    ]);
    expect_code(&o, 3);
    assert_eq!(
        stderr(&o),
        "error: --waiter: `TotalCount` did not become 3 within 0 s; last value: 2\n"
    );
    assert!(o.stdout.is_empty());
    assert_eq!(env.emu.request_count("DescribeDBInstances"), 1);

    let o = env.run(&[
        "DescribeDBInstances",
        "--waiter",
        r#"{"expr":"TotalCount"}"#,
    ]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("`to` must be given"), "{}", stderr(&o));
}

#[test]
fn waiter_on_an_action_that_changes_state_is_refused_before_anything_is_sent() {
    let env = Env::new();
    let o = env.run(&[
        "CreateBackupDBInstance",
        "--InstanceId",
        "cmgo-demo0001",
        "--BackupMethod",
        "0",
        "--waiter",
        r#"{"expr":"AsyncRequestId","to":"never","timeout":600,"interval":0}"#,
    ]);
    expect_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains("--waiter can't be used with CreateBackupDBInstance"),
        "{err}"
    );
    assert!(err.contains("again on every poll"), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(env.emu.stats().total_requests, 0, "no backup was started");
    // A read-only action still takes it.
    let o = env.run(&[
        "DescribeDBInstances",
        "--waiter",
        "{'expr':'TotalCount','to':2}",
        "--filter",
        "TotalCount",
    ]);
    expect_code(&o, 0);
}

/// A `tcmongo` run against `--endpoint <endpoint(port)>`, where a plain-HTTP server that
/// hangs up on every request listens; returns the server and the exit code.
fn run_against(endpoint: impl Fn(u16) -> String) -> (TestServer, i32) {
    let server = TestServer::start(|_, _| Reply::Reset);
    let home = tempfile::tempdir().unwrap();
    let o = run(bare(home.path())
        .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
        .env("TENCENTCLOUD_SECRET_KEY", "test-key")
        .args([
            "--endpoint",
            &endpoint(server.addr().port()),
            "--max-attempts",
            "1",
            "DescribeDBInstances",
        ]));
    (server, code(&o))
}

#[test]
fn bare_host_endpoint_means_https() {
    // A bare host: the client opens with a TLS handshake, which the plain server refuses.
    let (server, exit) = run_against(|port| format!("127.0.0.1:{port}"));
    assert_eq!(server.tls_handshakes(), 1);
    assert_eq!(server.count(), 0);
    assert_eq!(exit, 3);
    // A full http:// URL still speaks plain HTTP.
    let (server, exit) = run_against(|port| format!("http://127.0.0.1:{port}"));
    assert_eq!(server.tls_handshakes(), 0);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].action(), "DescribeDBInstances");
    assert_eq!(exit, 3);
}
