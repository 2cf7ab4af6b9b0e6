//! A local, stateful stand-in for the TencentDB for MongoDB API (version `2019-07-25`).
//!
//! The emulator is an HTTP server that runs inside your process (or behind
//! `tcmongo emulator`) and answers the same wire protocol as
//! `mongodb.tencentcloudapi.com`: TC3-HMAC-SHA256 signed POST (JSON) and GET
//! (query string) requests, `{"Response": …}` envelopes, the platform's error codes.
//! Point a client at [`EmulatorHandle::url`] with the credentials from
//! [`EmulatorHandle::credentials`] and it can run the backup workflow end to end
//! without a cloud account:
//!
//! 1. `CreateBackupDBInstance` starts a backup and returns an async request id;
//! 2. `DescribeAsyncRequestInfo` reports it going `initial → running → success`;
//! 3. `DescribeDBBackups` then lists the new backup;
//! 4. `CreateBackupDownloadTask` prepares one file per replica set or shard;
//! 5. `DescribeBackupDownloadTask` shows each task going `0 → 1 → 2` and finally
//!    carries a `Url` that this same server serves, with deterministic bytes and
//!    support for `Range` requests.
//!
//! `DescribeDBInstances` reads the same state. Every other action of the API is
//! recognised and checked (signature, parameters) and then answered with
//! `UnsupportedOperation` naming the action, never with a made-up success.
//!
//! Two instances exist from the start: `cmgo-demo0001`, a replica set whose only
//! set is `cmgo-demo0001_0`, and `cmgo-demo0002`, a sharded cluster with shards
//! `cmgo-demo0002_0` and `cmgo-demo0002_1`. Each already has one automatic backup.
//!
//! For tests the emulator can be made deterministic ([`Progress::PerPoll`] moves
//! state one step per poll instead of by the clock), its clock can be skewed
//! ([`EmulatorBuilder::clock_offset_secs`]), its rate limit tuned, and faults can be
//! injected per action at run time ([`EmulatorHandle::inject`], [`Fault`]). It
//! counts what it has seen ([`EmulatorHandle::stats`]). With
//! [`EmulatorBuilder::state_file`] the state survives restarts.
//!
//! The HTTP/1.1 connection handling (one thread per connection, keep-alive,
//! limits, request bodies) is the emulator's own, on `std::net`, because the
//! faults need the raw socket: closing without an answer, announcing a
//! `Content-Length` and then cutting the body short, dropping a download after
//! a given number of bytes. Request heads are parsed by `httparse`.
//!
//! # Example
//!
//! ```
//! use mongodb_emulator::{Emulator, Progress};
//!
//! let emulator = Emulator::builder().progress(Progress::PerPoll).start()?;
//! println!("emulator listening at {}", emulator.url());
//! println!("secret id: {}", emulator.secret_id());
//! assert!(emulator.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(emulator.request_count("DescribeDBInstances"), 0);
//! emulator.stop(); // dropping the handle stops it too
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod actions;
mod auth;
mod download;
mod faults;
mod persist;
mod ratelimit;
mod server;
mod state;
mod util;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use faults::Fault;
pub use state::InstanceSpec;

/// The secret id the emulator accepts when no credentials are configured.
///
/// It is not a real Tencent Cloud key and grants nothing anywhere else.
pub const DEMO_SECRET_ID: &str = "AKIDEMULATOR0000DEMO";

/// The secret key paired with [`DEMO_SECRET_ID`]; public on purpose, it only
/// opens the emulator.
pub const DEMO_SECRET_KEY: &str = "emulator-demo-secret-key";

/// The key under which faults for backup file downloads are registered, for
/// [`EmulatorHandle::inject`] (download requests have no API action).
pub const DOWNLOAD_FAULT_KEY: &str = "download";

/// A fault key that matches every API action that has no fault of its own.
pub const ANY_ACTION: &str = "*";

/// The API version the emulator speaks; other `X-TC-Version` values get `NoSuchVersion`.
pub const API_VERSION: &str = "2019-07-25";

/// The default request limit per action and per second, as the service documents it.
pub const DEFAULT_RATE_LIMIT: u32 = 20;

/// The default largest request body accepted (10 MiB); bigger ones get
/// `RequestSizeLimitExceeded`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// How long-running work (backups, download preparation) advances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Every poll of an item (`DescribeAsyncRequestInfo` for an async request,
    /// `DescribeBackupDownloadTask` for the tasks it returns) first reports the
    /// item's current step and then moves it one step on. No clock involved, so
    /// tests are deterministic: the third poll of an async request says `success`.
    PerPoll,
    /// Each phase (queued, then running) lasts this long on the emulator's clock;
    /// `Duration::ZERO` makes work finish at once.
    Elapsed(Duration),
}

impl Default for Progress {
    /// Phases of 1.5 seconds: slow enough to watch a progress bar move.
    fn default() -> Self {
        Progress::Elapsed(Duration::from_millis(1500))
    }
}

/// Entry point: `Emulator::builder()…start()`.
#[derive(Debug)]
pub struct Emulator {
    _private: (),
}

impl Emulator {
    /// A builder with the defaults: `127.0.0.1:0`, the demo credentials, no session
    /// token, in-memory state, [`Progress::default`], 20 requests per second per action.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Settings of an emulator to start; see [`Emulator::builder`].
#[derive(Clone)]
pub struct EmulatorBuilder {
    listen: Result<Vec<SocketAddr>, String>,
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    state_file: Option<PathBuf>,
    progress: Progress,
    rate_limit: Option<u32>,
    rate_limit_window: Duration,
    clock_offset_secs: i64,
    max_body_bytes: usize,
    backup_size: (u64, u64),
    seed_instances: bool,
    instances: Vec<InstanceSpec>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.listen)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("state_file", &self.state_file)
            .field("progress", &self.progress)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limit_window", &self.rate_limit_window)
            .field("clock_offset_secs", &self.clock_offset_secs)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("backup_size", &self.backup_size)
            .field("seed_instances", &self.seed_instances)
            .field("instances", &self.instances)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))]),
            secret_id: DEMO_SECRET_ID.to_owned(),
            secret_key: DEMO_SECRET_KEY.to_owned(),
            token: None,
            state_file: None,
            progress: Progress::default(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            rate_limit_window: Duration::from_secs(1),
            clock_offset_secs: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            backup_size: (256 * 1024, 2 * 1024 * 1024),
            seed_instances: true,
            instances: Vec::new(),
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on, e.g. `"127.0.0.1:8080"` or a [`SocketAddr`];
    /// port 0 picks a free port. An address that does not resolve makes
    /// [`start`](Self::start) fail.
    pub fn listen<A: ToSocketAddrs>(mut self, addr: A) -> Self {
        self.listen = addr
            .to_socket_addrs()
            .map(|it| it.collect())
            .map_err(|e| e.to_string());
        self
    }

    /// The one secret id / secret key pair the emulator accepts (instead of
    /// [`DEMO_SECRET_ID`] / [`DEMO_SECRET_KEY`]).
    pub fn credentials(
        mut self,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.secret_id = secret_id.into();
        self.secret_key = secret_key.into();
        self
    }

    /// Require this session token in `X-TC-Token` (`AuthFailure.TokenFailure`
    /// otherwise). `None`, the default, accepts requests with or without a token.
    pub fn token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    /// Keep the state in this JSON file: read at start when it exists, rewritten
    /// atomically after every change.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// How asynchronous work advances; see [`Progress`].
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Requests allowed per action in each rate-limit window (one second unless
    /// [`rate_limit_window`](Self::rate_limit_window) says otherwise); `None`
    /// turns the limit off. Default: 20.
    pub fn rate_limit(mut self, per_window: Option<u32>) -> Self {
        self.rate_limit = per_window;
        self
    }

    /// The length of the fixed rate-limit window (default one second). Tests use a
    /// long window to make the limit independent of timing.
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.rate_limit_window = window.max(Duration::from_millis(1));
        self
    }

    /// Shift the emulator's clock by this many seconds (positive: ahead of the
    /// machine's clock). Signature freshness (five minutes either way) and the times
    /// shown in answers use the shifted clock.
    pub fn clock_offset_secs(mut self, secs: i64) -> Self {
        self.clock_offset_secs = secs;
        self
    }

    /// The largest request body accepted, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The range of sizes, in bytes, of the file of each replica set or shard in a
    /// new backup (default 256 KiB to 2 MiB). Each backup picks a size in the range
    /// deterministically from its name.
    pub fn backup_size_range(mut self, min_bytes: u64, max_bytes: u64) -> Self {
        let min = min_bytes.max(1);
        self.backup_size = (min, max_bytes.max(min));
        self
    }

    /// Whether to create the two demo instances (`cmgo-demo0001`, `cmgo-demo0002`)
    /// and their automatic backups in a fresh state (default `true`). Ignored when
    /// the state is loaded from a file.
    pub fn seed_instances(mut self, seed: bool) -> Self {
        self.seed_instances = seed;
        self
    }

    /// Add an instance to a fresh state (ignored when the state is loaded from a
    /// file, use [`EmulatorHandle::add_instance`] then).
    pub fn instance(mut self, spec: InstanceSpec) -> Self {
        self.instances.push(spec);
        self
    }

    /// Bind the address, load or create the state and start serving on background
    /// threads.
    ///
    /// Fails when the address cannot be bound, the credentials are empty, or the
    /// state file exists but cannot be read or parsed.
    pub fn start(self) -> io::Result<EmulatorHandle> {
        let credentials =
            tc_sign::Credentials::new(self.secret_id.clone(), self.secret_key.clone())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let credentials = match &self.token {
            Some(t) => credentials
                .with_token(t.clone())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?,
            None => credentials,
        };
        let addrs = self
            .listen
            .clone()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = std::net::TcpListener::bind(&addrs[..])?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(server::Shared::new(&self, addr, credentials.clone())?);
        let server = server::Server::start(listener, Arc::clone(&shared))?;
        log::info!("mongodb emulator listening on http://{addr}");
        Ok(EmulatorHandle {
            addr,
            credentials,
            shared,
            server: Some(server),
        })
    }
}

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

/// A running emulator. Dropping it (or calling [`stop`](Self::stop)) shuts the
/// server down and closes open connections.
pub struct EmulatorHandle {
    addr: SocketAddr,
    credentials: tc_sign::Credentials,
    shared: Arc<server::Shared>,
    server: Option<server::Server>,
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
    /// [`ANY_ACTION`], or [`DOWNLOAD_FAULT_KEY`]) until cleared.
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
