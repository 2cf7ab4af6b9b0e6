//! Figures as the summary holds them: `{"ours", "floor", "ratio", "unit", …}` entries, with a
//! unit chosen for the size of the numbers, and the statistics behind them.
//!
//! An entry's `target` bounds its `ratio` from above, and `met` says whether the figure kept to
//! it; an entry whose target is another kind of bound says so in `target_kind`:
//! `ratio_at_least` (a speed-up) or `ours_at_most` (our figure itself, in the entry's unit).

use serde_json::{json, Value};

/// One `{ours, floor, ratio, unit}` entry for two times per call given in nanoseconds, with the
/// ratio and its spread given separately (they come from per-round ratios, not from `ours /
/// floor`), and a target when the ratio has one.
pub(crate) fn time_entry(
    ours_ns: f64,
    floor_ns: f64,
    ratios: &Spread,
    target: Option<f64>,
    what: &str,
) -> Value {
    let (unit, div) = time_unit(floor_ns.min(ours_ns));
    let mut v = json!({
        "ours": round(ours_ns / div, 3),
        "floor": round(floor_ns / div, 3),
        "ratio": round(ratios.median, 3),
        "unit": unit,
        "what": what,
        "ratio_q1": round(ratios.q1, 3),
        "ratio_q3": round(ratios.q3, 3),
        "ratio_min": round(ratios.min, 3),
        "ratio_max": round(ratios.max, 3),
        "rounds": ratios.rounds,
    });
    if let Some(t) = target {
        v["target"] = json!(t);
        v["met"] = json!(ratios.median <= t);
    }
    v
}

/// The median of per-round ratios and how far they spread.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spread {
    pub(crate) median: f64,
    pub(crate) q1: f64,
    pub(crate) q3: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) rounds: usize,
}

impl Spread {
    /// The spread of unsorted per-round ratios.
    pub(crate) fn of(ratios: &[f64]) -> Spread {
        let mut sorted = ratios.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        Spread {
            median: quantile(&sorted, 0.5),
            q1: quantile(&sorted, 0.25),
            q3: quantile(&sorted, 0.75),
            min: quantile(&sorted, 0.0),
            max: quantile(&sorted, 1.0),
            rounds: sorted.len(),
        }
    }

    /// The spread a bench binary wrote (`ratio`, `ratio_q1`, … and `rounds`).
    pub(crate) fn from_json(v: &Value) -> Option<Spread> {
        Some(Spread {
            median: v["ratio"].as_f64()?,
            q1: v["ratio_q1"].as_f64()?,
            q3: v["ratio_q3"].as_f64()?,
            min: v["ratio_min"].as_f64()?,
            max: v["ratio_max"].as_f64()?,
            rounds: usize::try_from(v["rounds"].as_u64()?).ok()?,
        })
    }
}

/// The `q` quantile (0 to 1) of sorted values, linearly interpolated; NaN when there are none.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
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

pub(crate) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_entries_pick_a_unit_and_judge_the_median_ratio() {
        let spread = Spread::of(&[3.2, 2.9, 3.0, 2.0, 9.0]);
        let v = time_entry(1_800.0, 600.0, &spread, Some(1.5), "x");
        assert_eq!(v["unit"], "ns");
        assert_eq!(v["ratio"], 3.0);
        assert_eq!(
            (v["ratio_q1"].as_f64(), v["ratio_q3"].as_f64()),
            (Some(2.9), Some(3.2))
        );
        assert_eq!(
            (v["ratio_min"].as_f64(), v["ratio_max"].as_f64()),
            (Some(2.0), Some(9.0))
        );
        assert_eq!(v["rounds"], 5);
        assert_eq!(v["met"], false);
        let v = time_entry(
            5_000_000.0,
            4_000_000.0,
            &Spread::of(&[1.25]),
            Some(1.5),
            "x",
        );
        assert_eq!(v["unit"], "us");
        assert_eq!(v["ours"], 5000.0);
        assert_eq!(v["met"], true);
        assert!(time_entry(1.0, 1.0, &Spread::of(&[1.0]), None, "x")
            .get("met")
            .is_none());
    }

    #[test]
    fn quantiles_interpolate() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&sorted, 0.5), 2.5);
        assert_eq!(quantile(&sorted, 0.25), 1.75);
        assert_eq!(quantile(&sorted, 1.0), 4.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn a_spread_round_trips_through_the_binaries_json() {
        let spread = Spread::of(&[1.0, 1.5, 2.0]);
        let v = time_entry(2.0, 1.0, &spread, None, "x");
        assert_eq!(Spread::from_json(&v), Some(spread));
        assert_eq!(Spread::from_json(&json!({"ratio": 1.0})), None);
    }
}
