//! Downloads under trouble: stalls, deadlines, two writers, multi-part transfers interrupted
//! and resumed, and the URL (a credential) kept out of every error and log line.

mod common;
mod download_support;

use std::sync::mpsc;
use std::time::Duration;

use download_support::{bytes, client, fast, record_path, task};
use mongodb_client_blocking::{part_path, DownloadError, Error, Verified};
use test_support::{Fault, FileServer, Object, Trigger};

const SIZE: usize = 300_000;
const MIB: u64 = 1 << 20;

/// A minimum rate any loopback transfer beats by far, over a window short enough for tests.
fn stall_check<'a>() -> mongodb_client_blocking::DownloadOptions<'a> {
    fast().min_throughput(8 * 1024, Duration::from_millis(500))
}

#[test]
fn a_stalled_transfer_is_dropped_and_resumed() {
    let data = bytes(SIZE, 20);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::Stall { after: 100_000 });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &stall_check())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_resumed(&server, report.attempts);
}

/// At least one request resumed the download, each from where the `.part` ended and bound
/// to the object by `If-Range`. (How many, and where, depends on the machine's speed.)
#[track_caller]
fn assert_resumed(server: &FileServer, attempts: u32) {
    assert!(attempts >= 2, "{attempts} requests");
    let seen = server.requests();
    assert_eq!(seen.len(), attempts as usize);
    let resumed: Vec<_> = seen.iter().filter(|r| r.range.is_some()).collect();
    assert!(!resumed.is_empty(), "{seen:?}");
    for r in resumed {
        assert!(r.range.unwrap().1.is_none(), "{r:?}");
        assert!(r.if_range.is_some(), "{r:?}");
    }
}

#[test]
fn a_trickling_transfer_is_dropped_and_resumed() {
    let data = bytes(SIZE, 21);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(
        Trigger::Next,
        Fault::Trickle {
            after: 100_000,
            every: Duration::from_millis(20),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(&task(&server.url(), SIZE as u64), &dest, &stall_check())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_resumed(&server, report.attempts);
}

#[test]
fn stalls_in_every_attempt_end_with_a_typed_error() {
    let server = FileServer::start(Object::new(bytes(SIZE, 22)));
    server.script(Trigger::Always, Fault::Stall { after: 1000 });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(
            &task(&server.url(), SIZE as u64),
            &dest,
            &stall_check().max_attempts(2),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Download(DownloadError::Stalled { attempts: 2, .. })
        ),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 2);
    assert!(!dest.exists());
    assert!(part_path(&dest).exists(), "kept for the next run");
}

#[test]
fn the_overall_deadline_ends_the_download_without_a_final_file() {
    let server = FileServer::start(Object::new(bytes(SIZE, 23)));
    // Never a byte: only the deadline can end it.
    server.script(Trigger::Always, Fault::Stall { after: 0 });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(
            &task(&server.url(), SIZE as u64),
            &dest,
            &fast()
                .min_throughput(0, Duration::from_secs(1))
                .max_attempts(1000)
                .deadline(Duration::from_millis(300)),
        )
        .unwrap_err();
    match &err {
        Error::Download(DownloadError::DeadlineExceeded { path, deadline, .. }) => {
            assert_eq!(path, &dest);
            assert_eq!(*deadline, Duration::from_millis(300));
        }
        other => panic!("{other:?}"),
    }
    assert!(!dest.exists());
}

#[test]
fn a_download_that_keeps_moving_outlasts_its_attempt_budget() {
    let data = bytes(SIZE, 25);
    let server = FileServer::start(Object::new(data.clone()));
    // Six drops in a row, each after more than one window's worth at the minimum rate.
    for _ in 0..6 {
        server.script(Trigger::Next, Fault::DropAfter(40_000));
    }
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(
            &task(&server.url(), SIZE as u64),
            &dest,
            &fast().max_attempts(2),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.attempts, 7);
    let starts: Vec<u64> = server.ranges().iter().map(|r| r.0).collect();
    assert_eq!(starts, [40_000, 80_000, 120_000, 160_000, 200_000, 240_000]);
}

#[test]
fn interruptions_without_progress_use_up_the_budget() {
    let server = FileServer::start(Object::new(bytes(SIZE, 26)));
    // Far less than one window's worth at the minimum rate (1 KiB/s over 30 s) each time.
    server.script(Trigger::Always, Fault::DropAfter(1000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let err = client()
        .download_backup(
            &task(&server.url(), SIZE as u64),
            &dest,
            &fast().max_attempts(3),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.request_count(), 3);
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 3000);
    assert!(!dest.exists());
}

#[test]
fn a_second_writer_of_the_same_file_is_refused_and_the_first_completes() {
    let data = bytes(SIZE, 24);
    let server = FileServer::start(Object::new(data.clone()));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let url = server.url();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let first = {
        let dest = dest.clone();
        let url = url.clone();
        std::thread::spawn(move || {
            let mut waited = false;
            let opts = fast().on_progress(move |_| {
                if !waited {
                    waited = true;
                    started_tx.send(()).unwrap();
                    go_rx.recv().unwrap();
                }
            });
            client().download_backup(&task(&url, SIZE as u64), &dest, &opts)
        })
    };
    started_rx.recv().unwrap();
    let err = client()
        .download_backup(&task(&url, SIZE as u64), &dest, &fast())
        .unwrap_err();
    match &err {
        Error::Download(DownloadError::Locked { path }) => assert_eq!(path, &part_path(&dest)),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("a.tar.part"), "{err}");
    assert!(!err.was_sent());
    go_tx.send(()).unwrap();
    let report = first.join().unwrap().unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.bytes, SIZE as u64);
    assert_eq!(server.request_count(), 1, "the second writer asked nothing");
}

#[test]
fn a_large_file_comes_over_several_connections_and_a_dropped_part_resumes() {
    let object = Object::generated(4 * MIB, 1);
    let data = object.bytes();
    let server = FileServer::start(object);
    server.script(Trigger::RangeFrom(MIB), Fault::DropAfter(100_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(
            &task(&server.url(), data.len() as u64),
            &dest,
            &fast().parts(4),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.parts, 4);
    assert_eq!(report.attempts, 5);
    assert_eq!(report.verified, Verified::Crc64AndSize);
    let mut ranges = server.ranges();
    ranges.sort();
    let len = data.len() as u64;
    assert_eq!(
        ranges,
        vec![
            (0, Some(MIB - 1)),
            (MIB, Some(2 * MIB - 1)),
            (MIB + 100_000, Some(2 * MIB - 1)),
            (2 * MIB, Some(3 * MIB - 1)),
            (3 * MIB, Some(len - 1)),
        ]
    );
}

#[test]
fn an_interrupted_multi_part_download_resumes_only_the_missing_ranges() {
    let object = Object::generated(4 * MIB, 2);
    let data = object.bytes();
    let len = data.len() as u64;
    let server = FileServer::start(object);
    // Every range stops early; the first run gives up at once.
    server.script(Trigger::Always, Fault::DropAfter(300_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), len);
    client()
        .download_backup(&t, &dest, &fast().parts(4).max_attempts(1))
        .unwrap_err();
    assert!(!dest.exists());
    let record = std::fs::read_to_string(record_path(&dest)).unwrap();
    assert!(record.contains("\"ranges\""), "{record}");

    // What the record says is missing: each range from its end on disk.
    let recorded: serde_json::Value = serde_json::from_str(&record).unwrap();
    let mut missing: Vec<(u64, Option<u64>)> = recorded["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (start, end, done) = (
                r["start"].as_u64().unwrap(),
                r["end"].as_u64().unwrap(),
                r["done"].as_u64().unwrap(),
            );
            (start + done, Some(end - 1))
        })
        .filter(|(from, end)| *from <= end.unwrap())
        .collect();
    missing.sort();
    assert!(!missing.is_empty());

    server.clear_script();
    let sent_before = server.bytes_sent();
    let seen_before = server.request_count();
    let report = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert!(report.resumed_from > 0);
    assert_eq!(
        server.bytes_sent() - sent_before,
        len - report.resumed_from,
        "only the missing bytes were sent again"
    );
    let second = &server.requests()[seen_before..];
    let mut asked: Vec<(u64, Option<u64>)> = second.iter().map(|r| r.range.unwrap()).collect();
    asked.sort();
    assert_eq!(asked, missing, "exactly the missing ranges");
    assert!(second.iter().all(|r| r.if_range.is_some()));
    assert!(report.resumed_from >= 300_000);
}

#[test]
fn a_store_that_ignores_ranges_is_read_over_one_connection() {
    let object = Object::generated(2 * MIB, 3).without_ranges();
    let data = object.bytes();
    let server = FileServer::start(object);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(
            &task(&server.url(), data.len() as u64),
            &dest,
            &fast().parts(4),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((report.parts, report.attempts), (1, 1));
}

#[test]
fn an_object_replaced_during_a_multi_part_download_starts_over() {
    let old = Object::generated(2 * MIB, 4);
    let new = Object::generated(2 * MIB, 5);
    let server = FileServer::start(old);
    server.script(Trigger::RangeFrom(MIB), Fault::Replace(new.clone()));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(&task(&server.url(), 2 * MIB), &dest, &fast().parts(2))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), new.bytes());
    assert_eq!(report.expected_crc64, Some(new.crc64()));
}

#[test]
fn the_url_never_appears_in_errors_or_log_lines() {
    common::init_logger();
    let server = FileServer::start(Object::new(bytes(SIZE, 30)));
    let url = server.url();
    let signature = url.split("q-signature=").nth(1).unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let mut shown = Vec::new();
    let mut check = |what: &str, err: Error| {
        shown.push(format!("{what}: {err} / {err:?}"));
    };

    server.script(Trigger::Next, Fault::refuse(403, "AccessDenied"));
    let t = task(&url, SIZE as u64);
    check(
        "refused",
        client()
            .download_backup(&t, &dir.path().join("a"), &fast())
            .unwrap_err(),
    );
    server.script(Trigger::Next, Fault::refuse(400, "InvalidArgument"));
    check(
        "400 echoing the URL",
        client()
            .download_backup(&t, &dir.path().join("b"), &fast())
            .unwrap_err(),
    );
    server.script(Trigger::Next, Fault::CorruptAt(10));
    check(
        "corrupt",
        client()
            .download_backup(&t, &dir.path().join("c"), &fast())
            .unwrap_err(),
    );
    server.script(Trigger::Always, Fault::Stall { after: 10 });
    check(
        "stalled",
        client()
            .download_backup(&t, &dir.path().join("d"), &stall_check().max_attempts(2))
            .unwrap_err(),
    );
    server.clear_script();
    let dead = url.replace(&server.addr().port().to_string(), "9");
    check(
        "connection refused",
        client()
            .download_url(&dead, None, &dir.path().join("e"), &fast().max_attempts(2))
            .unwrap_err(),
    );
    server.script(Trigger::Next, Fault::refuse(404, "NoSuchKey"));
    let opts = fast().refresh_url(|| Ok(server.url()));
    client()
        .download_backup(&t, &dir.path().join("f"), &opts)
        .unwrap();
    shown.push(format!("{opts:?}"));

    let joined = shown.join("\n");
    assert!(joined.contains("HTTP 403"), "{joined}");
    assert!(!joined.contains(&signature), "{joined}");
    assert!(!joined.contains("q-sign"), "{joined}");
    // Our own log lines, at trace level. (The HTTP stack's own trace lines, target `ureq`,
    // print request targets: keep that target at debug or below in a program's logger.)
    let lines: Vec<String> = common::all_log_lines()
        .into_iter()
        .filter(|l| !l.contains(" ureq"))
        .collect();
    for expected in ["refused the download URL", "interrupted", "CRC-64"] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "{expected}: {lines:#?}"
        );
    }
    for line in lines {
        assert!(
            !line.contains(&signature) && !line.contains("q-sign"),
            "{line}"
        );
    }
}

#[test]
fn a_valid_record_over_a_prefix_corrupted_on_disk_fails_the_crc_and_the_next_run_starts_clean() {
    let data = bytes(SIZE, 27);
    let server = FileServer::start(Object::new(data.clone()));
    server.script(Trigger::Next, Fault::DropAfter(100_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), SIZE as u64);
    client()
        .download_backup(&t, &dest, &fast().max_attempts(1))
        .unwrap_err();
    let mut part = std::fs::read(part_path(&dest)).unwrap();
    assert_eq!(part.len(), 100_000);
    part[54_321] ^= 0x80;
    std::fs::write(part_path(&dest), &part).unwrap();

    // The record still proves the .part belongs: it is continued, and the CRC catches it.
    let err = client().download_backup(&t, &dest, &fast()).unwrap_err();
    assert!(
        matches!(err, Error::Download(DownloadError::ChecksumMismatch { .. })),
        "{err:?}"
    );
    assert_eq!(
        server.requests().pop().unwrap().range,
        Some((100_000, None))
    );
    assert!(!dest.exists());
    assert!(!part_path(&dest).exists() && !record_path(&dest).exists());

    let report = client().download_backup(&t, &dest, &fast()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(server.requests().pop().unwrap().range, None);
}
