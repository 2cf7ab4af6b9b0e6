//! End-to-end: every exit code, from the failure that causes it.

use mongodb_emulator::Fault;

mod common;

use common::*;

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

#[test]
fn connection_refused_is_exit_3() {
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let o = run(bare(home.path())
        .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
        .env("TENCENTCLOUD_SECRET_KEY", "test-key")
        .args([
            "--endpoint",
            &url,
            "--max-attempts",
            "1",
            "DescribeDBInstances",
        ]));
    expect_code(&o, 3);
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

#[test]
fn non_api_http_answer_is_exit_3() {
    // Every request answered with an HTML 502, as a failing gateway would.
    let env = Env::new();
    env.emu.inject("DescribeDBInstances", Fault::BadGateway);
    let o = env.run(&["--max-attempts", "1", "DescribeDBInstances"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("502"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(env.emu.request_count("DescribeDBInstances"), 1);
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
fn no_credentials_is_exit_4() {
    let env = Env::new();
    let o = run(bare(env.home.path()).args(["--endpoint", &env.emu.url(), "DescribeDBInstances"]));
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
    let o = run(base().args(["--profile", "emu", "DescribeDBInstances"]));
    json_out(&o);
    // The default section's key is wrong: the service rejects the signature.
    let o = run(base().args(["DescribeDBInstances"]));
    expect_code(&o, 1);
    assert!(stderr(&o).contains("AuthFailure"), "{}", stderr(&o));
}
