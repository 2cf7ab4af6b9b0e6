//! Temporary credentials of the CAM role bound to a CVM instance, from the metadata service.

use std::fmt;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::{cred_error, make_credentials, CredentialCache, ProvideCredentials};

/// The metadata service every CVM instance can reach.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// Fetches the temporary credentials of the instance's CAM role from the metadata service:
/// first the role name from `…/cam/security-credentials/`, then `TmpSecretId`, `TmpSecretKey`,
/// `Token` and `ExpiredTime` from `…/cam/security-credentials/<role>`.
///
/// The result is cached and refreshed five minutes before it expires; callers keep using the
/// cached credentials while one thread refreshes.
pub struct CvmRoleProvider {
    endpoint: String,
    role: Option<String>,
    agent: ureq::Agent,
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

pub(crate) fn small_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(timeout.min(Duration::from_secs(2))))
        .timeout_global(Some(timeout))
        .proxy(None)
        .tls_config(crate::config::tls_config())
        .build()
        .new_agent()
}

impl CvmRoleProvider {
    /// Use the standard metadata endpoint with a 3 s timeout.
    pub fn new() -> Self {
        CvmRoleProvider {
            endpoint: DEFAULT_METADATA_ENDPOINT.to_string(),
            role: None,
            agent: small_agent(Duration::from_secs(3)),
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

    /// Overall timeout of each metadata request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.agent = small_agent(timeout);
        self
    }

    fn get(&self, url: &str) -> Result<String, Error> {
        let mut resp = self.agent.get(url).call().map_err(|e| {
            cred_error(format!(
                "CVM role: metadata service {} unreachable ({e})",
                self.endpoint
            ))
        })?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| cred_error(format!("CVM role: reading metadata answer failed ({e})")))?;
        if status != 200 {
            return Err(cred_error(format!(
                "CVM role: metadata service answered HTTP {status} for {url} (no role bound to this instance?)"
            )));
        }
        Ok(text)
    }

    fn fetch(&self) -> Result<(Credentials, i64), Error> {
        let base = format!("{}{ROLE_PATH}", self.endpoint);
        let role = match &self.role {
            Some(r) => r.clone(),
            None => self
                .get(&base)?
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string)
                .ok_or_else(|| cred_error("CVM role: no role is bound to this instance"))?,
        };
        let text = self.get(&format!("{base}{role}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            cred_error(format!(
                "CVM role: answer for role {role} is not JSON ({e})"
            ))
        })?;
        if let Some(code) = v.get("Code").and_then(|c| c.as_str()) {
            if code != "Success" {
                return Err(cred_error(format!(
                    "CVM role: metadata service says {code}"
                )));
            }
        }
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
        let creds = make_credentials(
            s("TmpSecretId"),
            s("TmpSecretKey"),
            Some(s("Token")),
            &format!("CVM role {role}"),
        )?;
        let expiry = v
            .get("ExpiredTime")
            .and_then(|x| {
                x.as_i64()
                    .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or_else(|| super::unix_now() + 1800);
        Ok((creds, expiry))
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        self.cache.get("CVM role", || self.fetch())
    }
}
