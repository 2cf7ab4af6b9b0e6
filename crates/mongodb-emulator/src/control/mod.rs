//! The control plane under `/_emulator/` on the emulator's own address: reset, dump and load
//! the state, add instances, inject and clear faults, shift the clock, set or advance
//! progress, list the requests seen. `ops` holds one function per operation, called by both
//! [`EmulatorHandle`](crate::EmulatorHandle) and the HTTP routes in `route`; `json` gives the
//! public types their JSON form.

mod json;
pub(crate) mod ops;
mod route;

pub(crate) use json::fault_kind;
pub(crate) use route::{is_control_path, is_loopback, serve, PREFIX};
