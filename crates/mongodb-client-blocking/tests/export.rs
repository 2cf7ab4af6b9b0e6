//! The export workflow (`export_backup`, `export_backups`, `instance_ids`) against the
//! MongoDB emulator. The emulator advances work one step per poll and the waits poll every
//! millisecond, so nothing here waits for the clock.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use mongodb_client_blocking::models::BackupMethod;
use mongodb_client_blocking::{
    verify_dir, BackupChoice, Client, Error, ErrorCode, ExportEvent, ExportJob, ExportOptions,
    FileDigest, InstanceFilter, RetryPolicy, Verified, VerifyOutcome, WaitOptions, MANIFEST_FILE,
};
use mongodb_emulator::{Emulator, EmulatorHandle, InstanceSpec, Progress as EmuProgress};
use serde_json::Value;

fn start() -> EmulatorHandle {
    Emulator::builder()
        .listen("127.0.0.1:0")
        .progress(EmuProgress::PerPoll)
        .rate_limit(None)
        .start()
        .expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    Client::builder()
        .endpoint(emu.url())
        .region("ap-guangzhou")
        .credentials(emu.credentials())
        .no_proxy()
        .retry(RetryPolicy::default().with_base_delay(Duration::from_millis(1)))
        .build()
        .expect("client builds")
}

fn opts() -> ExportOptions {
    ExportOptions::new().tool("export-test 1.0").wait(
        &WaitOptions::new()
            .initial_interval(Duration::from_millis(1))
            .backoff(1.0),
    )
}

fn new_backup(instance: &str, dir: &Path) -> ExportJob {
    ExportJob::new(
        instance,
        BackupChoice::new_backup(BackupMethod::Logical),
        dir,
    )
}

/// A short name for each event, to compare sequences.
fn label(e: &ExportEvent<'_>) -> Option<String> {
    Some(match e {
        ExportEvent::Started { .. } => "started".into(),
        ExportEvent::BackupReady { .. } => "backup ready".into(),
        ExportEvent::FileSkipped { replica_set_id, .. } => format!("skipped {replica_set_id}"),
        ExportEvent::FileStarted { replica_set_id, .. } => format!("started {replica_set_id}"),
        ExportEvent::FileDone { replica_set_id, .. } => format!("done {replica_set_id}"),
        ExportEvent::Finished { files, .. } => format!("finished {files}"),
        ExportEvent::Failed { .. } => "failed".into(),
        _ => return None,
    })
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn an_export_writes_verified_files_and_a_manifest_that_matches_them() {
    let emu = start();
    let client = client(&emu);
    let dir = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let mut waited = 0;
    let mut bytes_seen = 0;
    let report = client
        .export_backup(&new_backup("cmgo-demo0002", dir.path()), &opts(), |e| {
            match e {
                ExportEvent::BackupWaiting {
                    async_request_id, ..
                } => {
                    assert!(!async_request_id.is_empty());
                    waited += 1;
                }
                ExportEvent::FileBytes { bytes_done, .. } => bytes_seen = *bytes_done,
                _ => {}
            }
            events.extend(label(e));
        })
        .unwrap();
    assert!(waited > 0);
    assert!(bytes_seen > 0);
    assert_eq!(
        events,
        [
            "started",
            "backup ready",
            "started cmgo-demo0002_0",
            "done cmgo-demo0002_0",
            "started cmgo-demo0002_1",
            "done cmgo-demo0002_1",
            "finished 2"
        ]
    );
    assert_eq!(report.instance_id, "cmgo-demo0002");
    assert_eq!(report.backup_method, BackupMethod::Logical);
    assert!(report.async_request_id.is_some());
    assert_eq!(report.manifest, dir.path().join(MANIFEST_FILE));
    assert_eq!(report.downloaded(), 2);

    let manifest = read_json(&report.manifest);
    assert_eq!(manifest["tool"], "export-test 1.0");
    assert_eq!(manifest["region"], "ap-guangzhou");
    assert_eq!(manifest["instance_id"], "cmgo-demo0002");
    assert_eq!(manifest["backup_name"], report.backup_name.as_str());
    assert_eq!(manifest["backup_method"], 0);
    assert!(manifest["finished"].is_string(), "{manifest}");
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for (entry, file) in listed.iter().zip(&report.files) {
        let digest = FileDigest::of_file(&file.path).unwrap();
        assert_eq!(entry["replica_set_id"], file.replica_set_id.as_str());
        assert_eq!(
            entry["file"],
            file.path.file_name().unwrap().to_str().unwrap()
        );
        assert_eq!(entry["bytes"], digest.bytes);
        assert_eq!(entry["sha256"], digest.sha256.as_str());
        assert_eq!(entry["crc64"], digest.crc64.to_string().as_str());
        assert_eq!(entry["verified"], "crc64+size");
        assert_eq!(file.verified, Verified::Crc64AndSize);
    }
    let text = std::fs::read_to_string(&report.manifest).unwrap();
    assert!(!text.contains('?') && !text.contains("sign"), "{text}");
    assert_eq!(
        verify_dir(dir.path()).unwrap().outcome(),
        VerifyOutcome::AllMatch
    );
}

#[test]
fn a_rerun_skips_what_the_manifest_proves_and_fetches_only_the_rest() {
    let emu = start();
    let client = client(&emu);
    let dir = tempfile::tempdir().unwrap();
    let first = client
        .export_backup(&new_backup("cmgo-demo0002", dir.path()), &opts(), |_| {})
        .unwrap();
    let again = ExportJob::new(
        "cmgo-demo0002",
        BackupChoice::existing(first.backup_name.clone()),
        dir.path(),
    );

    // Everything proven: no download, not even a download task.
    let downloads = emu.stats().downloads;
    let tasks = emu.request_count("CreateBackupDownloadTask");
    let mut events = Vec::new();
    let second = client
        .export_backup(&again, &opts(), |e| events.extend(label(e)))
        .unwrap();
    assert_eq!(emu.stats().downloads, downloads);
    assert_eq!(emu.request_count("CreateBackupDownloadTask"), tasks);
    assert_eq!(second.downloaded(), 0);
    assert_eq!(
        events,
        [
            "started",
            "backup ready",
            "skipped cmgo-demo0002_0",
            "skipped cmgo-demo0002_1",
            "finished 2"
        ]
    );
    assert_eq!(second.files.len(), 2);
    assert_eq!(second.bytes(), first.bytes());

    // A deleted file (and only it) is fetched again.
    let lost = &first.files[1];
    let kept = std::fs::read(&lost.path).unwrap();
    std::fs::remove_file(&lost.path).unwrap();
    let third = client.export_backup(&again, &opts(), |_| {}).unwrap();
    assert_eq!(emu.stats().downloads, downloads + 1);
    assert_eq!(third.downloaded(), 1);
    assert!(third.files[1].download.is_some());
    assert_eq!(std::fs::read(&lost.path).unwrap(), kept);
    assert_eq!(
        verify_dir(dir.path()).unwrap().outcome(),
        VerifyOutcome::AllMatch
    );
}

#[test]
fn a_directory_holding_another_export_is_refused_before_any_backup_starts() {
    let emu = start();
    let client = client(&emu);
    let dir = tempfile::tempdir().unwrap();
    let first = client
        .export_backup(&new_backup("cmgo-demo0001", dir.path()), &opts(), |_| {})
        .unwrap();
    let before = std::fs::read(&first.manifest).unwrap();
    let creates = emu.request_count("CreateBackupDBInstance");
    for job in [
        new_backup("cmgo-demo0001", dir.path()),
        ExportJob::new("cmgo-demo0002", BackupChoice::existing("x"), dir.path()),
    ] {
        let err = client.export_backup(&job, &opts(), |_| {}).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&first.backup_name), "{text}");
    }
    assert_eq!(emu.request_count("CreateBackupDBInstance"), creates);
    assert_eq!(std::fs::read(&first.manifest).unwrap(), before);
}

#[test]
fn an_existing_backup_is_found_with_its_method_and_an_unknown_one_is_named() {
    let emu = start();
    let client = client(&emu);
    let made = client
        .backup_and_wait(
            &mongodb_client_blocking::models::CreateBackupDBInstanceRequest::new(
                "cmgo-demo0001",
                BackupMethod::Physical,
            ),
            &WaitOptions::new().sleeper(|_| {}),
        )
        .unwrap();
    let name = made.backup.backup_name.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = ExportJob::new(
        "cmgo-demo0001",
        BackupChoice::existing(name.as_str()),
        dir.path(),
    );
    let report = client.export_backup(&job, &opts(), |_| {}).unwrap();
    assert_eq!(report.backup_method, BackupMethod::Physical);
    assert_eq!(report.async_request_id, None);
    assert_eq!(read_json(&report.manifest)["backup_method"], 1);

    let other = tempfile::tempdir().unwrap();
    let job = ExportJob::new(
        "cmgo-demo0001",
        BackupChoice::existing("no-such-backup"),
        other.path(),
    );
    let mut failed = false;
    let err = client
        .export_backup(&job, &opts(), |e| {
            failed |= matches!(e, ExportEvent::Failed { .. })
        })
        .unwrap_err();
    assert!(failed);
    assert_eq!(
        err.service_error().map(|s| s.code.clone()),
        Some(ErrorCode::InvalidParameterValueBackupFileNotFound)
    );
    assert!(err.to_string().contains("no-such-backup"), "{err}");
}

#[test]
fn several_exports_share_one_client_and_one_failure_stops_no_other() {
    let emu = start();
    emu.add_instance(InstanceSpec::replica_set("cmgo-isolated3").with_status(-2))
        .unwrap();
    let client = client(&emu);
    let ids = client.instance_ids(&InstanceFilter::new()).unwrap();
    assert_eq!(ids, ["cmgo-demo0001", "cmgo-demo0002", "cmgo-isolated3"]);
    let base = tempfile::tempdir().unwrap();
    let jobs: Vec<ExportJob> = ids
        .iter()
        .map(|id| new_backup(id, &base.path().join(id)))
        .collect();
    let seen: Mutex<BTreeMap<String, Vec<String>>> = Mutex::default();
    let results = client
        .export_backups(&jobs, &opts().workers(2), |instance, e| {
            if let Some(l) = label(e) {
                seen.lock()
                    .unwrap()
                    .entry(instance.to_owned())
                    .or_default()
                    .push(l);
            }
        })
        .unwrap();
    let got: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r.instance_id.as_str(), r.is_ok()))
        .collect();
    assert_eq!(
        got,
        [
            ("cmgo-demo0001", true),
            ("cmgo-demo0002", true),
            ("cmgo-isolated3", false)
        ]
    );
    for r in &results[..2] {
        let report = r.result.as_ref().unwrap();
        assert_eq!(r.backup_name.as_deref(), Some(report.backup_name.as_str()));
        assert_eq!((r.files, r.bytes), (report.files.len(), report.bytes()));
        assert_eq!(report.dir, base.path().join(&r.instance_id));
        assert_eq!(
            verify_dir(&report.dir).unwrap().outcome(),
            VerifyOutcome::AllMatch
        );
    }
    let failed = &results[2];
    let err = failed.result.as_ref().unwrap_err();
    assert!(err.service_error().is_some(), "{err:?}");
    assert_eq!((failed.backup_name.as_deref(), failed.files), (None, 0));
    assert!(!failed.dir.join(MANIFEST_FILE).exists());
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen["cmgo-demo0002"].last().unwrap(), "finished 2");
    assert_eq!(seen["cmgo-isolated3"], ["started", "failed"]);

    // Two jobs in one directory are refused before anything runs.
    let creates = emu.request_count("CreateBackupDBInstance");
    let same = [
        new_backup("cmgo-demo0001", base.path()),
        new_backup("cmgo-demo0002", base.path()),
    ];
    assert!(client.export_backups(&same, &opts(), |_, _| {}).is_err());
    assert_eq!(emu.request_count("CreateBackupDBInstance"), creates);
}

#[test]
fn instance_ids_are_narrowed_by_project_and_tags() {
    let emu = start();
    let client = client(&emu);
    let all = client
        .instance_ids(&InstanceFilter::new().project_id(0))
        .unwrap();
    assert_eq!(all, ["cmgo-demo0001", "cmgo-demo0002"]);
    assert!(client
        .instance_ids(&InstanceFilter::new().project_id(4242))
        .unwrap()
        .is_empty());
    // The emulator's instances carry no tags.
    assert!(client
        .instance_ids(&InstanceFilter::new().tag("env", "prod"))
        .unwrap()
        .is_empty());
}
