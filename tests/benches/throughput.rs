//! Requests per second of one client (shared by 1 and by 8 threads) calling
//! `DescribeDBInstances` against the local emulator, with rate limiting off on both sides and
//! retries off. A figure to report, not a ratio: the emulator's own work is part of it.
//!
//! Run by `cargo xtask bench`, which reads the JSON this writes into `$MONGODB_SDK_BENCH_OUT`;
//! `MONGODB_SDK_BENCH_QUICK=1` makes the run shorter; without `--bench` it only smoke-tests.

use std::thread;
use std::time::{Duration, Instant};

use mongodb_client_blocking::models::DescribeDBInstancesRequest;
use mongodb_client_blocking::{Client, RetryPolicy};
use mongodb_emulator::Emulator;
use serde_json::{json, Map, Value};

/// Calls `per_thread` requests on each of `threads` threads; returns requests per second.
fn run(client: &Client, threads: usize, per_thread: usize) -> f64 {
    let req = DescribeDBInstancesRequest::new();
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..threads {
            let client = client.clone();
            let req = req.clone();
            s.spawn(move || {
                for _ in 0..per_thread {
                    let answer = client
                        .describe_db_instances(&req)
                        .expect("emulator answers");
                    assert!(answer.instance_details.is_some_and(|d| !d.is_empty()));
                }
            });
        }
    });
    let elapsed = start.elapsed().max(Duration::from_nanos(1));
    (threads * per_thread) as f64 / elapsed.as_secs_f64()
}

fn main() {
    // Without `--bench` (`cargo test --benches`) this is a smoke test: a few calls, no file.
    let measuring = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var_os("MONGODB_SDK_BENCH_QUICK").is_some();
    let total = match (measuring, quick) {
        (false, _) => 16,
        (true, true) => 800,
        (true, false) => 8_000,
    };

    let emulator = Emulator::builder()
        .listen("127.0.0.1:0")
        .rate_limit(None)
        .start()
        .expect("emulator starts");
    let client = Client::builder()
        .endpoint(emulator.url())
        .credentials(emulator.credentials())
        .region("ap-guangzhou")
        .no_proxy()
        .rate_limit(None)
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds");

    // Warm-up: connections, signing-key cache, emulator state.
    run(&client, 8, 10);

    let mut out = Map::new();
    for threads in [1usize, 8] {
        let rps = run(&client, threads, total / threads);
        let key = if threads == 1 {
            "rps_1_thread".to_string()
        } else {
            format!("rps_{threads}_threads")
        };
        out.insert(
            key,
            json!({
                "ours": rps.round(),
                "unit": "req/s",
                "what": format!(
                    "DescribeDBInstances against the emulator, one client on {threads} thread(s), \
                     {total} calls, limiters and retries off"
                ),
            }),
        );
    }
    let text = serde_json::to_string_pretty(&Value::Object(out)).expect("serializes");
    println!("{text}");
    if let Some(dir) = std::env::var_os("MONGODB_SDK_BENCH_OUT").filter(|_| measuring) {
        let path = std::path::Path::new(&dir).join("throughput.json");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}
