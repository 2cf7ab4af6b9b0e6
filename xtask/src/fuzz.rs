//! `cargo xtask fuzz`: builds and runs the cargo-fuzz targets in `fuzz/` for a bounded time.
//!
//! The fuzz project is a workspace of its own (excluded from the root one) because its targets
//! link libFuzzer and need `-Z` compiler flags. This command:
//!
//! 1. installs `cargo-fuzz` with `cargo install --locked` when `cargo fuzz --version` fails;
//! 2. picks a toolchain that accepts `-Z` flags: an installed nightly if `rustup toolchain list`
//!    shows one, otherwise the stable toolchain with `RUSTC_BOOTSTRAP=1` (see `fuzz/README.md`);
//! 3. builds every target once, then runs each for `--seconds` with libFuzzer's final stats on,
//!    new inputs going to `fuzz/target/corpus/<target>` and the committed seeds in
//!    `fuzz/corpus/<target>` read as a second corpus;
//! 4. prints executions and crashes per target and writes them to
//!    `fuzz/target/fuzz-summary.json`. Any crash makes the command fail and names the artefact.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{workspace_root, Result};

/// Every target in `fuzz/fuzz_targets/`, in the order they run.
const TARGETS: &[&str] = &[
    "envelope",
    "form_decode",
    "verify_header",
    "emulator_request",
];

/// Seconds per target for `--smoke` (four targets: about three minutes of fuzzing).
const SMOKE_SECONDS: u64 = 45;
/// Seconds per target without `--smoke`.
const LONG_SECONDS: u64 = 600;

const USAGE: &str = "\
usage: cargo xtask fuzz [--smoke] [--seconds N] [--sanitizer none|address|…]
                        [--toolchain NAME] [TARGET…]

  --smoke        a bounded run of every target, 45 s each unless --seconds says otherwise
  --seconds N    seconds of fuzzing per target (default 45 with --smoke, 600 without)
  --sanitizer S  passed to cargo fuzz; default `none` (the code under test forbids `unsafe`)
  --toolchain T  run with this rustup toolchain instead of choosing one
  TARGET…        only these targets (default: all of envelope, form_decode, verify_header,
                 emulator_request)
";

struct Options {
    seconds: u64,
    sanitizer: String,
    toolchain: Option<String>,
    targets: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut smoke = false;
    let mut seconds = None;
    let mut sanitizer = "none".to_string();
    let mut toolchain = None;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--smoke" => smoke = true,
            "--seconds" => {
                let v = value("--seconds")?;
                seconds = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| format!("--seconds wants a positive number, not `{v}`"))?,
                );
            }
            "--sanitizer" => sanitizer = value("--sanitizer")?,
            "--toolchain" => toolchain = Some(value("--toolchain")?),
            t if TARGETS.contains(&t) => targets.push(t.to_string()),
            other => {
                return Err(format!(
                    "unknown fuzz argument or target `{other}`\n\n{USAGE}"
                ))
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    Ok(Options {
        seconds: seconds.unwrap_or(if smoke { SMOKE_SECONDS } else { LONG_SECONDS }),
        sanitizer,
        toolchain,
        targets,
    })
}

/// How `cargo fuzz` is invoked: through the rustup proxy on a chosen toolchain, plus any
/// environment that toolchain needs.
struct Toolchain {
    /// `RUSTUP_TOOLCHAIN` for the child, when rustup is there.
    name: Option<String>,
    /// Whether the toolchain is not a nightly, so `RUSTC_BOOTSTRAP=1` must unlock `-Z` flags.
    bootstrap: bool,
}

impl Toolchain {
    fn describe(&self) -> String {
        match (&self.name, self.bootstrap) {
            (Some(n), false) => format!("`{n}` (accepts -Z flags)"),
            (Some(n), true) => format!("`{n}` with RUSTC_BOOTSTRAP=1 (not a nightly)"),
            (None, _) => "the cargo on PATH with RUSTC_BOOTSTRAP=1 (no rustup)".to_string(),
        }
    }

    /// A `cargo` command on this toolchain.
    fn cargo(&self) -> Command {
        // The rustup proxy, not `$CARGO`: `$CARGO` is the stable cargo that runs xtask.
        let mut cmd = Command::new("cargo");
        cmd.current_dir(workspace_root());
        if let Some(name) = &self.name {
            cmd.env("RUSTUP_TOOLCHAIN", name);
        }
        if self.bootstrap {
            cmd.env("RUSTC_BOOTSTRAP", "1");
        }
        cmd
    }
}

fn choose_toolchain(forced: Option<&str>) -> Toolchain {
    if let Some(name) = forced {
        return Toolchain {
            name: Some(name.to_string()),
            bootstrap: !name.starts_with("nightly"),
        };
    }
    let listed = Command::new("rustup")
        .args(["toolchain", "list"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    match listed {
        Some(listed) => pick_toolchain(&listed),
        None => Toolchain {
            name: None,
            bootstrap: true,
        },
    }
}

/// A nightly from `rustup toolchain list` output, else the default toolchain with bootstrap.
fn pick_toolchain(listed: &str) -> Toolchain {
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    if let Some(nightly) = names.iter().find(|n| n.starts_with("nightly")) {
        return Toolchain {
            name: Some(nightly.to_string()),
            bootstrap: false,
        };
    }
    // The default toolchain (`NAME (default)` or `NAME (active, default)`), else the first one.
    let default = listed
        .lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(_, marks)| marks.contains("default"))
        .map(|(name, _)| name)
        .or_else(|| names.first().copied())
        .unwrap_or("stable");
    Toolchain {
        name: Some(default.to_string()),
        bootstrap: true,
    }
}

/// Makes sure `cargo fuzz` runs, installing cargo-fuzz from crates.io if it does not.
fn ensure_cargo_fuzz(tc: &Toolchain) -> Result {
    let works = |tc: &Toolchain| {
        tc.cargo()
            .args(["fuzz", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works(tc) {
        return Ok(());
    }
    eprintln!("$ cargo install cargo-fuzz --locked");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("could not start `cargo install`: {e}"))?;
    if !status.success() || !works(tc) {
        return Err(format!(
            "cargo-fuzz is not available and `cargo install cargo-fuzz --locked` failed ({status})"
        ));
    }
    Ok(())
}

/// What one target's run produced.
struct Outcome {
    target: String,
    seconds: f64,
    executions: Option<u64>,
    /// libFuzzer's own average, which leaves out building and start-up.
    exec_per_sec: Option<u64>,
    /// Crash, timeout and out-of-memory inputs libFuzzer wrote during this run.
    artefacts: Vec<PathBuf>,
    /// libFuzzer stopped on a failure (a crash even when no artefact was written).
    failed: bool,
    /// `cargo fuzz run` failed before libFuzzer started (usually a rebuild that did not compile).
    not_started: bool,
    log: PathBuf,
}

impl Outcome {
    /// Crashes found: the artefacts written, or one when libFuzzer failed without writing any.
    fn crashes(&self) -> usize {
        if self.failed && !self.not_started {
            self.artefacts.len().max(1)
        } else {
            0
        }
    }
}

/// The executions libFuzzer reports at the end: `stat::number_of_executed_units: N`, or the
/// `#N\tDONE` line when final stats are missing.
fn executions(log: &str) -> Option<u64> {
    final_stat(log, "number_of_executed_units").or_else(|| {
        log.lines().rev().find_map(|l| {
            let rest = l.strip_prefix('#')?;
            let (n, tail) = rest.split_once(char::is_whitespace)?;
            tail.trim_start()
                .starts_with("DONE")
                .then(|| n.parse().ok())
                .flatten()
        })
    })
}

/// One of libFuzzer's final `stat::NAME: VALUE` lines (the last one, should it repeat).
fn final_stat(log: &str, name: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| {
        l.trim()
            .strip_prefix("stat::")?
            .strip_prefix(name)?
            .strip_prefix(':')?
            .trim()
            .parse()
            .ok()
    })
}

/// Artefact paths from libFuzzer's `Test unit written to PATH` lines.
fn artefacts(log: &str, fuzz_dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = log
        .lines()
        .filter_map(|l| l.split_once("Test unit written to "))
        .map(|(_, p)| {
            let p = Path::new(p.trim());
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                fuzz_dir.join(p)
            }
        })
        .collect();
    found.dedup();
    found
}

fn run_target(tc: &Toolchain, opts: &Options, target: &str, fuzz_dir: &Path) -> Result<Outcome> {
    let work_corpus = fuzz_dir.join("target").join("corpus").join(target);
    let seeds = fuzz_dir.join("corpus").join(target);
    let logs = fuzz_dir.join("target").join("logs");
    fs::create_dir_all(&work_corpus).map_err(|e| format!("{}: {e}", work_corpus.display()))?;
    fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let log_path = logs.join(format!("{target}.log"));

    let max_time = format!("-max_total_time={}", opts.seconds);
    let args = [
        "fuzz",
        "run",
        "--sanitizer",
        &opts.sanitizer,
        target,
        &work_corpus.to_string_lossy(),
        &seeds.to_string_lossy(),
        "--",
        &max_time,
        "-print_final_stats=1",
        // A unit that takes this long is a hang worth reporting.
        "-timeout=60",
        "-rss_limit_mb=4096",
    ]
    .map(|s| s.to_string());
    eprintln!("$ cargo {}", args.join(" "));
    let started = Instant::now();
    // libFuzzer runs in the fuzz directory, so relative artefact paths resolve there.
    let out = tc
        .cargo()
        .current_dir(fuzz_dir)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start `cargo fuzz run {target}`: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let mut log = String::from_utf8_lossy(&out.stdout).into_owned();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    fs::write(&log_path, &log).map_err(|e| format!("{}: {e}", log_path.display()))?;

    let found = artefacts(&log, fuzz_dir);
    let not_started = !log.contains("INFO: Seed:");
    let failed = !out.status.success();
    if failed {
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- {target}: last lines of {}", log_path.display());
        for line in tail.into_iter().rev() {
            eprintln!("{line}");
        }
    }
    Ok(Outcome {
        target: target.to_string(),
        seconds,
        executions: executions(&log),
        exec_per_sec: final_stat(&log, "average_exec_per_sec"),
        artefacts: found,
        failed,
        not_started,
        log: log_path,
    })
}

fn summary_json(outcomes: &[Outcome], opts: &Options, tc: &Toolchain) -> serde_json::Value {
    serde_json::json!({
        "seconds_per_target": opts.seconds,
        "sanitizer": opts.sanitizer,
        "toolchain": tc.describe(),
        "targets": outcomes.iter().map(|o| serde_json::json!({
            "target": o.target,
            "wall_seconds": (o.seconds * 10.0).round() / 10.0,
            "executions": o.executions,
            "exec_per_sec": o.exec_per_sec,
            "crashes": o.crashes(),
            "started": !o.not_started,
            "artefacts": o.artefacts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "log": o.log.display().to_string(),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn run(args: &[String]) -> Result {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return Ok(());
    }
    let opts = parse(args)?;
    let fuzz_dir = workspace_root().join("fuzz");
    if !fuzz_dir.join("Cargo.toml").is_file() {
        return Err(format!("no fuzz project at {}", fuzz_dir.display()));
    }
    let tc = choose_toolchain(opts.toolchain.as_deref());
    eprintln!("fuzz: toolchain {}", tc.describe());
    ensure_cargo_fuzz(&tc)?;

    // One build for all targets, so that the fuzzing time is fuzzing.
    let build = ["fuzz", "build", "--sanitizer", &opts.sanitizer];
    eprintln!("$ cargo {}", build.join(" "));
    let status = tc
        .cargo()
        .current_dir(&fuzz_dir)
        .args(build)
        .status()
        .map_err(|e| format!("could not start `cargo fuzz build`: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo fuzz build` failed ({status})"));
    }

    let mut outcomes = Vec::new();
    for target in &opts.targets {
        outcomes.push(run_target(&tc, &opts, target, &fuzz_dir)?);
    }

    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<18} {:>8} {:>12} {:>10} {:>8}",
        "target", "seconds", "executions", "exec/s", "crashes"
    );
    for o in &outcomes {
        let execs = o.executions.map_or("?".to_string(), |n| n.to_string());
        let rate = o.exec_per_sec.map_or("?".to_string(), |n| n.to_string());
        let crashes = if o.not_started {
            "not run".to_string()
        } else {
            o.crashes().to_string()
        };
        let _ = writeln!(
            table,
            "{:<18} {:>8.0} {:>12} {:>10} {:>8}",
            o.target, o.seconds, execs, rate, crashes
        );
        for a in &o.artefacts {
            let _ = writeln!(table, "    artefact: {}", a.display());
        }
    }
    print!("{table}");

    let summary = summary_json(&outcomes, &opts, &tc);
    let summary_path = fuzz_dir.join("target").join("fuzz-summary.json");
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    fs::write(&summary_path, text + "\n")
        .map_err(|e| format!("{}: {e}", summary_path.display()))?;
    println!("summary: {}", summary_path.display());

    let names = |pick: fn(&Outcome) -> bool| {
        outcomes
            .iter()
            .filter(|o| pick(o))
            .map(|o| o.target.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let crashed = names(|o| o.crashes() > 0);
    let not_run = names(|o| o.failed && o.not_started);
    let mut problems = Vec::new();
    if !crashed.is_empty() {
        problems.push(format!(
            "fuzzing found crashes in: {crashed} (replay one with `cargo fuzz run --sanitizer {} TARGET ARTEFACT` from fuzz/, on the toolchain above)",
            opts.sanitizer
        ));
    }
    if !not_run.is_empty() {
        problems.push(format!(
            "these targets did not start (see their logs; a source changed and no longer builds?): {not_run}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_final_stats_and_done_lines() {
        let log = "#2\tINITED cov: 10\n#77\tDONE   cov: 12 ft: 40\nDone 77 runs in 1 second(s)\n\
                   stat::number_of_executed_units: 78\nstat::average_exec_per_sec:     78\n";
        assert_eq!(executions(log), Some(78));
        assert_eq!(final_stat(log, "average_exec_per_sec"), Some(78));
        assert_eq!(executions("#4096\tDONE   cov: 3\n"), Some(4096));
        assert_eq!(executions("no stats"), None);
    }

    #[test]
    fn finds_artefacts() {
        let log = "==1== ERROR: libFuzzer: deadly signal\n\
                   artifact_prefix='/f/artifacts/x/'; Test unit written to /f/artifacts/x/crash-ab\n";
        assert_eq!(
            artefacts(log, Path::new("/f")),
            vec![PathBuf::from("/f/artifacts/x/crash-ab")]
        );
    }

    #[test]
    fn prefers_a_nightly_else_the_default_with_bootstrap() {
        let both = "stable-x86_64-unknown-linux-gnu (active, default)\n\
                    nightly-x86_64-unknown-linux-gnu\n1.95.0-x86_64-unknown-linux-gnu\n";
        let tc = pick_toolchain(both);
        assert_eq!(tc.name.as_deref(), Some("nightly-x86_64-unknown-linux-gnu"));
        assert!(!tc.bootstrap);
        let stable_only =
            "1.85.0-x86_64-unknown-linux-gnu\nstable-x86_64-unknown-linux-gnu (default)\n";
        let tc = pick_toolchain(stable_only);
        assert_eq!(tc.name.as_deref(), Some("stable-x86_64-unknown-linux-gnu"));
        assert!(tc.bootstrap);
    }

    #[test]
    fn smoke_defaults() {
        let o = parse(&["--smoke".to_string()]).unwrap();
        assert_eq!(o.seconds, SMOKE_SECONDS);
        assert_eq!(o.targets.len(), TARGETS.len());
        assert_eq!(o.sanitizer, "none");
        assert!(parse(&["--seconds".to_string(), "0".to_string()]).is_err());
        assert!(parse(&["bogus".to_string()]).is_err());
    }
}
