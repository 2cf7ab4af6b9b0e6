//! Peak heap use of decoding the 1,000-instance `DescribeDBInstances` answer: the typed decode
//! (`mongodb_models::decode_response`) against parsing the same bytes into a `serde_json::Value`.
//!
//! A counting global allocator records the high-water mark of live heap bytes; each decode
//! starts from a reset mark, so the figure is what the decode itself needs on top of the body
//! (its result included, since the result is alive at the peak). Run by `cargo xtask bench`,
//! which reads the JSON this writes into `$MONGODB_SDK_BENCH_OUT`.

use std::hint::black_box;

use mongodb_models::{decode_response, DescribeDBInstancesResponse};
use peak_alloc::PeakAlloc;
use serde_json::json;

#[path = "common/fixture.rs"]
mod fixture;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Heap bytes (peak above the starting point, still held afterwards) of running `f`.
fn measure<T>(f: impl FnOnce() -> T) -> (usize, usize) {
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let out = black_box(f());
    let peak = ALLOC.peak_usage().saturating_sub(base);
    let held = ALLOC.current_usage().saturating_sub(base);
    drop(out);
    (peak, held)
}

fn main() {
    let body = fixture::describe_db_instances_body();
    // Once each unmeasured, so lazily initialized state is not counted against either.
    drop(decode_response::<DescribeDBInstancesResponse>(&body).expect("fixture decodes"));
    drop(serde_json::from_slice::<serde_json::Value>(&body).expect("fixture is JSON"));

    let (ours_peak, ours_held) =
        measure(|| decode_response::<DescribeDBInstancesResponse>(black_box(&body)));
    let (floor_peak, floor_held) =
        measure(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)));

    let kib = |b: usize| (b as f64 / 1024.0 * 10.0).round() / 10.0;
    let result = json!({
        "decode_peak_memory": {
            "ours": kib(ours_peak),
            "floor": kib(floor_peak),
            "ratio": ((ours_peak as f64 / floor_peak as f64) * 1000.0).round() / 1000.0,
            "unit": "KiB",
            "what": "peak heap of the typed decode / of serde_json::Value, 1,000 instances",
            "ours_retained": kib(ours_held),
            "floor_retained": kib(floor_held),
            "body": kib(body.len()),
        }
    });
    let text = serde_json::to_string_pretty(&result).expect("a Value always serializes");
    println!("{text}");
    // Without `--bench` (`cargo test --benches`) nothing is written.
    let measuring = std::env::args().any(|a| a == "--bench");
    if let Some(dir) = std::env::var_os("MONGODB_SDK_BENCH_OUT").filter(|_| measuring) {
        let path = std::path::Path::new(&dir).join("decode_memory.json");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}
