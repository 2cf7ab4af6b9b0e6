//! Multi-part downloads under trouble: a corrupted byte, a URL that expires while the ranges
//! are in flight, a prefix corrupted on disk under a valid record, the overall deadline, and
//! every range dropped at once.

mod download_support;

use std::cell::Cell;
use std::time::Duration;

use download_support::{assert_nothing_left, client, fast, record_path, task};
use mongodb_client_blocking::{part_path, DownloadError, Error, Verified};
use serde_json::Value;
use test_support::{crc64_xz, Fault, FileServer, Object, Trigger};

const MIB: u64 = 1 << 20;

fn read_record(dest: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(record_path(dest)).unwrap()).unwrap()
}

#[test]
fn a_byte_corrupted_in_one_range_fails_the_crc_and_leaves_nothing() {
    let object = Object::generated(4 * MIB, 40);
    let data = object.bytes();
    let server = FileServer::start(object);
    let at = 2 * MIB + 12_345;
    server.script(Trigger::RangeFrom(2 * MIB), Fault::CorruptAt(at));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), 4 * MIB);
    let err = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap_err();
    let mut corrupted = data.clone();
    corrupted[at as usize] ^= 0xFF;
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
    assert_nothing_left(&dest);

    // The next run starts clean and succeeds.
    let report = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((report.parts, report.resumed_from), (4, 0));
}

#[test]
fn a_url_that_expires_while_the_ranges_start_is_refreshed_once_not_once_per_range() {
    let object = Object::generated(4 * MIB, 41);
    let data = object.bytes();
    let server = FileServer::start(object);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let calls = Cell::new(0);
    let expired = Cell::new(false);
    // The first range has been answered (it proved ranges work); the URL expires before the
    // other three are asked for.
    let opts = fast()
        .parts(4)
        .on_progress(|_| {
            if !expired.replace(true) {
                server.expire_urls();
            }
        })
        .refresh_url(|| {
            calls.set(calls.get() + 1);
            Ok(server.url())
        });
    let report = client()
        .download_backup(&task(&server.url(), 4 * MIB), &dest, &opts)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((calls.get(), report.refreshes), (1, 1));
    assert_eq!(report.verified, Verified::Crc64AndSize);
    let seen = server.requests();
    let refused: Vec<_> = seen.iter().filter(|r| r.status == 403).collect();
    assert_eq!(refused.len(), 3, "{seen:?}");
    assert!(refused.iter().all(|r| !r.signed));
    // Each refused range was asked again, with the fresh URL.
    for r in &refused {
        assert!(
            seen.iter()
                .any(|a| a.range == r.range && a.status == 206 && a.signed),
            "{r:?}"
        );
    }
}

#[test]
fn a_valid_record_over_a_prefix_corrupted_on_disk_is_caught_and_the_next_run_starts_clean() {
    let object = Object::generated(4 * MIB, 42);
    let data = object.bytes();
    let server = FileServer::start(object);
    server.script(Trigger::Always, Fault::DropAfter(300_000));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), 4 * MIB);
    client()
        .download_backup(&t, &dest, &fast().parts(4).max_attempts(1))
        .unwrap_err();

    // Flip a byte that the record says is done.
    let record = read_record(&dest);
    let range = record["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["done"].as_u64().unwrap() > 0)
        .expect("a range with bytes done");
    let at = range["start"].as_u64().unwrap() + range["done"].as_u64().unwrap() / 2;
    let mut part = std::fs::read(part_path(&dest)).unwrap();
    part[at as usize] ^= 0x01;
    std::fs::write(part_path(&dest), &part).unwrap();

    server.clear_script();
    let err = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Download(DownloadError::ChecksumMismatch { expected, .. })
            if *expected == crc64_xz(&data)),
        "{err:?}"
    );
    assert_nothing_left(&dest);

    let before = server.request_count();
    let report = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, 0);
    let third = &server.requests()[before..];
    assert!(third
        .iter()
        .all(|r| r.range.is_some_and(|(from, _)| from % MIB == 0)));
}

#[test]
fn the_deadline_ends_a_multi_part_download_and_keeps_the_part_for_the_next_run() {
    let object = Object::generated(4 * MIB, 43);
    let data = object.bytes();
    let server = FileServer::start(object);
    // Every range sends a little, then nothing: only the deadline ends it.
    server.script(Trigger::Always, Fault::Stall { after: 10_000 });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let t = task(&server.url(), 4 * MIB);
    let err = client()
        .download_backup(
            &t,
            &dest,
            &fast()
                .parts(4)
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
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 4 * MIB);
    let record = read_record(&dest);
    let recorded: u64 = record["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["done"].as_u64().unwrap())
        .sum();

    // The next run continues from the record.
    server.clear_script();
    let before = server.request_count();
    let report = client()
        .download_backup(&t, &dest, &fast().parts(4))
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(report.resumed_from, recorded);
    assert!(server.requests()[before..]
        .iter()
        .all(|r| r.if_range.is_some()));
}

#[test]
fn every_range_dropped_at_once_is_progress_not_a_spent_budget() {
    let object = Object::generated(4 * MIB, 44);
    let data = object.bytes();
    let server = FileServer::start(object);
    for at in [0, MIB, 2 * MIB, 3 * MIB] {
        server.script(Trigger::RangeFrom(at), Fault::DropAfter(100_000));
    }
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a.tar");
    let report = client()
        .download_backup(
            &task(&server.url(), 4 * MIB),
            &dest,
            &fast().parts(4).max_attempts(2),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((report.parts, report.attempts), (4, 8));
}
