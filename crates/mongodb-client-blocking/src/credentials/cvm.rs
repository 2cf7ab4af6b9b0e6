//! Temporary credentials of the CAM role bound to a CVM instance, from the metadata service.

use std::fmt;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::cache::CredentialCache;
use super::fetch::{require_ok, Fetcher, Unsent};
use super::provider::{
    cred_error, make_credentials, provide_from, unix_now, Probe, ProvideCredentials, Source,
};
use crate::retry::RetryPolicy;

/// The metadata service every CVM instance can reach.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// Fetches the temporary credentials of the instance's CAM role from the metadata service:
/// first the role name from `…/cam/security-credentials/`, then `TmpSecretId`, `TmpSecretKey`,
/// `Token` and `ExpiredTime` from `…/cam/security-credentials/<role>`.
///
/// The result is cached and refreshed five minutes before it expires; callers keep using the
/// cached credentials while one thread refreshes, and when the cache is empty or expired one
/// thread fetches while the others wait for it. Failed fetches (HTTP 5xx, throttling, a
/// dropped connection) are retried with backoff.
///
/// Requests honour the proxy settings (`HTTP_PROXY`, … and `NO_PROXY`; in a client built by
/// [`ClientBuilder`](crate::ClientBuilder), the client's own proxy and CA settings): add
/// `metadata.tencentyun.com` to `NO_PROXY` when a proxy can't reach it.
///
/// In the [`DefaultChain`](crate::DefaultChain) this source counts as configured when the
/// metadata service answers and has a role bound: an unreachable service or no role means
/// "not on a CVM with a role" and is passed over.
pub struct CvmRoleProvider {
    endpoint: String,
    role: Option<String>,
    fetcher: Fetcher,
    cache: CredentialCache,
}

impl fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleProvider")
            .field("endpoint", &self.endpoint)
            .field("role", &self.role)
            .field("cache", &self.cache)
            .finish()
    }
}

impl Default for CvmRoleProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a fetch did not give credentials.
enum Miss {
    /// Not on a CVM with a role: the chain passes over it.
    Absent(String),
    /// On a CVM, but the fetch failed.
    Broken(Error),
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Absent(why) => f.write_str(why),
            Miss::Broken(e) => e.fmt(f),
        }
    }
}

impl CvmRoleProvider {
    /// Use the standard metadata endpoint with a 3 s timeout.
    pub fn new() -> Self {
        CvmRoleProvider {
            endpoint: DEFAULT_METADATA_ENDPOINT.to_string(),
            role: None,
            fetcher: Fetcher::standalone(Duration::from_secs(3)),
            cache: CredentialCache::new(300),
        }
    }

    /// Talk to another metadata endpoint (scheme, host and port, e.g. a local test server).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Use this role name instead of asking the metadata service for it.
    pub fn role_name(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Overall timeout of each metadata request (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.fetcher.set_timeout(timeout);
        self
    }

    /// How failed fetches are retried (default: 3 attempts, 200 ms base delay).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.fetcher.set_retry(policy);
        self
    }

    pub(crate) fn with_agent(mut self, agent: ureq::Agent) -> Self {
        self.fetcher.set_agent(agent);
        self
    }

    fn get(&self, url: &str) -> Result<String, Error> {
        self.fetcher.retrying(
            "CVM role",
            Unsent::GiveUp,
            |_| self.fetcher.get(url),
            |reply| Ok(String::from_utf8_lossy(require_ok(reply)?).into_owned()),
        )
    }

    fn fetch(&self) -> Result<(Credentials, i64), Miss> {
        let base = format!("{}{ROLE_PATH}", self.endpoint);
        let role = match &self.role {
            Some(r) => r.clone(),
            None => {
                let listing = self.get(&base).map_err(|e| match e {
                    Error::Transport { sent: false, .. } | Error::Timeout { sent: false, .. } => {
                        Miss::Absent(format!(
                            "CVM role: metadata service {} unreachable ({e})",
                            self.endpoint
                        ))
                    }
                    Error::HttpStatus { status: 404, .. } => Miss::Absent(format!(
                        "CVM role: metadata service {} has no role bound to this instance",
                        self.endpoint
                    )),
                    other => Miss::Broken(cred_error(format!(
                        "CVM role: metadata service {} failed: {other}",
                        self.endpoint
                    ))),
                })?;
                listing
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        Miss::Absent("CVM role: no role is bound to this instance".into())
                    })?
            }
        };
        let broken = |why: String| Miss::Broken(cred_error(format!("CVM role {role}: {why}")));
        let text = self.get(&format!("{base}{role}")).map_err(|e| {
            broken(format!(
                "fetching its credentials from {} failed: {e}",
                self.endpoint
            ))
        })?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| broken(format!("the metadata answer is not JSON ({e})")))?;
        if let Some(code) = v.get("Code").and_then(|c| c.as_str()) {
            if code != "Success" {
                return Err(broken(format!("the metadata service says {code}")));
            }
        }
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
        let creds = make_credentials(
            s("TmpSecretId"),
            s("TmpSecretKey"),
            Some(s("Token")),
            &format!("CVM role {role}"),
        )
        .map_err(Miss::Broken)?;
        let expiry = v
            .get("ExpiredTime")
            .and_then(|x| {
                x.as_i64()
                    .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or_else(|| unix_now() + 1800);
        Ok((creds, expiry))
    }
}

impl Source for CvmRoleProvider {
    fn probe(&self) -> Result<Probe, Error> {
        match self.cache.get("CVM role", || self.fetch()) {
            Ok(c) => Ok(Probe::Found(c, format!("CVM role from {}", self.endpoint))),
            Err(Miss::Absent(why)) => Ok(Probe::Absent(why)),
            Err(Miss::Broken(e)) => Err(e),
        }
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        provide_from(self)
    }
}
