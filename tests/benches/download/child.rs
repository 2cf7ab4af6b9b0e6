//! One download in a process of its own (`download --child ours|floor …`), so that the peak
//! resident set size of the process is that of the download and nothing else. Prints one JSON
//! line: `{"seconds": …, "peak_rss_kib": … | null, "parts": …}`.

use std::error::Error;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mongodb_client_blocking::models::{BackupDownloadTask, BackupDownloadTaskState};
use mongodb_client_blocking::{Client, Credentials, DownloadOptions, EnvSource, Verified};

use super::proc_status;

/// The floor gives up after this long (ours has its own stall and throughput limits).
const FLOOR_TIMEOUT: Duration = Duration::from_secs(600);

/// What one download does.
struct Args {
    ours: bool,
    url: String,
    bytes: u64,
    dest: PathBuf,
    /// `None`: the client's default for the size.
    parts: Option<u32>,
}

/// Runs the download `args` (what follows `--child`) describe and prints its line.
pub fn run(args: &[String]) -> Result<(), Box<dyn Error>> {
    let args = parse(args)?;
    let started = Instant::now();
    let parts = if args.ours {
        ours(&args)?
    } else {
        floor(&args)?;
        1
    };
    let seconds = started.elapsed().as_secs_f64();
    let len = std::fs::metadata(&args.dest)?.len();
    if len != args.bytes {
        return Err(format!(
            "{} holds {len} bytes, not {}",
            args.dest.display(),
            args.bytes
        )
        .into());
    }
    let line = serde_json::json!({
        "seconds": seconds,
        "peak_rss_kib": proc_status::own_peak_rss_kib(),
        "parts": parts,
    });
    println!("{line}");
    Ok(())
}

fn parse(args: &[String]) -> Result<Args, Box<dyn Error>> {
    let mut it = args.iter();
    let ours = match it.next().map(String::as_str) {
        Some("ours") => true,
        Some("floor") => false,
        other => return Err(format!("--child takes ours or floor, not {other:?}").into()),
    };
    let (mut url, mut bytes, mut dest, mut parts) = (None, None, None, None);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => url = Some(value.clone()),
            "--bytes" => bytes = Some(value.parse()?),
            "--dest" => dest = Some(PathBuf::from(value)),
            "--parts" => parts = Some(value.parse()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(Args {
        ours,
        url: url.ok_or("--url is missing")?,
        bytes: bytes.ok_or("--bytes is missing")?,
        dest: dest.ok_or("--dest is missing")?,
        parts,
    })
}

/// `Client::download_backup` with its default options (verification included), but for the
/// number of connections when given. Returns the connections used.
fn ours(args: &Args) -> Result<u32, Box<dyn Error>> {
    let client = Client::builder()
        .endpoint("http://127.0.0.1:9") // never called: the download goes to the task's URL
        .region("ap-guangzhou")
        .credentials(Credentials::new("AKIDbench00000000001", "bench-key")?)
        .env_source(EnvSource::from_vars(Vec::<(String, String)>::new()))
        .no_proxy()
        .rate_limit(None)
        .build()?;
    let task = BackupDownloadTask::default()
        .with_backup_name("bench")
        .with_replica_set_id("cmgo-bench_0")
        .with_status(BackupDownloadTaskState::Completed)
        .with_backup_size(i64::try_from(args.bytes)?)
        .with_url(args.url.as_str());
    let mut opts = DownloadOptions::new();
    if let Some(n) = args.parts {
        opts = opts.parts(n);
    }
    let report = client.download_backup(&task, &args.dest, &opts)?;
    if report.verified != Verified::Crc64AndSize || report.expected_crc64 != Some(report.crc64) {
        return Err(format!("the download was not verified by CRC-64: {report:?}").into());
    }
    if args.parts.is_some_and(|n| n != report.parts) {
        return Err(format!("asked for {:?} parts, got {}", args.parts, report.parts).into());
    }
    Ok(report.parts)
}

/// The floor: plain `ureq`, `std::io::copy` into a file, one sync. No hashing, no resume.
fn floor(args: &Args) -> Result<(), Box<dyn Error>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(FLOOR_TIMEOUT))
        .build()
        .new_agent();
    let resp = agent
        .get(args.url.as_str())
        .header("Accept-Encoding", "identity")
        .call()?;
    let mut file = File::create(Path::new(&args.dest))?;
    std::io::copy(&mut resp.into_body().into_reader(), &mut file)?;
    file.sync_all()?;
    Ok(())
}
