//! The `tcmongo` binary in tests: found (or built) once, run with nothing in its environment
//! but `HOME` (an empty temporary directory) and what the test adds, its output captured.
//!
//! Stdout and stderr are pipes, not a terminal, so progress is reported as plain lines.
//!
//! ```no_run
//! use test_support::cli::{expect_code, stdout, Env};
//!
//! let env = Env::new(); // an emulator, an empty home
//! let out = env.run(&["DescribeDBInstances"]);
//! expect_code(&out, 0);
//! assert!(stdout(&out).contains("cmgo-demo0001"));
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use mongodb_emulator::{EmulatorBuilder, EmulatorHandle};
use serde_json::Value;

/// The `tcmongo` binary, found once per test process: where cargo says
/// (`CARGO_BIN_EXE_tcmongo` at run time), else next to the test executable
/// (`target/<profile>/tcmongo`), built there when missing.
///
/// A present binary is not rebuilt: a workspace-wide `cargo test`, and any `cargo test` of
/// the CLI's own package, builds it before the tests run; building it from inside a test
/// would make cargo re-resolve features and rebuild dependencies on every run.
pub fn tcmongo() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CARGO_BIN_EXE_tcmongo").map(PathBuf::from) {
            if bin.exists() {
                return bin;
            }
        }
        let dir = profile_dir();
        let bin = dir.join(format!("tcmongo{}", std::env::consts::EXE_SUFFIX));
        if !bin.exists() {
            build_into(&dir);
        }
        assert!(bin.exists(), "tcmongo not found at {}", bin.display());
        bin
    })
}

/// `target/<profile>`: the parent of the `deps` directory holding this test executable.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// `cargo build -p tcmongo` into the target directory above `profile_dir`.
fn build_into(profile_dir: &Path) {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-q", "-p", "tcmongo", "--bin", "tcmongo"]);
    if let Some(target) = profile_dir.parent() {
        cmd.arg("--target-dir").arg(target);
    }
    let status = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build for tcmongo");
    assert!(status.success(), "building tcmongo failed");
}

/// `tcmongo` with nothing in its environment but `HOME`.
pub fn bare(home: &Path) -> Command {
    let mut c = Command::new(tcmongo());
    c.env_clear().env("HOME", home);
    c
}

/// `tcmongo --endpoint <emu> …` with the emulator's credentials (and session token, if it
/// has one) in the environment.
pub fn against(emu: &EmulatorHandle, home: &Path) -> Command {
    let mut c = bare(home);
    c.env("TENCENTCLOUD_SECRET_ID", emu.secret_id())
        .env("TENCENTCLOUD_SECRET_KEY", emu.secret_key())
        .arg("--endpoint")
        .arg(emu.url());
    if let Some(token) = emu.token() {
        c.env("TENCENTCLOUD_SESSION_TOKEN", token);
    }
    c
}

/// Run `cmd` to the end with no stdin; its output captured.
pub fn run(cmd: &mut Command) -> Output {
    spawn_and_wait(cmd, None)
}

/// Run `cmd` to the end with `input` on its stdin; its output captured.
pub fn run_stdin(cmd: &mut Command, input: &str) -> Output {
    spawn_and_wait(cmd, Some(input))
}

fn spawn_and_wait(cmd: &mut Command, input: Option<&str>) -> Output {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tcmongo");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .expect("a piped stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait for tcmongo")
}

/// The exit code; panics when the process was killed by a signal.
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Stdout as text (lossy).
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text (lossy).
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

/// Asserts success and parses stdout as JSON.
#[track_caller]
pub fn json_out(o: &Output) -> Value {
    expect_code(o, 0);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

/// A running emulator plus an empty home directory, for the runs of one test.
#[derive(Debug)]
pub struct Env {
    /// The emulator the runs talk to.
    pub emu: EmulatorHandle,
    /// `HOME` of every run.
    pub home: tempfile::TempDir,
}

impl Env {
    /// An [`instant`](crate::presets::instant) emulator.
    pub fn new() -> Env {
        Env::with(crate::presets::instant())
    }

    /// An emulator started from `builder`.
    pub fn with(builder: EmulatorBuilder) -> Env {
        Env::of(builder.start().expect("start emulator"))
    }

    /// A running emulator.
    pub fn of(emu: EmulatorHandle) -> Env {
        Env {
            emu,
            home: tempfile::tempdir().expect("a temporary home"),
        }
    }

    /// The binary against the emulator (see [`against`]).
    pub fn cmd(&self) -> Command {
        against(&self.emu, self.home.path())
    }

    /// Run with `args`.
    pub fn run(&self, args: &[&str]) -> Output {
        run(self.cmd().args(args))
    }

    /// Run with `args` and `stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_stdin(self.cmd().args(args), stdin)
    }
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

/// A child process killed when the test ends, even on panic.
#[derive(Debug)]
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
