//! `cargo xtask bench [--quick]`: run the performance benches of `tests/benches/` and summarize
//! them as ratios against floors measured in the same run.
//!
//! Machines here are shared and noisy, so no absolute time means much; every metric pairs our
//! code with a floor (the least work any implementation must do) measured by the same binary a
//! moment apart, and the ratio between the two is what we track. The criterion benches write
//! `target/criterion/<group>/<ours|floor>/new/estimates.json`; the two plain bench binaries
//! (`throughput`, `decode_memory`) write JSON into `target/bench/`; `cli_start` is timed here.
//! Everything ends up in `target/bench/summary.json` and in a table on stdout.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::util::{capture_cmd, cargo, run_cmd, target_dir, workspace_root, Result};

/// The package holding the benches.
const PACKAGE: &str = "mongodb-sdk-tests";

/// Environment variable through which the bench binaries learn where to write their JSON.
const OUT_ENV: &str = "MONGODB_SDK_BENCH_OUT";

/// Environment variable that asks the bench binaries for short runs.
const QUICK_ENV: &str = "MONGODB_SDK_BENCH_QUICK";

/// A ratio metric measured by criterion: group `name`, functions `ours` and `floor`.
struct Ratio {
    name: &'static str,
    bench: &'static str,
    target: f64,
    what: &'static str,
}

const RATIOS: &[Ratio] = &[
    Ratio {
        name: "sign",
        bench: "sign",
        target: 1.5,
        what: "sign one POST (warm Signer) / sha2+hmac over the same bytes",
    },
    Ratio {
        name: "decode",
        bench: "decode",
        target: 1.5,
        what: "1,000-instance DescribeDBInstances typed / serde_json::Value",
    },
    Ratio {
        name: "roundtrip",
        bench: "roundtrip",
        target: 1.25,
        what: "client.create_backup_db_instance / plain ureq, loopback keep-alive",
    },
];

/// Plain (non-criterion) bench binaries; each writes `<name>.json` into the output folder.
const PLAIN_BENCHES: &[&str] = &["throughput", "decode_memory"];

/// Library crates whose normal dependency count is reported, with an upper bound where we have one.
const LIBRARIES: &[(&str, Option<usize>)] = &[
    ("tc-sign", Some(15)),
    ("mongodb-errors", None),
    ("mongodb-models", None),
    ("mongodb-client-blocking", None),
    ("mongodb-emulator", None),
];

const USAGE: &str = "usage: cargo xtask bench [--quick] [--only METRIC[,METRIC…]]
  --quick   short warm-up and measurement (the whole run stays under 3 minutes on 2 cores
            once dependencies are built); the CLI is timed from a debug build
  --only    run a subset: sign, decode, roundtrip, throughput, decode_memory, cli_start, deps";

struct Options {
    quick: bool,
    only: Option<BTreeSet<String>>,
}

impl Options {
    fn wants(&self, name: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(name))
    }
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        quick: false,
        only: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--only" => {
                let list = it
                    .next()
                    .ok_or_else(|| format!("--only needs a value\n{USAGE}"))?;
                opts.only = Some(list.split(',').map(|s| s.trim().to_string()).collect());
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(opts)
}

pub(crate) fn run(args: &[String]) -> Result {
    let opts = parse_args(args)?;
    let started = Instant::now();
    let load_at_start = load_average();
    let target_dir = target_dir();
    let out_dir = target_dir.join("bench");
    fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;

    let mut summary = Map::new();
    let mut failures: Vec<String> = Vec::new();

    // 1. The bench binaries: build all at once, then run each on its own so that one failing
    //    bench doesn't hide the others' figures.
    let benches: Vec<&str> = RATIOS
        .iter()
        .map(|r| r.bench)
        .chain(PLAIN_BENCHES.iter().copied())
        .filter(|b| opts.wants(b))
        .collect();
    if !benches.is_empty() {
        run_benches(&opts, &benches, &target_dir, &out_dir, &mut failures)?;
    }

    for ratio in RATIOS.iter().filter(|r| opts.wants(r.name)) {
        match read_ratio(&target_dir, ratio) {
            Ok(v) => {
                summary.insert(ratio.name.to_string(), v);
            }
            Err(e) => failures.push(format!("{}: {e}", ratio.name)),
        }
    }
    for name in PLAIN_BENCHES.iter().filter(|b| opts.wants(b)) {
        match read_plain(&out_dir, name) {
            Ok(entries) => summary.extend(entries),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }

    // 2. CLI start-up, timed here.
    if opts.wants("cli_start") {
        match cli_start(&opts, &target_dir) {
            Ok(v) => {
                summary.insert("cli_start".to_string(), v);
            }
            Err(e) => failures.push(format!("cli_start: {e}")),
        }
    }

    // 3. Dependency counts of the library crates.
    if opts.wants("deps") {
        match dep_counts() {
            Ok(v) => {
                summary.insert("deps".to_string(), v);
            }
            Err(e) => failures.push(format!("deps: {e}")),
        }
    }

    summary.insert(
        "meta".to_string(),
        json!({
            "quick": opts.quick,
            "estimate": "median of criterion samples; ratio = ours / floor from the same run",
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "load_average_start": load_at_start,
            "load_average_end": load_average(),
            "elapsed_secs": round(started.elapsed().as_secs_f64(), 1),
            "failures": failures,
        }),
    );

    let path = out_dir.join("summary.json");
    let text = serde_json::to_string_pretty(&Value::Object(summary.clone()))
        .map_err(|e| format!("serializing the summary: {e}"))?;
    fs::write(&path, text + "\n").map_err(|e| format!("writing {}: {e}", path.display()))?;

    print!("{}", render_table(&summary));
    println!("\nwritten: {}", path.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "some figures are missing:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// Criterion command-line arguments for the chosen mode.
fn criterion_args(quick: bool) -> Vec<&'static str> {
    let mut args = vec!["--noplot"];
    if quick {
        args.extend([
            "--warm-up-time",
            "1",
            "--measurement-time",
            "2",
            "--nresamples",
            "10000",
        ]);
    }
    args
}

fn run_benches(
    opts: &Options,
    benches: &[&str],
    target_dir: &Path,
    out_dir: &Path,
    failures: &mut Vec<String>,
) -> Result {
    // Build once and run the binaries themselves: every figure then comes from the same build,
    // even while someone edits the crates mid-run.
    let executables = build_benches(benches)?;
    for bench in benches {
        let Some(exe) = executables
            .iter()
            .find(|(name, _)| name == bench)
            .map(|(_, p)| p)
        else {
            failures.push(format!("bench `{bench}`: cargo built no executable for it"));
            continue;
        };
        // Stale results from an earlier run must not pass for this run's.
        let criterion = RATIOS.iter().any(|r| r.bench == *bench);
        if let Some(r) = RATIOS.iter().find(|r| r.bench == *bench) {
            let _ = fs::remove_dir_all(target_dir.join("criterion").join(r.name));
        }
        let _ = fs::remove_file(out_dir.join(format!("{bench}.json")));

        let mut args = vec!["--bench"];
        if criterion {
            args.extend(criterion_args(opts.quick));
        }
        eprintln!("$ {} {}", exe.display(), args.join(" "));
        let mut cmd = Command::new(exe);
        cmd.args(&args)
            // As `cargo bench` does: from the package's folder.
            .current_dir(workspace_root().join("tests"))
            // Criterion writes its estimates under $CARGO_TARGET_DIR/criterion.
            .env("CARGO_TARGET_DIR", target_dir)
            .env(OUT_ENV, out_dir);
        if opts.quick {
            cmd.env(QUICK_ENV, "1");
        } else {
            cmd.env_remove(QUICK_ENV);
        }
        match cmd.status() {
            Ok(status) if status.success() => {}
            Ok(status) => failures.push(format!("bench `{bench}` failed ({status})")),
            Err(e) => failures.push(format!("bench `{bench}` did not start: {e}")),
        }
    }
    Ok(())
}

/// `cargo bench --no-run` for the given benches; returns (bench name, executable) pairs.
fn build_benches(benches: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let mut args = vec![
        "bench",
        "-p",
        PACKAGE,
        "--no-run",
        "--message-format=json-render-diagnostics",
    ];
    for b in benches {
        args.extend(["--bench", b]);
    }
    eprintln!("$ cargo {}", args.join(" "));
    let out = Command::new(cargo())
        .args(&args)
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building the benches failed ({})", out.status));
    }
    Ok(parse_executables(&String::from_utf8_lossy(&out.stdout)))
}

/// The bench executables in cargo's JSON messages.
fn parse_executables(messages: &str) -> Vec<(String, PathBuf)> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bench"))
        })
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?.to_string();
            let exe = m["executable"].as_str()?;
            Some((name, PathBuf::from(exe)))
        })
        .collect()
}

/// Median point estimate, in nanoseconds, of one criterion benchmark.
fn criterion_median_ns(target_dir: &Path, group: &str, id: &str) -> Result<f64> {
    let path = target_dir
        .join("criterion")
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))?;
    v["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median point estimate", path.display()))
}

fn read_ratio(target_dir: &Path, ratio: &Ratio) -> Result<Value> {
    let ours = criterion_median_ns(target_dir, ratio.name, "ours")?;
    let floor = criterion_median_ns(target_dir, ratio.name, "floor")?;
    Ok(time_entry(ours, floor, Some(ratio.target), ratio.what))
}

/// One `{ours, floor, ratio, unit}` entry for two durations given in nanoseconds.
fn time_entry(ours_ns: f64, floor_ns: f64, target: Option<f64>, what: &str) -> Value {
    let (unit, div) = time_unit(floor_ns.min(ours_ns));
    let ratio = if floor_ns > 0.0 {
        ours_ns / floor_ns
    } else {
        f64::NAN
    };
    let mut v = json!({
        "ours": round(ours_ns / div, 3),
        "floor": round(floor_ns / div, 3),
        "ratio": round(ratio, 3),
        "unit": unit,
        "what": what,
    });
    if let Some(t) = target {
        v["target"] = json!(t);
        v["met"] = json!(ratio <= t);
    }
    v
}

fn time_unit(ns: f64) -> (&'static str, f64) {
    if ns < 10_000.0 {
        ("ns", 1.0)
    } else if ns < 10_000_000.0 {
        ("us", 1e3)
    } else {
        ("ms", 1e6)
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The entries a plain bench binary wrote: a JSON object of `{metric: {...}}`.
fn read_plain(out_dir: &Path, name: &str) -> Result<Map<String, Value>> {
    let path = out_dir.join(format!("{name}.json"));
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{} is not a JSON object", path.display())),
        Err(e) => Err(format!("parsing {}: {e}", path.display())),
    }
}

/// `tcmongo --version` against `true`, spawned the same way, alternating, median of each.
fn cli_start(opts: &Options, target_dir: &Path) -> Result<Value> {
    let cargo = cargo();
    let release = target_dir.join("release").join("tcmongo");
    // A full run measures the release binary (the bench profile already built most of its
    // dependencies); a quick run doesn't pay for that and uses a debug build, unless a release
    // binary is already there.
    let (binary, profile) = if opts.quick {
        if release.exists() {
            (release, "release (already built)")
        } else {
            run_cmd(&cargo, &["build", "-p", "mongodb-cli"], &[])?;
            (target_dir.join("debug").join("tcmongo"), "debug")
        }
    } else {
        run_cmd(&cargo, &["build", "--release", "-p", "mongodb-cli"], &[])?;
        (release, "release")
    };
    let runs = if opts.quick { 30 } else { 200 };
    let spawn = |program: &Path, args: &[&str]| -> Result<Duration> {
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
    };
    let true_bin = which("true").ok_or("no `true` on PATH")?;
    // One unmeasured run each, so both start from a warm page cache.
    spawn(&binary, &["--version"])?;
    spawn(&true_bin, &[])?;
    let mut ours = Vec::with_capacity(runs);
    let mut floor = Vec::with_capacity(runs);
    for _ in 0..runs {
        ours.push(spawn(&binary, &["--version"])?);
        floor.push(spawn(&true_bin, &[])?);
    }
    let mut v = time_entry(
        median(&mut ours),
        median(&mut floor),
        None,
        "`tcmongo --version` / `true`, wall time of a spawn, median",
    );
    v["runs"] = json!(runs);
    v["profile"] = json!(profile);
    Ok(v)
}

fn median(samples: &mut [Duration]) -> f64 {
    samples.sort_unstable();
    let n = samples.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        samples[n / 2].as_nanos() as f64
    } else {
        (samples[n / 2 - 1].as_nanos() as f64 + samples[n / 2].as_nanos() as f64) / 2.0
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// `cargo tree -p <crate> -e normal --prefix none | sort -u | wc -l` for every library crate.
fn dep_counts() -> Result<Value> {
    let mut out = Map::new();
    for (krate, limit) in LIBRARIES {
        let tree = capture_cmd(
            &cargo(),
            &["tree", "-p", krate, "-e", "normal", "--prefix", "none"],
        )?;
        let unique: BTreeSet<&str> = tree.lines().collect();
        // The issue's measure counts `sort -u` lines, where a repeated crate's `(*)` line is
        // distinct; `crates` is the number of distinct crates, the crate itself included.
        let crates: BTreeSet<&str> = unique.iter().map(|l| l.trim_end_matches(" (*)")).collect();
        let mut v = json!({ "ours": unique.len(), "crates": crates.len(), "unit": "lines" });
        if let Some(limit) = limit {
            v["limit"] = json!(limit);
            v["met"] = json!(unique.len() <= *limit);
        }
        out.insert(krate.to_string(), v);
    }
    Ok(Value::Object(out))
}

fn load_average() -> Option<String> {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// The stdout table: one line per figure, aligned.
fn render_table(summary: &Map<String, Value>) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "metric".into(),
        "ours".into(),
        "floor".into(),
        "ratio".into(),
        "target".into(),
        "status".into(),
    ]];
    // Target ratios first, then the other figures, dependency counts last.
    let mut names: Vec<&String> = summary.keys().collect();
    names.sort_by_key(|n| {
        let rank = RATIOS
            .iter()
            .position(|r| r.name == n.as_str())
            .unwrap_or(match n.as_str() {
                "cli_start" => RATIOS.len(),
                "deps" => usize::MAX,
                _ => RATIOS.len() + 1,
            });
        (rank, n.as_str())
    });
    for name in names {
        let v = &summary[name];
        match name.as_str() {
            "meta" => {}
            "deps" => {
                if let Some(map) = v.as_object() {
                    for (krate, d) in map {
                        rows.push([
                            format!("deps {krate}"),
                            format!("{} ({} crates)", d["ours"], d["crates"]),
                            String::new(),
                            String::new(),
                            d["limit"]
                                .as_u64()
                                .map(|l| format!("<= {l}"))
                                .unwrap_or_default(),
                            status(&d["met"]),
                        ]);
                    }
                }
            }
            _ => {
                let unit = v["unit"].as_str().unwrap_or("");
                let fmt = |x: &Value| match x.as_f64() {
                    Some(n) => format!("{} {unit}", trim_number(n)),
                    None => String::new(),
                };
                rows.push([
                    name.clone(),
                    fmt(&v["ours"]),
                    fmt(&v["floor"]),
                    v["ratio"]
                        .as_f64()
                        .map(|r| format!("{r:.2}"))
                        .unwrap_or_default(),
                    v["target"]
                        .as_f64()
                        .map(|t| format!("<= {t:.2}"))
                        .unwrap_or_default(),
                    if v.get("met").is_some() {
                        status(&v["met"])
                    } else if v.get("ratio").is_some() {
                        "report only".into()
                    } else {
                        String::new()
                    },
                ]);
            }
        }
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, (cell, w)) in row.iter().zip(widths).enumerate() {
            // Names left-aligned, figures right-aligned.
            if j == 0 || j == 5 {
                let _ = write!(line, "{cell:<w$}  ");
            } else {
                let _ = write!(line, "{cell:>w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

fn status(met: &Value) -> String {
    match met.as_bool() {
        Some(true) => "met".into(),
        Some(false) => "MISSED".into(),
        None => String::new(),
    }
}

/// A figure with at most three significant decimals and no trailing zeros.
fn trim_number(n: f64) -> String {
    if n.abs() >= 100.0 {
        format!("{n:.0}")
    } else if n.abs() >= 10.0 {
        format!("{n:.1}")
    } else {
        format!("{n:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_entries_pick_a_unit_and_judge_the_target() {
        let v = time_entry(1_800.0, 600.0, Some(1.5), "x");
        assert_eq!(v["unit"], "ns");
        assert_eq!(v["ratio"], 3.0);
        assert_eq!(v["met"], false);
        let v = time_entry(5_000_000.0, 4_000_000.0, Some(1.5), "x");
        assert_eq!(v["unit"], "us");
        assert_eq!(v["ours"], 5000.0);
        assert_eq!(v["met"], true);
        assert!(time_entry(1.0, 1.0, None, "x").get("met").is_none());
    }

    #[test]
    fn table_is_aligned() {
        let mut m = Map::new();
        m.insert("sign".into(), time_entry(1_800.0, 600.0, Some(1.5), "x"));
        m.insert(
            "rps_1_thread".into(),
            json!({"ours": 12000.0, "unit": "req/s"}),
        );
        let t = render_table(&m);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("metric"));
        assert!(
            lines[2].contains("3.00") && lines[2].contains("MISSED"),
            "{t}"
        );
        assert!(lines[3].contains("12000 req/s"), "{t}");
    }

    #[test]
    fn executables_come_from_bench_artifacts() {
        let messages = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"tc_sign"},"executable":null}
{"reason":"compiler-artifact","target":{"kind":["bench"],"name":"sign"},"executable":"/t/release/deps/sign-1"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            parse_executables(messages),
            vec![("sign".to_string(), PathBuf::from("/t/release/deps/sign-1"))]
        );
    }

    #[test]
    fn args() {
        assert!(parse_args(&["--quick".into()]).unwrap().quick);
        let o = parse_args(&["--only".into(), "sign,deps".into()]).unwrap();
        assert!(o.wants("sign") && o.wants("deps") && !o.wants("decode"));
        assert!(parse_args(&["--slow".into()]).is_err());
    }
}
