//! The control plane's operations, one function each. [`EmulatorHandle`](crate::EmulatorHandle)
//! (the Rust door) and the `/_emulator/` routes (the HTTP door) both call these, so the two
//! doors cannot drift apart.

use std::io;

use serde_json::Value;

use crate::config::Progress;
use crate::faults::Fault;
use crate::reqlog::SeenRequest;
use crate::shared::{fresh_state, Shared};
use crate::shared_control::parse_state;
use crate::spec::InstanceSpec;

/// Why a control operation was refused: an HTTP status, a short code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ControlError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ControlError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ControlError {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ControlError::new(400, "InvalidRequest", message)
    }
}

impl From<ControlError> for io::Error {
    fn from(e: ControlError) -> io::Error {
        let kind = match e.status {
            409 => io::ErrorKind::AlreadyExists,
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e.message)
    }
}

/// Back to how the emulator started: a freshly seeded state (the demo instances unless turned
/// off, plus the builder's instances; saved to the state file, if any), no faults (held
/// requests released), the starting clock offset, progress and download URL lifetime, and
/// an empty request log. Returns the instance ids.
pub(crate) fn reset(shared: &Shared) -> Vec<String> {
    let start = &shared.settings;
    shared.faults.clear_all();
    shared.release_hung();
    shared.set_clock_offset(start.clock_offset_secs);
    shared.set_progress(start.progress);
    shared.set_url_ttl(start.download_url_ttl);
    shared.requests.clear();
    shared.replace_state(fresh_state(start, shared.now_ms()))
}

/// The whole state as JSON, in the state file's format.
pub(crate) fn dump_state(shared: &Shared) -> Value {
    shared.state_json()
}

/// Replaces the whole state with `state` (the state file's format); returns the instance ids.
pub(crate) fn load_state(shared: &Shared, state: Value) -> Result<Vec<String>, ControlError> {
    let state = parse_state(state).map_err(ControlError::invalid)?;
    Ok(shared.replace_state(state))
}

/// Adds an instance; refused (409) when the id is taken.
pub(crate) fn add_instance(shared: &Shared, spec: InstanceSpec) -> Result<(), ControlError> {
    shared.add_instance(spec).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => ControlError::new(409, "InstanceExists", e.to_string()),
        _ => ControlError::new(500, "StateNotSaved", e.to_string()),
    })
}

/// Registers `fault` for `key` (an action, `*`, or `download`), for `times` requests or until
/// cleared.
pub(crate) fn inject(
    shared: &Shared,
    key: &str,
    fault: Fault,
    times: Option<u32>,
) -> Result<(), ControlError> {
    if key.trim().is_empty() {
        return Err(ControlError::invalid(
            "the fault key is empty: give an action name, `*` (every action) or `download`",
        ));
    }
    shared.faults.set(key, fault, times);
    Ok(())
}

/// Removes the fault of `key`, or every fault (releasing requests held by `Hang`) when `None`.
pub(crate) fn clear_faults(shared: &Shared, key: Option<&str>) {
    match key {
        Some(key) => shared.faults.clear(key),
        None => {
            shared.faults.clear_all();
            shared.release_hung();
        }
    }
}

/// A change of the emulator clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClockChange {
    /// Be this many seconds ahead of the machine's clock (negative: behind).
    SetOffset(i64),
    /// Move this many seconds further on from where it is.
    Advance(i64),
}

/// Changes the clock; returns the new offset from the machine's clock, in seconds.
pub(crate) fn change_clock(shared: &Shared, change: ClockChange) -> i64 {
    match change {
        ClockChange::SetOffset(secs) => {
            shared.set_clock_offset(secs);
            secs
        }
        ClockChange::Advance(secs) => shared.shift_clock(secs),
    }
}

/// Changes how long-running work advances from now on.
pub(crate) fn set_progress(shared: &Shared, progress: Progress) {
    shared.set_progress(progress);
}

/// The current progress mode.
pub(crate) fn progress(shared: &Shared) -> Progress {
    shared.progress()
}

/// Moves every unfinished piece of work `steps` steps on; returns how many moved.
pub(crate) fn advance_work(shared: &Shared, steps: u32) -> usize {
    shared.advance_work(steps)
}

/// The requests seen (the newest thousand), oldest first, secrets left out.
pub(crate) fn requests(shared: &Shared) -> Vec<SeenRequest> {
    shared.requests.snapshot()
}
