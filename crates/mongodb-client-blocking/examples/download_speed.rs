//! Measure a download from a loopback file server: this client's verified download against a
//! floor of the same bytes copied with plain `ureq` and `std::io::copy` into a file and
//! synced (no hashing).
//!
//! ```text
//! cargo run --release -p mongodb-client-blocking --example download_speed -- \
//!     [--mode ours|floor] [--mib N] [--parts N] [--rate BYTES_PER_SEC]
//! ```
//!
//! `--rate` caps each connection of the server, as stores on the internet often do. Prints
//! one JSON line: mode, bytes, seconds, MiB/s, parts, and the process's peak RSS in KiB
//! (Linux; `null` elsewhere). The served bytes are generated, so the server holds no copy.

use std::io::Write;
use std::time::{Duration, Instant};

use mongodb_client_blocking::{Client, DownloadOptions};
use test_support::{FileServer, Object};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut mode = "ours".to_owned();
    let mut mib: u64 = 1024;
    let mut parts: u32 = 1;
    let mut rate: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--mode" => mode = value()?,
            "--mib" => mib = value()?.parse()?,
            "--parts" => parts = value()?.parse()?,
            "--rate" => rate = Some(value()?.parse()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let size = mib << 20;
    let server = FileServer::start(Object::generated(size, 42));
    server.rate_limit(rate);
    let dir = tempfile::tempdir()?;
    let dest = dir.path().join("backup.tar");

    let started = Instant::now();
    match mode.as_str() {
        "floor" => floor(&server.url(), &dest)?,
        "ours" => {
            let client = Client::builder()
                .endpoint("http://127.0.0.1:9")
                .credentials(mongodb_client_blocking::Credentials::new(
                    "AKIDbench",
                    "bench",
                )?)
                .no_proxy()
                .build()?;
            let opts = DownloadOptions::new()
                .parts(parts)
                .retry_delay(Duration::ZERO);
            let report = client.download_url(&server.url(), Some(size), &dest, &opts)?;
            assert_eq!(report.expected_crc64, Some(server.object().crc64()));
        }
        other => return Err(format!("unknown mode {other} (ours or floor)").into()),
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(std::fs::metadata(&dest)?.len(), size);
    let line = format!(
        "{{\"mode\":\"{mode}\",\"bytes\":{size},\"seconds\":{secs:.3},\"mib_per_sec\":{:.1},\"parts\":{},\"rate\":{},\"peak_rss_kib\":{}}}",
        mib as f64 / secs,
        if mode == "floor" { 1 } else { parts },
        rate.map_or("null".to_owned(), |r| r.to_string()),
        peak_rss_kib().map_or("null".to_owned(), |k| k.to_string())
    );
    writeln!(std::io::stdout(), "{line}")?;
    Ok(())
}

/// The floor: plain `ureq`, `std::io::copy` into a file, one sync. No hashing, no resume.
fn floor(url: &str, dest: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let agent = ureq::Agent::new_with_defaults();
    let resp = agent
        .get(url)
        .header("Accept-Encoding", "identity")
        .call()?;
    let mut file = std::fs::File::create(dest)?;
    std::io::copy(&mut resp.into_body().into_reader(), &mut file)?;
    file.sync_all()?;
    Ok(())
}

/// `VmHWM` from `/proc/self/status`: the peak resident set size, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
