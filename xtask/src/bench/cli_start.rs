//! `cli_start`: the wall time of spawning `tcmongo --version` against spawning `true`, the two
//! interleaved in rounds (alternating which goes first), reported as the median of the
//! per-round ratios. Timed here rather than in a bench binary: it is about the process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::figures::{quantile, time_entry, Spread};
use crate::util::{cargo, run_cmd, Result};

pub(crate) fn run(quick: bool, target_dir: &Path) -> Result<Value> {
    let release = target_dir.join("release").join("tcmongo");
    // A full run measures the release binary (the bench profile already built most of its
    // dependencies); a quick run doesn't pay for that and uses a debug build, unless a release
    // binary is already there.
    let (binary, profile) = if quick {
        if release.exists() {
            (release, "release (already built)")
        } else {
            run_cmd(&cargo(), &["build", "-p", "tcmongo"], &[])?;
            (target_dir.join("debug").join("tcmongo"), "debug")
        }
    } else {
        run_cmd(&cargo(), &["build", "--release", "-p", "tcmongo"], &[])?;
        (release, "release")
    };
    let rounds = if quick { 30 } else { 200 };
    let true_bin = which("true").ok_or("no `true` on PATH")?;
    // One unmeasured run each, so both start from a warm page cache.
    spawn(&binary, &["--version"])?;
    spawn(&true_bin, &[])?;
    let mut ours = Vec::with_capacity(rounds);
    let mut floor = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = spawn(&binary, &["--version"])?;
            (a, spawn(&true_bin, &[])?)
        } else {
            let b = spawn(&true_bin, &[])?;
            (spawn(&binary, &["--version"])?, b)
        };
        let (a, b) = (a.as_nanos() as f64, b.as_nanos() as f64);
        ours.push(a);
        floor.push(b);
        ratios.push(a / b.max(1.0));
    }
    ours.sort_unstable_by(f64::total_cmp);
    floor.sort_unstable_by(f64::total_cmp);
    let mut v = time_entry(
        quantile(&ours, 0.5),
        quantile(&floor, 0.5),
        &Spread::of(&ratios),
        None,
        "`tcmongo --version` / `true`, wall time of a spawn",
    );
    v["profile"] = json!(profile);
    Ok(v)
}

fn spawn(program: &Path, args: &[&str]) -> Result<Duration> {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("starting {}: {e}", program.display()))?;
    let took = start.elapsed();
    if !status.success() {
        return Err(format!("{} {args:?} failed ({status})", program.display()));
    }
    Ok(took)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}
