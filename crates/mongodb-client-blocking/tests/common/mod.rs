//! Test helpers: the shared scripted server under the name these tests know it by, a client
//! for it, and a log capturer.
//!
//! The server ([`test_support::TestServer`]) speaks just enough HTTP/1.1 to control what the
//! client sees byte for byte: scripted answers, connections dropped mid-answer,
//! `Content-Length` headers that lie. Every request is recorded. It also accepts `CONNECT`
//! (recorded too), so it can stand in for a proxy that tunnels to it.
#![allow(dead_code, unused_imports)] // reason: each test binary uses a different subset of the helpers

use std::sync::{Mutex, OnceLock};
use std::thread;

pub use test_support::{Recorded, Reply};

/// A scripted server on 127.0.0.1 with an ephemeral port: `Mock::start(|request, n| reply)`,
/// where `n` is the request's 0-based index in arrival order.
pub type Mock = test_support::TestServer;

/// A logger that records every line with the thread that logged it.
struct Capture {
    lines: Mutex<Vec<(thread::ThreadId, String)>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.lines
            .lock()
            .unwrap()
            .push((thread::current().id(), line));
    }

    fn flush(&self) {}
}

static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();

/// Install the capturing logger (once per test binary) at `trace` level.
pub fn init_logger() {
    CAPTURE.get_or_init(|| {
        let cap: &'static Capture = Box::leak(Box::new(Capture {
            lines: Mutex::new(Vec::new()),
        }));
        log::set_logger(cap).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
        cap
    });
}

/// Lines logged so far by the current thread.
pub fn my_log_lines() -> Vec<String> {
    let me = thread::current().id();
    CAPTURE
        .get()
        .map(|c| {
            c.lines
                .lock()
                .unwrap()
                .iter()
                .filter(|(t, _)| *t == me)
                .map(|(_, l)| l.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Every line logged so far, by any thread.
pub fn all_log_lines() -> Vec<String> {
    CAPTURE
        .get()
        .map(|c| {
            c.lines
                .lock()
                .unwrap()
                .iter()
                .map(|(_, l)| l.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub const ID: &str = test_support::presets::SECRET_ID;
pub const KEY: &str = test_support::presets::SECRET_KEY;

/// A client for `mock` with fast retries and no rate limit.
pub fn client_for(mock: &Mock) -> mongodb_client_blocking::ClientBuilder {
    mongodb_client_blocking::Client::builder()
        .endpoint(mock.url())
        .region("ap-guangzhou")
        .credentials(test_support::presets::credentials())
        .no_proxy()
        .rate_limit(None)
        .env_source(mongodb_client_blocking::EnvSource::from_vars(Vec::<(
            String,
            String,
        )>::new(
        )))
        .retry(
            mongodb_client_blocking::RetryPolicy::default()
                .with_base_delay(std::time::Duration::from_millis(1))
                .with_max_delay(std::time::Duration::from_millis(5)),
        )
}
