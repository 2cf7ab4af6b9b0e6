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

#[test]
fn a_state_file_of_the_first_layout_still_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let old = json!({
        "format": 1,
        "next_id": 9000,
        "instances": [{
            "id": "cmgo-old00001", "name": "old", "cluster_type": 0,
            "replica_sets": ["cmgo-old00001_0"], "status": 2,
            "region": "ap-guangzhou", "zone": "ap-guangzhou-3", "mongo_version": "MONGO_40_WT",
            "memory_mb": 4096, "volume_mb": 102400, "cpu": 2, "project_id": 3, "pay_mode": 0,
            "vpc_id": "vpc-x", "subnet_id": "subnet-x", "vip": "10.0.1.10",
            "create_ms": 1_700_000_000_000_i64
        }],
        "backups": [{
            "back_id": 8999, "instance_id": "cmgo-old00001", "name": "cmgo-old00001_2023-11-14 06:13",
            "method": 0, "backup_type": 0, "remark": "", "start_ms": 1_700_000_000_000_i64,
            "end_ms": 1_700_000_095_000_i64,
            "files": [{"replica_set_id": "cmgo-old00001_0", "size": 131072}]
        }],
        "async_requests": [],
        "tasks": []
    });
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let h = builder().state_file(&path).start().unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 1);
    assert_eq!(all["InstanceDetails"][0]["ProjectId"], 3);
    assert_eq!(
        common::backup_names(&api, "cmgo-old00001"),
        ["cmgo-old00001_2023-11-14 06:13"]
    );
    make_backup(&api, "cmgo-old00001");
    h.stop();
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["format"], 2, "rewritten in the current layout");
    assert!(saved["regions"]["ap-guangzhou"]["instances"][0]["spec"].is_object());
}

#[test]
fn bought_instances_and_their_deals_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = builder().state_file(&path).start().unwrap();
    let api = Api::in_region(&h, "ap-shanghai");
    let r = api.ok(
        "CreateDBInstanceHour",
        json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1, "NodeNum": 3,
               "MongoVersion": "MONGO_50_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
               "ClusterType": "REPLSET", "Zone": "ap-shanghai-2", "InstanceName": "kept"}),
    );
    let deal = r["DealId"].clone();
    let poll =
        |api: &Api| api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }))["Status"].clone();
    assert_eq!(poll(&api), 2);
    h.stop();

    let h = builder().state_file(&path).start().unwrap();
    let api = Api::in_region(&h, "ap-shanghai");
    assert_eq!(
        [poll(&api), poll(&api)],
        [json!(3), json!(4)],
        "the deal carries on"
    );
    let all = api.ok("DescribeDBInstances", json!({}));
    let d = &all["InstanceDetails"][0];
    assert_eq!(
        (d["InstanceName"].clone(), d["Status"].clone()),
        (json!("kept"), json!(2))
    );
    assert_eq!(d["MongoVersion"], "MONGO_50_WT");
}
