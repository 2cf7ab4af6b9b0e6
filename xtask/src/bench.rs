//! `cargo xtask bench [--quick]`: run the performance benches and summarize them as ratios
//! against floors measured in the same run.
//!
//! Machines here are shared and noisy, so no absolute time means much; every ratio metric pairs
//! our code with a floor (the least work any implementation must do), measured by the same
//! binary interleaved with ours in short rounds, and the median of the per-round ratios, with
//! its quartiles and extremes, is what we track (the loop is `tests/benches/common/measure.rs`).
//! One file below `bench/` per bench says what it measures; this driver builds the bench
//! binaries once, runs each, times the CLI start, counts dependencies, and writes everything to
//! `target/bench/summary.json` (`{"<metric>": {"ours", "floor", "ratio", "unit", …}}`) and to a
//! table on stdout.

mod binary;
mod cli_start;
mod decode;
mod decode_memory;
mod deps;
mod download;
mod figures;
mod roundtrip;
mod sign;
mod table;
mod throughput;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::util::{target_dir, Result};
use binary::{Binary, Output};
use figures::{round, time_entry, Spread};

/// The bench binaries, ratio metrics first, in the order of the table.
const BINARIES: &[&Binary] = &[
    &sign::BENCH,
    &decode::BENCH,
    &roundtrip::BENCH,
    &download::BENCH,
    &throughput::BENCH,
    &decode_memory::BENCH,
];

const USAGE: &str = "usage: cargo xtask bench [--quick] [--only METRIC[,METRIC…]]
  --quick   short warm-up and measurement (the whole run stays under 3 minutes on 2 cores
            once dependencies are built); the CLI is timed from a debug build
  --only    run a subset: sign, decode, roundtrip, download, throughput, decode_memory,
            cli_start, deps
The download bench writes files of 1 GiB (256 MiB with --quick) into target/bench/, one at a
time, each removed after its download; it refuses to start without that and 1 GiB more free.";

#[derive(Debug)]
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

    // 1. The bench binaries: built all at once (so every figure comes from the same build,
    //    even while someone edits the crates mid-run), then run one by one, so that one
    //    failing bench doesn't hide the others' figures.
    let wanted: Vec<&Binary> = BINARIES
        .iter()
        .copied()
        .filter(|b| opts.wants(b.name))
        .collect();
    if !wanted.is_empty() {
        let names: Vec<&str> = wanted.iter().map(|b| b.name).collect();
        let executables = binary::build(&names)?;
        for bench in wanted {
            let Some((_, exe)) = executables.iter().find(|(name, _)| name == bench.name) else {
                failures.push(format!("{}: cargo built no executable for it", bench.name));
                continue;
            };
            match binary::run(bench.name, exe, opts.quick, &out_dir)
                .and_then(|written| entries(bench, written))
            {
                Ok(entries) => summary.extend(entries),
                Err(e) => failures.push(format!("{}: {e}", bench.name)),
            }
        }
    }

    // 2. CLI start-up, timed here.
    if opts.wants("cli_start") {
        match cli_start::run(opts.quick, &target_dir) {
            Ok(v) => {
                summary.insert("cli_start".to_string(), v);
            }
            Err(e) => failures.push(format!("cli_start: {e}")),
        }
    }

    // 3. Dependency counts of the library crates.
    if opts.wants("deps") {
        match deps::run() {
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
            "estimate": "ratio: median of per-round ratios, each round one batch of ours and one \
                         of the floor in alternating order; ratio_q1/q3/min/max: their spread; \
                         ours/floor: median time per call, by the entry's clock (thread_cpu: the \
                         thread's CPU time; wall: wall time); download*: one download per \
                         side and round, each in a process of its own, sides rotating",
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "load_average_start": load_at_start,
            "load_average_end": load_average(),
            "elapsed_secs": round(started.elapsed().as_secs_f64(), 1),
            "failures": failures,
        }),
    );

    let path = out_dir.join("summary.json");
    write_summary(&path, &summary)?;
    let order: Vec<&str> = BINARIES
        .iter()
        .flat_map(|b| match &b.output {
            Output::Derived { metrics, .. } => metrics.to_vec(),
            _ => vec![b.name],
        })
        .chain(["cli_start"])
        .collect();
    print!("{}", table::render(&summary, &order));
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

/// The summary entries of what a bench binary wrote.
fn entries(bench: &Binary, written: Map<String, Value>) -> Result<Map<String, Value>> {
    match &bench.output {
        Output::Figures => Ok(written),
        Output::Derived { derive, .. } => derive(&written),
        Output::Ratio { target, what } => {
            let v = written
                .get(bench.name)
                .ok_or_else(|| format!("its JSON has no `{}` entry", bench.name))?;
            let number = |key: &str| {
                v[key]
                    .as_f64()
                    .ok_or_else(|| format!("its JSON has no number `{key}`"))
            };
            let spread = Spread::from_json(v).ok_or("its JSON has no ratio spread")?;
            let mut figure = time_entry(
                number("ours_ns")?,
                number("floor_ns")?,
                &spread,
                *target,
                what,
            );
            // `thread_cpu` or `wall`: what timed the batches.
            figure["clock"] = v["clock"].clone();
            let mut entry = Map::new();
            entry.insert(bench.name.to_string(), figure);
            Ok(entry)
        }
    }
}

fn write_summary(path: &Path, summary: &Map<String, Value>) -> Result {
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| format!("serializing the summary: {e}"))?;
    fs::write(path, text + "\n").map_err(|e| format!("writing {}: {e}", path.display()))
}

fn load_average() -> Option<String> {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        assert!(parse_args(&["--quick".into()]).unwrap().quick);
        let o = parse_args(&["--only".into(), "sign,deps".into()]).unwrap();
        assert!(o.wants("sign") && o.wants("deps") && !o.wants("decode"));
        assert!(parse_args(&["--slow".into()]).is_err());
    }

    #[test]
    fn a_ratio_bench_output_becomes_one_summary_entry() {
        let written: Map<String, Value> = serde_json::from_value(json!({"sign": {
            "ours_ns": 750.0, "floor_ns": 500.0, "ratio": 1.45, "ratio_q1": 1.4,
            "ratio_q3": 1.5, "ratio_min": 1.2, "ratio_max": 2.0, "rounds": 300,
            "batch_ours": 6000, "batch_floor": 9000, "clock": "thread_cpu", "seconds": 3.5
        }}))
        .unwrap();
        let out = entries(&sign::BENCH, written).unwrap();
        let v = &out["sign"];
        // The ratio is the bench's median per-round ratio, not 750 / 500.
        assert_eq!(v["ratio"], 1.45);
        assert_eq!(
            (v["ours"].as_f64(), v["floor"].as_f64()),
            (Some(750.0), Some(500.0))
        );
        assert_eq!(v["unit"], "ns");
        assert_eq!(
            (v["ratio_q1"].as_f64(), v["ratio_max"].as_f64()),
            (Some(1.4), Some(2.0))
        );
        assert_eq!(v["rounds"], 300);
        assert_eq!(v["clock"], "thread_cpu");
        assert_eq!(
            (v["target"].as_f64(), v["met"].as_bool()),
            (Some(1.5), Some(true))
        );
        let missing: Map<String, Value> =
            serde_json::from_value(json!({"sign": {"ours_ns": 1.0}})).unwrap();
        assert!(entries(&sign::BENCH, missing).is_err());
    }

    #[test]
    fn every_bench_binary_is_declared_in_the_tests_manifest() {
        let manifest = fs::read_to_string(crate::util::workspace_root().join("tests/Cargo.toml"))
            .expect("tests/Cargo.toml");
        for b in BINARIES {
            assert!(
                manifest.contains(&format!("[[bench]]\nname = \"{}\"", b.name)),
                "{} has no [[bench]] entry",
                b.name
            );
        }
    }
}
