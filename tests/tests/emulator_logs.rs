//! Logs through the Rust client's typed methods, against an in-process emulator whose work moves
//! one step per poll (no sleeps): slow logs paged by the generated paginator add up to their
//! count; a log download task becomes ready with a URL whose bytes the client downloads (through
//! a dropped connection) and verifies, and is gone once deleted; a killed operation leaves `DescribeCurrentOp`.

mod common;

use mongodb_client_blocking::{Client, DownloadOptions, Verified};
use mongodb_emulator::{EmulatorHandle, Fault, Progress, DOWNLOAD_FAULT_KEY};
use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateLogDownloadTaskRequest, DeleteLogDownloadTaskRequest, DescribeCurrentOpRequest,
    DescribeLogDownloadTasksRequest, DescribeMongodbLogsRequest, DescribeSlowLogsRequest,
    KillOpsRequest, Operation, Task,
};

const DEMO: &str = "cmgo-demo0001";

fn emulator() -> EmulatorHandle {
    common::emulator_builder()
        .progress(Progress::PerPoll)
        .start()
        .expect("the emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    common::client_for(emu).build().expect("client")
}

/// `YYYY-MM-DD HH:MM:SS` (UTC+8), `minutes` ago on the emulator's clock (no offset is set).
fn ago(minutes: i64) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        - time::Duration::minutes(minutes);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .expect("a formattable time")
}

#[test]
fn slow_logs_paged_by_the_paginator_add_up_to_their_count() {
    let emu = emulator();
    let c = client(&emu);
    let req = DescribeSlowLogsRequest::new(DEMO, ago(180), ago(120), 100);
    let whole = c
        .describe_slow_logs(&req.clone().with_limit(100))
        .expect("DescribeSlowLogs");
    let count = whole.count.expect("Count");
    assert!(count > 9, "an hour holds more than one page: {count}");

    let mut pages = c.describe_slow_logs_iter(req.with_limit(9));
    let lines: Vec<String> = (&mut pages).collect::<Result<_, _>>().expect("every page");
    assert_eq!(lines.len() as u64, count);
    assert_eq!(pages.total_count(), Some(count));
    assert_eq!(u64::from(pages.pages_fetched()), count.div_ceil(9));
    assert_eq!(
        Some(lines),
        whole.slow_logs,
        "pages in order, nothing twice"
    );
}

#[test]
fn a_log_download_becomes_ready_downloads_and_is_deleted() {
    let emu = emulator();
    let c = client(&emu);
    let (start, end) = (ago(12 * 60), ago(60));
    let levels = vec!["ERROR".to_owned()];
    c.create_log_download_task(
        &CreateLogDownloadTaskRequest::new(DEMO, &start, &end).with_log_levels(levels.clone()),
    )
    .expect("CreateLogDownloadTask");

    let list = DescribeLogDownloadTasksRequest::new(DEMO);
    let mut statuses = Vec::new();
    let mut ready: Option<Task> = None;
    for _ in 0..10 {
        let tasks = c
            .describe_log_download_tasks(&list)
            .expect("DescribeLogDownloadTasks")
            .tasks
            .unwrap_or_default();
        let task = tasks.into_iter().next().expect("the task is listed");
        statuses.push(task.status.expect("Status"));
        if task.status == Some(2) {
            ready = Some(task);
            break;
        }
    }
    assert_eq!(statuses, [0, 1, 2]);
    let task = ready.expect("the task finished");
    let url = task.url.clone().expect("Url");
    let size = u64::try_from(task.file_size.expect("FileSize")).expect("a size");

    let dir = tempfile::tempdir().expect("a temporary directory");
    let dest = dir.path().join("errors.log");
    // The connection drops halfway once: the client continues where it stopped.
    emu.inject_times(DOWNLOAD_FAULT_KEY, Fault::DropAfterBytes(size / 2), 1);
    let report = c
        .download_url(&url, Some(size), &dest, &DownloadOptions::new())
        .expect("the file downloads");
    assert_eq!(report.bytes, size);
    assert_eq!(report.attempts, 2);
    assert_eq!(
        report.resumed_from, 0,
        "nothing was on disk before this run"
    );
    assert_eq!(report.expected_crc64, Some(report.crc64));
    assert!(matches!(report.verified, Verified::Crc64AndSize));
    let text = std::fs::read_to_string(&dest).expect("a text file");
    let listed = c
        .describe_mongodb_logs(
            &DescribeMongodbLogsRequest::new(DEMO, &start, &end)
                .with_log_levels(levels)
                .with_limit(1),
        )
        .expect("DescribeMongodbLogs");
    assert_eq!(Some(text.lines().count() as i64), listed.total_count);
    assert!(text.lines().all(|l| l.contains(" ERROR ")));

    let task_id = task.task_id.expect("TaskId");
    let deleted = c
        .delete_log_download_task(&DeleteLogDownloadTaskRequest::new(DEMO, &task_id))
        .expect("DeleteLogDownloadTask");
    assert_eq!(deleted.status, Some(0));
    let after = c
        .describe_log_download_tasks(&list)
        .expect("DescribeLogDownloadTasks");
    assert_eq!(after.total_count, Some(0));
    assert!(after.tasks.unwrap_or_default().is_empty());
    let again = dir.path().join("again.log");
    assert!(c
        .download_url(
            &url,
            Some(size),
            &again,
            &DownloadOptions::new().max_attempts(1)
        )
        .is_err());
    assert!(!again.exists(), "no file from a deleted task");
}

#[test]
fn a_killed_operation_leaves_the_current_operations() {
    // What runs depends on the emulator's clock: fix it at a moment when seven operations run
    // on cmgo-demo0002 (the client corrects its own clock from the first answer).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64;
    let emu = common::emulator_builder()
        .progress(Progress::PerPoll)
        .clock_offset_secs(1_750_000_000 - now)
        .start()
        .expect("the emulator starts");
    let c = client(&emu);
    let list = DescribeCurrentOpRequest::new("cmgo-demo0002");
    let ops = c
        .describe_current_op(&list)
        .expect("DescribeCurrentOp")
        .current_ops
        .unwrap_or_default();
    assert_eq!(ops.len(), 7);
    // The longest-running first; one that ends on its own before the kill is skipped.
    let mut killed = None;
    for op in ops.iter().rev() {
        let target = Operation::new(
            op.replica_set_name.clone().expect("ReplicaSetName"),
            op.node_name.clone().expect("NodeName"),
            op.op_id.expect("OpId"),
        );
        match c.kill_ops(&KillOpsRequest::new("cmgo-demo0002", vec![target])) {
            Ok(_) => {
                killed = op.op_id;
                break;
            }
            Err(e) => assert_eq!(e.code(), Some(&ErrorCode::FailedOperation), "{e}"),
        }
    }
    let killed = killed.expect("an operation was killed");
    let after = c
        .describe_current_op(&list)
        .expect("DescribeCurrentOp")
        .current_ops
        .unwrap_or_default();
    assert!(after.iter().all(|o| o.op_id != Some(killed)));
}
