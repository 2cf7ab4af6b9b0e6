//! `cargo xtask sdk-check`: drives the emulator with the official Tencent Cloud Python SDK.
//!
//! Installs `tencentcloud-sdk-python-mongodb` from PyPI into `target/sdk-check-venv` (once),
//! starts `tcmongo emulator` on a free loopback port with instant progress, and runs
//! `xtask/sdk-check/backup_flow.py` against it: the seed flow over POST and GET, and the seed
//! error cases. Not part of `cargo xtask ci`, because it needs PyPI.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::util::{cargo, run_cmd, workspace_root, Result};

const SDK: &str = "tencentcloud-sdk-python-mongodb";

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`sdk-check` takes no arguments (got `{extra}`)"));
    }
    let root = workspace_root();
    let venv = root.join("target/sdk-check-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run_cmd("python3", &["-m", "venv", &venv.to_string_lossy()], &[])?;
        run_cmd(
            &python.to_string_lossy(),
            &["-m", "pip", "install", "-q", SDK],
            &[],
        )?;
    }
    run_cmd(
        &cargo(),
        &["build", "-q", "-p", "tcmongo", "--bin", "tcmongo"],
        &[],
    )?;

    let mut emulator = Command::new(root.join("target/debug/tcmongo"))
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .env("TCMONGO_EMULATOR_FAST", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the emulator: {e}"))?;
    let mut first_line = String::new();
    if let Some(out) = emulator.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut first_line);
    }
    let endpoint = first_line
        .split("http://")
        .nth(1)
        .map(|rest| rest.trim().to_string())
        .ok_or_else(|| format!("the emulator did not print its address (got {first_line:?})"));
    let result = endpoint.and_then(|endpoint| {
        run_cmd(
            &python.to_string_lossy(),
            &[
                &root
                    .join("xtask/sdk-check/backup_flow.py")
                    .to_string_lossy(),
                &endpoint,
            ],
            &[],
        )
    });
    let _ = emulator.kill();
    let _ = emulator.wait();
    result
}
