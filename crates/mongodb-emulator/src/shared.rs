//! The state every server thread shares: the emulated account (behind one
//! lock, saved after each change), the clock, progress mode, registered faults,
//! the rate limiter, counters, requests held by a fault, and the open
//! connections (so that stopping can close them).

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::access::{Accounts, ControlToken};
use crate::archive::ObjectCache;
use crate::config::{Progress, Settings};
use crate::faults::FaultTable;
use crate::persist::Persister;
use crate::ratelimit::RateLimiter;
use crate::reqlog::RequestLog;
use crate::spec::InstanceSpec;
use crate::state::State;
use crate::stats::Stats;
use crate::util;

/// Counters behind [`Stats`].
#[derive(Debug, Default)]
struct Counters {
    stats: Stats,
}

/// Requests held by the `Hang` fault.
#[derive(Debug, Default)]
pub(crate) struct HangState {
    generation: u64,
    held: usize,
}

/// Everything the server threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) addr: SocketAddr,
    /// The accepted accounts (their `Debug` keeps keys and tokens out of logs).
    pub(crate) accounts: Accounts,
    /// The bearer token the control plane demands, if any.
    pub(crate) control_token: Option<ControlToken>,
    /// The settings the emulator started from (what a reset goes back to).
    pub(crate) settings: Settings,
    /// The requests seen, secrets left out.
    pub(crate) requests: RequestLog,
    pub(crate) max_body: usize,
    pub(crate) sizes: (u64, u64),
    progress: Mutex<Progress>,
    clock_offset: AtomicI64,
    state: Mutex<State>,
    persister: Option<Persister>,
    pub(crate) faults: FaultTable,
    /// Backup files already planned and checksummed.
    pub(crate) objects: ObjectCache,
    /// Validity of download URLs handed out from now on, in milliseconds.
    url_ttl_ms: AtomicU64,
    /// Serial number of the next download URL.
    url_serial: AtomicU64,
    /// Download URLs with a serial below this are expired.
    revoked_below: AtomicU64,
    pub(crate) limiter: RateLimiter,
    counters: Mutex<Counters>,
    pub(crate) hang: Mutex<HangState>,
    pub(crate) wake: Condvar,
    pub(crate) stopping: AtomicBool,
    pub(crate) conns: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) next_conn: AtomicU64,
    pub(crate) live: Mutex<usize>,
    pub(crate) live_cv: Condvar,
}

fn duration_ms(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

/// Locks `m`, going on with the data of a thread that panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(
        b: &Settings,
        addr: SocketAddr,
        accounts: Accounts,
        control_token: Option<ControlToken>,
    ) -> io::Result<Self> {
        let now = util::now_ms(b.clock_offset_secs);
        let persister = b.state_file.clone().map(Persister::new);
        let loaded = match &persister {
            Some(p) => p.load()?,
            None => None,
        };
        let fresh = loaded.is_none();
        let state = loaded.unwrap_or_else(|| fresh_state(b, now));
        let shared = Shared {
            addr,
            accounts,
            control_token,
            settings: b.clone(),
            requests: RequestLog::default(),
            max_body: b.max_body_bytes,
            sizes: b.backup_size,
            progress: Mutex::new(b.progress),
            clock_offset: AtomicI64::new(b.clock_offset_secs),
            state: Mutex::new(state),
            persister,
            faults: FaultTable::default(),
            objects: ObjectCache::default(),
            url_ttl_ms: AtomicU64::new(duration_ms(b.download_url_ttl)),
            // Serials start at the clock, so URLs of an earlier run (state file)
            // keep serials below those of this one.
            url_serial: AtomicU64::new(now.max(1) as u64),
            revoked_below: AtomicU64::new(0),
            limiter: RateLimiter::new(b.rate_limit, b.rate_limit_window),
            counters: Mutex::default(),
            hang: Mutex::default(),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
            conns: Mutex::default(),
            next_conn: AtomicU64::new(1),
            live: Mutex::new(0),
            live_cv: Condvar::new(),
        };
        if fresh {
            if let Some(p) = &shared.persister {
                let (g, bytes) = p.snapshot(&lock(&shared.state));
                p.write(g, &bytes)?;
            }
        }
        Ok(shared)
    }

    /// The secret key of the account `secret_id`, if there is one.
    pub(crate) fn lookup_secret(&self, secret_id: &str) -> Option<String> {
        self.accounts.get(secret_id).map(|a| a.secret_key.clone())
    }

    /// The emulator clock, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        util::now_ms(self.clock_offset.load(Ordering::Relaxed))
    }

    pub(crate) fn set_clock_offset(&self, secs: i64) {
        self.clock_offset.store(secs, Ordering::Relaxed);
    }

    /// Moves the emulator clock `secs` further on; returns the new offset.
    pub(crate) fn shift_clock(&self, secs: i64) -> i64 {
        let before = self
            .clock_offset
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(secs))
            })
            .unwrap_or_else(|o| o);
        before.saturating_add(secs)
    }

    /// How long download URLs handed out now stay valid, in milliseconds.
    pub(crate) fn url_ttl_ms(&self) -> u64 {
        self.url_ttl_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn set_url_ttl(&self, ttl: Duration) {
        self.url_ttl_ms.store(duration_ms(ttl), Ordering::Relaxed);
    }

    /// A fresh serial number for a download URL.
    pub(crate) fn next_url_serial(&self) -> u64 {
        self.url_serial.fetch_add(1, Ordering::SeqCst)
    }

    /// Expires every download URL handed out so far.
    pub(crate) fn expire_urls(&self) {
        let next = self.url_serial.load(Ordering::SeqCst);
        self.revoked_below.fetch_max(next, Ordering::SeqCst);
    }

    /// Download URLs with a serial below this are expired.
    pub(crate) fn revoked_below(&self) -> u64 {
        self.revoked_below.load(Ordering::SeqCst)
    }

    pub(crate) fn progress(&self) -> Progress {
        *lock(&self.progress)
    }

    pub(crate) fn set_progress(&self, p: Progress) {
        *lock(&self.progress) = p;
    }

    /// Runs `f` on the state; when it reports a change, the state file is
    /// rewritten (after the lock is released).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> (R, bool)) -> R {
        let (result, snapshot) = {
            let mut state = lock(&self.state);
            let (result, changed) = f(&mut state);
            let snap = match (&self.persister, changed) {
                (Some(p), true) => Some(p.snapshot(&state)),
                _ => None,
            };
            (result, snap)
        };
        if let (Some(p), Some((g, bytes))) = (&self.persister, snapshot) {
            if let Err(e) = p.write(g, &bytes) {
                log::error!("could not save the emulator state: {e}");
            }
        }
        result
    }

    pub(crate) fn add_instance(&self, spec: InstanceSpec) -> io::Result<()> {
        let now = self.now_ms();
        let id = spec.instance_id().to_owned();
        let added = self.with_state(|s| {
            let ok = s.add_instance(spec, now);
            (ok, ok)
        });
        if added {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("instance {id} already exists"),
            ))
        }
    }

    pub(crate) fn set_instance_status(&self, id: &str, status: i64) -> bool {
        self.with_state(|s| {
            let found = s.set_instance_status(id, status);
            (found, found)
        })
    }

    // ----- counters -----

    pub(crate) fn count_request(&self, action: &str) {
        let mut c = lock(&self.counters);
        *c.stats.requests.entry(action.to_owned()).or_insert(0) += 1;
        c.stats.total_requests += 1;
    }

    pub(crate) fn count_rate_limited(&self) {
        lock(&self.counters).stats.rate_limited += 1;
    }

    pub(crate) fn count_fault(&self) {
        lock(&self.counters).stats.faults_applied += 1;
    }

    pub(crate) fn count_download(&self, bytes: u64) {
        let mut c = lock(&self.counters);
        c.stats.downloads += 1;
        c.stats.download_bytes += bytes;
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.counters).stats.clone()
    }

    pub(crate) fn request_count(&self, action: &str) -> u64 {
        lock(&self.counters)
            .stats
            .requests
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    // ----- waiting (latency, hang) -----

    /// Sleeps `d` unless the server stops first; `false` when it stopped.
    pub(crate) fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut guard = lock(&self.hang);
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            guard = self
                .wake
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Holds the calling request until released; `false` when the server stops.
    pub(crate) fn hang(&self) -> bool {
        let mut guard = lock(&self.hang);
        let generation = guard.generation;
        guard.held += 1;
        let released = loop {
            if self.stopping.load(Ordering::SeqCst) {
                break false;
            }
            if guard.generation != generation {
                break true;
            }
            guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
        };
        guard.held -= 1;
        released
    }

    pub(crate) fn release_hung(&self) {
        lock(&self.hang).generation += 1;
        self.wake.notify_all();
    }

    pub(crate) fn hung_count(&self) -> usize {
        lock(&self.hang).held
    }
}

/// The state a fresh emulator starts with: the demo instances (unless turned off) and the
/// instances the builder added.
pub(crate) fn fresh_state(b: &Settings, now: i64) -> State {
    let mut s = if b.seed_instances {
        State::seeded(now, b.backup_size)
    } else {
        State::empty()
    };
    for spec in &b.instances {
        if !s.add_instance(spec.clone(), now) {
            log::warn!(
                "instance {} is defined twice; keeping the first",
                spec.instance_id()
            );
        }
    }
    s
}
