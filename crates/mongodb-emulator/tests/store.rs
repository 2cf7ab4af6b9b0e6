//! The file store behaves like Tencent COS: validators and the whole-object
//! CRC on every answer, ranges and `If-Range`, pre-signed URLs that expire,
//! XML errors, the download faults, and real archives.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{builder, make_backup, ready_tasks, start, Answer, Api};
use mongodb_emulator::{EmulatorHandle, Fault, DOWNLOAD_FAULT_KEY};
use serde_json::json;

fn crc64(bytes: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, bytes)
}

/// A fresh URL of the seeded backup of `cmgo-demo0001` (logical).
fn seeded_url(api: &Api) -> (String, u64) {
    let name = common::backup_names(api, "cmgo-demo0001")[0].clone();
    ready_tasks(api, "cmgo-demo0001", &name, &["cmgo-demo0001_0"]);
    fresh_url(api, &name)
}

/// Asks `DescribeBackupDownloadTask` for the (done) task of `backup` again.
fn fresh_url(api: &Api, backup: &str) -> (String, u64) {
    let r = api.ok(
        "DescribeBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0001", "BackupName": backup }),
    );
    let t = &r["Tasks"][0];
    assert_eq!(t["Status"], 2, "{t}");
    let url = t["Url"].as_str().unwrap().to_owned();
    (url, t["BackupSize"].as_u64().unwrap())
}

fn assert_access_denied(a: &Answer) {
    assert_eq!(a.status, 403);
    assert_eq!(a.header("content-type"), Some("application/xml"));
    let text = String::from_utf8_lossy(&a.body);
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<Code>AccessDenied</Code>"), "{text}");
    assert!(
        text.contains("<Message>") && text.contains("<RequestId>"),
        "{text}"
    );
}

#[test]
fn downloads_carry_validators_and_the_crc_of_the_whole_object() {
    let h = start();
    let api = Api::new(&h);
    let (url, size) = seeded_url(&api);
    let full = api.get_with(&url, &[]);
    assert_eq!(full.status, 200);
    assert_eq!(
        full.body.len() as u64,
        size,
        "BackupSize is the served length"
    );
    assert_eq!(
        full.header("content-length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    let etag = full.header("etag").unwrap().to_owned();
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "{etag}"
    );
    let modified = full.header("last-modified").unwrap().to_owned();
    assert!(
        modified.ends_with(" GMT") && modified.len() == 29,
        "{modified}"
    );
    let crc = full.header("x-cos-hash-crc64ecma").unwrap().to_owned();
    assert_eq!(crc, crc64(&full.body).to_string());

    // A range carries the CRC of the whole object, not of the part.
    let part = api.get_with(&url, &[("Range", "bytes=1000-1999")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, full.body[1000..2000]);
    assert_eq!(part.header("x-cos-hash-crc64ecma"), Some(crc.as_str()));
    assert_eq!(part.header("etag"), Some(etag.as_str()));
    assert_eq!(part.header("last-modified"), Some(modified.as_str()));

    // Validators are stable for the object, whichever URL reaches it.
    let (again, _) = fresh_url(&api, &common::backup_names(&api, "cmgo-demo0001")[0]);
    assert_ne!(again, url, "every answer hands out a fresh URL");
    let second = api.get_with(&again, &[]);
    assert_eq!(second.body, full.body);
    assert_eq!(second.header("etag"), Some(etag.as_str()));
    assert_eq!(second.header("x-cos-hash-crc64ecma"), Some(crc.as_str()));
}

#[test]
fn ranges_and_if_range() {
    let h = start();
    let api = Api::new(&h);
    let (url, size) = seeded_url(&api);
    let full = api.get_with(&url, &[]);
    let etag = full.header("etag").unwrap().to_owned();
    let modified = full.header("last-modified").unwrap().to_owned();

    let tail = api.get_with(&url, &[("Range", "bytes=5000-")]);
    assert_eq!(tail.status, 206);
    let expected = format!("bytes 5000-{}/{size}", size - 1);
    assert_eq!(tail.header("content-range"), Some(expected.as_str()));
    assert_eq!(tail.body, full.body[5000..]);
    let beyond = api.get_with(&url, &[("Range", &format!("bytes={size}-"))]);
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    // If-Range naming the object as it is: the range.
    for validator in [etag.as_str(), modified.as_str()] {
        let a = api.get_with(&url, &[("Range", "bytes=5000-"), ("If-Range", validator)]);
        assert_eq!(a.status, 206, "{validator}");
        assert_eq!(a.body, full.body[5000..]);
    }
    // If-Range naming something else: the whole object, 200.
    for validator in ["\"0000\"", "W/\"0000\"", "Mon, 01 Jan 2001 00:00:00 GMT"] {
        let a = api.get_with(&url, &[("Range", "bytes=5000-"), ("If-Range", validator)]);
        assert_eq!(a.status, 200, "{validator}");
        assert_eq!(a.header("content-range"), None);
        assert_eq!(a.body, full.body);
    }
}

#[test]
fn an_expired_url_gets_403_xml_and_a_fresh_one_works() {
    let h = builder()
        .download_url_ttl(Duration::from_secs(60))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    let before = api.get_with(&url, &[]);
    assert_eq!(before.status, 200);

    // Two minutes later on the emulator's clock (API signatures still fresh).
    h.set_clock_offset_secs(120);
    assert_access_denied(&api.get_with(&url, &[]));
    assert_access_denied(&api.get_with(&url, &[("Range", "bytes=10-")]));

    let name = common::backup_names(&api, "cmgo-demo0001")[0].clone();
    let (fresh, _) = fresh_url(&api, &name);
    let after = api.get_with(&fresh, &[]);
    assert_eq!(after.status, 200);
    assert_eq!(after.body, before.body);
}

#[test]
fn altered_urls_get_403_xml() {
    let h = start();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    let longer = {
        let (head, window) = url.split_once("q-sign-time=").unwrap();
        let (_, rest) = window.split_once('&').unwrap();
        format!("{head}q-sign-time=1%3B99999999999&{rest}")
    };
    for bad in [
        url.replace("q-signature=", "q-signature=00"),
        longer,
        url.split('?').next().unwrap().to_owned(),
    ] {
        assert_access_denied(&api.get_with(&bad, &[]));
    }
    let unknown = format!("{}/download/999999/x.tar?q-signature=00", h.url());
    let a = api.get_with(&unknown, &[]);
    assert_eq!(a.status, 404);
    assert!(String::from_utf8_lossy(&a.body).contains("<Code>NoSuchKey</Code>"));
}

#[test]
fn expiring_now_refuses_every_url_handed_out_so_far() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0001")[0].clone();
    let (first, _) = seeded_url(&api);
    let (second, _) = fresh_url(&api, &name);
    h.expire_download_urls();
    assert_access_denied(&api.get_with(&first, &[]));
    assert_access_denied(&api.get_with(&second, &[]));
    let (third, _) = fresh_url(&api, &name);
    assert_eq!(api.get_with(&third, &[]).status, 200);

    // The same as a fault on the download key: the request that meets it is refused.
    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::ExpireDownloadUrls, 1);
    assert_access_denied(&api.get_with(&third, &[]));
    assert_access_denied(&api.get_with(&third, &[]));
    let (fourth, _) = fresh_url(&api, &name);
    assert_eq!(api.get_with(&fourth, &[]).status, 200);
}

#[test]
fn access_denied_fault_answers_like_an_expired_url() {
    let h = start();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::AccessDenied, 1);
    assert_access_denied(&api.get_with(&url, &[]));
    assert_eq!(api.get_with(&url, &[]).status, 200, "the fault was used up");
    assert_eq!(h.stats().faults_applied, 1);
}

#[test]
fn a_corrupted_byte_arrives_under_the_true_headers() {
    let h = start();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    let clean = api.get_with(&url, &[]);
    h.inject_times(DOWNLOAD_FAULT_KEY, Fault::CorruptByte { offset: 4321 }, 2);
    let bad = api.get_with(&url, &[]);
    assert_eq!(bad.status, 200);
    assert_eq!(bad.body.len(), clean.body.len());
    let differ: Vec<usize> = (0..bad.body.len())
        .filter(|&i| bad.body[i] != clean.body[i])
        .collect();
    assert_eq!(differ, [4321]);
    let crc = bad.header("x-cos-hash-crc64ecma").unwrap();
    assert_eq!(crc, clean.header("x-cos-hash-crc64ecma").unwrap());
    assert_ne!(
        crc,
        crc64(&bad.body).to_string(),
        "the CRC no longer matches"
    );
    // A range that does not cover the offset arrives intact.
    let after = api.get_with(&url, &[("Range", "bytes=5000-")]);
    assert_eq!(after.body, clean.body[5000..]);
}

/// Sends a raw GET for `url` and reads the head and then `body_bytes` bytes of
/// the body; returns the open stream and the head.
fn raw_get(h: &EmulatorHandle, url: &str, body_bytes: usize) -> (TcpStream, String) {
    let target = url.split_once(&h.addr().to_string()).unwrap().1;
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", h.addr());
    s.write_all(request.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "head cut short");
        got.push(byte[0]);
    }
    let mut body = vec![0u8; body_bytes];
    s.read_exact(&mut body).unwrap();
    (s, String::from_utf8(got).unwrap())
}

#[test]
fn trickle_sends_one_byte_at_a_time_after_the_first_bytes() {
    let h = start();
    let api = Api::new(&h);
    let (url, size) = seeded_url(&api);
    h.inject_times(
        DOWNLOAD_FAULT_KEY,
        Fault::Trickle {
            after_bytes: 100,
            interval: Duration::from_millis(20),
        },
        1,
    );
    let (mut s, head) = raw_get(&h, &url, 100);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains(&format!("Content-Length: {size}")), "{head}");
    let mut buf = vec![0u8; 65536];
    let mut more = 0;
    for _ in 0..5 {
        let n = s.read(&mut buf).unwrap();
        assert!(n >= 1, "the connection stays open");
        more += n;
    }
    assert!(
        more < 5_000,
        "trickling, not streaming: {more} bytes in five reads"
    );
    h.stop(); // ends the trickle
}

#[test]
fn stall_goes_silent_after_the_first_bytes() {
    let h = start();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    h.inject_times(
        DOWNLOAD_FAULT_KEY,
        Fault::Stall {
            after_bytes: 100,
            pause: Duration::from_secs(3600),
        },
        1,
    );
    let (mut s, head) = raw_get(&h, &url, 100);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let err = s
        .read(&mut buf)
        .expect_err("nothing arrives during the stall");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    h.stop();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    assert!(
        matches!(s.read(&mut buf), Ok(0) | Err(_)),
        "stopping ends the stall"
    );
}

/// Every entry of a tar: (path, bytes).
fn tar_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .expect("a tar archive")
        .map(|e| {
            let mut e = e.expect("a valid tar entry");
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, data)
        })
        .collect()
}

#[test]
fn a_logical_backup_is_a_tar_of_a_mongodump_tree() {
    let h = start();
    let api = Api::new(&h);
    let (url, _) = seeded_url(&api);
    let entries = tar_entries(&api.get_with(&url, &[]).body);
    let bson_files: Vec<_> = entries
        .iter()
        .filter(|(p, _)| p.ends_with(".bson"))
        .collect();
    assert!(bson_files.len() >= 2, "{:?}", entries.len());
    for (path, data) in bson_files {
        let (db, file) = path.split_once('/').expect("<db>/<collection>.bson");
        let mut cursor = std::io::Cursor::new(&data[..]);
        let mut docs = 0;
        while (cursor.position() as usize) < data.len() {
            bson::Document::from_reader(&mut cursor).unwrap_or_else(|e| panic!("{path}: {e}"));
            docs += 1;
        }
        assert!(docs > 0, "{path}");
        let meta = format!("{db}/{}.metadata.json", file.trim_end_matches(".bson"));
        let (_, meta) = entries.iter().find(|(p, _)| *p == meta).expect("metadata");
        serde_json::from_slice::<serde_json::Value>(meta).expect("metadata is JSON");
    }
}

#[test]
fn a_physical_backup_is_a_tar_of_a_data_directory() {
    let h = start();
    let api = Api::new(&h);
    let r = api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 1 }),
    );
    common::wait_async(&api, r["AsyncRequestId"].as_str().unwrap());
    let list = api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0002", "BackupMethod": 1 }),
    );
    let name = list["BackupList"][0]["BackupName"].as_str().unwrap();
    let tasks = ready_tasks(&api, "cmgo-demo0002", name, &["cmgo-demo0002_1"]);
    let a = api.get_with(tasks[0]["Url"].as_str().unwrap(), &[]);
    assert_eq!(
        a.body.len() as u64,
        tasks[0]["BackupSize"].as_u64().unwrap()
    );
    let entries = tar_entries(&a.body);
    let names: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        names.contains(&"WiredTiger") && names.contains(&"storage.bson"),
        "{names:?}"
    );
    let (_, storage) = entries.iter().find(|(p, _)| p == "storage.bson").unwrap();
    bson::Document::from_reader(&storage[..]).expect("storage.bson is BSON");
}

#[test]
fn two_emulators_serve_the_same_archive_for_the_same_backup() {
    // The seeded backups are named after the minute the emulator starts in; if
    // a minute boundary falls between the two starts, start both again.
    for _ in 0..3 {
        let (a, b) = (start(), start());
        let (api_a, api_b) = (Api::new(&a), Api::new(&b));
        let name = common::backup_names(&api_a, "cmgo-demo0001")[0].clone();
        if common::backup_names(&api_b, "cmgo-demo0001")[0] != name {
            continue;
        }
        let (url_a, _) = seeded_url(&api_a);
        let (url_b, _) = seeded_url(&api_b);
        let (one, two) = (api_a.get_with(&url_a, &[]), api_b.get_with(&url_b, &[]));
        assert_eq!(one.status, 200);
        assert!(one.body == two.body, "identical bytes");
        assert_eq!(
            one.header("x-cos-hash-crc64ecma"),
            two.header("x-cos-hash-crc64ecma")
        );
        // A new backup gets other bytes.
        let other = make_backup(&api_a, "cmgo-demo0001");
        let tasks = ready_tasks(&api_a, "cmgo-demo0001", &other, &["cmgo-demo0001_0"]);
        let three = api_a.get_with(tasks[0]["Url"].as_str().unwrap(), &[]);
        assert!(three.body != one.body);
        return;
    }
    panic!("the two emulators never agreed on the seeded backup's name");
}
