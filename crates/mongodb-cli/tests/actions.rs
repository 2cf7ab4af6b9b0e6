//! End-to-end: any API action from the command line (methods, names, input, output, help).

mod common;

use common::*;

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
        let o = run(bare(home.path()).args(["completions", shell]));
        expect_code(&o, 0);
        let out = stdout(&o);
        assert!(out.contains("tcmongo"), "{shell}");
        assert!(out.contains("DescribeDBBackups"), "{shell}");
    }
    let o = run(bare(home.path()).args(["completions", "tcsh"]));
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
