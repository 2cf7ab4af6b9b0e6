//! Waiters, paginators and downloads against scripted servers.

mod common;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use common::{client_for, Mock, Reply};
use mongodb_client_blocking::models::{BackupDownloadTask, DescribeDBBackupsRequest};
use mongodb_client_blocking::{
    part_path, DownloadOptions, Error, WaitError, WaitErrorKind, WaitOptions,
};
use serde_json::json;
use test_support::{Fault, FileServer, Object, Trigger};

fn body_json(req: &common::Recorded) -> serde_json::Value {
    serde_json::from_slice(&req.body).unwrap()
}

/// Wait options that never sleep for real but still count the time.
fn instant<'a>(slept: &'a RefCell<Vec<Duration>>) -> WaitOptions<'a> {
    WaitOptions::new()
        .initial_interval(Duration::from_secs(2))
        .backoff(2.0)
        .max_interval(Duration::from_secs(10))
        .sleeper(move |d| slept.borrow_mut().push(d))
}

#[test]
fn wait_async_request_reports_each_state_until_success() {
    let mock = Mock::start(|req, n| {
        assert_eq!(req.action(), "DescribeAsyncRequestInfo");
        assert_eq!(body_json(req)["AsyncRequestId"], "4773");
        let status = ["initial", "running", "running", "success"][n.min(3)];
        Reply::ok(json!({"Status": status}), &format!("w{n}"))
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let seen = RefCell::new(Vec::new());
    let opts = instant(&slept).on_progress(|p| seen.borrow_mut().push((p.poll, p.status.clone())));
    let resp = client.wait_async_request("4773", &opts).unwrap();
    assert_eq!(resp.request_id, "w3");
    assert_eq!(
        *seen.borrow(),
        vec![
            (1, "initial".to_string()),
            (2, "running".to_string()),
            (3, "running".to_string()),
            (4, "success".to_string())
        ]
    );
    // Backoff 2 s, 4 s, 8 s.
    assert_eq!(
        *slept.borrow(),
        vec![
            Duration::from_secs(2),
            Duration::from_secs(4),
            Duration::from_secs(8)
        ]
    );
}

#[test]
fn wait_async_request_fails_on_failed_and_undoed() {
    for end in ["failed", "undoed"] {
        let mock = Mock::start(move |_, n| {
            let status = if n == 0 { "running" } else { end };
            Reply::ok(json!({"Status": status}), "rid-end")
        });
        let client = client_for(&mock).build().unwrap();
        let slept = RefCell::new(Vec::new());
        let err = client
            .wait_async_request("1", &instant(&slept))
            .unwrap_err();
        match err.wait_error().map(|w| (w.kind(), w.request_id())) {
            Some((WaitErrorKind::AsyncRequestEnded { status, .. }, rid)) => {
                assert_eq!(status.as_str(), end);
                assert_eq!(rid, Some("rid-end"));
            }
            _ => panic!("{err:?}"),
        }
        assert_eq!(mock.count(), 2);
    }
}

#[test]
fn wait_async_request_gives_up_at_the_deadline_with_the_last_status() {
    let mock = Mock::start(|_, _| Reply::ok(json!({"Status": "running"}), "r"));
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let opts = instant(&slept).timeout(Duration::from_secs(30));
    let err = client.wait_async_request("1", &opts).unwrap_err();
    match err.wait_error().map(WaitError::kind) {
        Some(WaitErrorKind::TimedOut {
            last_status,
            timeout,
            ..
        }) => {
            assert_eq!(last_status.as_deref(), Some("running"));
            assert_eq!(*timeout, Duration::from_secs(30));
        }
        _ => panic!("{err:?}"),
    }
    // 2 + 4 + 8 + 10 + 6 (cut to the deadline) = 30 s of (virtual) waiting, then a last poll.
    let total: Duration = slept.borrow().iter().sum();
    assert_eq!(total, Duration::from_secs(30));
    assert_eq!(mock.count(), slept.borrow().len() + 1);
}

fn task(set: &str, status: i64, percent: i64) -> serde_json::Value {
    json!({
        "ReplicaSetId": set, "BackupName": "bk1", "Status": status, "Percent": percent,
        "BackupSize": 10, "CreateTime": "2024-01-01 00:00:00",
        "Url": if status == 2 { "http://example.invalid/f" } else { "" },
    })
}

#[test]
fn wait_backup_download_waits_for_every_task() {
    let mock = Mock::start(|req, n| {
        assert_eq!(req.action(), "DescribeBackupDownloadTask");
        assert_eq!(body_json(req)["BackupName"], "bk1");
        let tasks = match n {
            0 => json!([]),
            1 => json!([task("s_0", 1, 50), task("s_1", 0, 0)]),
            2 => json!([task("s_0", 2, 100), task("s_1", 1, 30)]),
            _ => json!([task("s_0", 2, 100), task("s_1", 2, 100)]),
        };
        let total = tasks.as_array().unwrap().len();
        Reply::ok(json!({"Tasks": tasks, "TotalCount": total}), "rt")
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let seen = RefCell::new(Vec::new());
    let opts =
        instant(&slept).on_progress(|p| seen.borrow_mut().push((p.status.clone(), p.percent)));
    let tasks = client.wait_backup_download("cmgo-1", "bk1", &opts).unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.url.is_some()));
    let seen = seen.borrow();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0], ("no download task yet".to_string(), None));
    assert_eq!(
        seen[1],
        ("s_0: preparing 50%, s_1: waiting 0%".to_string(), Some(0))
    );
    assert_eq!(seen[3].1, Some(100));
}

#[test]
fn wait_backup_download_can_wait_for_some_replica_sets_and_reports_failures() {
    let mock = Mock::start(|_, _| {
        Reply::ok(
            json!({"Tasks": [task("s_0", 2, 100), task("s_1", 1, 10)], "TotalCount": 2}),
            "r",
        )
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let tasks = client
        .wait_backup_download_for("cmgo-1", "bk1", &["s_0".to_string()], &instant(&slept))
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(mock.count(), 1);

    let mock = Mock::start(|_, _| {
        Reply::ok(
            json!({"Tasks": [task("s_0", 2, 100), task("s_1", 3, 0)], "TotalCount": 2}),
            "r",
        )
    });
    let client = client_for(&mock).build().unwrap();
    let err = client
        .wait_backup_download("cmgo-1", "bk1", &instant(&slept))
        .unwrap_err();
    match err.wait_error().map(WaitError::kind) {
        Some(WaitErrorKind::DownloadTaskFailed { replica_sets, .. }) => {
            assert_eq!(replica_sets, &["s_1".to_string()])
        }
        _ => panic!("{err:?}"),
    }
}

#[test]
fn paginator_fetches_pages_lazily() {
    let mock = Mock::start(|req, _| {
        let b = body_json(req);
        let offset = b["Offset"].as_u64().unwrap();
        let limit = b["Limit"].as_u64().unwrap();
        let list: Vec<_> = (offset..(offset + limit).min(250))
            .map(|i| json!({"BackupName": format!("b{i}"), "BackupSize": i}))
            .collect();
        Reply::ok(json!({"BackupList": list, "TotalCount": 250}), "p")
    });
    let client = client_for(&mock).build().unwrap();
    let mut pages = client.describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-1"));
    // Nothing is fetched until the first item is asked for.
    assert_eq!(mock.count(), 0);
    let first = pages.next().unwrap().unwrap();
    assert_eq!(first.backup_name.as_deref(), Some("b0"));
    assert_eq!(mock.count(), 1);
    let rest: Vec<_> = pages.by_ref().map(Result::unwrap).collect();
    assert_eq!(rest.len(), 249);
    assert_eq!(pages.pages_fetched(), 3);
    assert_eq!(pages.total_count(), Some(250));
    let offsets: Vec<u64> = mock
        .requests()
        .iter()
        .map(|r| body_json(r)["Offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, vec![0, 100, 200]);

    // A caller-chosen page size is kept.
    let mock2 = Mock::start(|req, _| {
        let b = body_json(req);
        assert_eq!(b["Limit"], 30);
        let n = if b["Offset"] == 60 { 10 } else { 30 };
        Reply::ok(json!({"BackupList": vec![json!({}); n]}), "p")
    });
    let client = client_for(&mock2).build().unwrap();
    let n = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-1").with_limit(30))
        .count();
    assert_eq!(n, 70);
    assert_eq!(mock2.count(), 3);
}

fn file_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

/// Downloads go to the pre-signed URL as it is, never signed with the API key.
#[track_caller]
fn assert_unsigned(store: &FileServer) {
    for r in store.server().requests() {
        assert!(
            r.header("Authorization").is_none(),
            "downloads are not signed"
        );
    }
    assert!(
        store.requests().iter().all(|r| r.signed),
        "the URL's own signature was sent"
    );
}

fn download_task(url: String, size: usize) -> BackupDownloadTask {
    serde_json::from_value(json!({
        "ReplicaSetId": "s_0", "Status": 2, "Url": url, "BackupSize": size
    }))
    .unwrap()
}

/// A `.part` with no record of what it belongs to is not trusted: it is discarded and the
/// file fetched whole (resuming with a record is in tests/download.rs).
#[test]
fn download_discards_a_partial_file_it_cannot_prove() {
    let data = Arc::new(file_bytes(300_000));
    let store = FileServer::start(Object::new(data.to_vec()));
    let client = client_for(store.server()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.tar");
    std::fs::write(part_path(&dest), &data[..123_456]).unwrap();
    let progress = RefCell::new(Vec::new());
    let opts = DownloadOptions::new().on_progress(|p| progress.borrow_mut().push(p.bytes_done));
    let report = client
        .download_backup(&download_task(store.url(), data.len()), &dest, &opts)
        .unwrap();
    assert_eq!(report.bytes, data.len() as u64);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(std::fs::read(&dest).unwrap(), *data);
    assert!(!part_path(&dest).exists());
    let reqs = store.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].range, None);
    assert_eq!(reqs[0].path, "/backups/file.tar");
    assert_unsigned(&store);
    let progress = progress.borrow();
    assert_eq!(progress.first(), Some(&0));
    assert_eq!(progress.last(), Some(&(data.len() as u64)));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn download_restarts_when_the_server_ignores_range() {
    let data = Arc::new(file_bytes(50_000));
    let store = FileServer::start(Object::new(data.to_vec()).without_ranges());
    let client = client_for(store.server()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("b.tar");
    std::fs::write(part_path(&dest), b"garbage that must be replaced").unwrap();
    client
        .download_backup(
            &download_task(store.url(), data.len()),
            &dest,
            &DownloadOptions::new(),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), *data);
    assert!(store.requests().iter().all(|r| r.status == 200));
}

#[test]
fn a_dropped_download_is_resumed() {
    let data = Arc::new(file_bytes(200_000));
    let store = FileServer::start(Object::new(data.to_vec()));
    store.script(Trigger::Next, Fault::DropAfter(100_000));
    let client = client_for(store.server()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("b.tar");
    let report = client
        .download_backup(
            &download_task(store.url(), data.len()),
            &dest,
            &DownloadOptions::new().retry_delay(Duration::ZERO),
        )
        .unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(std::fs::read(&dest).unwrap(), *data);
    assert_eq!(store.request_count(), 2);
    assert_eq!(store.ranges(), vec![(100_000, None)]);
    assert_unsigned(&store);
}

#[test]
fn a_failed_download_never_leaves_a_complete_looking_file() {
    // The server always drops after 100 bytes: attempts run out.
    let data = Arc::new(file_bytes(10_000));
    let store = FileServer::start(Object::new(data.to_vec()));
    store.script(Trigger::Always, Fault::DropAfter(100));
    let client = client_for(store.server()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("b.tar");
    let err = client
        .download_backup(
            &download_task(store.url(), data.len()),
            &dest,
            &DownloadOptions::new()
                .max_attempts(3)
                .retry_delay(Duration::ZERO),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(store.request_count(), 3);
    assert!(!dest.exists());

    // A size that disagrees with BackupSize is refused and nothing is renamed into place.
    store.clear_script();
    let dest = dir.path().join("c.tar");
    let err = client
        .download_backup(
            &download_task(store.url(), data.len() - 1),
            &dest,
            &DownloadOptions::new().retry_delay(Duration::ZERO),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Download(mongodb_client_blocking::DownloadError::SizeMismatch { .. })
        ),
        "{err:?}"
    );
    assert!(!dest.exists());
    assert!(!part_path(&dest).exists());
}

#[test]
fn download_refuses_tasks_that_are_not_ready() {
    let mock = Mock::start(|_, _| Reply::status(500, "no"));
    let client = client_for(&mock).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pending: BackupDownloadTask =
        serde_json::from_value(json!({"ReplicaSetId": "s_0", "Status": 1})).unwrap();
    assert!(matches!(
        client.download_backup(&pending, &dir.path().join("x"), &DownloadOptions::new()),
        Err(Error::InvalidInput { .. })
    ));
    let no_url: BackupDownloadTask =
        serde_json::from_value(json!({"ReplicaSetId": "s_0", "Status": 2})).unwrap();
    assert!(matches!(
        client.download_backup(&no_url, &dir.path().join("x"), &DownloadOptions::new()),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(mock.count(), 0);
}

#[test]
fn download_waits_report_typed_tasks() {
    use mongodb_client_blocking::models::BackupDownloadTaskState as State;
    let mock = Mock::start(|_, n| {
        let tasks = match n {
            0 => json!([]),
            1 => json!([task("s_1", 0, 0), task("s_0", 1, 40)]),
            _ => json!([task("s_0", 2, 100), task("s_1", 2, 100)]),
        };
        let total = tasks.as_array().unwrap().len();
        Reply::ok(json!({"Tasks": tasks, "TotalCount": total}), "rt")
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let seen = RefCell::new(Vec::new());
    let opts = instant(&slept).on_progress(|p| {
        assert_eq!(p.async_request_id, None);
        let tasks: Vec<(String, Option<State>, Option<i64>)> = p
            .tasks
            .iter()
            .map(|t| (t.replica_set_id.clone().unwrap(), t.status, t.percent))
            .collect();
        seen.borrow_mut().push(tasks);
    });
    client.wait_backup_download("cmgo-1", "bk1", &opts).unwrap();
    let seen = seen.borrow();
    assert_eq!(seen.len(), 3);
    assert!(seen[0].is_empty());
    // Ordered by replica set id, whatever the order of the answer.
    assert_eq!(
        seen[1],
        vec![
            ("s_0".to_string(), Some(State::Downloading), Some(40)),
            ("s_1".to_string(), Some(State::Waiting), Some(0)),
        ]
    );
    assert!(seen[2]
        .iter()
        .all(|(_, s, p)| *s == Some(State::Completed) && *p == Some(100)));
}

#[test]
fn backup_and_wait_without_a_new_backup_is_a_wait_error() {
    use mongodb_client_blocking::models::{BackupMethod, CreateBackupDBInstanceRequest};
    let mock = Mock::start(|req, _| match req.action() {
        "DescribeDBBackups" => Reply::ok(
            json!({"BackupList": [{"BackId": 1, "BackupName": "old", "BackupMethod": 0}],
                   "TotalCount": 1}),
            "list",
        ),
        "CreateBackupDBInstance" => Reply::ok(json!({"AsyncRequestId": 4773}), "create"),
        "DescribeAsyncRequestInfo" => Reply::ok(json!({"Status": "success"}), "status"),
        other => panic!("unexpected {other}"),
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let err = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-1", BackupMethod::Logical),
            &instant(&slept),
        )
        .unwrap_err();
    match err.wait_error().map(|w| (w.kind(), w.request_id())) {
        Some((
            WaitErrorKind::NoNewBackup {
                async_request_id,
                instance_id,
                ..
            },
            rid,
        )) => {
            assert_eq!(async_request_id, "4773");
            assert_eq!(instance_id, "cmgo-1");
            assert_eq!(rid, Some("status"));
        }
        _ => panic!("{err:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("4773") && text.contains("cmgo-1"), "{text}");
}

#[test]
fn backup_and_wait_without_an_async_request_id_is_a_malformed_response() {
    use mongodb_client_blocking::models::{BackupMethod, CreateBackupDBInstanceRequest};
    let mock = Mock::start(|req, _| match req.action() {
        "DescribeDBBackups" => Reply::ok(json!({"BackupList": [], "TotalCount": 0}), "list"),
        "CreateBackupDBInstance" => Reply::ok(json!({}), "create"),
        other => panic!("unexpected {other}"),
    });
    let client = client_for(&mock).build().unwrap();
    let slept = RefCell::new(Vec::new());
    let err = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-1", BackupMethod::Logical),
            &instant(&slept),
        )
        .unwrap_err();
    match err {
        Error::MalformedResponse {
            reason, request_id, ..
        } => {
            assert!(reason.contains("AsyncRequestId"), "{reason}");
            assert_eq!(request_id.as_deref(), Some("create"));
        }
        other => panic!("{other:?}"),
    }
}
