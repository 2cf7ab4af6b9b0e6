//! The bench binaries of `tests/benches/`: built once with `cargo bench --no-run`, then each run
//! on its own, writing `<name>.json` into the output folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

use crate::util::{cargo, workspace_root, Result};

/// The package holding the benches.
const PACKAGE: &str = "mongodb-sdk-tests";

/// Environment variable through which the bench binaries learn where to write their JSON.
const OUT_ENV: &str = "MONGODB_SDK_BENCH_OUT";

/// Environment variable that asks the bench binaries for short runs.
const QUICK_ENV: &str = "MONGODB_SDK_BENCH_QUICK";

/// Turns what a bench wrote into summary entries.
pub(crate) type Derive = fn(&Map<String, Value>) -> Result<Map<String, Value>>;

/// One bench binary and what its JSON holds.
#[derive(Debug)]
pub(crate) struct Binary {
    /// The `[[bench]]` name, also the name of the JSON file it writes.
    pub(crate) name: &'static str,
    pub(crate) output: Output,
}

/// What a bench binary writes.
#[derive(Debug)]
pub(crate) enum Output {
    /// `{"<name>": {ours_ns, floor_ns, ratio, ratio_q1, …}}`: ours against a floor, interleaved.
    Ratio {
        /// The ratio we aim to stay under, if any.
        target: Option<f64>,
        /// What ours and the floor are, for the summary.
        what: &'static str,
    },
    /// Finished summary entries, `{"<metric>": {...}, …}`, copied as they are.
    Figures,
    /// Raw figures that `derive` turns into the summary entries named in `metrics`.
    Derived {
        /// The entries it makes, in the order of the table.
        metrics: &'static [&'static str],
        derive: Derive,
    },
}

/// `cargo bench --no-run` for the given benches; returns (bench name, executable) pairs.
pub(crate) fn build(names: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let mut args = vec![
        "bench",
        "-p",
        PACKAGE,
        "--no-run",
        "--message-format=json-render-diagnostics",
    ];
    for b in names {
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

/// Runs one built bench with `--bench` and returns the JSON object it wrote.
pub(crate) fn run(
    name: &str,
    exe: &Path,
    quick: bool,
    out_dir: &Path,
) -> Result<Map<String, Value>> {
    let path = out_dir.join(format!("{name}.json"));
    // A stale file from an earlier run must not pass for this run's.
    let _ = fs::remove_file(&path);
    eprintln!("$ {} --bench", exe.display());
    let mut cmd = Command::new(exe);
    // As `cargo bench` does: from the package's folder.
    cmd.arg("--bench")
        .current_dir(workspace_root().join("tests"))
        .env(OUT_ENV, out_dir);
    if quick {
        cmd.env(QUICK_ENV, "1");
    } else {
        cmd.env_remove(QUICK_ENV);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("bench `{name}` did not start: {e}"))?;
    if !status.success() {
        return Err(format!("bench `{name}` failed ({status})"));
    }
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{} is not a JSON object", path.display())),
        Err(e) => Err(format!("parsing {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
