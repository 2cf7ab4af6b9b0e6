//! The benches' measurement loop (`benches/common/measure.rs`): ours and the floor run in
//! interleaved rounds, and the summary it writes has the fields `cargo xtask bench` reads.

use std::cell::RefCell;
use std::time::Duration;

#[path = "../benches/common/measure.rs"]
#[allow(dead_code)] // reason: `compare` and `Settings::from_env` serve the bench binaries only
mod measure;

#[test]
fn rounds_alternate_which_side_goes_first_after_one_warm_up_call_each() {
    let log = RefCell::new(String::new());
    let settings = measure::Settings {
        warm_up: Duration::ZERO,
        measure: Duration::ZERO,
        batch: Duration::from_micros(2),
    };
    let c = measure::measure(
        settings,
        measure::Clock::Wall,
        &mut || log.borrow_mut().push('o'),
        &mut || log.borrow_mut().push('f'),
    );
    // No measurement time: the minimum number of rounds.
    assert_eq!(c.ratios.len(), 15);
    assert!(c.batch_ours >= 1 && c.batch_floor >= 1);
    let ours = "o".repeat(c.batch_ours as usize);
    let floor = "f".repeat(c.batch_floor as usize);
    let mut expected = String::from("of");
    for round in 0..c.ratios.len() {
        if round % 2 == 0 {
            expected += &ours;
            expected += &floor;
        } else {
            expected += &floor;
            expected += &ours;
        }
    }
    assert!(
        *log.borrow() == expected,
        "the calls were not interleaved as documented"
    );
    assert!(
        c.ratios.windows(2).all(|w| w[0] <= w[1]),
        "ratios are sorted"
    );
    assert!(c.ratios.iter().all(|r| r.is_finite() && *r >= 0.0));
}

#[test]
fn the_summary_has_the_median_ratio_and_its_spread() {
    let mut n = 0u64;
    let c = measure::measure(
        measure::Settings {
            warm_up: Duration::ZERO,
            measure: Duration::ZERO,
            batch: Duration::from_micros(2),
        },
        measure::Clock::ThreadCpu,
        &mut || n += 1,
        &mut || (),
    );
    let v = c.to_json();
    for key in [
        "ours_ns",
        "floor_ns",
        "ratio",
        "ratio_q1",
        "ratio_q3",
        "ratio_min",
        "ratio_max",
        "seconds",
    ] {
        assert!(v[key].is_number(), "{key} missing in {v}");
    }
    assert_eq!(v["rounds"], 15);
    let clock = if cfg!(unix) { "thread_cpu" } else { "wall" };
    assert_eq!(v["clock"], clock);
    let q = |k: &str| v[k].as_f64().unwrap();
    assert!(q("ratio_min") <= q("ratio_q1") && q("ratio_q1") <= q("ratio"));
    assert!(q("ratio") <= q("ratio_q3") && q("ratio_q3") <= q("ratio_max"));
    assert_eq!(n, 1 + 15 * c.batch_ours);
}
