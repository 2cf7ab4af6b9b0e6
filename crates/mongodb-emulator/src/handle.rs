//! [`EmulatorHandle`]: a running emulator, its credentials, and the levers tests
//! pull at run time (faults, clock, progress, instances, state, counters, the request log).
//! The levers that the control plane also offers over HTTP call the same functions
//! (`control::ops`) as its routes.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::config::Progress;
use crate::control::ops::{self, ClockChange};
use crate::control::PREFIX;
use crate::faults::Fault;
use crate::reqlog::SeenRequest;
use crate::server::Server;
use crate::shared::Shared;
use crate::spec::InstanceSpec;
use crate::stats::Stats;

/// A running emulator. Dropping it (or calling [`stop`](Self::stop)) shuts the
/// server down and closes open connections.
pub struct EmulatorHandle {
    addr: SocketAddr,
    credentials: tc_sign::Credentials,
    shared: Arc<Shared>,
    server: Option<Server>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    pub(crate) fn new(
        addr: SocketAddr,
        credentials: tc_sign::Credentials,
        shared: Arc<Shared>,
        server: Server,
    ) -> Self {
        EmulatorHandle {
            addr,
            credentials,
            shared,
            server: Some(server),
        }
    }

    /// The base URL to use as the client's endpoint, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL of the control plane, e.g. `http://127.0.0.1:40123/_emulator`: the same
    /// levers as this handle's methods, as JSON over HTTP for programs in any language (see
    /// the crate documentation).
    pub fn control_url(&self) -> String {
        format!("http://{}{PREFIX}", self.addr)
    }

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The secret id of the primary account (see
    /// [`EmulatorBuilder::credentials`](crate::EmulatorBuilder::credentials)).
    pub fn secret_id(&self) -> &str {
        self.credentials.secret_id()
    }

    /// The secret key of the primary account.
    pub fn secret_key(&self) -> &str {
        self.credentials.secret_key()
    }

    /// The session token the primary account's requests must carry, if it has one.
    pub fn token(&self) -> Option<&str> {
        self.credentials.token()
    }

    /// The primary account's credentials (with its token, if any).
    pub fn credentials(&self) -> tc_sign::Credentials {
        self.credentials.clone()
    }

    /// Apply `fault` to every following request for `action` (an API action name,
    /// [`ANY_ACTION`](crate::ANY_ACTION), or [`DOWNLOAD_FAULT_KEY`](crate::DOWNLOAD_FAULT_KEY)) until cleared.
    ///
    /// An empty `action` registers nothing (the control plane refuses it).
    pub fn inject(&self, action: &str, fault: Fault) {
        let _ = ops::inject(&self.shared, action, fault, None);
    }

    /// Apply `fault` to the next `times` requests for `action`, then behave normally.
    pub fn inject_times(&self, action: &str, fault: Fault, times: u32) {
        let _ = ops::inject(&self.shared, action, fault, Some(times));
    }

    /// Remove the fault registered for `action`.
    pub fn clear_fault(&self, action: &str) {
        ops::clear_faults(&self.shared, Some(action));
    }

    /// Remove every registered fault and release requests held by [`Fault::Hang`].
    pub fn clear_faults(&self) {
        ops::clear_faults(&self.shared, None);
    }

    /// Let requests held by [`Fault::Hang`] continue; they are then answered normally.
    pub fn release_hung(&self) {
        self.shared.release_hung();
    }

    /// How many requests are currently held by [`Fault::Hang`].
    pub fn hung_requests(&self) -> usize {
        self.shared.hung_count()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// How many API requests named `action` have arrived so far.
    pub fn request_count(&self, action: &str) -> u64 {
        self.shared.request_count(action)
    }

    /// Add an instance at run time. Fails with [`io::ErrorKind::AlreadyExists`]
    /// when the id is taken, or when the state file cannot be written.
    pub fn add_instance(&self, spec: InstanceSpec) -> io::Result<()> {
        ops::add_instance(&self.shared, spec).map_err(io::Error::from)
    }

    /// Go back to how the emulator started: a freshly seeded state (the demo instances
    /// unless turned off, plus the builder's instances; written to the state file, if any),
    /// no faults (held requests released), the starting clock offset, progress and download
    /// URL lifetime, an empty request log. Counters ([`stats`](Self::stats)) keep counting.
    pub fn reset(&self) {
        ops::reset(&self.shared);
    }

    /// The whole state (instances, backups, async requests, download tasks) as JSON, in the
    /// same format as the state file ([`EmulatorBuilder::state_file`](crate::EmulatorBuilder::state_file)).
    pub fn dump_state(&self) -> Value {
        ops::dump_state(&self.shared)
    }

    /// Replace the whole state with `state`, in the format [`dump_state`](Self::dump_state)
    /// and the state file use. Fails with [`io::ErrorKind::InvalidInput`] (naming what is
    /// wrong) when it is not such a state; the state is then unchanged.
    pub fn load_state(&self, state: Value) -> io::Result<()> {
        ops::load_state(&self.shared, state)
            .map(|_| ())
            .map_err(io::Error::from)
    }

    /// The requests seen so far (the newest thousand), oldest first: API calls and file
    /// downloads, with their action, region, secret id, answer status and error code, never
    /// a secret key, a session token, a signature or a download URL's query.
    pub fn requests(&self) -> Vec<SeenRequest> {
        ops::requests(&self.shared)
    }

    /// Change an instance's status code (2 = running; other values make
    /// `CreateBackupDBInstance` fail with `InvalidParameterValue.IllegalInstanceStatus`).
    /// Returns `false` when there is no such instance.
    pub fn set_instance_status(&self, instance_id: &str, status: i64) -> bool {
        self.shared.set_instance_status(instance_id, status)
    }

    /// Change the per-action rate limit at run time (`None` turns it off).
    pub fn set_rate_limit(&self, per_window: Option<u32>) {
        self.shared.limiter.set_limit(per_window);
    }

    /// Change how asynchronous work advances from now on.
    pub fn set_progress(&self, progress: Progress) {
        ops::set_progress(&self.shared, progress);
    }

    /// Move every unfinished async request, backup download task, log download task and
    /// audit log file `steps` steps on at once, as `steps` polls would ([`Progress::PerPoll`]) or `steps` phases of the clock
    /// ([`Progress::Elapsed`]); a backup whose request reaches its end is recorded. Returns
    /// how many items moved.
    pub fn advance_work(&self, steps: u32) -> usize {
        ops::advance_work(&self.shared, steps)
    }

    /// Shift the emulator's clock by this many seconds from now on.
    pub fn set_clock_offset_secs(&self, secs: i64) {
        ops::change_clock(&self.shared, ClockChange::SetOffset(secs));
    }

    /// Move the emulator's clock `secs` seconds on (negative: back) from where it is;
    /// returns its new offset from the machine's clock.
    pub fn advance_clock_secs(&self, secs: i64) -> i64 {
        ops::change_clock(&self.shared, ClockChange::Advance(secs))
    }

    /// Expire every download URL handed out so far: each is answered 403 with
    /// COS's XML `AccessDenied` body from now on. URLs handed out later (every
    /// `DescribeBackupDownloadTask` answer carries fresh ones) work as usual.
    pub fn expire_download_urls(&self) {
        self.shared.expire_urls();
    }

    /// Change how long download URLs handed out from now on stay valid (see
    /// [`EmulatorBuilder::download_url_ttl`](crate::EmulatorBuilder::download_url_ttl)).
    pub fn set_download_url_ttl(&self, ttl: Duration) {
        self.shared.set_url_ttl(ttl);
    }

    /// Stop serving: close the listener and every open connection, release hung
    /// requests, and wait (briefly) for the server threads to finish.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop(&self.shared);
            log::info!("mongodb emulator on {} stopped", self.addr);
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
