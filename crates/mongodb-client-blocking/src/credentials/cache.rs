//! Thread-safe cache for temporary credentials with refresh ahead of expiry.

use std::fmt;
use std::sync::{Arc, Mutex, RwLock, TryLockError};

use tc_sign::Credentials;

use super::provider::unix_now;

type Clock = dyn Fn() -> i64 + Send + Sync;

/// Holds one set of temporary credentials and its expiry (Unix seconds).
///
/// * Fresh (more than `refresh_before` seconds left): returned at once.
/// * Expiring soon but still valid: one caller refreshes; every other caller keeps using the
///   cached value meanwhile. A failed early refresh is logged and the cached value is used.
/// * Expired or empty: callers wait for the one refresh in flight (and re-check afterwards, so
///   only one fetch happens).
pub(crate) struct CredentialCache {
    slot: RwLock<Option<(Credentials, i64)>>,
    refresh: Mutex<()>,
    refresh_before: i64,
    clock: Arc<Clock>,
}

impl fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expiry = self
            .slot
            .read()
            .ok()
            .and_then(|s| s.as_ref().map(|(_, e)| *e));
        f.debug_struct("CredentialCache")
            .field("expires_at", &expiry)
            .field("refresh_before_secs", &self.refresh_before)
            .finish()
    }
}

impl CredentialCache {
    pub(crate) fn new(refresh_before: i64) -> Self {
        Self::with_clock(refresh_before, Arc::new(unix_now))
    }

    pub(crate) fn with_clock(refresh_before: i64, clock: Arc<Clock>) -> Self {
        CredentialCache {
            slot: RwLock::new(None),
            refresh: Mutex::new(()),
            refresh_before,
            clock,
        }
    }

    fn cached(&self) -> Option<(Credentials, i64)> {
        self.slot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(c, e)| (c.clone(), *e))
    }

    fn store(&self, creds: &Credentials, expiry: i64) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Some((creds.clone(), expiry));
    }

    /// Return valid credentials, calling `fetch` (which returns credentials and their expiry)
    /// when needed. When many threads find the cache empty or expired, one fetches and the
    /// others wait for its result.
    pub(crate) fn get<E: fmt::Display>(
        &self,
        what: &str,
        fetch: impl FnOnce() -> Result<(Credentials, i64), E>,
    ) -> Result<Credentials, E> {
        let now = (self.clock)();
        if let Some((creds, expiry)) = self.cached() {
            if now < expiry - self.refresh_before {
                return Ok(creds);
            }
            if now < expiry {
                // Expiring soon: refresh if nobody else is, otherwise use what we have.
                let _guard = match self.refresh.try_lock() {
                    Ok(g) => g,
                    Err(TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(TryLockError::WouldBlock) => return Ok(creds),
                };
                if let Some((c2, e2)) = self.cached() {
                    if e2 != expiry && now < e2 - self.refresh_before {
                        return Ok(c2);
                    }
                }
                return match fetch() {
                    Ok((fresh, exp)) => {
                        log::debug!("{what}: refreshed temporary credentials, expire at {exp}");
                        self.store(&fresh, exp);
                        Ok(fresh)
                    }
                    Err(e) => {
                        log::warn!("{what}: early refresh failed, using cached credentials: {e}");
                        Ok(creds)
                    }
                };
            }
        }
        let _guard = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((creds, expiry)) = self.cached() {
            if (self.clock)() < expiry - self.refresh_before {
                return Ok(creds);
            }
        }
        let (fresh, exp) = fetch()?;
        log::debug!("{what}: fetched temporary credentials, expire at {exp}");
        self.store(&fresh, exp);
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb_errors::Error;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    fn creds(n: usize) -> Credentials {
        Credentials::new(format!("id{n}"), "key").unwrap()
    }

    #[test]
    fn fetches_once_then_refreshes_before_expiry() {
        let now = Arc::new(AtomicI64::new(1000));
        let n2 = now.clone();
        let cache = CredentialCache::with_clock(60, Arc::new(move || n2.load(Ordering::SeqCst)));
        let fetches = AtomicUsize::new(0);
        let fetch = || {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            Ok::<_, Error>((creds(n), 1000 + 600 * n as i64))
        };
        assert_eq!(cache.get("t", fetch).unwrap().secret_id(), "id1");
        assert_eq!(cache.get("t", fetch).unwrap().secret_id(), "id1");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // 30 s before expiry: inside the refresh window.
        now.store(1570, Ordering::SeqCst);
        assert_eq!(cache.get("t", fetch).unwrap().secret_id(), "id2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn failed_early_refresh_keeps_valid_credentials() {
        let now = Arc::new(AtomicI64::new(0));
        let n2 = now.clone();
        let cache = CredentialCache::with_clock(60, Arc::new(move || n2.load(Ordering::SeqCst)));
        cache.get("t", || Ok::<_, Error>((creds(1), 100))).unwrap();
        now.store(50, Ordering::SeqCst);
        let got = cache
            .get("t", || {
                Err(Error::Credentials {
                    message: "down".into(),
                })
            })
            .unwrap();
        assert_eq!(got.secret_id(), "id1");
        // Once expired, the failure is reported.
        now.store(100, Ordering::SeqCst);
        assert!(cache
            .get("t", || Err(Error::Credentials {
                message: "down".into()
            }))
            .is_err());
    }

    #[test]
    fn concurrent_callers_fetch_once() {
        let cache = Arc::new(CredentialCache::with_clock(60, Arc::new(|| 0)));
        let fetches = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                std::thread::spawn(move || {
                    cache
                        .get("t", || {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, Error>((creds(1), 10_000))
                        })
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().secret_id(), "id1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
