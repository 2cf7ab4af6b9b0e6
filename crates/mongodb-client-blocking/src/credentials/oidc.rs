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
/// when any of them is set. Elsewhere, name each setting with [`builder`](Self::builder):
///
/// ```
/// use mongodb_client_blocking::OidcRoleProvider;
///
/// let provider = OidcRoleProvider::builder()
///     .region("ap-guangzhou")
///     .provider_id("tke-oidc")
///     .token_file("/var/run/secrets/tke/token")
///     .role_arn("qcs::cam::uin/100000000001:roleName/backup")
///     .build()
///     .unwrap();
/// # let _ = provider;
/// let missing = OidcRoleProvider::builder().region("ap-guangzhou").build().unwrap_err();
/// assert!(missing.to_string().contains("provider_id, token_file, role_arn"));
/// ```
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

/// Names the four settings an [`OidcRoleProvider`] needs, so none can be swapped for another;
/// [`build`](Self::build) says which are missing.
#[derive(Debug, Clone, Default)]
#[must_use = "call build() to get the provider"]
pub struct OidcRoleProviderBuilder {
    region: Option<String>,
    provider_id: Option<String>,
    token_file: Option<PathBuf>,
    role_arn: Option<String>,
}

impl OidcRoleProviderBuilder {
    /// Region sent with the STS call (`TKE_REGION`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The identity provider that issued the token (`TKE_PROVIDER_ID`).
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// The file holding the OIDC token, read again for every call
    /// (`TKE_WEB_IDENTITY_TOKEN_FILE`).
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// The CAM role to assume (`TKE_ROLE_ARN`).
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }

    /// The provider, or an [`Error::Credentials`] naming every setting left out (or empty).
    pub fn build(self) -> Result<OidcRoleProvider, Error> {
        let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let token_file = self.token_file.filter(|p| !p.as_os_str().is_empty());
        match (
            text(self.region),
            text(self.provider_id),
            token_file,
            text(self.role_arn),
        ) {
            (Some(region), Some(provider_id), Some(token_file), Some(role_arn)) => {
                Ok(OidcRoleProvider {
                    region,
                    provider_id,
                    token_file,
                    role_arn,
                    session_name: None,
                    duration_secs: 7200,
                    endpoint: DEFAULT_STS_ENDPOINT.to_string(),
                    fetcher: Fetcher::standalone(Duration::from_secs(10)),
                    cache: CredentialCache::new(300),
                })
            }
            (region, provider_id, token_file, role_arn) => {
                let missing: Vec<&str> = [
                    ("region", region.is_none()),
                    ("provider_id", provider_id.is_none()),
                    ("token_file", token_file.is_none()),
                    ("role_arn", role_arn.is_none()),
                ]
                .into_iter()
                .filter(|(_, gone)| *gone)
                .map(|(name, _)| name)
                .collect();
                Err(cred_error(format!(
                    "OIDC role provider: {} not set; give each to OidcRoleProvider::builder()",
                    missing.join(", ")
                )))
            }
        }
    }
}

impl OidcRoleProvider {
    /// Start naming the settings: region, identity provider, token file and role, all required.
    pub fn builder() -> OidcRoleProviderBuilder {
        OidcRoleProviderBuilder::default()
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
        Self::builder()
            .region(v(0))
            .provider_id(v(1))
            .token_file(v(2))
            .role_arn(v(3))
            .build()
            .map(Some)
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
    fn the_builder_puts_each_setting_in_its_place_and_names_what_is_missing() {
        let p = OidcRoleProvider::builder()
            .role_arn("A")
            .token_file("T")
            .provider_id("P")
            .region("R")
            .build()
            .unwrap();
        assert_eq!(p.key(), format!("R|P|T|A|{DEFAULT_STS_ENDPOINT}"));
        let err = OidcRoleProvider::builder()
            .provider_id("P")
            .role_arn(" ")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("region, token_file, role_arn not set"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_token_file_is_named_and_nothing_is_sent() {
        let p = OidcRoleProvider::builder()
            .region("ap-guangzhou")
            .provider_id("tke")
            .token_file("/nonexistent/token")
            .role_arn("arn")
            .build()
            .unwrap()
            .endpoint("http://127.0.0.1:9");
        let err = p.provide().unwrap_err().to_string();
        assert!(err.contains("/nonexistent/token"), "{err}");
        assert!(err.contains("TKE_WEB_IDENTITY_TOKEN_FILE"), "{err}");
    }
}
