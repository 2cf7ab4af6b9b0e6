//! `download`: a backup file from a loopback file server to disk, synced
//! (`tests/benches/download.rs`). The bench writes each download's wall time and peak RSS, per
//! side and round; this turns them into four summary entries:
//!
//! - `download`: `download_backup` over one connection, verification on, against the floor of
//!   plain `ureq` + `std::io::copy` + sync (median of per-round ratios, target ≤ 1.15);
//! - `download_default_parts`: the same with the default number of connections for the size,
//!   against the same floor (report only: what the default costs where the network is no limit);
//! - `download_rss`: the peak resident set size of a download process, ours (the larger of the
//!   two settings above) against the floor's (target ≤ 32 MiB for ours);
//! - `download_parts_speedup`: with each connection capped, 4 connections against 1, as
//!   throughputs, so the ratio is the speed-up (target ≥ 3).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::binary::{Binary, Output};
use super::figures::{quantile, round, time_entry, Spread};
use crate::util::Result;

pub(crate) const BENCH: Binary = Binary {
    name: "download",
    output: Output::Derived {
        metrics: &[
            "download",
            "download_default_parts",
            "download_rss",
            "download_parts_speedup",
        ],
        derive: entries,
    },
};

/// `download` / floor, at most.
const RATIO_TARGET: f64 = 1.15;
/// Peak RSS of our download process, at most.
const RSS_TARGET_MIB: f64 = 32.0;
/// Capped connections: 4 over 1, at least.
const SPEEDUP_TARGET: f64 = 3.0;

const MIB: f64 = 1024.0 * 1024.0;

/// What the bench wrote.
#[derive(Debug, Deserialize)]
struct Raw {
    bytes: u64,
    ours: Vec<Sample>,
    floor: Vec<Sample>,
    default: Vec<Sample>,
    capped: Capped,
}

#[derive(Debug, Deserialize)]
struct Capped {
    bytes: u64,
    /// Bytes per second per connection.
    rate: u64,
    parts: Vec<Sample>,
    single: Vec<Sample>,
}

/// One download.
#[derive(Debug, Deserialize)]
struct Sample {
    seconds: f64,
    peak_rss_kib: Option<u64>,
    parts: u32,
}

/// The summary entries of the bench's `{"download": {...}}`.
fn entries(written: &Map<String, Value>) -> Result<Map<String, Value>> {
    let raw: Raw = serde_json::from_value(
        written
            .get("download")
            .ok_or("its JSON has no `download` entry")?
            .clone(),
    )
    .map_err(|e| format!("its JSON is not what the download bench writes: {e}"))?;
    let Raw {
        bytes,
        ours,
        floor,
        default,
        capped,
    } = &raw;
    let rounds = ours.len();
    if rounds == 0
        || [floor.len(), default.len()] != [rounds; 2]
        || capped.parts.is_empty()
        || capped.parts.len() != capped.single.len()
    {
        return Err("its JSON has no rounds, or sides with different numbers of rounds".into());
    }
    let size = format!("{} MiB", round(*bytes as f64 / MIB, 1));
    let mut out = Map::new();

    let mut e = time_entry(
        median_ns(ours),
        median_ns(floor),
        &Spread::of(&per_round(ours, floor)),
        Some(RATIO_TARGET),
        &format!(
            "download_backup over 1 connection, CRC-64 + SHA-256, synced / plain ureq + \
             io::copy + sync; {size} from a loopback file server"
        ),
    );
    add_throughputs(&mut e, *bytes, ours, floor);
    out.insert("download".into(), e);

    let default_parts = default.iter().map(|s| s.parts).max().unwrap_or(1);
    let mut e = time_entry(
        median_ns(default),
        median_ns(floor),
        &Spread::of(&per_round(default, floor)),
        None,
        &format!(
            "download_backup with the default connections for the size ({default_parts}) / \
             the same floor; {size}"
        ),
    );
    add_throughputs(&mut e, *bytes, default, floor);
    e["parts"] = json!(default_parts);
    out.insert("download_default_parts".into(), e);

    let peak = |samples: &[&Vec<Sample>]| -> Option<f64> {
        let kib = samples
            .iter()
            .flat_map(|s| s.iter())
            .map(|s| s.peak_rss_kib)
            .collect::<Option<Vec<u64>>>()?;
        kib.into_iter().max().map(|k| k as f64 / 1024.0)
    };
    if let (Some(ours_mib), Some(one), Some(dflt), Some(floor_mib)) = (
        peak(&[ours, default]),
        peak(&[ours]),
        peak(&[default]),
        peak(&[floor]),
    ) {
        out.insert(
            "download_rss".into(),
            json!({
                "ours": round(ours_mib, 1),
                "floor": round(floor_mib, 1),
                "ratio": round(ours_mib / floor_mib, 3),
                "unit": "MiB",
                "what": format!(
                    "peak RSS of the process of one download, the largest of every round: ours \
                     (1 and {default_parts} connections) / the floor; {size}"
                ),
                "ours_one_connection": round(one, 1),
                "ours_default_parts": round(dflt, 1),
                "target": RSS_TARGET_MIB,
                "target_kind": "ours_at_most",
                "met": ours_mib <= RSS_TARGET_MIB,
            }),
        );
    }

    // Throughputs: the speed-up is many / one, ours / floor as in every entry.
    let speedup = Spread::of(&per_round(&capped.single, &capped.parts));
    let parts = capped.parts.iter().map(|s| s.parts).max().unwrap_or(1);
    let throughput = |s: &[Sample]| capped.bytes as f64 / MIB / median_ns(s) * 1e9;
    out.insert(
        "download_parts_speedup".into(),
        json!({
            "ours": round(throughput(&capped.parts), 1),
            "floor": round(throughput(&capped.single), 1),
            "ratio": round(speedup.median, 3),
            "unit": "MiB/s",
            "what": format!(
                "download_backup over {parts} connections / over 1, each connection capped at \
                 {} MiB/s; {} MiB",
                round(capped.rate as f64 / MIB, 1),
                round(capped.bytes as f64 / MIB, 1)
            ),
            "ratio_q1": round(speedup.q1, 3),
            "ratio_q3": round(speedup.q3, 3),
            "ratio_min": round(speedup.min, 3),
            "ratio_max": round(speedup.max, 3),
            "rounds": speedup.rounds,
            "parts": parts,
            "clock": "wall",
            "target": SPEEDUP_TARGET,
            "target_kind": "ratio_at_least",
            "met": speedup.median >= SPEEDUP_TARGET,
        }),
    );
    Ok(out)
}

/// The per-round ratios of `a`'s time over `b`'s.
fn per_round(a: &[Sample], b: &[Sample]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .map(|(a, b)| a.seconds / b.seconds.max(f64::MIN_POSITIVE))
        .collect()
}

/// The median time of the samples, in nanoseconds.
fn median_ns(samples: &[Sample]) -> f64 {
    let mut s: Vec<f64> = samples.iter().map(|s| s.seconds * 1e9).collect();
    s.sort_unstable_by(f64::total_cmp);
    quantile(&s, 0.5)
}

/// The wall clock, and both sides' median throughputs.
fn add_throughputs(e: &mut Value, bytes: u64, ours: &[Sample], floor: &[Sample]) {
    let mib_s = |s: &[Sample]| round(bytes as f64 / MIB / median_ns(s) * 1e9, 1);
    e["clock"] = json!("wall");
    e["bytes"] = json!(bytes);
    e["ours_mib_per_sec"] = json!(mib_s(ours));
    e["floor_mib_per_sec"] = json!(mib_s(floor));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seconds: f64, rss: Option<u64>, parts: u32) -> Value {
        json!({"seconds": seconds, "peak_rss_kib": rss, "parts": parts})
    }

    fn written(ours_rss: Option<u64>) -> Map<String, Value> {
        let doc = json!({"download": {
            "bytes": 1u64 << 30,
            // Round 2 is hit by a burst of load on both sides: its ratio stays near the rest.
            "ours": [sample(6.6, ours_rss, 1), sample(6.4, Some(5_000), 1),
                     sample(13.0, Some(5_000), 1)],
            "floor": [sample(6.0, Some(3_000), 1), sample(6.4, Some(3_100), 1),
                      sample(12.0, Some(3_000), 1)],
            "default": [sample(7.2, Some(9_000), 4), sample(7.0, Some(9_216), 4),
                        sample(14.0, Some(9_000), 4)],
            "capped": {
                "bytes": 64u64 << 20, "rate": 8u64 << 20,
                "parts": [sample(2.0, Some(9_000), 4), sample(2.5, Some(9_000), 4)],
                "single": [sample(8.0, Some(5_000), 1), sample(8.0, Some(5_000), 1)],
            },
        }});
        serde_json::from_value(doc).unwrap()
    }

    #[test]
    fn the_ratio_is_the_median_of_per_round_ratios_against_its_target() {
        let out = entries(&written(Some(5_000))).unwrap();
        let d = &out["download"];
        // Per-round ratios 1.1, 1.0, 1.0833: median 1.083 (not 6.6 / 6.4 of the medians).
        assert_eq!(d["ratio"], 1.083);
        assert_eq!(
            (d["ratio_min"].as_f64(), d["ratio_max"].as_f64()),
            (Some(1.0), Some(1.1))
        );
        assert_eq!(
            (d["ours"].as_f64(), d["unit"].as_str()),
            (Some(6600.0), Some("ms"))
        );
        assert_eq!(
            (d["target"].as_f64(), d["met"].as_bool()),
            (Some(1.15), Some(true))
        );
        assert_eq!(d["clock"], "wall");
        // 1024 MiB in a median 6.6 s.
        assert_eq!(d["ours_mib_per_sec"], 155.2);
        assert!(d["what"].as_str().unwrap().contains("1024 MiB"));

        let dp = &out["download_default_parts"];
        assert_eq!(dp["parts"], 4);
        assert_eq!(dp["ratio"], 1.167);
        assert!(dp.get("target").is_none() && dp.get("met").is_none());
    }

    #[test]
    fn peak_rss_is_the_largest_of_our_downloads_and_judged_on_ours() {
        let out = entries(&written(Some(5_000))).unwrap();
        let r = &out["download_rss"];
        // The largest of ours: 9,216 KiB with the default parts.
        assert_eq!(
            (r["ours"].as_f64(), r["unit"].as_str()),
            (Some(9.0), Some("MiB"))
        );
        assert_eq!(r["ours_one_connection"], 4.9);
        assert_eq!(r["floor"], 3.0);
        assert_eq!(
            (r["target_kind"].as_str(), r["met"].as_bool()),
            (Some("ours_at_most"), Some(true))
        );
        let big = entries(&written(Some(40 * 1024))).unwrap();
        assert_eq!(big["download_rss"]["met"], false);
        // Without a figure (no /proc), no entry rather than a wrong one.
        assert!(entries(&written(None))
            .unwrap()
            .get("download_rss")
            .is_none());
    }

    #[test]
    fn the_speedup_is_many_connections_over_one_at_least_its_target() {
        let out = entries(&written(Some(5_000))).unwrap();
        let s = &out["download_parts_speedup"];
        // Per-round speed-ups 4.0 and 3.2: median 3.6.
        assert_eq!(s["ratio"], 3.6);
        assert_eq!(
            (s["ratio_min"].as_f64(), s["ratio_max"].as_f64()),
            (Some(3.2), Some(4.0))
        );
        assert_eq!(
            (s["ours"].as_f64(), s["floor"].as_f64()),
            (Some(28.4), Some(8.0))
        );
        assert_eq!(s["unit"], "MiB/s");
        assert_eq!(
            (s["target_kind"].as_str(), s["met"].as_bool()),
            (Some("ratio_at_least"), Some(true))
        );
        assert!(s["what"].as_str().unwrap().contains("capped at 8 MiB/s"));
    }

    #[test]
    fn malformed_or_uneven_output_is_an_error() {
        assert!(entries(&Map::new()).is_err());
        let mut w = written(Some(5_000));
        w["download"]["floor"].as_array_mut().unwrap().pop();
        assert!(entries(&w).is_err());
        let mut w = written(Some(5_000));
        w["download"]["capped"]["single"] = json!([]);
        assert!(entries(&w).is_err());
        let mut w = written(Some(5_000));
        w["download"]["ours"][0]["seconds"] = json!("fast");
        assert!(entries(&w).is_err());
    }
}
