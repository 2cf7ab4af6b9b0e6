//! [`EmulatorHandle`]: a running emulator, its credentials, and the levers tests
//! pull at run time (faults, clock, progress, instances, counters).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Progress;
use crate::faults::Fault;
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

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The secret id requests must be signed with.
    pub fn secret_id(&self) -> &str {
        self.credentials.secret_id()
    }

    /// The secret key requests must be signed with.
    pub fn secret_key(&self) -> &str {
        self.credentials.secret_key()
    }

    /// The session token requests must carry, if one was configured.
    pub fn token(&self) -> Option<&str> {
        self.credentials.token()
    }

    /// Credentials (with the token, if any) that the emulator accepts.
    pub fn credentials(&self) -> tc_sign::Credentials {
        self.credentials.clone()
    }

    /// Apply `fault` to every following request for `action` (an API action name,
    /// [`ANY_ACTION`](crate::ANY_ACTION), or [`DOWNLOAD_FAULT_KEY`](crate::DOWNLOAD_FAULT_KEY)) until cleared.
    pub fn inject(&self, action: &str, fault: Fault) {
        self.shared.faults.set(action, fault, None);
    }

    /// Apply `fault` to the next `times` requests for `action`, then behave normally.
    pub fn inject_times(&self, action: &str, fault: Fault, times: u32) {
        self.shared.faults.set(action, fault, Some(times));
    }

    /// Remove the fault registered for `action`.
    pub fn clear_fault(&self, action: &str) {
        self.shared.faults.clear(action);
    }

    /// Remove every registered fault and release requests held by [`Fault::Hang`].
    pub fn clear_faults(&self) {
        self.shared.faults.clear_all();
        self.release_hung();
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
        self.shared.add_instance(spec)
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
        self.shared.set_progress(progress);
    }

    /// Shift the emulator's clock by this many seconds from now on.
    pub fn set_clock_offset_secs(&self, secs: i64) {
        self.shared.set_clock_offset(secs);
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
