//! End-to-end: the `backup` workflow commands.

use std::path::PathBuf;

use mongodb_emulator::Fault;

mod common;

use common::*;

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
    let o = env.run(&download_shard0);
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
