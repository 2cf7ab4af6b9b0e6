//! The state file: everything survives a restart.

mod common;

use common::{builder, make_backup, ready_tasks, Api};
use serde_json::json;

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator-state.json");

    let h = builder().state_file(&path).start().unwrap();
    assert!(path.exists(), "a fresh state is saved at start");
    h.add_instance(mongodb_emulator::InstanceSpec::sharded("cmgo-persist1", 3))
        .unwrap();
    let api = Api::new(&h);
    let name = make_backup(&api, "cmgo-demo0001");
    let tasks = ready_tasks(&api, "cmgo-demo0001", &name, &["cmgo-demo0001_0"]);
    let before = api.download(tasks[0]["Url"].as_str().unwrap(), None).body;
    let pending = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 0 }),
    )["AsyncRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    h.stop();

    // Only the state file is in the directory (no temporary files left behind).
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1);

    let h = builder().state_file(&path).start().unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 3);
    assert!(common::backup_names(&api, "cmgo-demo0001").contains(&name));
    let r = api.ok(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0001", "BackupName": name }),
    );
    assert_eq!(r["Tasks"][0]["Status"], 2);
    let url = r["Tasks"][0]["Url"].as_str().unwrap();
    assert!(
        url.starts_with(&h.url()),
        "the link points at the new server"
    );
    assert_eq!(
        api.download(url, None).body,
        before,
        "same bytes after restart"
    );

    // The async request started before the restart carries on.
    let seen = common::wait_async(&api, &pending);
    assert_eq!(seen.last().map(String::as_str), Some("success"));
    // And new ids do not collide with old ones.
    let fresh = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    )["AsyncRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, pending);
}

#[test]
fn unreadable_state_file_fails_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{ this is not the emulator's state").unwrap();
    let err = builder().state_file(&path).start().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
}

#[test]
fn builder_instances_and_no_seed() {
    let h = builder()
        .seed_instances(false)
        .instance(mongodb_emulator::InstanceSpec::replica_set("cmgo-only0001"))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 1);
    assert_eq!(all["InstanceDetails"][0]["InstanceId"], "cmgo-only0001");
    assert!(common::backup_names(&api, "cmgo-only0001").is_empty());
}

#[test]
fn listen_on_a_given_address() {
    let h = mongodb_emulator::Emulator::builder()
        .listen("127.0.0.1:0")
        .start()
        .unwrap();
    assert!(h.addr().ip().is_loopback());
    assert!(mongodb_emulator::Emulator::builder()
        .listen("not an address")
        .start()
        .is_err());
    // The same port cannot be bound twice.
    assert!(mongodb_emulator::Emulator::builder()
        .listen(h.addr())
        .start()
        .is_err());
}
