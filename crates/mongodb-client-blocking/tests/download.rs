//! Downloads against a COS-like file server: resume bound to identity, whole-object
//! verification, and fresh URLs when the store refuses one. Every rule has a test that makes
//! its fault happen.

mod common;
mod download_support;

use std::cell::Cell;

use common::{client_for, Mock, Reply};
use download_support::{assert_nothing_left, bytes, client, fast, record_path, sha256_hex, task};
use mongodb_client_blocking::{part_path, DownloadError, Error, Resume, Verified};
use serde_json::json;
use test_support::{crc64_xz, Fault, FileServer, Object, Trigger};

const SIZE: usize = 300_000;

#[test]
fn a_complete_download_is_verified_by_crc64_and_reports_its_sha256() {
    let data = bytes(SIZE, 1);
    let server = FileServer::start(Object::new(data.clone()));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.bytes, SIZE as u64);
    assert_eq!(report.verified, Verified::Crc64AndSize);
    assert_eq!(report.verified.as_str(), "crc64+size");
    assert_eq!(report.crc64, crc64_xz(&data));
    assert_eq!(report.expected_crc64, Some(crc64_xz(&data)));
    assert_eq!(report.sha256, sha256_hex(&data));
    assert_eq!((report.attempts, report.refreshes, report.parts), (1, 0, 1));
    assert!(!part_path(&dest).exists() && !record_path(&dest).exists());
}

#[test]
fn without_a_crc_from_the_store_the_report_says_size_only() {
    let data = bytes(SIZE, 2);
    let server = FileServer::start(Object::new(data.clone()).without_crc());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.verified, Verified::SizeOnly);
    assert_eq!(report.verified.as_str(), "size");
    assert_eq!(report.expected_crc64, None);
    assert_eq!(report.crc64, crc64_xz(&data));
    assert_eq!(report.sha256, sha256_hex(&data));
}

#[test]
fn a_stale_part_of_other_bytes_is_discarded() {
    let data = bytes(SIZE, 3);
    let server = FileServer::start(Object::new(data.clone()));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    // Other bytes, no record: nothing proves they belong.
    std::fs::write(part_path(&dest), bytes(100_000, 99)).unwrap();
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(server.requests()[0].range, None, "fetched from the start");

    // Other bytes with the record of another replica set's file.
    let interrupted = FileServer::start(Object::new(bytes(SIZE, 4)));
    interrupted.script(Trigger::Next, Fault::DropAfter(50_000));
    let mut other = task(&interrupted.url(), SIZE as u64);
    other.replica_set_id = Some("cmgo-t_1".into());
    let dest = dir.path().join("b.tar");
    client()
        .download_backup(&other, &dest, &fast().max_attempts(1))
        .unwrap_err();
    assert!(record_path(&dest).exists());
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(server.requests().last().unwrap().range, None);
}

#[test]
fn a_part_with_a_matching_record_resumes_from_its_end_with_if_range() {
    let data = bytes(SIZE, 5);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::DropAfter(100_000));
    let object = server.object();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), SIZE as u64);
    let err = client()
        .download_backup(&t, &dest, &fast().max_attempts(1))
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 100_000);
    let record = std::fs::read_to_string(record_path(&dest)).unwrap();
    assert!(record.contains("cmgo-t_0") && record.contains(&object.crc64().to_string()));
    assert!(!record.contains("q-signature"), "the record holds no URL");

    let report = client().download_backup(&t, &dest, &fast()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 100_000);
    assert_eq!(
        report.verified,
        Verified::Crc64AndSize,
        "the prefix was hashed too"
    );
    let last = server.requests().pop().unwrap();
    assert_eq!(last.range, Some((100_000, None)));
    assert_eq!(last.if_range.as_deref(), Some(object.etag().as_str()));
    assert_eq!(last.status, 206);
}

#[test]
fn an_object_changed_between_runs_is_fetched_again_from_byte_zero() {
    let old = bytes(SIZE, 6);
    let new = bytes(SIZE, 7);
    let server = FileServer::start(Object::new(old));
    server.script(Trigger::Next, Fault::DropAfter(100_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), SIZE as u64);
    client()
        .download_backup(&t, &dest, &fast().max_attempts(1))
        .unwrap_err();
    server.set_object(Object::new(new.clone()));

    let report = client().download_backup(&t, &dest, &fast()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), new);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(report.expected_crc64, Some(crc64_xz(&new)));
    let last = server.requests().pop().unwrap();
    assert_eq!(last.range, Some((100_000, None)), "asked to continue…");
    assert!(last.if_range.is_some());
    assert_eq!(last.status, 200, "…and got the whole new object");
    assert_eq!(report.attempts, 1);
}

#[test]
fn a_byte_corrupted_in_transit_fails_the_crc_and_leaves_nothing() {
    let data = bytes(SIZE, 8);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::CorruptAt(123_457));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap_err();
    let mut corrupted = data.clone();
    corrupted[123_457] ^= 0xFF;
    match &err {
        Error::Download(DownloadError::ChecksumMismatch {
            path,
            expected,
            actual,
        }) => {
            assert_eq!(path, &dest);
            assert_eq!(*expected, crc64_xz(&data));
            assert_eq!(*actual, crc64_xz(&corrupted));
        }
        other => panic!("{other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("a.tar"), "{shown}");
    assert!(shown.contains(&crc64_xz(&data).to_string()), "{shown}");
    assert_nothing_left(&dest);

    // The next run starts clean and succeeds.
    client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}

#[test]
fn a_size_other_than_backup_size_is_refused_and_nothing_is_kept() {
    let data = bytes(SIZE, 9);
    let server = FileServer::start(Object::new(data));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(&task(&server.url(), SIZE as u64 + 10), &dest, &fast())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Download(DownloadError::SizeMismatch { expected, actual, .. })
                if expected == SIZE as u64 + 10 && actual == SIZE as u64
        ),
        "{err:?}"
    );
    assert_nothing_left(&dest);
}

#[test]
fn an_expired_url_is_replaced_through_the_refresh_callback() {
    let data = bytes(SIZE, 10);
    let server = FileServer::start(Object::new(data.clone()));
    let stale = server.url();
    server.script(Trigger::Next, Fault::DropAfter(50_000));
    // The URL expires while the connection is down.
    server.script(
        Trigger::RangeFrom(50_000),
        Fault::refuse(403, "AccessDenied"),
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let calls = Cell::new(0);
    let opts = fast().refresh_url(|| {
        calls.set(calls.get() + 1);
        Ok(server.url())
    });
    let report = client()
        .download_backup(&task(&stale, SIZE as u64), &dest, &opts)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(calls.get(), 1);
    assert_eq!(report.refreshes, 1);
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].status, 403);
    assert_eq!(
        seen[2].range,
        Some((50_000, None)),
        "continued from the .part"
    );
    assert_eq!(seen[2].status, 206);
}

#[test]
fn download_backup_file_gets_a_fresh_url_from_describe_backup_download_task() {
    let data = bytes(SIZE, 11);
    let server = FileServer::start(Object::new(data.clone()));
    let expired = server.url();
    server.expire_urls();
    let fresh = server.url();
    let listed = json!([
        {"BackupName": "b1", "ReplicaSetId": "cmgo-t_0", "Status": 2, "Url": "http://127.0.0.1:9/old?x=1",
         "BackupSize": SIZE, "CreateTime": "2024-01-01 00:00:00"},
        {"BackupName": "b1", "ReplicaSetId": "cmgo-t_0", "Status": 2, "Url": fresh,
         "BackupSize": SIZE, "CreateTime": "2024-01-02 00:00:00"},
        {"BackupName": "b1", "ReplicaSetId": "cmgo-t_0", "Status": 3, "Url": "",
         "BackupSize": SIZE, "CreateTime": "2024-01-03 00:00:00"},
        {"BackupName": "b1", "ReplicaSetId": "cmgo-t_1", "Status": 2, "Url": "http://127.0.0.1:9/s1?x=1",
         "BackupSize": 5, "CreateTime": "2024-01-04 00:00:00"}
    ]);
    let api = Mock::start(move |_, _| {
        Reply::ok(json!({"TotalCount": 4, "Tasks": listed.clone()}), "rid-1")
    });
    let client = client_for(&api).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client
        .download_backup_file("cmgo-t", &task(&expired, SIZE as u64), &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.refreshes, 1);
    let asked = api.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].action(), "DescribeBackupDownloadTask");
    let body: serde_json::Value = serde_json::from_slice(&asked[0].body).unwrap();
    assert_eq!(body["InstanceId"], "cmgo-t");
    assert_eq!(body["BackupName"], "b1");
    let seen = server.requests();
    assert_eq!((seen[0].signed, seen[0].status), (false, 403));
    assert_eq!((seen[1].signed, seen[1].status), (true, 200));
}

#[test]
fn refreshes_run_out_with_a_typed_error_and_without_a_way_the_status_is_named() {
    let data = bytes(SIZE, 12);
    let server = FileServer::start(Object::new(data));
    server.script(Trigger::Always, Fault::refuse(403, "AccessDenied"));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let calls = Cell::new(0);
    let opts = fast().max_refreshes(2).refresh_url(|| {
        calls.set(calls.get() + 1);
        Ok(server.url())
    });
    let err = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &opts)
        .unwrap_err();
    match &err {
        Error::Download(DownloadError::UrlRefused {
            status,
            code,
            refreshes,
            ..
        }) => {
            assert_eq!(*status, 403);
            assert_eq!(code.as_deref(), Some("AccessDenied"));
            assert_eq!(*refreshes, 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("kept refusing after 2 fresh URLs"),
        "{err}"
    );
    assert_eq!(calls.get(), 2);
    assert_eq!(server.request_count(), 3);
    assert!(!dest.exists());

    // No way to refresh (the plain download_backup): the status and the store's code, once.
    server.clear_script();
    server.script(Trigger::Always, Fault::refuse(410, "NoSuchKey"));
    let before = server.request_count();
    let err = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("HTTP 410") && shown.contains("NoSuchKey"),
        "{shown}"
    );
    assert!(matches!(
        err,
        Error::Download(DownloadError::UrlRefused { refreshes: 0, .. })
    ));
    assert_eq!(server.request_count(), before + 1);
    assert!(!dest.exists());
}

#[test]
fn download_url_without_a_size_takes_the_stores() {
    let data = bytes(SIZE, 13);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::DropAfter(70_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.bin");
    let report = client()
        .download_url(&server.url(), None, &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.attempts, 2);
    assert_eq!(report.verified, Verified::Crc64AndSize);
}

#[test]
fn a_large_resumed_prefix_is_hashed_from_disk_and_verified() {
    // A prefix far larger than the streaming buffers: hashed from disk before the resuming
    // request goes out.
    const MIB: u64 = 1 << 20;
    let object = Object::generated(8 * MIB, 14);
    let data = object.bytes();
    let server = FileServer::start(object);
    server.script(Trigger::Next, Fault::DropAfter(6 * MIB));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), 8 * MIB);
    let one_stream = || fast().parts(1);
    client()
        .download_backup(&t, &dest, &one_stream().max_attempts(1))
        .unwrap_err();
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 6 * MIB);

    let report = client().download_backup(&t, &dest, &one_stream()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 6 * MIB);
    assert_eq!(report.verified, Verified::Crc64AndSize);
    assert_eq!(report.crc64, crc64_xz(&data));
    assert_eq!(report.sha256, sha256_hex(&data));
    assert_eq!(
        server.requests().pop().unwrap().range,
        Some((6 * MIB, None))
    );
}

#[test]
fn a_part_left_by_either_entry_point_is_continued_by_the_other() {
    let data = bytes(SIZE, 15);
    let server = FileServer::start(Object::new(data.clone()));
    let dir = tempfile::tempdir().unwrap();
    let t = task(&server.url(), SIZE as u64);
    let once = || fast().max_attempts(1);

    // download_backup (the task names no instance), then download_backup_file.
    server.script(Trigger::Next, Fault::DropAfter(100_000));
    let dest = dir.path().join("a.tar");
    client().download_backup(&t, &dest, &once()).unwrap_err();
    let report = client()
        .download_backup_file("cmgo-t", &t, &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 100_000);
    assert_eq!(
        server.requests().pop().unwrap().range,
        Some((100_000, None))
    );

    // download_backup_file (which records the instance), then download_backup.
    server.script(Trigger::Next, Fault::DropAfter(120_000));
    let dest = dir.path().join("b.tar");
    client()
        .download_backup_file("cmgo-t", &t, &dest, &once())
        .unwrap_err();
    let record = std::fs::read_to_string(record_path(&dest)).unwrap();
    assert!(record.contains("\"cmgo-t\""), "{record}");
    let report = client().download_backup(&t, &dest, &fast()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 120_000);

    // Another instance's .part of a backup of the same name is not continued.
    server.script(Trigger::Next, Fault::DropAfter(50_000));
    let dest = dir.path().join("c.tar");
    client()
        .download_backup_file("cmgo-other", &t, &dest, &once())
        .unwrap_err();
    let report = client()
        .download_backup_file("cmgo-t", &t, &dest, &fast())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(server.requests().pop().unwrap().range, None);
}

#[test]
fn download_backup_file_asks_a_refresh_callback_when_one_is_given() {
    let data = bytes(SIZE, 16);
    let server = FileServer::start(Object::new(data.clone()));
    let expired = server.url();
    server.expire_urls();
    let calls = Cell::new(0);
    let opts = fast().refresh_url(|| {
        calls.set(calls.get() + 1);
        Ok(server.url())
    });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    // This client's API endpoint answers nothing: only the callback can give a fresh URL.
    let report = client()
        .download_backup_file("cmgo-t", &task(&expired, SIZE as u64), &dest, &opts)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((calls.get(), report.refreshes), (1, 1));
}

#[test]
fn a_download_that_fails_before_its_first_byte_leaves_no_part() {
    let server = FileServer::start(Object::new(bytes(SIZE, 17)));
    server.script(Trigger::Always, Fault::refuse(403, "AccessDenied"));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &fast())
        .unwrap_err();
    assert!(
        matches!(err, Error::Download(DownloadError::UrlRefused { .. })),
        "{err:?}"
    );
    assert_nothing_left(&dest);

    // Cut before the first byte, with the store's validators already recorded.
    server.clear_script();
    server.script(Trigger::Always, Fault::DropAfter(0));
    let err = client()
        .download_backup(
            &task(&server.url(), SIZE as u64),
            &dest,
            &fast().max_attempts(2),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.request_count(), 3);
    assert_nothing_left(&dest);
}

#[test]
fn resume_never_starts_over_even_from_a_proven_part() {
    let data = bytes(SIZE, 18);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::DropAfter(100_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), SIZE as u64);
    client()
        .download_backup(&t, &dest, &fast().max_attempts(1))
        .unwrap_err();
    assert!(record_path(&dest).exists());
    let report = client()
        .download_backup(&t, &dest, &fast().resume(Resume::Never))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(server.requests().pop().unwrap().range, None);
}
