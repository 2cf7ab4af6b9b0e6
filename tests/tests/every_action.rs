//! Every one of the 97 actions goes over the wire from `tcmongo`, by POST and by GET, with the
//! parameters of its published example (the `example` values of the committed spec), and the
//! emulator, which verifies every signature and checks every parameter against the typed
//! models, accepts the request: the answer is a success or a service error about the data
//! (an unknown instance, an action the emulator does not model), never an authentication or
//! parameter error.

mod common;

use common::examples::{action_example, spec, Ids};
use common::*;

/// Error codes that would mean the request itself was wrong on the wire.
const WIRE_ERRORS: &[&str] = &[
    "AuthFailure",
    "MissingParameter",
    "UnknownParameter",
    "InvalidParameter:",
    "InvalidAction",
    "NoSuchVersion",
];

#[test]
fn every_action_is_accepted_on_the_wire_by_post_and_get() {
    let spec = spec();
    let actions = spec["actions"].as_object().expect("actions");
    assert_eq!(actions.len(), 97);

    let emu = emulator();
    let home = tempfile::tempdir().expect("tempdir");
    let mut wire_failures = Vec::new();
    for action in actions.keys() {
        let params = action_example(&spec, action, Ids::AsPublished);
        for method in ["POST", "GET"] {
            let out = run(against(&emu, home.path()).args([
                "--region",
                "ap-guangzhou",
                "--http-method",
                method,
                "--max-attempts",
                "1",
                action,
                "--cli-input-json",
                &params.to_string(),
            ]));
            let err = stderr(&out);
            let code = out.status.code();
            if !matches!(code, Some(0 | 1)) || WIRE_ERRORS.iter().any(|w| err.contains(w)) {
                wire_failures.push(format!("{action} {method}: exit {code:?}: {err}"));
            }
        }
        assert_eq!(
            emu.request_count(action),
            2,
            "{action}: the emulator should have seen one POST and one GET"
        );
    }
    assert!(
        wire_failures.is_empty(),
        "{} of 194 calls were refused on the wire:\n{}",
        wire_failures.len(),
        wire_failures.join("\n")
    );
}
