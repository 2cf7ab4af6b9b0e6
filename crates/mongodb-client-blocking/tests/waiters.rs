//! Terminal states of the waiters against a scripted server: which statuses end a wait, with
//! which typed error, after how many polls; and `backup_and_wait` for a physical backup.

mod common;

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{client_for, Mock, Reply};
use mongodb_client_blocking::models::{
    BackupDownloadTaskState, BackupMethod, CreateBackupDBInstanceRequest,
};
use mongodb_client_blocking::{EndedStatus, WaitError, WaitErrorKind, WaitOptions};
use serde_json::{json, Value};

fn body_json(req: &common::Recorded) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

/// Wait options that record the sleeps asked for instead of sleeping.
fn instant(slept: &RefCell<Vec<Duration>>) -> WaitOptions<'_> {
    WaitOptions::new()
        .initial_interval(Duration::from_secs(2))
        .max_interval(Duration::from_secs(10))
        .sleeper(move |d| slept.borrow_mut().push(d))
}

#[test]
fn paused_failed_and_undoed_requests_end_the_wait_at_the_poll_that_sees_them() {
    for (wire, want) in [
        ("paused", EndedStatus::Paused),
        ("failed", EndedStatus::Failed),
        ("undoed", EndedStatus::Undoed),
    ] {
        let mock = Mock::start(move |req, n| {
            assert_eq!(req.action(), "DescribeAsyncRequestInfo");
            assert_eq!(body_json(req)["AsyncRequestId"], "4773");
            let status = ["initial", "running", wire][n.min(2)];
            Reply::ok(json!({"Status": status}), &format!("poll-{n}"))
        });
        let client = client_for(&mock).build().unwrap();
        let slept = RefCell::new(Vec::new());
        let err = client
            .wait_async_request("4773", &instant(&slept))
            .unwrap_err();
        let wait = err.wait_error().unwrap_or_else(|| panic!("{err:?}"));
        match wait.kind() {
            WaitErrorKind::AsyncRequestEnded {
                async_request_id,
                status,
                ..
            } => {
                assert_eq!(async_request_id, "4773");
                assert_eq!(*status, want);
            }
            other => panic!("{other:?}"),
        }
        assert!(!wait.is_timeout());
        assert_eq!(wait.async_request_id(), Some("4773"));
        // The RequestId of the status query that saw the end.
        assert_eq!(err.request_id(), Some("poll-2"));
        // Exactly three polls and two pauses: the third status ended it, not the deadline.
        assert_eq!(mock.count(), 3, "{wire}");
        assert_eq!(slept.borrow().len(), 2, "{wire}");
        let text = err.to_string();
        assert!(text.contains("4773") && text.contains(wire), "{text}");
    }
}

fn task(set: &str, status: i64, percent: i64) -> Value {
    json!({
        "ReplicaSetId": set, "BackupName": "bk1", "Status": status, "Percent": percent,
        "BackupSize": 10, "CreateTime": "2024-01-01 00:00:00",
        "Url": if status == 2 { "http://example.invalid/f" } else { "" },
    })
}

fn tasks_reply(tasks: Value) -> Reply {
    let total = tasks.as_array().unwrap().len();
    Reply::ok(json!({"Tasks": tasks, "TotalCount": total}), "rt")
}

#[test]
fn a_task_waiting_for_retry_keeps_the_wait_going_until_it_completes() {
    let mock = Mock::start(|req, n| {
        assert_eq!(req.action(), "DescribeBackupDownloadTask");
        tasks_reply(match n {
            0 | 1 => json!([task("s_0", 4, 0)]),
            _ => json!([task("s_0", 2, 100)]),
        })
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let seen = RefCell::new(Vec::new());
    let opts = instant(&slept).on_progress(|p| {
        seen.borrow_mut().extend(p.tasks.iter().map(|t| t.status));
    });
    let tasks = client
        .wait_backup_download("cmgo-1", "bk1", &opts)
        .expect("state 4 is not an end");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, Some(BackupDownloadTaskState::Completed));
    assert_eq!(mock.count(), 3);
    assert_eq!(
        *seen.borrow(),
        vec![
            Some(BackupDownloadTaskState::WaitingForRetry),
            Some(BackupDownloadTaskState::WaitingForRetry),
            Some(BackupDownloadTaskState::Completed),
        ]
    );
}

#[test]
fn a_failed_task_ends_the_wait_at_once_naming_its_replica_set() {
    // s_0 is still preparing; s_1 failed: no point waiting for s_0.
    let mock = Mock::start(|_, n| {
        tasks_reply(match n {
            0 => json!([task("s_0", 1, 10), task("s_1", 1, 10)]),
            _ => json!([task("s_0", 1, 50), task("s_1", 3, 0)]),
        })
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let err = client
        .wait_backup_download("cmgo-1", "bk1", &instant(&slept))
        .unwrap_err();
    match err.wait_error().map(WaitError::kind) {
        Some(WaitErrorKind::DownloadTaskFailed {
            instance_id,
            backup_name,
            replica_sets,
            ..
        }) => {
            assert_eq!(instance_id, "cmgo-1");
            assert_eq!(backup_name, "bk1");
            assert_eq!(replica_sets, &["s_1".to_string()]);
        }
        _ => panic!("{err:?}"),
    }
    assert_eq!(mock.count(), 2);
    assert_eq!(slept.borrow().len(), 1);
    assert!(err.to_string().contains("s_1"), "{err}");
    assert!(!err.to_string().contains("s_0"), "{err}");
}

#[test]
fn a_download_wait_that_reaches_its_deadline_is_a_typed_timeout() {
    let mock = Mock::start(|_, _| tasks_reply(json!([task("s_0", 0, 0)])));
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let opts = instant(&slept).timeout(Duration::from_secs(5));
    let err = client
        .wait_backup_download("cmgo-1", "bk1", &opts)
        .unwrap_err();
    let wait = err.wait_error().unwrap();
    assert!(wait.is_timeout());
    match wait.kind() {
        WaitErrorKind::TimedOut { last_status, .. } => {
            assert_eq!(last_status.as_deref(), Some("s_0: waiting 0%"))
        }
        other => panic!("{other:?}"),
    }
    // 2 s + 3 s (cut to the deadline), then the last poll.
    assert_eq!(
        *slept.borrow(),
        vec![Duration::from_secs(2), Duration::from_secs(3)]
    );
    assert_eq!(mock.count(), 3);
}

/// A server that, like the real one, lists logical backups only unless `BackupMethod` is sent;
/// a physical backup appears once the async request has succeeded.
fn physical_backup_server() -> Mock {
    let made = AtomicBool::new(false);
    Mock::start(move |req, _| match req.action() {
        "DescribeDBBackups" => {
            let body = body_json(req);
            let created = body["BackupMethod"] == 1 && made.load(Ordering::SeqCst);
            let list = match body["BackupMethod"].as_i64() {
                None | Some(0) => json!([{
                    "BackId": 1, "BackupName": "logical-old", "BackupMethod": 0,
                    "StartTime": "2024-05-01 09:00:00"
                }]),
                Some(1) if created => json!([
                    {"BackId": 2, "BackupName": "physical-old", "BackupMethod": 1,
                     "StartTime": "2024-05-01 08:00:00"},
                    {"BackId": 3, "BackupName": "physical-new", "BackupMethod": 1,
                     "StartTime": "2024-05-01 10:00:00"}
                ]),
                Some(1) => json!([{
                    "BackId": 2, "BackupName": "physical-old", "BackupMethod": 1,
                    "StartTime": "2024-05-01 08:00:00"
                }]),
                other => panic!("unexpected BackupMethod {other:?}"),
            };
            let total = list.as_array().unwrap().len();
            Reply::ok(json!({"BackupList": list, "TotalCount": total}), "list")
        }
        "CreateBackupDBInstance" => {
            assert_eq!(body_json(req)["BackupMethod"], 1);
            Reply::ok(json!({"AsyncRequestId": 4773}), "create")
        }
        "DescribeAsyncRequestInfo" => {
            made.store(true, Ordering::SeqCst);
            Reply::ok(json!({"Status": "success"}), "status")
        }
        other => panic!("unexpected {other}"),
    })
}

#[test]
fn backup_and_wait_finds_a_physical_backup_by_asking_for_its_method() {
    let mock = physical_backup_server();
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let created = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-1", BackupMethod::Physical),
            &instant(&slept),
        )
        .expect("the new physical backup is found");
    assert_eq!(created.async_request_id, "4773");
    assert_eq!(created.backup.backup_name.as_deref(), Some("physical-new"));
    let lists: Vec<Value> = mock
        .requests()
        .iter()
        .filter(|r| r.action() == "DescribeDBBackups")
        .map(body_json)
        .collect();
    assert_eq!(lists.len(), 2, "one listing before, one after");
    for body in &lists {
        assert_eq!(body["BackupMethod"], 1, "{body}");
        assert_eq!(body["InstanceId"], "cmgo-1", "{body}");
    }
    let actions: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.action().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "DescribeDBBackups",
            "CreateBackupDBInstance",
            "DescribeAsyncRequestInfo",
            "DescribeDBBackups"
        ]
    );
}
