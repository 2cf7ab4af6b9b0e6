//! Faults, for the client and for the `tcmongo` binary: every failure ends in the error kind
//! (client) or exit code (CLI) that DESIGN.md gives it, and the server's request counts show
//! exactly what was sent: a `Create*` never twice, a `Describe*` as often as the retry policy
//! allows, a throttled call until it succeeds.

mod common;

use std::time::{Duration, Instant};

use common::{
    against, client_for, emulator, emulator_builder, expect_code, fast_retry, refused_url, run,
    stderr, stdout,
};
use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, CreateBackupDownloadTaskRequest,
    DescribeDBBackupsRequest, DescribeDBInstancesRequest, ReplicaSetInfo,
};
use mongodb_client_blocking::{
    Client, DownloadOptions, Error, ErrorCode, TransportKind, WaitOptions,
    DEFAULT_MAX_RESPONSE_SIZE,
};
use mongodb_emulator::{EmulatorHandle, Fault, DOWNLOAD_FAULT_KEY};

const DESCRIBE: &str = "DescribeDBInstances";
const CREATE: &str = "CreateBackupDBInstance";

fn describe(client: &Client) -> Result<(), Error> {
    client
        .describe_db_instances(&DescribeDBInstancesRequest::new())
        .map(|_| ())
}

fn create(client: &Client) -> Result<String, Error> {
    client
        .create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
            "cmgo-demo0001",
            BackupMethod::Logical,
        ))
        .map(|r| r.async_request_id.unwrap_or_default())
}

fn backup_count(client: &Client, instance: &str) -> usize {
    let mut n = 0;
    for b in client.describe_db_backups_iter(DescribeDBBackupsRequest::new(instance)) {
        b.expect("list backups");
        n += 1;
    }
    n
}

/// `tcmongo` against `emu`, with a fresh empty home directory.
fn cli(emu: &EmulatorHandle, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    run(against(emu, home.path()).args(args))
}

const CLI_CREATE: [&str; 4] = [CREATE, "--InstanceId", "cmgo-demo0001", "--BackupMethod"];

fn cli_create(emu: &EmulatorHandle, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(CLI_CREATE);
    args.push("0");
    cli(emu, &args)
}

// ---- connection refused ----

#[test]
fn connection_refused_is_a_connect_error_and_exit_3() {
    let url = refused_url();
    let client = Client::builder()
        .endpoint(url.clone())
        .credentials(mongodb_client_blocking::Credentials::new("AKIDtest", "test-key").unwrap())
        .no_proxy()
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = describe(&client).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.was_sent());
    // A Create* that never left the machine is safe to retry and fails the same way.
    let err = create(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: false, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));

    let home = tempfile::tempdir().unwrap();
    let o = run(common::bare(home.path())
        .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
        .env("TENCENTCLOUD_SECRET_KEY", "test-key")
        .args(["--endpoint", &url, "--max-attempts", "2", DESCRIBE]));
    expect_code(&o, 3);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

// ---- reset after the request was sent ----

#[test]
fn reset_after_send_create_is_reported_once_describe_is_retried() {
    let emu = emulator();
    let client = client_for(&emu).retry(fast_retry(3)).build().unwrap();
    emu.inject(CREATE, Fault::Disconnect);
    emu.inject(DESCRIBE, Fault::Disconnect);

    let err = create(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: true, .. }),
        "{err:?}"
    );
    assert_eq!(emu.request_count(CREATE), 1, "a Create* is never resent");

    let err = describe(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: true, .. }),
        "{err:?}"
    );
    assert_eq!(emu.request_count(DESCRIBE), 3, "one request per attempt");

    // The CLI: the same counts, exit code 3.
    let o = cli_create(&emu, &["--max-attempts", "3"]);
    expect_code(&o, 3);
    assert_eq!(
        emu.request_count(CREATE),
        2,
        "the CLI sent its Create* once"
    );
    let o = cli(&emu, &["--max-attempts", "3", DESCRIBE]);
    expect_code(&o, 3);
    assert_eq!(
        emu.request_count(DESCRIBE),
        6,
        "the CLI made three attempts"
    );

    emu.clear_faults();
    assert_eq!(
        backup_count(&client, "cmgo-demo0001"),
        1,
        "no backup was started"
    );
}

// ---- HTTP 502 with an HTML body ----

#[test]
fn bad_gateway_html_is_an_http_status_error_and_exit_3() {
    let emu = emulator();
    let client = client_for(&emu).retry(fast_retry(2)).build().unwrap();
    emu.inject(DESCRIBE, Fault::BadGateway);
    emu.inject(CREATE, Fault::BadGateway);

    let err = describe(&client).unwrap_err();
    match &err {
        Error::HttpStatus {
            status, snippet, ..
        } => {
            assert_eq!(*status, 502);
            assert!(snippet.contains("502"), "{snippet}");
        }
        other => panic!("expected HttpStatus, got {other:?}"),
    }
    assert_eq!(emu.request_count(DESCRIBE), 2, "retried: idempotent");
    let err = create(&client).unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(emu.request_count(CREATE), 1, "not retried: not idempotent");

    let o = cli(&emu, &["--max-attempts", "2", DESCRIBE]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("502"), "{}", stderr(&o));
    assert_eq!(emu.request_count(DESCRIBE), 4);
    let o = cli_create(&emu, &["--max-attempts", "2"]);
    expect_code(&o, 3);
    assert_eq!(emu.request_count(CREATE), 2);
}

// ---- truncated JSON body ----

#[test]
fn truncated_body_is_a_transport_error_and_exit_3() {
    let emu = emulator();
    let client = client_for(&emu).retry(fast_retry(3)).build().unwrap();
    emu.inject(DESCRIBE, Fault::TruncatedBody);
    emu.inject(CREATE, Fault::TruncatedBody);

    let err = describe(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: true, .. }),
        "{err:?}"
    );
    assert_eq!(emu.request_count(DESCRIBE), 3);
    let err = create(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: true, .. }),
        "{err:?}"
    );
    assert_eq!(emu.request_count(CREATE), 1);

    let o = cli(&emu, &["--max-attempts", "2", DESCRIBE]);
    expect_code(&o, 3);
    assert_eq!(emu.request_count(DESCRIBE), 5);
    let o = cli_create(&emu, &[]);
    expect_code(&o, 3);
    assert_eq!(emu.request_count(CREATE), 2);
}

// ---- 200 but not JSON; JSON without Response ----

#[test]
fn non_json_and_missing_response_are_malformed_and_exit_3() {
    for fault in [Fault::NonJson, Fault::MissingResponse] {
        let emu = emulator();
        let client = client_for(&emu).build().unwrap();
        emu.inject(DESCRIBE, fault.clone());
        let err = describe(&client).unwrap_err();
        assert!(
            matches!(err, Error::MalformedResponse { .. }),
            "{fault:?}: {err:?}"
        );
        // A malformed answer is not a transient failure: reported, not retried.
        assert_eq!(emu.request_count(DESCRIBE), 1, "{fault:?}");

        let o = cli(&emu, &[DESCRIBE]);
        expect_code(&o, 3);
        assert!(o.stdout.is_empty());
        assert_eq!(emu.request_count(DESCRIBE), 2, "{fault:?}");
    }
}

// ---- a server that never answers ----

#[test]
fn hung_server_the_timeout_holds_across_retries() {
    let emu = emulator();
    let client = client_for(&emu)
        .timeout(Duration::from_secs(1))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    emu.inject(DESCRIBE, Fault::Hang);
    let started = Instant::now();
    let err = describe(&client).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        elapsed < Duration::from_secs(30),
        "three 1 s attempts took {elapsed:?}"
    );
    assert_eq!(emu.request_count(DESCRIBE), 3, "one request per attempt");
    assert!(common::eventually(Duration::from_secs(10), || emu
        .hung_requests()
        == 3));

    let started = Instant::now();
    let o = cli(&emu, &["--timeout", "1", "--max-attempts", "2", DESCRIBE]);
    expect_code(&o, 3);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(emu.request_count(DESCRIBE), 5);

    emu.clear_faults(); // also releases the held requests
    assert!(common::eventually(Duration::from_secs(10), || emu
        .hung_requests()
        == 0));
    describe(&client).expect("answers again once released");
}

// ---- throttled twice, then success ----

#[test]
fn request_limit_exceeded_twice_then_success() {
    let emu = emulator();
    let client = client_for(&emu).build().unwrap();
    emu.inject_times(CREATE, Fault::error("RequestLimitExceeded"), 2);
    let id = create(&client).expect("succeeds on the third attempt");
    assert!(!id.is_empty());
    assert_eq!(emu.request_count(CREATE), 3, "exactly three requests");
    assert_eq!(
        backup_count(&client, "cmgo-demo0001"),
        2,
        "exactly one backup started"
    );

    // The CLI (default three attempts).
    emu.inject_times(CREATE, Fault::error("RequestLimitExceeded"), 2);
    let o = cli_create(&emu, &[]);
    expect_code(&o, 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert!(!v["AsyncRequestId"].is_null(), "{v}");
    assert_eq!(emu.request_count(CREATE), 6);
    assert_eq!(backup_count(&client, "cmgo-demo0001"), 3);
}

// ---- InternalError on a Create* ----

#[test]
fn internal_error_on_create_is_reported_once() {
    let emu = emulator();
    let client = client_for(&emu).retry(fast_retry(5)).build().unwrap();
    emu.inject(CREATE, Fault::error("InternalError"));
    let err = create(&client).unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InternalError), "{err:?}");
    assert!(matches!(err, Error::Service(_)));
    assert_eq!(emu.request_count(CREATE), 1, "not resent");

    let o = cli_create(&emu, &["--max-attempts", "5"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("InternalError"), "{}", stderr(&o));
    assert_eq!(emu.request_count(CREATE), 2);
    emu.clear_faults();
    assert_eq!(backup_count(&client, "cmgo-demo0001"), 1);
}

// ---- an answer announcing 1 GiB ----

#[test]
fn huge_announced_body_is_refused_at_the_size_limit() {
    let emu = emulator();
    let client = client_for(&emu).build().unwrap();
    emu.inject(DESCRIBE, Fault::HugeContentLength);
    let err = describe(&client).unwrap_err();
    match err {
        Error::ResponseTooLarge { limit, announced } => {
            assert_eq!(limit, DEFAULT_MAX_RESPONSE_SIZE);
            assert_eq!(announced, Some(1 << 30), "refused on the header alone");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(emu.request_count(DESCRIBE), 1, "not retried");

    let o = cli(&emu, &[DESCRIBE]);
    expect_code(&o, 3);
    assert_eq!(emu.request_count(DESCRIBE), 2);
}

// ---- a download that drops mid-file ----

/// A completed download task for the seeded backup of `cmgo-demo0001`.
fn prepared_task(client: &Client) -> (String, mongodb_client_blocking::models::BackupDownloadTask) {
    let backup = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-demo0001"))
        .next()
        .expect("the seeded backup")
        .unwrap();
    let name = backup.backup_name.unwrap();
    client
        .create_backup_download_task(&CreateBackupDownloadTaskRequest::new(
            "cmgo-demo0001",
            name.as_str(),
            vec![ReplicaSetInfo::new("cmgo-demo0001_0")],
        ))
        .unwrap();
    let tasks = client
        .wait_backup_download(
            "cmgo-demo0001",
            &name,
            &WaitOptions::new().initial_interval(Duration::from_millis(10)),
        )
        .unwrap();
    assert_eq!(tasks.len(), 1);
    (name, tasks.into_iter().next().unwrap())
}

#[test]
fn dropped_download_resumes_to_a_byte_identical_file() {
    let emu = emulator();
    let client = client_for(&emu).build().unwrap();
    let (name, task) = prepared_task(&client);
    let size = task.backup_size.unwrap() as u64;
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        DownloadOptions::new()
            .retry_delay(Duration::from_millis(10))
            .max_attempts(5)
    };

    // Clean reference download.
    let clean = dir.path().join("clean.tar");
    client.download_backup(&task, &clean, &opts()).unwrap();
    let reference = std::fs::read(&clean).unwrap();
    assert_eq!(reference.len() as u64, size);
    let before = emu.stats();

    // Two drops after 10 000 bytes each, then the rest.
    emu.inject_times(DOWNLOAD_FAULT_KEY, Fault::DropAfterBytes(10_000), 2);
    let resumed = dir.path().join("resumed.tar");
    let report = client.download_backup(&task, &resumed, &opts()).unwrap();
    assert_eq!(report.attempts, 3);
    assert_eq!(report.bytes, size);
    assert_eq!(
        std::fs::read(&resumed).unwrap(),
        reference,
        "byte-identical"
    );
    let after = emu.stats();
    assert_eq!(after.downloads - before.downloads, 3, "three requests");
    assert_eq!(
        after.download_bytes - before.download_bytes,
        size,
        "each request continued where the last stopped: no byte sent twice"
    );
    assert!(!mongodb_client_blocking::part_path(&resumed).exists());

    // The CLI's `backup download`.
    emu.inject_times(DOWNLOAD_FAULT_KEY, Fault::DropAfterBytes(10_000), 2);
    let out = dir.path().join("cli");
    let o = cli(
        &emu,
        &[
            "backup",
            "download",
            "--instance-id",
            "cmgo-demo0001",
            "--backup-name",
            &name,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    expect_code(&o, 0);
    // The first line is `PATH  N bytes  verified crc64+size`.
    let path = stdout(&o)
        .lines()
        .next()
        .and_then(|l| l.split("  ").next())
        .expect("a path")
        .to_string();
    assert_eq!(std::fs::read(&path).unwrap(), reference, "byte-identical");
    let last = emu.stats();
    assert_eq!(last.downloads - after.downloads, 3);
    assert_eq!(last.download_bytes - after.download_bytes, size);
}

// ---- clock skew of an hour ----

#[test]
fn clock_skew_of_an_hour_is_corrected() {
    let emu = emulator_builder().clock_offset_secs(3600).start().unwrap();
    let client = client_for(&emu).retry(fast_retry(1)).build().unwrap();
    describe(&client).expect("corrected and signed again");
    assert_eq!(
        emu.request_count(DESCRIBE),
        2,
        "rejected once, then accepted"
    );
    let offset = client.clock_offset_secs();
    assert!((3500..=3700).contains(&offset), "learned offset {offset}");
    // The learned offset sticks: the next call goes through at once.
    describe(&client).unwrap();
    assert_eq!(emu.request_count(DESCRIBE), 3);
    // A Create* is corrected too (the first was refused before anything happened).
    create(&client).unwrap();
    assert_eq!(emu.request_count(CREATE), 1);

    let o = cli(&emu, &["--max-attempts", "1", DESCRIBE]);
    expect_code(&o, 0);
    assert_eq!(emu.request_count(DESCRIBE), 5, "the CLI: two requests");
}
