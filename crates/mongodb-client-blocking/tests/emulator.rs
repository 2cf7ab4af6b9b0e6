//! End-to-end flows against the MongoDB emulator.

use std::cell::RefCell;
use std::time::Duration;

use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, CreateBackupDownloadTaskRequest,
    DescribeDBBackupsRequest, DescribeDBInstancesRequest, ReplicaSetInfo,
};
use mongodb_client_blocking::{
    part_path, Client, DownloadOptions, Error, HttpMethod, RetryPolicy, WaitOptions,
};
use mongodb_emulator::{EmulatorHandle, Fault};
use test_support::presets;

fn start() -> EmulatorHandle {
    presets::fast().start().expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> mongodb_client_blocking::ClientBuilder {
    Client::builder()
        .endpoint(emu.url())
        .region("ap-guangzhou")
        .credentials(emu.credentials())
        .no_proxy()
        .retry(RetryPolicy::default().with_base_delay(Duration::from_millis(1)))
}

fn no_sleep<'a>(log: &'a RefCell<Vec<String>>) -> WaitOptions<'a> {
    WaitOptions::new()
        .sleeper(|_| {})
        .on_progress(move |p| log.borrow_mut().push(p.status.clone()))
}

/// Create a backup, wait for it, and return its name.
fn backup(client: &Client, instance: &str) -> String {
    let before: Vec<String> = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new(instance))
        .map(|b| b.unwrap().backup_name.unwrap_or_default())
        .collect();
    let started = client
        .create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
            instance,
            BackupMethod::Logical,
        ))
        .unwrap();
    let id = started.async_request_id.expect("async request id");
    let states = RefCell::new(Vec::new());
    let done = client.wait_async_request(&id, &no_sleep(&states)).unwrap();
    assert_eq!(
        done.status.map(|s| s.as_str().to_string()).as_deref(),
        Some("success")
    );
    assert!(states.borrow().len() >= 2, "{:?}", states.borrow());
    client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new(instance))
        .map(|b| b.unwrap().backup_name.unwrap_or_default())
        .find(|n| !before.contains(n))
        .expect("the new backup is listed")
}

fn full_flow(method: HttpMethod) {
    let emu = start();
    let client = client(&emu).http_method(method).build().unwrap();
    let name = backup(&client, "cmgo-demo0002");
    let sets = vec![
        ReplicaSetInfo::new("cmgo-demo0002_0"),
        ReplicaSetInfo::new("cmgo-demo0002_1"),
    ];
    client
        .create_backup_download_task(&CreateBackupDownloadTaskRequest::new(
            "cmgo-demo0002",
            name.as_str(),
            sets,
        ))
        .unwrap();
    let states = RefCell::new(Vec::new());
    let tasks = client
        .wait_backup_download("cmgo-demo0002", &name, &no_sleep(&states))
        .unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(states.borrow().len() >= 2, "{:?}", states.borrow());
    let dir = tempfile::tempdir().unwrap();
    for task in &tasks {
        let dest = dir
            .path()
            .join(format!("{}.tar", task.replica_set_id.as_deref().unwrap()));
        let report = client
            .download_backup(task, &dest, &DownloadOptions::new())
            .unwrap();
        assert_eq!(Some(report.bytes as i64), task.backup_size);
        assert_eq!(std::fs::metadata(&dest).unwrap().len(), report.bytes);
    }
}

#[test]
fn backup_wait_download_task_wait_download_over_post() {
    full_flow(HttpMethod::Post);
}

#[test]
fn backup_wait_download_task_wait_download_over_get() {
    full_flow(HttpMethod::Get);
}

#[test]
fn interrupted_download_resumes_and_matches_a_clean_download() {
    let emu = start();
    let client = client(&emu).build().unwrap();
    let name = backup(&client, "cmgo-demo0001");
    client
        .create_backup_download_task(&CreateBackupDownloadTaskRequest::new(
            "cmgo-demo0001",
            name.as_str(),
            vec![ReplicaSetInfo::new("cmgo-demo0001_0")],
        ))
        .unwrap();
    let states = RefCell::new(Vec::new());
    let tasks = client
        .wait_backup_download("cmgo-demo0001", &name, &no_sleep(&states))
        .unwrap();
    let task = &tasks[0];
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.tar");
    client
        .download_backup(task, &clean, &DownloadOptions::new())
        .unwrap();

    emu.inject_times(
        mongodb_emulator::DOWNLOAD_FAULT_KEY,
        Fault::DropAfterBytes(10_000),
        1,
    );
    let resumed = dir.path().join("resumed.tar");
    let report = client
        .download_backup(
            task,
            &resumed,
            &DownloadOptions::new().retry_delay(Duration::ZERO),
        )
        .unwrap();
    assert_eq!(report.attempts, 2);
    assert!(!part_path(&resumed).exists());
    assert_eq!(
        std::fs::read(&clean).unwrap(),
        std::fs::read(&resumed).unwrap()
    );
}

#[test]
fn skew_against_the_emulator_is_corrected() {
    let emu = presets::fast().clock_offset_secs(3600).start().unwrap();
    let client = client(&emu).retry(RetryPolicy::disabled()).build().unwrap();
    client
        .describe_db_instances(&DescribeDBInstancesRequest::new())
        .unwrap();
    assert_eq!(emu.request_count("DescribeDBInstances"), 2);
    assert!((3590..=3610).contains(&client.clock_offset_secs()));
}

#[test]
fn throttling_and_never_resend_against_the_emulator() {
    let emu = start();
    let client = client(&emu).build().unwrap();
    emu.inject_times(
        "DescribeDBInstances",
        Fault::error("RequestLimitExceeded"),
        2,
    );
    let n = client
        .describe_db_instances_iter(DescribeDBInstancesRequest::new())
        .count();
    assert_eq!(n, 2);
    assert_eq!(emu.request_count("DescribeDBInstances"), 3);

    emu.inject("CreateBackupDBInstance", Fault::Disconnect);
    let err = client
        .create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
            "cmgo-demo0001",
            BackupMethod::Logical,
        ))
        .unwrap_err();
    assert!(err.was_sent(), "{err:?}");
    assert_eq!(emu.request_count("CreateBackupDBInstance"), 1);

    emu.inject("DescribeDBBackups", Fault::HugeContentLength);
    let err = client
        .describe_db_backups(&DescribeDBBackupsRequest::new("cmgo-demo0001"))
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}
