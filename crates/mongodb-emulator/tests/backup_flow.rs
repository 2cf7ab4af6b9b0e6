//! The seed workflow end to end: create a backup, follow its async request,
//! list it, prepare download tasks, follow them, download the files.

mod common;

use std::time::Duration;

use common::{builder, make_backup, ready_tasks, start, wait_async, Api};
use mongodb_emulator::Progress;
use serde_json::{json, Value};

#[test]
fn full_flow_on_the_replica_set() {
    let h = start();
    let api = Api::new(&h);

    let created = api.post(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 1, "BackupRemark": "before upgrade" }),
    );
    let typed = mongodb_models::decode_response::<mongodb_models::CreateBackupDBInstanceResponse>(
        &created.body,
    )
    .expect("typed decode");
    drop(typed);
    let id = created.response()["AsyncRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.parse::<u64>().is_ok(), "numeric id: {id}");

    // Before success the backup is listed as running (Status 1), under its method only.
    let before = common::backup_names(&api, "cmgo-demo0001");
    assert_eq!(
        before.len(),
        1,
        "without a method: the seeded logical backup"
    );
    let running = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 1 }),
    );
    assert_eq!(running["TotalCount"], 1);
    assert_eq!(running["BackupList"][0]["Status"], 1);
    assert_eq!(running["BackupList"][0]["BackupMethod"], 1);
    let running_name = running["BackupList"][0]["BackupName"].clone();

    let seen = wait_async(&api, &id);
    assert_eq!(seen, ["initial", "running", "success"]);
    let done = api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }));
    assert_eq!(done["Status"], "success");
    assert!(done["EndTime"].as_str().is_some());

    let list = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 1 }),
    );
    assert_eq!(list["TotalCount"], 1);
    let newest = &list["BackupList"][0];
    let name = newest["BackupName"].as_str().unwrap().to_owned();
    assert_eq!(
        newest["BackupName"], running_name,
        "the running backup, now done"
    );
    assert!(name.starts_with("cmgo-demo0001_20"), "{name}");
    assert_eq!(newest["BackupMethod"], 1);
    assert_eq!(newest["BackupType"], 1);
    assert_eq!(newest["Status"], 2);
    assert_eq!(newest["BackupDesc"], "before upgrade");
    assert!(newest["BackupSize"].as_u64().unwrap() > 0);
    assert!(newest["StartTime"].as_str().is_some() && newest["EndTime"].as_str().is_some());
    let typed = api.post(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 1 }),
    );
    mongodb_models::decode_response::<mongodb_models::DescribeDBBackupsResponse>(&typed.body)
        .expect("typed decode");

    // Download task: 0 -> 1 -> 2.
    let created = api.ok(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0001", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0001_0" }] }),
    );
    assert_eq!(
        created["Tasks"],
        json!([{ "ReplicaSetId": "cmgo-demo0001_0", "Status": 0 }])
    );
    let mut statuses = Vec::new();
    let mut percents = Vec::new();
    let task = loop {
        let a = api.post(
            "DescribeBackupDownloadTask",
            json!({ "InstanceId": "cmgo-demo0001", "BackupName": name }),
        );
        mongodb_models::decode_response::<mongodb_models::DescribeBackupDownloadTaskResponse>(
            &a.body,
        )
        .expect("typed decode");
        let r = a.response();
        assert_eq!(r["TotalCount"], 1);
        let t = r["Tasks"][0].clone();
        statuses.push(t["Status"].as_i64().unwrap());
        percents.push(t["Percent"].as_i64().unwrap());
        if t["Status"] == 2 {
            break t;
        }
        assert_eq!(t["Url"], "", "no URL before the task is done");
        assert!(statuses.len() < 10);
    };
    assert_eq!(statuses, [0, 1, 2]);
    assert_eq!(percents, [0, 50, 100]);
    assert_eq!(task["ReplicaSetId"], "cmgo-demo0001_0");
    assert_eq!(task["BackupName"], name.as_str());
    assert_eq!(task["BackupMethod"], 1);
    assert_eq!(task["Region"], "ap-guangzhou");
    let size = task["BackupSize"].as_u64().unwrap();
    assert!((100_000..=300_000).contains(&size), "{size}");
    let url = task["Url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/download/", h.url())), "{url}");

    // The file: exactly BackupSize bytes, the same every time.
    let full = api.download(&url, None);
    assert_eq!(full.status, 200);
    assert_eq!(full.body.len() as u64, size);
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    let again = api.download(&url, None);
    assert_eq!(full.body, again.body);

    // Ranges.
    let tail = api.download(&url, Some("bytes=1000-"));
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, full.body[1000..]);
    let expected = format!("bytes 1000-{}/{size}", size - 1);
    assert_eq!(tail.header("content-range"), Some(expected.as_str()));
    let mid = api.download(&url, Some("bytes=10-19"));
    assert_eq!(mid.status, 206);
    assert_eq!(mid.body, full.body[10..20]);
    let beyond = api.download(&url, Some(&format!("bytes={size}-")));
    assert_eq!(beyond.status, 416);
    let expected = format!("bytes */{size}");
    assert_eq!(beyond.header("content-range"), Some(expected.as_str()));

    // A tampered link is refused.
    let bad = url.replace("q-signature=", "q-signature=0");
    assert_eq!(api.download(&bad, None).status, 403);

    let stats = h.stats();
    assert_eq!(stats.downloads, 4);
    assert_eq!(stats.requests["CreateBackupDBInstance"], 1);
}

#[test]
fn sharded_cluster_gets_one_task_per_shard() {
    let h = start();
    let api = Api::new(&h);
    let name = make_backup(&api, "cmgo-demo0002");
    let tasks = ready_tasks(
        &api,
        "cmgo-demo0002",
        &name,
        &["cmgo-demo0002_0", "cmgo-demo0002_1"],
    );
    assert_eq!(tasks.len(), 2);
    let mut bodies = Vec::new();
    for t in &tasks {
        let a = api.download(t["Url"].as_str().unwrap(), None);
        assert_eq!(a.status, 200);
        assert_eq!(a.body.len() as u64, t["BackupSize"].as_u64().unwrap());
        bodies.push(a.body);
    }
    assert_ne!(bodies[0], bodies[1], "each shard has its own bytes");

    // Asking again reuses the existing tasks.
    let again = api.ok(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_1" }] }),
    );
    assert_eq!(again["Tasks"][0]["Status"], 2);
}

#[test]
fn download_task_validation() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0002")[0].clone();
    let (code, _) = api.err(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-nothere", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-nothere_0" }] }),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    let (code, _) = api.err(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": "cmgo-demo0002_1999-01-01 00:00",
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_0" }] }),
    );
    assert_eq!(code, "InvalidParameterValue.BackupFileNotFound");
    let (code, msg) = api.err(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_0" }, { "ReplicaSetId": "cmgo-demo0001_0" }] }),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("BackupSets.1.ReplicaSetId"), "{msg}");
    let (code, _) = api.err(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name, "BackupSets": [] }),
    );
    assert!(
        code.starts_with("InvalidParameter") || code == "MissingParameter",
        "{code}"
    );
    let (code, msg) = api.err(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name }),
    );
    assert_eq!(code, "MissingParameter");
    assert!(msg.contains("BackupSets"));
    // Nothing was created by the failures.
    let r = api.ok(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002" }),
    );
    assert_eq!(r["TotalCount"], 0);
}

#[test]
fn describe_backup_download_task_filters() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0002")[0].clone();
    // One task done, one fresh.
    ready_tasks(&api, "cmgo-demo0002", &name, &["cmgo-demo0002_0"]);
    api.ok(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_1" }] }),
    );
    let q = |extra: Value| {
        let mut p = json!({ "InstanceId": "cmgo-demo0002" });
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        api.ok("DescribeBackupDownloadTask", p)
    };
    let done = q(json!({ "Status": [2] }));
    assert_eq!(done["TotalCount"], 1);
    assert_eq!(done["Tasks"][0]["ReplicaSetId"], "cmgo-demo0002_0");
    // (That poll did not touch the fresh task, which is still waiting.)
    let waiting = q(json!({ "Status": [0] }));
    assert_eq!(waiting["TotalCount"], 1);
    assert_eq!(waiting["Tasks"][0]["ReplicaSetId"], "cmgo-demo0002_1");

    let paged =
        q(json!({ "Limit": 1, "Offset": 1, "OrderBy": "createTime", "OrderByType": "asc" }));
    assert_eq!(paged["TotalCount"], 2);
    assert_eq!(paged["Tasks"].as_array().unwrap().len(), 1);
    assert_eq!(paged["Tasks"][0]["ReplicaSetId"], "cmgo-demo0002_1");

    let none = q(json!({ "BackupName": "cmgo-demo0002_1999-01-01 00:00" }));
    assert_eq!(none["TotalCount"], 0);
    let old = q(json!({ "EndTime": "2001-01-01 00:00:00" }));
    assert_eq!(old["TotalCount"], 0);
    let recent = q(json!({ "StartTime": "2001-01-01 00:00:00" }));
    assert_eq!(recent["TotalCount"], 2);

    let (code, msg) = api.err(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "StartTime": "yesterday" }),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("StartTime"));
    let (code, _) = api.err(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "OrderBy": "size" }),
    );
    assert_eq!(code, "InvalidParameterValue");
    let (code, _) = api.err(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "Status": [9] }),
    );
    assert_eq!(code, "InvalidParameterValue");
}

#[test]
fn describe_db_backups_pages_and_filters() {
    let h = start();
    let api = Api::new(&h);
    make_backup(&api, "cmgo-demo0001");
    api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 3 }),
    );
    let unnamed = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001" }),
    );
    assert_eq!(
        unnamed["TotalCount"], 2,
        "without a method: logical backups only"
    );
    let logical = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    );
    assert_eq!(logical["BackupList"], unnamed["BackupList"]);
    let snapshots = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 3 }),
    );
    assert_eq!(snapshots["TotalCount"], 1, "the snapshot, still running");
    assert_eq!(snapshots["BackupList"][0]["Status"], 1);
    assert_eq!(snapshots["BackupList"][0]["BackupMethod"], 3);
    let physical = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 1 }),
    );
    assert_eq!(physical["TotalCount"], 0);
    let page = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "Limit": 1, "Offset": 1 }),
    );
    assert_eq!(page["TotalCount"], 2);
    assert_eq!(page["BackupList"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["BackupList"][0]["BackupType"], 0,
        "oldest is the automatic one"
    );
    let (code, _) = api.err("DescribeDBBackups", json!({ "InstanceId": "cmgo-x" }));
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    let (code, _) = api.err(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": "999999" }),
    );
    assert_eq!(code, "InvalidParameterValue");
}

#[test]
fn backup_names_stay_unique_within_a_minute() {
    let h = start();
    let api = Api::new(&h);
    let a = make_backup(&api, "cmgo-demo0001");
    let b = make_backup(&api, "cmgo-demo0001");
    let c = make_backup(&api, "cmgo-demo0001");
    assert_ne!(a, b);
    assert_ne!(b, c);
    assert_ne!(a, c);
}

#[test]
fn zero_duration_elapsed_mode_finishes_at_once() {
    let h = builder()
        .progress(Progress::Elapsed(Duration::ZERO))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    );
    // Even without polling the async request, the backup is there.
    let names = common::backup_names(&api, "cmgo-demo0001");
    assert_eq!(names.len(), 2);
    let info = api.ok(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": r["AsyncRequestId"] }),
    );
    assert_eq!(info["Status"], "success");
    let tasks = ready_tasks(&api, "cmgo-demo0001", &names[0], &["cmgo-demo0001_0"]);
    assert_eq!(tasks[0]["Percent"], 100);
}

#[test]
fn long_elapsed_mode_stays_pending() {
    let h = builder()
        .progress(Progress::Elapsed(Duration::from_secs(3600)))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0 }),
    );
    for _ in 0..3 {
        let info = api.ok(
            "DescribeAsyncRequestInfo",
            json!({ "AsyncRequestId": r["AsyncRequestId"] }),
        );
        assert_eq!(info["Status"], "initial");
    }
    // Switching modes at run time takes effect.
    h.set_progress(Progress::Elapsed(Duration::ZERO));
    let info = api.ok(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": r["AsyncRequestId"] }),
    );
    assert_eq!(info["Status"], "success");
}

#[test]
fn every_modelled_answer_is_in_the_models_canonical_shape() {
    let h = start();
    let api = Api::new(&h);
    let mut answers = Vec::new();
    let mut keep = |action: &str, r: Value| answers.push((action.to_owned(), r));
    keep(
        "DescribeDBInstances",
        api.ok("DescribeDBInstances", json!({})),
    );
    let created = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 0 }),
    );
    let id = created["AsyncRequestId"].clone();
    keep("CreateBackupDBInstance", created);
    for _ in 0..3 {
        keep(
            "DescribeAsyncRequestInfo",
            api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id })),
        );
    }
    let list = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0002" }),
    );
    let name = list["BackupList"][0]["BackupName"].clone();
    keep("DescribeDBBackups", list);
    keep(
        "CreateBackupDownloadTask",
        api.ok(
            "CreateBackupDownloadTask",
            json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                    "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_0" }] }),
        ),
    );
    for _ in 0..3 {
        keep(
            "DescribeBackupDownloadTask",
            api.ok(
                "DescribeBackupDownloadTask",
                json!({ "InstanceId": "cmgo-demo0002" }),
            ),
        );
    }
    for (action, answer) in answers {
        let bytes = serde_json::to_vec(&answer).unwrap();
        let canonical = mongodb_models::reencode_response(&action, &bytes)
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(
            canonical, answer,
            "{action} answer differs from the models' shape"
        );
    }
}
