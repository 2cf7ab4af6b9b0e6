//! [`Emulator`] and [`EmulatorBuilder`]: settings, then `start`.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Progress, Settings, DEMO_SECRET_ID, DEMO_SECRET_KEY};
use crate::handle::EmulatorHandle;
use crate::server::Server;
use crate::shared::Shared;
use crate::spec::InstanceSpec;

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
    settings: Settings,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.listen)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("state_file", &self.settings.state_file)
            .field("progress", &self.settings.progress)
            .field("rate_limit", &self.settings.rate_limit)
            .field("rate_limit_window", &self.settings.rate_limit_window)
            .field("clock_offset_secs", &self.settings.clock_offset_secs)
            .field("max_body_bytes", &self.settings.max_body_bytes)
            .field("backup_size", &self.settings.backup_size)
            .field("download_url_ttl", &self.settings.download_url_ttl)
            .field("seed_instances", &self.settings.seed_instances)
            .field("instances", &self.settings.instances)
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
            settings: Settings::default(),
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
        self.settings.state_file = Some(path.into());
        self
    }

    /// How asynchronous work advances; see [`Progress`].
    pub fn progress(mut self, progress: Progress) -> Self {
        self.settings.progress = progress;
        self
    }

    /// Requests allowed per action in each rate-limit window (one second unless
    /// [`rate_limit_window`](Self::rate_limit_window) says otherwise); `None`
    /// turns the limit off. Default: 20.
    pub fn rate_limit(mut self, per_window: Option<u32>) -> Self {
        self.settings.rate_limit = per_window;
        self
    }

    /// The length of the fixed rate-limit window (default one second). Tests use a
    /// long window to make the limit independent of timing.
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.settings.rate_limit_window = window.max(Duration::from_millis(1));
        self
    }

    /// Shift the emulator's clock by this many seconds (positive: ahead of the
    /// machine's clock). Signature freshness (five minutes either way) and the times
    /// shown in answers use the shifted clock.
    pub fn clock_offset_secs(mut self, secs: i64) -> Self {
        self.settings.clock_offset_secs = secs;
        self
    }

    /// The largest request body accepted, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES)).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_body_bytes = bytes;
        self
    }

    /// The range of sizes, in bytes, of the file of each replica set or shard in a
    /// new backup (default 256 KiB to 2 MiB). Each backup picks a size in the range
    /// deterministically from its name. Files are tar archives, so a size is a
    /// whole number of 512-byte blocks and at least 64 KiB: a range that holds no
    /// such size gets the nearest one.
    pub fn backup_size_range(mut self, min_bytes: u64, max_bytes: u64) -> Self {
        let min = min_bytes.max(1);
        self.settings.backup_size = (min, max_bytes.max(min));
        self
    }

    /// How long each pre-signed download URL handed out by
    /// `DescribeBackupDownloadTask` stays valid, on the emulator's clock
    /// (default [`DEFAULT_DOWNLOAD_URL_TTL`](crate::DEFAULT_DOWNLOAD_URL_TTL), one hour; counted in whole
    /// seconds, rounded up). An expired URL is answered 403 with COS's XML
    /// `AccessDenied` body; asking `DescribeBackupDownloadTask` again hands out
    /// a fresh one. `Duration::ZERO` makes every URL expired on arrival.
    pub fn download_url_ttl(mut self, ttl: Duration) -> Self {
        self.settings.download_url_ttl = ttl;
        self
    }

    /// Whether to create the two demo instances (`cmgo-demo0001`, `cmgo-demo0002`)
    /// and their automatic backups in a fresh state (default `true`). Ignored when
    /// the state is loaded from a file.
    pub fn seed_instances(mut self, seed: bool) -> Self {
        self.settings.seed_instances = seed;
        self
    }

    /// Add an instance to a fresh state (ignored when the state is loaded from a
    /// file, use [`EmulatorHandle::add_instance`] then).
    pub fn instance(mut self, spec: InstanceSpec) -> Self {
        self.settings.instances.push(spec);
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
        let shared = Arc::new(Shared::new(&self.settings, addr, credentials.clone())?);
        let server = Server::start(listener, Arc::clone(&shared))?;
        log::info!("mongodb emulator listening on http://{addr}");
        Ok(EmulatorHandle::new(addr, credentials, shared, server))
    }
}
