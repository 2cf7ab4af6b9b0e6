//! The typed workflows (`replica_set_ids`, `backup_and_wait`, `prepare_backup_download`)
//! against the MongoDB emulator. The emulator advances work one step per poll and the waiters
//! get a sleeper that returns at once, so nothing here sleeps.

use std::cell::RefCell;
use std::time::Duration;

use mongodb_client_blocking::models::{
    BackupDownloadTaskState, BackupMethod, CreateBackupDBInstanceRequest,
};
use mongodb_client_blocking::{Client, Error, ErrorCode, RetryPolicy, WaitOptions};
use mongodb_emulator::EmulatorHandle;
use test_support::presets;

fn start() -> EmulatorHandle {
    presets::fast().start().expect("emulator starts")
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

/// Wait options that never sleep.
fn no_sleep<'a>() -> WaitOptions<'a> {
    WaitOptions::new().sleeper(|_| {})
}

#[test]
fn replica_set_ids_of_the_seed_instances() {
    let emu = start();
    let client = client(&emu);
    assert_eq!(
        client.replica_set_ids("cmgo-demo0002").unwrap(),
        vec!["cmgo-demo0002_0".to_string(), "cmgo-demo0002_1".to_string()]
    );
    assert_eq!(
        client.replica_set_ids("cmgo-demo0001").unwrap(),
        vec!["cmgo-demo0001_0".to_string()]
    );
}

#[test]
fn replica_set_ids_of_an_unknown_instance_is_a_not_found_service_error() {
    let emu = start();
    let err = client(&emu).replica_set_ids("cmgo-nosuch99").unwrap_err();
    let service = err.service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        service.code,
        ErrorCode::InvalidParameterValueNotFoundInstance
    );
    assert!(service.message.contains("cmgo-nosuch99"), "{service}");
}

#[test]
fn backup_and_wait_returns_the_new_backup() {
    let emu = start();
    let client = client(&emu);
    let seen = RefCell::new(Vec::new());
    let opts = no_sleep().on_progress(|p| {
        seen.borrow_mut()
            .push((p.async_request_id.clone(), p.status.clone(), p.tasks.len()))
    });
    let req = CreateBackupDBInstanceRequest::new("cmgo-demo0002", BackupMethod::Physical)
        .with_backup_remark("from the workflow test");
    let created = client.backup_and_wait(&req, &opts).unwrap();

    let name = created.backup.backup_name.clone().unwrap();
    assert!(name.starts_with("cmgo-demo0002"), "{name}");
    assert_eq!(created.backup.backup_method, Some(BackupMethod::Physical));
    assert!(!created.async_request_id.is_empty());
    assert_eq!(emu.request_count("CreateBackupDBInstance"), 1);

    // The progress reports name the async request and carry no download tasks.
    let seen = seen.borrow();
    assert!(seen.len() >= 2, "{seen:?}");
    for (id, _, tasks) in seen.iter() {
        assert_eq!(id.as_deref(), Some(created.async_request_id.as_str()));
        assert_eq!(*tasks, 0);
    }
    assert_eq!(seen.last().unwrap().1, "success");
}

#[test]
fn consecutive_backups_are_told_apart() {
    let emu = start();
    let client = client(&emu);
    let req = CreateBackupDBInstanceRequest::new("cmgo-demo0001", BackupMethod::Logical);
    let first = client.backup_and_wait(&req, &no_sleep()).unwrap();
    let second = client.backup_and_wait(&req, &no_sleep()).unwrap();
    assert_ne!(first.async_request_id, second.async_request_id);
    assert_ne!(
        (first.backup.back_id, first.backup.backup_name.clone()),
        (second.backup.back_id, second.backup.backup_name.clone())
    );
    for c in [&first, &second] {
        assert_eq!(c.backup.backup_method, Some(BackupMethod::Logical));
    }
}

#[test]
fn list_backups_lists_every_method_oldest_first_and_narrows_on_request() {
    let emu = start();
    let client = client(&emu);
    let physical = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-demo0002", BackupMethod::Physical),
            &no_sleep(),
        )
        .unwrap();
    let listings_before = emu.request_count("DescribeDBBackups");
    let all = client.list_backups("cmgo-demo0002", &[]).unwrap();
    // One listing (of one page) per documented method.
    assert_eq!(emu.request_count("DescribeDBBackups") - listings_before, 3);
    let methods: Vec<Option<BackupMethod>> = all.iter().map(|b| b.backup_method).collect();
    // The seeded automatic logical backup, then the new physical one.
    assert!(methods.contains(&Some(BackupMethod::Logical)), "{all:?}");
    assert!(all.contains(&physical.backup), "{all:?}");
    let starts: Vec<_> = all.iter().map(|b| b.start_time.clone()).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);

    let only_logical = client
        .list_backups("cmgo-demo0002", &[BackupMethod::Logical])
        .unwrap();
    assert!(!only_logical.is_empty());
    assert!(only_logical
        .iter()
        .all(|b| b.backup_method == Some(BackupMethod::Logical)));

    let err = client.list_backups("cmgo-nosuch99", &[]).unwrap_err();
    assert_eq!(
        err.service_error().map(|s| s.code.clone()),
        Some(ErrorCode::InvalidParameterValueNotFoundInstance)
    );
}

#[test]
fn backup_and_wait_of_an_unknown_instance_fails_before_starting() {
    let emu = start();
    let client = client(&emu);
    let req = CreateBackupDBInstanceRequest::new("cmgo-nosuch99", BackupMethod::Logical);
    let err = client.backup_and_wait(&req, &no_sleep()).unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(emu.request_count("CreateBackupDBInstance"), 0);
}

#[test]
fn prepare_backup_download_yields_completed_tasks_and_typed_progress() {
    let emu = start();
    let client = client(&emu);
    let created = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-demo0002", BackupMethod::Logical),
            &no_sleep(),
        )
        .unwrap();
    let name = created.backup.backup_name.unwrap();

    let polls = RefCell::new(Vec::new());
    let opts = no_sleep().on_progress(|p| polls.borrow_mut().push(p.tasks.clone()));
    let tasks = client
        .prepare_backup_download("cmgo-demo0002", &name, &[], &opts)
        .unwrap();

    let sets: Vec<&str> = tasks
        .iter()
        .map(|t| t.replica_set_id.as_deref().unwrap())
        .collect();
    assert_eq!(sets, ["cmgo-demo0002_0", "cmgo-demo0002_1"]);
    for t in &tasks {
        assert_eq!(t.status, Some(BackupDownloadTaskState::Completed));
        assert!(t.url.as_deref().is_some_and(|u| !u.is_empty()), "{t:?}");
        assert!(t.backup_size.is_some_and(|n| n > 0), "{t:?}");
        assert_eq!(t.backup_name.as_deref(), Some(name.as_str()));
    }

    // Every poll saw the typed tasks: both sets, not yet all done at first, done at last.
    let polls = polls.borrow();
    assert!(polls.len() >= 2, "{polls:?}");
    for tasks in polls.iter() {
        let ids: Vec<&str> = tasks
            .iter()
            .map(|t| t.replica_set_id.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(ids, ["cmgo-demo0002_0", "cmgo-demo0002_1"]);
    }
    assert!(polls[0]
        .iter()
        .any(|t| t.status != Some(BackupDownloadTaskState::Completed)));
    assert!(polls
        .last()
        .unwrap()
        .iter()
        .all(|t| t.status == Some(BackupDownloadTaskState::Completed) && t.percent == Some(100)));
}

#[test]
fn prepare_backup_download_of_some_sets_keeps_their_order() {
    let emu = start();
    let client = client(&emu);
    let name = client
        .backup_and_wait(
            &CreateBackupDBInstanceRequest::new("cmgo-demo0002", BackupMethod::Logical),
            &no_sleep(),
        )
        .unwrap()
        .backup
        .backup_name
        .unwrap();
    let wanted = vec!["cmgo-demo0002_1".to_string(), "cmgo-demo0002_0".to_string()];
    let tasks = client
        .prepare_backup_download("cmgo-demo0002", &name, &wanted, &no_sleep())
        .unwrap();
    let sets: Vec<String> = tasks
        .iter()
        .map(|t| t.replica_set_id.clone().unwrap())
        .collect();
    assert_eq!(sets, wanted);

    let one = client
        .prepare_backup_download(
            "cmgo-demo0002",
            &name,
            &["cmgo-demo0002_1".to_string()],
            &no_sleep(),
        )
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].replica_set_id.as_deref(), Some("cmgo-demo0002_1"));
    assert_eq!(emu.request_count("CreateBackupDownloadTask"), 2);
}
