//! Where the client gets its secret id and key: one trait, one type per source, a default chain.

mod cache;
mod chain;
mod cvm;
mod env;
mod profile;
mod sts;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mongodb_errors::Error;
use tc_sign::Credentials;

pub use chain::DefaultChain;
pub use cvm::CvmRoleProvider;
pub use env::EnvironmentProvider;
pub use profile::{ProfileFileProvider, TccliProvider};
pub use sts::StsAssumeRoleProvider;

pub(crate) use cache::CredentialCache;

/// A source of credentials for signing requests.
///
/// The client calls [`provide`](ProvideCredentials::provide) before every attempt, so a provider
/// of temporary credentials (CVM role, STS) can hand out fresh ones as they rotate; the ones in
/// this crate cache what they fetched and refresh it shortly before it expires. Implementations
/// must be cheap when nothing needs refreshing and must never put a secret in their `Debug`
/// output or in an error message.
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

type VarLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where providers read environment variables and the home directory from.
///
/// [`EnvSource::process`] reads the real process environment and `HOME` (or `USERPROFILE`).
/// Tests and embedding programs use [`EnvSource::from_vars`] so nothing real is touched.
/// Empty values count as unset.
///
/// ```
/// use mongodb_client_blocking::EnvSource;
///
/// let env = EnvSource::from_vars([("TENCENTCLOUD_REGION", "ap-guangzhou")]).with_home("/nonexistent");
/// assert_eq!(env.var("TENCENTCLOUD_REGION").as_deref(), Some("ap-guangzhou"));
/// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID"), None);
/// ```
#[derive(Clone)]
pub struct EnvSource {
    lookup: Arc<VarLookup>,
    home: Option<PathBuf>,
}

impl fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvSource")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl Default for EnvSource {
    fn default() -> Self {
        EnvSource::process()
    }
}

impl EnvSource {
    /// The real process environment; home from `HOME`, else `USERPROFILE`.
    pub fn process() -> Self {
        let home = ["HOME", "USERPROFILE"]
            .iter()
            .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
            .map(PathBuf::from);
        EnvSource {
            lookup: Arc::new(|k| std::env::var(k).ok()),
            home,
        }
    }

    /// A fixed set of variables and no home directory (add one with [`with_home`](Self::with_home)).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        EnvSource {
            lookup: Arc::new(move |k| map.get(k).cloned()),
            home: None,
        }
    }

    /// Use `home` as the home directory (for `~/.tencentcloud` and `~/.tccli`).
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The value of `name`, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// The home directory, if known.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
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
