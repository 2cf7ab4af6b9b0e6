//! [`Stats`]: what the emulator counts.

use std::collections::BTreeMap;

/// Counters of what the emulator has seen since it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// API requests received per action name (as sent in `X-TC-Action`; requests
    /// without an action are counted under `""`), counted before any check.
    pub requests: BTreeMap<String, u64>,
    /// All API requests received.
    pub total_requests: u64,
    /// Answers with `RequestLimitExceeded`.
    pub rate_limited: u64,
    /// Faults that were applied (one per affected request).
    pub faults_applied: u64,
    /// Download requests answered with file bytes (status 200 or 206), counted
    /// when the answer starts, including those cut short by a fault.
    pub downloads: u64,
    /// File bytes the emulator set out to send to download clients (after
    /// faults that cut answers short are taken into account).
    pub download_bytes: u64,
}
