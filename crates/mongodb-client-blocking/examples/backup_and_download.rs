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

use mongodb_client_blocking::models::{BackupMethod, CreateBackupDBInstanceRequest};
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
    let sets = client.replica_set_ids(&instance)?;
    println!("{instance}: replica sets {sets:?}");

    let wait = || {
        WaitOptions::new()
            .initial_interval(Duration::from_millis(500))
            .on_progress(|p| {
                if p.tasks.is_empty() {
                    println!("  [{:>5.1}s] {}", p.elapsed.as_secs_f64(), p.status);
                }
                for t in &p.tasks {
                    let state = t.status.map(|s| format!("{s:?}"));
                    println!(
                        "  [{:>5.1}s] {}: {} {}%",
                        p.elapsed.as_secs_f64(),
                        t.replica_set_id.as_deref().unwrap_or("?"),
                        state.as_deref().unwrap_or("unknown"),
                        t.percent.unwrap_or(0)
                    );
                }
            })
    };

    // 1. Start a backup, wait for it, and find the backup it made.
    let created = client.backup_and_wait(
        &CreateBackupDBInstanceRequest::new(instance.as_str(), BackupMethod::Logical),
        &wait(),
    )?;
    let name = created.backup.backup_name.unwrap_or_default();
    println!(
        "backup {name} is ready (async request {})",
        created.async_request_id
    );

    // 2. Prepare the files of every replica set for download and wait.
    let tasks = client.prepare_backup_download(&instance, &name, &sets, &wait())?;

    // 3. Download.
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
