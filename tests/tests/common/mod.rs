//! Helpers shared by the workspace-level test binaries: an emulator set up for tests, a client
//! pointed at it, and the `tcmongo` binary run against it with a clean environment.
#![allow(dead_code)] // reason: each test binary uses a different subset of the helpers

pub mod examples;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mongodb_client_blocking::{ClientBuilder, RetryPolicy};
use mongodb_emulator::{Emulator, EmulatorBuilder, EmulatorHandle, Progress};

/// An emulator whose work finishes at once, without a rate limit, with small backup files.
pub fn emulator_builder() -> EmulatorBuilder {
    Emulator::builder()
        .progress(Progress::Elapsed(Duration::ZERO))
        .rate_limit(None)
        .backup_size_range(64 * 1024, 200 * 1024)
}

pub fn emulator() -> EmulatorHandle {
    emulator_builder().start().expect("the emulator starts")
}

/// Retries with short waits, so that tests of retry counts stay fast.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_millis(50))
}

/// A client for `emu`: its endpoint and credentials, no proxy, fast retries (3 attempts).
pub fn client_for(emu: &EmulatorHandle) -> ClientBuilder {
    mongodb_client_blocking::Client::builder()
        .endpoint(emu.url())
        .credentials(emu.credentials())
        .region("ap-guangzhou")
        .no_proxy()
        .retry(fast_retry(3))
}

/// A local URL nothing listens on: bind a port, then drop the listener.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// Polls `cond` until it holds or `limit` passes; returns whether it held.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---- the tcmongo binary ----

/// `target/<profile>`: the parent of the `deps` directory holding this test executable.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// The path of the `tcmongo` binary next to this test executable (`target/<profile>/tcmongo`).
/// When it is missing it is built, once per test process. It is not rebuilt when present: a
/// workspace-wide `cargo test` builds it anyway, and building it from inside a test would make
/// cargo re-resolve features and rebuild dependencies on every run.
pub fn tcmongo() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = profile_dir();
        let bin = dir.join(format!("tcmongo{}", std::env::consts::EXE_SUFFIX));
        if !bin.exists() {
            let mut cmd = Command::new(env!("CARGO"));
            cmd.args(["build", "-q", "-p", "tcmongo", "--bin", "tcmongo"]);
            if let Some(target) = dir.parent() {
                cmd.arg("--target-dir").arg(target);
            }
            let status = cmd
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("run cargo build for tcmongo");
            assert!(status.success(), "building tcmongo failed");
        }
        assert!(bin.exists(), "tcmongo not found at {}", bin.display());
        bin
    })
}

/// `tcmongo` with nothing in its environment but `HOME` (an empty temporary directory).
pub fn bare_cli(home: &Path) -> Command {
    let mut c = Command::new(tcmongo());
    c.env_clear()
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// `tcmongo --endpoint <emu> …` with the emulator's credentials in the environment.
pub fn cli_for(emu: &EmulatorHandle, home: &Path) -> Command {
    let mut c = bare_cli(home);
    c.env("TENCENTCLOUD_SECRET_ID", emu.secret_id())
        .env("TENCENTCLOUD_SECRET_KEY", emu.secret_key())
        .arg("--endpoint")
        .arg(emu.url());
    if let Some(token) = emu.token() {
        c.env("TENCENTCLOUD_SESSION_TOKEN", token);
    }
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn tcmongo")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn expect_code(o: &Output, expected: i32) {
    assert_eq!(
        o.status.code(),
        Some(expected),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}
