//! Where providers read environment variables and the home directory from.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
