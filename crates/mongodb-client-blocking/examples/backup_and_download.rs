//! Back up an instance, prepare its files for download, wait, and download them.
//!
//! With `TENCENTCLOUD_SECRET_ID` set, this talks to the real service with credentials from the
//! default chain (region from `TENCENTCLOUD_REGION`) and backs up the instance named by the
//! first argument. Without it, it starts the local emulator and uses its demo instance
//! `cmgo-demo0001`.
//!
//! ```text
//! cargo run -p mongodb-client-blocking --example backup_and_download [INSTANCE_ID] [DEST_DIR]
//! ```
#![allow(clippy::print_stdout)] // reason: an example prints its results

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, CreateBackupDownloadTaskRequest,
    DescribeDBBackupsRequest, DescribeDBInstancesRequest, ReplicaSetInfo,
};
use mongodb_client_blocking::{Client, DownloadOptions, WaitOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let instance = args.next().unwrap_or_else(|| "cmgo-demo0001".to_string());
    let dest_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tcmongo-backups"));

    // Keep the emulator alive until the end of main.
    let mut _emulator = None;
    let client = if std::env::var_os("TENCENTCLOUD_SECRET_ID").is_some() {
        Client::from_env()?
    } else {
        let emu = mongodb_emulator::Emulator::builder()
            .listen("127.0.0.1:0")
            .progress(mongodb_emulator::Progress::Elapsed(Duration::from_millis(
                300,
            )))
            .start()?;
        println!(
            "no TENCENTCLOUD_SECRET_ID: using the emulator at {}",
            emu.url()
        );
        let client = Client::builder()
            .endpoint(emu.url())
            .credentials(emu.credentials())
            .region("ap-guangzhou")
            .build()?;
        _emulator = Some(emu);
        client
    };

    // Which replica sets / shards the instance has.
    let info = client.describe_db_instances(
        &DescribeDBInstancesRequest::new().with_instance_ids(vec![instance.clone()]),
    )?;
    let detail = info
        .instance_details
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| format!("instance {instance} not found"))?;
    let sets: Vec<ReplicaSetInfo> = detail
        .replica_sets
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.replica_set_id)
        .map(ReplicaSetInfo::new)
        .collect();
    println!(
        "{instance}: replica sets {:?}",
        sets.iter().map(|s| &s.replica_set_id).collect::<Vec<_>>()
    );

    // 1. Start a backup and wait for it.
    let before: Vec<String> = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new(instance.as_str()))
        .filter_map(|b| b.ok().and_then(|b| b.backup_name))
        .collect();
    let started = client.create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
        instance.as_str(),
        BackupMethod::Logical,
    ))?;
    let async_id = started
        .async_request_id
        .ok_or("no AsyncRequestId in the answer")?;
    println!("backup started (async request {async_id})");
    let wait = || {
        WaitOptions::new()
            .initial_interval(Duration::from_millis(500))
            .on_progress(|p| println!("  [{:>5.1}s] {}", p.elapsed.as_secs_f64(), p.status))
    };
    client.wait_async_request(&async_id, &wait())?;

    // 2. Find the new backup.
    let backup = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new(instance.as_str()))
        .filter_map(Result::ok)
        .filter(|b| b.backup_name.as_ref().is_some_and(|n| !before.contains(n)))
        .last()
        .ok_or("the new backup is not listed")?;
    let name = backup.backup_name.unwrap_or_default();
    println!("backup {name} is ready");

    // 3. Prepare the files for download and wait.
    client.create_backup_download_task(&CreateBackupDownloadTaskRequest::new(
        instance.as_str(),
        name.as_str(),
        sets,
    ))?;
    let tasks = client.wait_backup_download(&instance, &name, &wait())?;

    // 4. Download.
    std::fs::create_dir_all(&dest_dir)?;
    for task in &tasks {
        let set = task
            .replica_set_id
            .clone()
            .unwrap_or_else(|| "backup".into());
        let dest = dest_dir.join(format!("{set}.backup"));
        let opts = DownloadOptions::new().on_progress(|p| {
            if let Some(total) = p.bytes_total {
                print!("\r  {set}: {} / {total} bytes", p.bytes_done);
                let _ = std::io::stdout().flush();
            }
        });
        let report = client.download_backup(task, &dest, &opts)?;
        println!("\n{}", report.path.display());
    }
    Ok(())
}
