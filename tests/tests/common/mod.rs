//! Helpers shared by the workspace-level test binaries: an emulator set up for tests, a client
//! pointed at it, and (from `test_support::cli`) the `tcmongo` binary run against it with a
//! clean environment.
#![allow(dead_code, unused_imports)] // reason: each test binary uses a different subset of the helpers

pub mod examples;

use std::time::{Duration, Instant};

use mongodb_client_blocking::{ClientBuilder, RetryPolicy};
use mongodb_emulator::{EmulatorBuilder, EmulatorHandle};
use test_support::presets;

pub use test_support::cli::{against, bare, expect_code, run, stderr, stdout, tcmongo};
pub use test_support::presets::refused_url;

/// An emulator whose work finishes at once, without a rate limit, with small backup files.
pub fn emulator_builder() -> EmulatorBuilder {
    presets::small(presets::instant())
}

pub fn emulator() -> EmulatorHandle {
    emulator_builder().start().expect("the emulator starts")
}

/// Retries with short waits, so that tests of retry counts stay fast.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_millis(50))
}

/// A client for `emu`: its endpoint and credentials, no proxy, fast retries (3 attempts).
pub fn client_for(emu: &EmulatorHandle) -> ClientBuilder {
    mongodb_client_blocking::Client::builder()
        .endpoint(emu.url())
        .credentials(emu.credentials())
        .region("ap-guangzhou")
        .no_proxy()
        .retry(fast_retry(3))
}

/// Polls `cond` until it holds or `limit` passes; returns whether it held.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
