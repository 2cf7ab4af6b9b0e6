//! Temporary credentials for an OIDC identity (TKE workload identity) from STS
//! `AssumeRoleWithWebIdentity`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::cache::CredentialCache;
use super::env_source::EnvSource;
use super::fetch::{Fetcher, StsAnswer, Unsent};
use super::provider::{cred_error, unix_now, ProvideCredentials, ServerClock};
use super::sts::DEFAULT_STS_ENDPOINT;
use crate::retry::RetryPolicy;

/// The variables TKE sets in a pod with workload identity, in the order they are reported.
pub(crate) const TKE_VARS: [&str; 4] = [
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
];

/// Exchanges an OIDC token for a CAM role's temporary credentials through STS
/// (`sts` service, action `AssumeRoleWithWebIdentity`, version `2018-08-13`), as the official
/// SDKs do for TKE workload identity.
///
/// The call is not signed (it carries `Authorization: SKIP`: the token is the proof) and sends
/// `ProviderId`, `WebIdentityToken`, `RoleArn`, `RoleSessionName` and `DurationSeconds`; the
/// answer's `Credentials.TmpSecretId`, `TmpSecretKey`, `Token` and `ExpiredTime` are used.
/// The token file is read again for every call, since the platform rotates it.
///
/// The credentials are cached and refreshed five minutes before they expire; when many threads
/// find the cache empty or expired, one calls STS and the others wait. Failed calls are
/// retried with backoff. Calls honour the proxy settings (in a client built by
/// [`ClientBuilder`](crate::ClientBuilder), the client's proxy and CA certificates).
///
/// In a TKE pod the four variables `TKE_REGION`, `TKE_PROVIDER_ID`,
/// `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN` configure it
/// ([`from_tke_env`](Self::from_tke_env)); the [`DefaultChain`](crate::DefaultChain) uses it
/// when any of them is set.
pub struct OidcRoleProvider {
    region: String,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
    session_name: Option<String>,
    duration_secs: u64,
    endpoint: String,
    fetcher: Fetcher,
    cache: CredentialCache,
}

impl fmt::Debug for OidcRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleProvider")
            .field("region", &self.region)
            .field("provider_id", &self.provider_id)
            .field("token_file", &self.token_file)
            .field("role_arn", &self.role_arn)
            .field("endpoint", &self.endpoint)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl OidcRoleProvider {
    /// Assume `role_arn` in `region` with the OIDC token in `token_file`, issued by identity
    /// provider `provider_id`.
    pub fn new(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
    ) -> Self {
        OidcRoleProvider {
            region: region.into(),
            provider_id: provider_id.into(),
            token_file: token_file.into(),
            role_arn: role_arn.into(),
            session_name: None,
            duration_secs: 7200,
            endpoint: DEFAULT_STS_ENDPOINT.to_string(),
            fetcher: Fetcher::standalone(Duration::from_secs(10)),
            cache: CredentialCache::new(300),
        }
    }

    /// Read `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN`
    /// from `env`. `Ok(None)` when none is set; an [`Error::Credentials`] naming the missing
    /// ones when only some are.
    pub fn from_tke_env(env: &EnvSource) -> Result<Option<Self>, Error> {
        let values: Vec<Option<String>> = TKE_VARS.iter().map(|k| env.var(k)).collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = TKE_VARS
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| *k)
            .collect();
        if !missing.is_empty() {
            return Err(cred_error(format!(
                "TKE OIDC: {} set but {} not; set all four (TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN) or none",
                TKE_VARS
                    .iter()
                    .filter(|k| !missing.contains(k))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                missing.join(", ")
            )));
        }
        let v = |i: usize| values[i].clone().unwrap_or_default();
        Ok(Some(Self::new(v(0), v(1), v(2), v(3))))
    }

    /// Session name sent as `RoleSessionName` (default `tcmongo-rs-<microseconds>`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// Lifetime asked for, in seconds (default 7200; STS allows up to 43200).
    pub fn duration_secs(mut self, secs: u64) -> Self {
        self.duration_secs = secs;
        self
    }

    /// Call another STS endpoint (full URL; `http://` allowed for local test servers).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into().trim_end_matches('/').to_string();
        self
    }

    /// How failed calls are retried (default: 3 attempts, 200 ms base delay).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.fetcher.set_retry(policy);
        self
    }

    pub(crate) fn with_agent(mut self, agent: ureq::Agent) -> Self {
        self.fetcher.set_agent(agent);
        self
    }

    pub(crate) fn with_clock(mut self, clock: ServerClock) -> Self {
        self.fetcher.set_clock(clock);
        self
    }

    /// Settings that identify this provider: a change means another provider.
    pub(crate) fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.region,
            self.provider_id,
            self.token_file.display(),
            self.role_arn,
            self.endpoint
        )
    }

    /// Where the credentials come from, for the log and errors.
    pub(crate) fn describe(&self) -> String {
        format!("TKE OIDC role {}", self.role_arn)
    }

    fn fetch(&self) -> Result<(Credentials, i64), Error> {
        let what = self.describe();
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
            cred_error(format!(
                "{what}: the web identity token file {} (TKE_WEB_IDENTITY_TOKEN_FILE) cannot be read: {e}",
                self.token_file.display()
            ))
        })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(cred_error(format!(
                "{what}: the web identity token file {} is empty",
                self.token_file.display()
            )));
        }
        if !(1..=43200).contains(&self.duration_secs) {
            return Err(cred_error(format!(
                "{what}: duration {} s is outside 1..=43200",
                self.duration_secs
            )));
        }
        let session = self.session_name.clone().unwrap_or_else(|| {
            let micros = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_micros())
                .unwrap_or(0);
            format!("tcmongo-rs-{micros}")
        });
        let body = serde_json::json!({
            "ProviderId": self.provider_id,
            "WebIdentityToken": token,
            "RoleArn": self.role_arn,
            "RoleSessionName": session,
            "DurationSeconds": self.duration_secs,
        })
        .to_string();
        let host = crate::net::authority_of(&self.endpoint)?;
        let request_client = crate::net::default_request_client();
        let url = format!("{}/", self.endpoint);
        let answer = self
            .fetcher
            .retrying(
                "TKE OIDC",
                Unsent::Retry,
                |now| {
                    let timestamp = now.to_string();
                    let headers = [
                        ("Host", host.as_str()),
                        ("Content-Type", "application/json"),
                        ("X-TC-Action", "AssumeRoleWithWebIdentity"),
                        ("X-TC-Version", "2018-08-13"),
                        ("X-TC-Timestamp", timestamp.as_str()),
                        ("X-TC-Region", self.region.as_str()),
                        ("X-TC-RequestClient", request_client.as_str()),
                        ("Authorization", "SKIP"),
                    ];
                    self.fetcher.post(&url, headers, body.as_bytes())
                },
                StsAnswer::decode,
            )
            .map_err(|e| {
                cred_error(format!(
                    "{what}: AssumeRoleWithWebIdentity at {} failed: {e}",
                    self.endpoint
                ))
            })?;
        answer.credentials(&what, unix_now() + self.duration_secs as i64)
    }
}

impl ProvideCredentials for OidcRoleProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        self.cache.get("TKE OIDC", || self.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_tke_settings_name_what_is_missing() {
        let env = EnvSource::from_vars([("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r")]);
        let err = OidcRoleProvider::from_tke_env(&env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE not"),
            "{err}"
        );
        let none = EnvSource::from_vars(Vec::<(String, String)>::new());
        assert!(OidcRoleProvider::from_tke_env(&none).unwrap().is_none());
    }

    #[test]
    fn a_missing_token_file_is_named_and_nothing_is_sent() {
        let p = OidcRoleProvider::new("ap-guangzhou", "tke", "/nonexistent/token", "arn")
            .endpoint("http://127.0.0.1:9");
        let err = p.provide().unwrap_err().to_string();
        assert!(err.contains("/nonexistent/token"), "{err}");
        assert!(err.contains("TKE_WEB_IDENTITY_TOKEN_FILE"), "{err}");
    }
}
