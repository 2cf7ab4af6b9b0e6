//! [`Emulator`] and [`EmulatorBuilder`]: settings, then `start`.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::access::{Account, Accounts, ControlToken};
use crate::config::{Progress, Settings, DEMO_SECRET_ID, DEMO_SECRET_KEY};
use crate::control::is_loopback;
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
    /// token, in-memory state, [`Progress::default`], 20 requests per second per action, the
    /// control plane open (it listens on loopback only).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Settings of an emulator to start; see [`Emulator::builder`].
#[derive(Clone)]
pub struct EmulatorBuilder {
    listen: Result<Vec<SocketAddr>, String>,
    /// The primary key pair, from `credentials` (else the first account, else the demo pair).
    primary: Option<(String, String)>,
    /// The session token of the primary account.
    token: Option<String>,
    /// More accounts: secret id, secret key, session token.
    accounts: Vec<(String, String, Option<String>)>,
    control_token: Option<String>,
    settings: Settings,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.listen)
            .field("secret_id", &self.primary.as_ref().map(|(id, _)| id))
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field(
                "accounts",
                &self
                    .accounts
                    .iter()
                    .map(|(id, _, _)| id)
                    .collect::<Vec<_>>(),
            )
            .field(
                "control_token",
                &self.control_token.as_ref().map(|_| "** redacted **"),
            )
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
            primary: None,
            token: None,
            accounts: Vec::new(),
            control_token: None,
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

    /// The primary secret id / secret key pair: accepted, and the one
    /// [`EmulatorHandle::credentials`] hands out. It replaces the demo pair
    /// ([`DEMO_SECRET_ID`] / [`DEMO_SECRET_KEY`]), which is accepted only while neither this
    /// nor [`account`](Self::account) is given.
    pub fn credentials(
        mut self,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.primary = Some((secret_id.into(), secret_key.into()));
        self
    }

    /// Make the primary account (see [`credentials`](Self::credentials)) a temporary
    /// credential: its requests must carry this session token in `X-TC-Token` (or `Token`
    /// with a legacy signature), else they get `AuthFailure.TokenFailure`. `None`, the
    /// default, accepts its requests with or without a token.
    pub fn token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    /// Accept this key pair as well (repeatable): the emulator accepts the
    /// [`credentials`](Self::credentials) pair, if given, and every account, in that order;
    /// the first is the primary one. A request signed with a secret id that is none of them
    /// gets `AuthFailure.SecretIdNotFound`. All accounts share one state.
    pub fn account(self, secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.push_account(secret_id.into(), secret_key.into(), None)
    }

    /// Accept this key pair as a temporary credential: its requests must carry `token` in
    /// `X-TC-Token` (or the `Token` parameter of a legacy signature); a missing or different
    /// token gets `AuthFailure.TokenFailure`.
    pub fn account_with_token(
        self,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        self.push_account(secret_id.into(), secret_key.into(), Some(token.into()))
    }

    fn push_account(mut self, id: String, key: String, token: Option<String>) -> Self {
        self.accounts.push((id, key, token));
        self
    }

    /// The bearer token the control plane (`/_emulator/…`) demands, in
    /// `Authorization: Bearer <token>`, compared in constant time. Without one the control
    /// plane is open, which [`start`](Self::start) allows only on a loopback address: an
    /// emulator that listens beyond loopback (`0.0.0.0`, a LAN address) refuses to start
    /// without a control token.
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(token.into());
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
    /// Fails ([`io::ErrorKind::InvalidInput`]) when an account's secret id or key is empty or
    /// a secret id is given twice, when the address is beyond loopback and no
    /// [`control_token`](Self::control_token) was given, or the token is not visible ASCII;
    /// fails when the address cannot be bound, or the state file exists but cannot be read or
    /// parsed.
    pub fn start(self) -> io::Result<EmulatorHandle> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        let (accounts, credentials) = self.accounts().map_err(invalid)?;
        let addrs = self.listen.clone().map_err(invalid)?;
        let control_token = match (&self.control_token, addrs.iter().find(|a| !is_loopback(a.ip()))) {
            (Some(token), _) => Some(ControlToken::new(token).map_err(invalid)?),
            (None, Some(open)) => {
                return Err(invalid(format!(
                    "the emulator would listen on {open}, beyond loopback, where its control plane (/_emulator/) must not be open: give it a token with `--control-token TOKEN` (`EmulatorBuilder::control_token` in Rust), or listen on 127.0.0.1"
                )))
            }
            (None, None) => None,
        };
        let listener = std::net::TcpListener::bind(&addrs[..])?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&self.settings, addr, accounts, control_token)?);
        let server = Server::start(listener, Arc::clone(&shared))?;
        log::info!("mongodb emulator listening on http://{addr}");
        Ok(EmulatorHandle::new(addr, credentials, shared, server))
    }

    /// Every accepted account, checked, and the primary one's credentials.
    fn accounts(&self) -> Result<(Accounts, tc_sign::Credentials), String> {
        let primary = self
            .primary
            .clone()
            .map(|(id, key)| (id, key, self.token.clone()));
        let mut given: Vec<(String, String, Option<String>)> =
            primary.into_iter().chain(self.accounts.clone()).collect();
        if given.is_empty() {
            given.push((
                DEMO_SECRET_ID.to_owned(),
                DEMO_SECRET_KEY.to_owned(),
                self.token.clone(),
            ));
        } else if self.primary.is_none() && self.token.is_some() && given[0].2.is_none() {
            given[0].2 = self.token.clone();
        }
        let mut checked = Vec::with_capacity(given.len());
        let mut first = None;
        for (secret_id, secret_key, token) in given {
            let mut creds = tc_sign::Credentials::new(secret_id.clone(), secret_key.clone())
                .map_err(|e| format!("account {secret_id}: {e}"))?;
            if let Some(t) = &token {
                creds = creds
                    .with_token(t.clone())
                    .map_err(|e| format!("account {secret_id}: {e}"))?;
            }
            first.get_or_insert(creds);
            checked.push(Account {
                secret_id,
                secret_key,
                token,
            });
        }
        let accounts = Accounts::new(checked)?;
        let first = first.ok_or("the emulator needs at least one account")?;
        Ok((accounts, first))
    }
}
