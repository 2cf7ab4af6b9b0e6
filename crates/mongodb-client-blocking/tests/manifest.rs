//! The export manifest: format, atomic updates, verification of a directory against it.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{client_for, Mock, Reply};
use mongodb_client_blocking::models::{BackupDownloadTask, BackupMethod};
use mongodb_client_blocking::{
    verify_dir, Checked, DownloadOptions, Error, FileDigest, FileStatus, Manifest, ManifestFile,
    Verified, VerifyOutcome, MANIFEST_FILE,
};
use serde_json::{json, Value};

/// 2024-05-01T10:00:00Z.
fn may_first() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600)
}

fn manifest() -> Manifest {
    Manifest::builder()
        .tool("tcmongo 0.1.0")
        .region("ap-guangzhou")
        .instance_id("cmgo-demo0002")
        .backup_name("cmgo-demo0002_2024-05-01 10:00")
        .backup_method(BackupMethod::Logical)
        .started(may_first())
        .build()
        .unwrap()
}

fn bytes_of(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

/// Writes `data` as `name` in `dir` and returns its entry, verified by CRC-64 and size.
fn put(dir: &Path, set: &str, name: &str, data: &[u8]) -> ManifestFile {
    std::fs::write(dir.join(name), data).unwrap();
    ManifestFile::builder()
        .replica_set_id(set)
        .file(name)
        .digest(&FileDigest::of_bytes(data))
        .verified(Verified::Crc64AndSize)
        .build()
        .unwrap()
}

fn read_json(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap()
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_manifest_has_the_documented_format_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = manifest();
    let a = put(dir.path(), "cmgo-demo0002_0", "a.tar", b"123456789");
    // A file the store gave no CRC for: size only, no CRC recorded.
    let b = ManifestFile::builder()
        .replica_set_id("cmgo-demo0002_1")
        .file("b.tar")
        .bytes(3)
        .sha256(FileDigest::of_bytes(b"xyz").sha256)
        .build()
        .unwrap();
    std::fs::write(dir.path().join("b.tar"), b"xyz").unwrap();
    m.record_file(dir.path(), a).unwrap();
    m.record_file(dir.path(), b).unwrap();

    let v = read_json(dir.path());
    assert_eq!(
        v,
        json!({
            "tool": "tcmongo 0.1.0",
            "region": "ap-guangzhou",
            "instance_id": "cmgo-demo0002",
            "backup_name": "cmgo-demo0002_2024-05-01 10:00",
            "backup_method": 0,
            "started": "2024-05-01T10:00:00Z",
            "finished": null,
            "files": [
                {"replica_set_id": "cmgo-demo0002_0", "file": "a.tar", "bytes": 9,
                 "sha256": "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
                 "crc64": "11051210869376104954", "verified": "crc64+size"},
                {"replica_set_id": "cmgo-demo0002_1", "file": "b.tar", "bytes": 3,
                 "sha256": FileDigest::of_bytes(b"xyz").sha256,
                 "crc64": null, "verified": "size"}
            ]
        })
    );
    // 11051210869376104954 is 0x995DC9BBDF1939FA, the CRC-64/XZ check value.
    assert_eq!(11_051_210_869_376_104_954u64, 0x995D_C9BB_DF19_39FA);

    m.finish(dir.path(), may_first() + Duration::from_millis(90_500))
        .unwrap();
    assert_eq!(read_json(dir.path())["finished"], "2024-05-01T10:01:30Z");
    let loaded = Manifest::load(dir.path()).unwrap();
    assert_eq!(loaded, m);
    assert_eq!(loaded.started(), may_first());
    assert_eq!(
        loaded.finished(),
        Some(may_first() + Duration::from_secs(90))
    );
    assert_eq!(loaded.backup_method(), BackupMethod::Logical);
    assert!(loaded.is_for("cmgo-demo0002", "cmgo-demo0002_2024-05-01 10:00"));
    assert!(!loaded.is_for("cmgo-demo0002", "another"));
    assert_eq!(
        loaded.file("a.tar").unwrap().crc64(),
        Some(0x995D_C9BB_DF19_39FA)
    );
    assert_eq!(loaded.file("b.tar").unwrap().crc64(), None);
}

#[test]
fn every_update_leaves_a_whole_manifest_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = manifest();
    m.save(dir.path()).unwrap();
    let check = |m: &Manifest, data_files: &[&str]| {
        assert_eq!(&Manifest::load(dir.path()).unwrap(), m);
        let mut want: Vec<String> = data_files.iter().map(|s| s.to_string()).collect();
        want.push(MANIFEST_FILE.to_string());
        want.sort();
        assert_eq!(listing(dir.path()), want);
    };
    check(&m, &[]);
    assert!(read_json(dir.path())["files"]
        .as_array()
        .unwrap()
        .is_empty());

    m.record_file(
        dir.path(),
        put(dir.path(), "s_0", "s0.tar", &bytes_of(1000, 1)),
    )
    .unwrap();
    check(&m, &["s0.tar"]);
    m.record_file(
        dir.path(),
        put(dir.path(), "s_1", "s1.tar", &bytes_of(2000, 2)),
    )
    .unwrap();
    check(&m, &["s0.tar", "s1.tar"]);
    // The same file again (a rerun downloaded it anew): replaced in place, not duplicated.
    m.record_file(
        dir.path(),
        put(dir.path(), "s_0", "s0.tar", &bytes_of(1500, 3)),
    )
    .unwrap();
    check(&m, &["s0.tar", "s1.tar"]);
    let files = Manifest::load(dir.path()).unwrap().files().to_vec();
    assert_eq!(files.len(), 2);
    assert_eq!((files[0].file(), files[0].bytes()), ("s0.tar", 1500));
    m.finish(dir.path(), may_first()).unwrap();
    check(&m, &["s0.tar", "s1.tar"]);
    assert_eq!(
        verify_dir(dir.path()).unwrap().outcome(),
        VerifyOutcome::AllMatch
    );
}

#[test]
fn a_leftover_temporary_file_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    // Another writer's temporary file (it may still be writing it): neither read nor touched.
    let leftover = ".manifest.json.1.0.tmp";
    std::fs::write(dir.path().join(leftover), b"{half a manif").unwrap();
    let m = manifest();
    m.save(dir.path()).unwrap();
    assert_eq!(Manifest::load(dir.path()).unwrap(), m);
    assert_eq!(listing(dir.path()), [leftover, MANIFEST_FILE]);
    assert_eq!(
        std::fs::read(dir.path().join(leftover)).unwrap(),
        b"{half a manif"
    );
    assert_eq!(
        verify_dir(dir.path()).unwrap().outcome(),
        VerifyOutcome::AllMatch
    );
}

#[test]
fn two_writers_of_one_manifest_never_clobber_each_others_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (manifest(), {
        let mut m = manifest();
        m.record_file(dir.path(), put(dir.path(), "s_0", "s0.tar", b"zero"))
            .unwrap();
        m
    });
    let (a, b, dir_path) = (&a, &b, dir.path());
    std::thread::scope(|s| {
        for m in [a, b] {
            s.spawn(move || {
                let dir = dir_path;
                for _ in 0..100 {
                    m.save(dir).unwrap();
                    let now = Manifest::load(dir).unwrap();
                    assert!(now == *a || now == *b, "{now:?}");
                }
            });
        }
    });
    assert_eq!(listing(dir.path()), [MANIFEST_FILE, "s0.tar"]);
}

/// A finished export of three files in a fresh directory.
fn export() -> (tempfile::TempDir, Vec<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let data = vec![
        bytes_of(70_000, 1),
        bytes_of(1, 2),
        bytes_of((1 << 20) + 300_000, 3),
    ];
    let mut m = manifest();
    for (i, d) in data.iter().enumerate() {
        let entry = put(dir.path(), &format!("s_{i}"), &format!("s{i}.tar"), d);
        m.record_file(dir.path(), entry).unwrap();
    }
    m.finish(dir.path(), may_first()).unwrap();
    (dir, data)
}

#[test]
fn verify_passes_an_intact_export() {
    let (dir, _) = export();
    let report = verify_dir(dir.path()).unwrap();
    assert_eq!(report.outcome(), VerifyOutcome::AllMatch);
    assert!(report.export_finished);
    assert_eq!(report.files.len(), 3);
    assert!(report.files.iter().all(|f| f.status == FileStatus::Ok));
    assert_eq!(report.problems().count(), 0);
    assert_eq!(report.files[0].to_string(), "s0.tar: ok");
}

#[test]
fn verify_catches_a_flipped_byte() {
    let (dir, data) = export();
    let mut bad = data[2].clone();
    bad[1_234_567] ^= 0x01;
    std::fs::write(dir.path().join("s2.tar"), &bad).unwrap();
    let report = verify_dir(dir.path()).unwrap();
    assert_eq!(report.outcome(), VerifyOutcome::Mismatch);
    let problems: Vec<_> = report.problems().collect();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, "s2.tar");
    assert_eq!(problems[0].replica_set_id, "s_2");
    match &problems[0].status {
        FileStatus::Mismatch(list) => {
            let what: Vec<Checked> = list.iter().map(|m| m.what).collect();
            // Same size, different content: both hashes tell.
            assert_eq!(what, [Checked::Sha256, Checked::Crc64]);
            assert_eq!(list[0].expected, FileDigest::of_bytes(&data[2]).sha256);
            assert_eq!(list[0].actual, FileDigest::of_bytes(&bad).sha256);
            assert_eq!(list[1].actual, FileDigest::of_bytes(&bad).crc64.to_string());
        }
        other => panic!("{other:?}"),
    }
    let line = problems[0].to_string();
    assert!(line.starts_with("s2.tar: sha256 is "), "{line}");
    let entry = Manifest::load(dir.path()).unwrap().files()[2].clone();
    assert!(!entry.proves_complete(dir.path()).unwrap());
}

#[test]
fn verify_catches_a_missing_and_a_truncated_file() {
    let (dir, data) = export();
    std::fs::remove_file(dir.path().join("s0.tar")).unwrap();
    std::fs::write(dir.path().join("s2.tar"), &data[2][..data[2].len() - 10]).unwrap();
    let report = verify_dir(dir.path()).unwrap();
    assert_eq!(report.outcome(), VerifyOutcome::Mismatch);
    assert_eq!(report.files[0].status, FileStatus::Missing);
    assert_eq!(report.files[1].status, FileStatus::Ok);
    match &report.files[2].status {
        FileStatus::Mismatch(list) => {
            assert_eq!(list[0].what, Checked::Size);
            assert_eq!(list[0].expected, ((1u64 << 20) + 300_000).to_string());
            assert_eq!(list[0].actual, ((1u64 << 20) + 300_000 - 10).to_string());
            assert_eq!(list.len(), 3, "size, sha256 and crc64 all differ");
        }
        other => panic!("{other:?}"),
    }
    assert!(report.files[0].to_string().starts_with("s0.tar: missing"));
    let m = Manifest::load(dir.path()).unwrap();
    assert!(!m.files()[0].proves_complete(dir.path()).unwrap());
    assert!(m.files()[1].proves_complete(dir.path()).unwrap());
    assert!(!m.files()[2].proves_complete(dir.path()).unwrap());
}

#[test]
fn an_unreadable_file_is_reported_apart_and_a_mismatch_wins_over_it() {
    let (dir, _) = export();
    // A directory where a file should be: it opens but can't be read.
    std::fs::remove_file(dir.path().join("s1.tar")).unwrap();
    std::fs::create_dir(dir.path().join("s1.tar")).unwrap();
    let report = verify_dir(dir.path()).unwrap();
    assert!(
        matches!(report.files[1].status, FileStatus::Unreadable { .. }),
        "{:?}",
        report.files[1]
    );
    assert_eq!(report.outcome(), VerifyOutcome::Unreadable);
    std::fs::remove_file(dir.path().join("s0.tar")).unwrap();
    assert_eq!(
        verify_dir(dir.path()).unwrap().outcome(),
        VerifyOutcome::Mismatch
    );
}

#[test]
fn loading_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    match Manifest::load(dir.path()) {
        Err(Error::Io { source, context }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            assert!(context.contains(MANIFEST_FILE), "{context}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(Manifest::load_if_present(dir.path()).unwrap(), None);
    assert!(verify_dir(dir.path()).is_err());

    let mut v = serde_json::to_value(manifest()).unwrap();
    v["files"] = json!([{"replica_set_id": "s_0", "file": "../../etc/passwd", "bytes": 1,
                         "sha256": "00".repeat(32), "crc64": null, "verified": "size"}]);
    std::fs::write(dir.path().join(MANIFEST_FILE), v.to_string()).unwrap();
    match Manifest::load(dir.path()) {
        Err(Error::Io { source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::InvalidData);
            assert!(source.to_string().contains("`file`"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    v["files"][0]["file"] = "a.tar".into();
    v["files"][0]["crc64"] = "not a number".into();
    std::fs::write(dir.path().join(MANIFEST_FILE), v.to_string()).unwrap();
    assert!(Manifest::load(dir.path()).is_err());
    // A CRC written as a plain number is read too.
    v["files"][0]["crc64"] = json!(42);
    std::fs::write(dir.path().join(MANIFEST_FILE), v.to_string()).unwrap();
    assert_eq!(
        Manifest::load(dir.path()).unwrap().files()[0].crc64(),
        Some(42)
    );
}

#[test]
fn the_builder_names_a_missing_field() {
    let err = Manifest::builder()
        .region("ap-guangzhou")
        .backup_name("b")
        .backup_method(BackupMethod::Physical)
        .build()
        .unwrap_err();
    match err {
        Error::InvalidInput { parameter, .. } => {
            assert_eq!(parameter.as_deref(), Some("instance_id"))
        }
        other => panic!("{other:?}"),
    }
    // Without a tool, the library names itself; without a start time, it reads the clock.
    let m = Manifest::builder()
        .region("r")
        .instance_id("i")
        .backup_name("b")
        .backup_method(BackupMethod::Physical)
        .build()
        .unwrap();
    assert!(
        m.tool().starts_with("mongodb-client-blocking "),
        "{}",
        m.tool()
    );
    assert!(m.finished().is_none());
}

#[test]
fn a_manifest_never_holds_a_download_url_or_its_query_string() {
    let data = bytes_of(10_000, 9);
    let served = data.clone();
    let store = Mock::start(move |_, _| Reply::Http {
        status: 200,
        headers: vec![],
        body: served.clone(),
    });
    let client = client_for(&store).build().unwrap();
    let url = format!(
        "{}/backups/cmgo-demo0002_0.tar?sign=SECRET&t=1",
        store.url()
    );
    let task: BackupDownloadTask = serde_json::from_value(json!({
        "ReplicaSetId": "cmgo-demo0002_0", "Status": 2, "Url": url, "BackupSize": data.len()
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("cmgo-demo0002_0.tar");
    let report = client
        .download_backup(&task, &dest, &DownloadOptions::new())
        .unwrap();
    let name = report.path.file_name().unwrap().to_str().unwrap();
    let entry = ManifestFile::builder()
        .replica_set_id("cmgo-demo0002_0")
        .file(name)
        .digest(&FileDigest::of_file(&report.path).unwrap())
        .build()
        .unwrap();
    let mut m = manifest();
    m.record_file(dir.path(), entry).unwrap();
    let text = std::fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
    assert!(!text.contains("SECRET"), "{text}");
    assert!(!text.contains('?'), "{text}");
    assert!(!text.contains("sign="), "{text}");

    // Handing the URL (or anything with a query) over as the file name is refused, and the
    // error does not repeat it.
    for bad in [
        url.as_str(),
        "cmgo-demo0002_0.tar?sign=SECRET",
        "sub/dir.tar",
        "..",
    ] {
        let err = entry_of(bad, 1, &"ab".repeat(32)).unwrap_err();
        match &err {
            Error::InvalidInput { parameter, .. } => assert_eq!(parameter.as_deref(), Some("file")),
            other => panic!("{other:?}"),
        }
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
    let err = entry_of("a.tar", 1, "xyz").unwrap_err();
    assert!(err.to_string().contains("sha256"), "{err}");
    // Hex in capitals is kept in lowercase.
    let upper = entry_of("a.tar", 1, &"AB".repeat(32)).unwrap();
    assert_eq!(upper.sha256(), "ab".repeat(32));
}

fn entry_of(file: &str, bytes: u64, sha256: &str) -> Result<ManifestFile, Error> {
    ManifestFile::builder()
        .replica_set_id("s")
        .file(file)
        .bytes(bytes)
        .sha256(sha256)
        .build()
}

#[test]
fn a_manifest_entry_names_what_it_lacks() {
    let full = || {
        ManifestFile::builder()
            .replica_set_id("cmgo-demo0002_0")
            .file("a.tar")
            .digest(&FileDigest::of_bytes(b"abc"))
    };
    let e = full().build().unwrap();
    assert_eq!(
        (e.replica_set_id(), e.file(), e.bytes()),
        ("cmgo-demo0002_0", "a.tar", 3)
    );
    assert_eq!(e.crc64(), Some(FileDigest::of_bytes(b"abc").crc64));
    assert_eq!(e.verified(), Verified::SizeOnly);
    let cases = [
        (
            ManifestFile::builder().file("a.tar").bytes(1),
            "replica_set_id",
        ),
        (full().replica_set_id(""), "replica_set_id"),
        (ManifestFile::builder().replica_set_id("s").bytes(1), "file"),
        (
            ManifestFile::builder()
                .replica_set_id("s")
                .file("a.tar")
                .sha256("ab".repeat(32)),
            "bytes",
        ),
        (
            ManifestFile::builder()
                .replica_set_id("s")
                .file("a.tar")
                .bytes(1),
            "sha256",
        ),
    ];
    for (builder, field) in cases {
        match builder.build().unwrap_err() {
            Error::InvalidInput { parameter, message } => {
                assert_eq!(parameter.as_deref(), Some(field));
                assert!(message.contains(field), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
