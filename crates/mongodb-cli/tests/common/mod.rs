//! Shared helpers of the `tcmongo` end-to-end tests: an emulator started in the test process,
//! the binary run with a cleared environment and `HOME` in an empty temporary directory, and
//! accessors for its exit code and output streams.
//!
//! Stdout and stderr are captured (not a terminal), so progress is reported as plain lines.

// reason: each test binary compiles this module and uses only some of the helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use mongodb_emulator::{Emulator, EmulatorHandle, Progress};
use serde_json::Value;

/// A running emulator plus an empty home directory for the runs of one test.
pub struct Env {
    pub emu: EmulatorHandle,
    pub home: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let emu = Emulator::builder()
            .progress(Progress::Elapsed(Duration::ZERO))
            .rate_limit(None)
            .start()
            .expect("start emulator");
        Env {
            emu,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary with a clean environment and the emulator's credentials.
    pub fn cmd(&self) -> Command {
        let mut c = bare(self.home.path());
        c.env("TENCENTCLOUD_SECRET_ID", self.emu.secret_id())
            .env("TENCENTCLOUD_SECRET_KEY", self.emu.secret_key())
            .arg("--endpoint")
            .arg(self.emu.url());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_cmd(self.cmd().args(args), None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_cmd(self.cmd().args(args), Some(stdin))
    }
}

/// The binary with nothing in its environment but `HOME`.
pub fn bare(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tcmongo"));
    c.env_clear().env("HOME", home);
    c
}

pub fn run_cmd(c: &mut Command, stdin: Option<&str>) -> Output {
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn tcmongo");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
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
        code(o),
        expected,
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

pub fn json_out(o: &Output) -> Value {
    expect_code(o, 0);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

/// A local port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub fn instance_ids(v: &Value) -> Vec<String> {
    v["InstanceDetails"]
        .as_array()
        .unwrap_or_else(|| panic!("no InstanceDetails: {v}"))
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect()
}

pub fn assert_plain(err: &str) {
    assert!(
        !err.contains('\u{1b}'),
        "escape codes on a non-terminal:\n{err}"
    );
    assert!(
        !err.contains('\r'),
        "carriage returns on a non-terminal:\n{err}"
    );
}

/// Kills the child when the test ends, even on panic.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
