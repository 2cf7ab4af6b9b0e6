//! The provider trait, fixed credentials, and what the chain asks every built-in source.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use mongodb_errors::Error;
use tc_sign::Credentials;

/// A source of credentials for signing requests.
///
/// The client calls [`provide`](ProvideCredentials::provide) before every attempt, so a provider
/// of temporary credentials (CVM role, STS, OIDC) can hand out fresh ones as they rotate; the
/// ones in this crate cache what they fetched and refresh it shortly before it expires.
/// Implementations must be cheap when nothing needs refreshing and must never put a secret in
/// their `Debug` output or in an error message.
///
/// ```
/// use mongodb_client_blocking::{Credentials, Error, ProvideCredentials};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     fn provide(&self) -> Result<Credentials, Error> {
///         Credentials::new("AKIDexample", "secret")
///             .map_err(|e| Error::Credentials { message: e.to_string() })
///     }
/// }
/// # FromVault.provide().unwrap();
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Return credentials that are valid now, or an [`Error::Credentials`] saying what was
    /// missing or wrong.
    fn provide(&self) -> Result<Credentials, Error>;
}

impl ProvideCredentials for Credentials {
    fn provide(&self) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide(&self) -> Result<Credentials, Error> {
        (**self).provide()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide(&self) -> Result<Credentials, Error> {
        (**self).provide()
    }
}

/// Fixed credentials given in code (what [`ClientBuilder::credentials`](crate::ClientBuilder::credentials) uses).
#[derive(Clone, Debug)]
pub struct StaticProvider {
    creds: Credentials,
}

impl StaticProvider {
    /// Wrap credentials that never change.
    pub fn new(creds: Credentials) -> Self {
        StaticProvider { creds }
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        Ok(self.creds.clone())
    }
}

/// What a built-in source answers when the chain asks it.
///
/// `Err` means the source is configured (its variable set, its file named or present, its
/// profile asked for) but unusable: the chain stops there and reports it.
#[derive(Debug)]
pub(crate) enum Probe {
    /// The source is not configured here; the text says what was looked at.
    Absent(String),
    /// Credentials, and a description of where they came from (never the secret).
    Found(Credentials, String),
}

/// A built-in source: answers whether it is configured, not just whether it has credentials.
pub(crate) trait Source: Send + Sync + fmt::Debug {
    fn probe(&self) -> Result<Probe, Error>;
}

/// `provide` for a [`Source`]: not configured is an error too.
pub(crate) fn provide_from(source: &dyn Source) -> Result<Credentials, Error> {
    match source.probe()? {
        Probe::Found(c, _) => Ok(c),
        Probe::Absent(why) => Err(cred_error(why)),
    }
}

pub(crate) fn cred_error(message: impl Into<String>) -> Error {
    Error::Credentials {
        message: message.into(),
    }
}

/// Build credentials from parts, turning tc-sign's validation error into ours.
pub(crate) fn make_credentials(
    id: &str,
    key: &str,
    token: Option<&str>,
    source: &str,
) -> Result<Credentials, Error> {
    let creds = Credentials::new(id.trim(), key.trim())
        .map_err(|e| cred_error(format!("{source}: {e}")))?;
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => creds
            .with_token(t)
            .map_err(|e| cred_error(format!("{source}: {e}"))),
        None => Ok(creds),
    }
}

/// Seconds since the Unix epoch by the system clock.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The service's clock: the local clock plus an offset learned from the `Date` of an
/// `AuthFailure.SignatureExpire` answer. One is shared by a client and the credential providers
/// it builds, so API calls, STS and OIDC all sign with the same corrected time whichever of
/// them learned it.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServerClock {
    offset: Arc<AtomicI64>,
}

impl ServerClock {
    /// Seconds added to the local clock (0 until a correction).
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Use this offset from now on, everywhere the clock is shared.
    pub(crate) fn set_offset(&self, offset: i64) {
        self.offset.store(offset, Ordering::Relaxed);
    }

    /// The corrected time, in seconds since the Unix epoch.
    pub(crate) fn now(&self) -> i64 {
        unix_now() + self.offset()
    }
}

/// One value built from settings that may change between calls (a role named in a file, in
/// the environment): rebuilt when the settings change, shared (with its cache) while they don't.
pub(crate) struct Keyed<T> {
    slot: Mutex<Option<(String, Arc<T>)>>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed {
            slot: Mutex::new(None),
        }
    }
}

impl<T> fmt::Debug for Keyed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keyed")
    }
}

impl<T> Keyed<T> {
    /// The value for `key`, built by `make` when the key is new.
    pub(crate) fn get(&self, key: &str, make: impl FnOnce() -> T) -> Arc<T> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match &*slot {
            Some((k, v)) if k == key => v.clone(),
            _ => {
                let v = Arc::new(make());
                *slot = Some((key.to_string(), v.clone()));
                v
            }
        }
    }
}
