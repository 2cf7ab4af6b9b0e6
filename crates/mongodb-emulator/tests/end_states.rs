//! Work that ends otherwise than in success, when a fault says so, and backups
//! listed while they run.

mod common;

use std::time::Duration;

use common::{builder, start, Api};
use mongodb_emulator::{EndAs, Fault, Progress};
use serde_json::{json, Value};

fn create_backup(api: &Api, method: i64) -> String {
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": method }),
    );
    r["AsyncRequestId"].as_str().unwrap().to_owned()
}

fn poll(api: &Api, id: &str) -> Value {
    api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }))
}

fn listed(api: &Api, method: i64) -> Vec<Value> {
    let r = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": method }),
    );
    r["BackupList"].as_array().unwrap().clone()
}

#[test]
fn a_running_backup_is_listed_with_status_1() {
    // By the clock: a minute per phase, so it is still running when listed.
    let h = builder()
        .progress(Progress::Elapsed(Duration::from_secs(60)))
        .start()
        .unwrap();
    let api = Api::new(&h);
    create_backup(&api, 1);
    let list = listed(&api, 1);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["Status"], 1);
    assert_eq!(list[0]["BackupSize"], 0);
    assert!(list[0]["BackupName"]
        .as_str()
        .unwrap()
        .starts_with("cmgo-demo0001_"));
    // Two and a half minutes later it is done: Status 2, with a size. (Within
    // the five minutes of clock skew the emulator accepts from signers.)
    h.set_clock_offset_secs(150);
    let list = listed(&api, 1);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["Status"], 2);
    assert!(list[0]["BackupSize"].as_u64().unwrap() > 0);
}

#[test]
fn without_a_method_only_logical_backups_are_listed() {
    let h = start();
    let api = Api::new(&h);
    for method in [1, 3] {
        let id = create_backup(&api, method);
        common::wait_async(&api, &id);
    }
    let unnamed = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001" }),
    );
    let methods: Vec<&Value> = unnamed["BackupList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["BackupMethod"])
        .collect();
    assert_eq!(methods, [&json!(0)], "the seeded logical backup only");
    assert_eq!(listed(&api, 1).len(), 1);
    assert_eq!(listed(&api, 3).len(), 1);
}

#[test]
fn async_requests_end_as_the_fault_says() {
    let h = start();
    let api = Api::new(&h);
    for (end, status) in [
        (EndAs::Paused, "paused"),
        (EndAs::Failed, "failed"),
        (EndAs::Undoed, "undoed"),
    ] {
        h.inject_times("CreateBackupDBInstance", Fault::EndAs(end), 1);
        let id = create_backup(&api, 1);
        let seen: Vec<Value> = (0..4).map(|_| poll(&api, &id)["Status"].clone()).collect();
        assert_eq!(seen, ["initial", "running", status, status], "{end:?}");
        assert!(poll(&api, &id)["EndTime"].as_str().is_some());
        assert!(
            listed(&api, 1).is_empty(),
            "{end:?}: no backup, not even running"
        );
    }
    // The faults were used up: the next backup succeeds.
    let id = create_backup(&api, 1);
    assert_eq!(
        common::wait_async(&api, &id),
        ["initial", "running", "success"]
    );
    assert_eq!(listed(&api, 1).len(), 1);
}

#[test]
fn end_as_elsewhere_changes_nothing() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times("DescribeDBInstances", Fault::EndAs(EndAs::Failed), 1);
    let r = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(r["TotalCount"], 2);
    // An end that only download tasks know: the async request succeeds.
    h.inject_times(
        "CreateBackupDBInstance",
        Fault::EndAs(EndAs::RetryThenComplete),
        1,
    );
    let id = create_backup(&api, 0);
    assert_eq!(common::wait_async(&api, &id).last().unwrap(), "success");
}

/// Creates download tasks for both shards of the seeded backup of
/// `cmgo-demo0002` and polls until `polls` answers were seen; returns the
/// statuses and URLs seen per poll.
fn task_statuses(api: &Api, polls: usize) -> Vec<(Vec<i64>, Vec<String>)> {
    let name = common::backup_names(api, "cmgo-demo0002")[0].clone();
    api.ok(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_0" },
                               { "ReplicaSetId": "cmgo-demo0002_1" }] }),
    );
    (0..polls)
        .map(|_| {
            let r = api.ok(
                "DescribeBackupDownloadTask",
                json!({ "InstanceId": "cmgo-demo0002", "BackupName": name }),
            );
            let tasks = r["Tasks"].as_array().unwrap();
            (
                tasks
                    .iter()
                    .map(|t| t["Status"].as_i64().unwrap())
                    .collect(),
                tasks
                    .iter()
                    .map(|t| t["Url"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn download_tasks_can_end_failed() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times("CreateBackupDownloadTask", Fault::EndAs(EndAs::Failed), 1);
    let seen = task_statuses(&api, 4);
    let statuses: Vec<&Vec<i64>> = seen.iter().map(|(s, _)| s).collect();
    assert_eq!(statuses, [&[0, 0], &[1, 1], &[3, 3], &[3, 3]]);
    assert!(seen
        .iter()
        .all(|(_, urls)| urls.iter().all(String::is_empty)));
    let failed = api.ok(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "Status": [3] }),
    );
    assert_eq!(failed["TotalCount"], 2);
}

#[test]
fn download_tasks_can_wait_for_a_retry_then_complete() {
    let h = start();
    let api = Api::new(&h);
    h.inject_times(
        "CreateBackupDownloadTask",
        Fault::EndAs(EndAs::RetryThenComplete),
        1,
    );
    let seen = task_statuses(&api, 5);
    let statuses: Vec<&Vec<i64>> = seen.iter().map(|(s, _)| s).collect();
    assert_eq!(statuses, [&[0, 0], &[1, 1], &[4, 4], &[2, 2], &[2, 2]]);
    for (s, urls) in &seen {
        for (status, url) in s.iter().zip(urls) {
            assert_eq!(*status == 2, !url.is_empty(), "a URL only when done");
        }
    }
    let url = &seen[3].1[0];
    assert_eq!(api.download(url, None).status, 200);
}
