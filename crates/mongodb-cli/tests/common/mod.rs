//! Shared helpers of the `tcmongo` end-to-end tests: the runner of `test_support::cli` (an
//! emulator started in the test process, the binary run with a cleared environment and `HOME`
//! in an empty temporary directory, accessors for its exit code and output streams), plus the
//! checks only these tests make.
//!
//! Stdout and stderr are captured (not a terminal), so progress is reported as plain lines.

// reason: each test binary compiles this module and uses only some of the helpers.
#![allow(dead_code, unused_imports)]

use serde_json::Value;

pub use test_support::cli::{
    bare, code, expect_code, json_out, run, run_stdin, stderr, stdout, Env, Killed,
};
pub use test_support::presets::closed_port;

pub fn instance_ids(v: &Value) -> Vec<String> {
    v["InstanceDetails"]
        .as_array()
        .unwrap_or_else(|| panic!("no InstanceDetails: {v}"))
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect()
}

pub fn assert_plain(err: &str) {
    assert!(
        !err.contains('\u{1b}'),
        "escape codes on a non-terminal:\n{err}"
    );
    assert!(
        !err.contains('\r'),
        "carriage returns on a non-terminal:\n{err}"
    );
}
