//! Temporary credentials from STS `AssumeRole`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::{Credentials, HttpMethod, SignableBody, Signer, SigningParams};

use super::cache::CredentialCache;
use super::env_source::EnvSource;
use super::fetch::{Fetcher, StsAnswer, Unsent};
use super::provider::{cred_error, unix_now, ProvideCredentials, ServerClock};
use crate::retry::RetryPolicy;

/// The public STS endpoint.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.tencentcloudapi.com";

/// Assumes a CAM role through STS (`sts` service, action `AssumeRole`, version `2018-08-13`),
/// signing the call with base credentials from another provider, and hands out the role's
/// temporary credentials (`Credentials.TmpSecretId`, `TmpSecretKey`, `Token`; `ExpiredTime`).
///
/// The result is cached and refreshed five minutes before it expires; when many threads find
/// the cache empty or expired, one calls STS and the others wait for it. Failed calls
/// (network, HTTP 5xx, throttling, transient service codes) are retried with backoff. Calls
/// honour the proxy settings (in a client built by [`ClientBuilder`](crate::ClientBuilder),
/// the client's proxy and CA certificates).
pub struct StsAssumeRoleProvider {
    base: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: String,
    duration_secs: u64,
    region: String,
    endpoint: String,
    signer: Signer,
    fetcher: Fetcher,
    cache: CredentialCache,
}

impl fmt::Debug for StsAssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRoleProvider")
            .field("base", &self.base)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("endpoint", &self.endpoint)
            .field("cache", &self.cache)
            .finish()
    }
}

impl StsAssumeRoleProvider {
    /// Assume `role_arn` as session `session_name`, signing with `base`.
    pub fn new(
        base: impl ProvideCredentials + 'static,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Self {
        StsAssumeRoleProvider {
            base: Arc::new(base),
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            duration_secs: 7200,
            region: "ap-guangzhou".to_string(),
            endpoint: DEFAULT_STS_ENDPOINT.to_string(),
            signer: Signer::new(),
            fetcher: Fetcher::standalone(Duration::from_secs(10)),
            cache: CredentialCache::new(300),
        }
    }

    /// Read `TENCENTCLOUD_ROLE_ARN` and `TENCENTCLOUD_ROLE_SESSION_NAME` (default session name
    /// `tcmongo-rs`) and, if set, `TENCENTCLOUD_REGION` from `env`. `None` when no role is set.
    pub fn from_env(base: impl ProvideCredentials + 'static, env: &EnvSource) -> Option<Self> {
        let arn = env.var("TENCENTCLOUD_ROLE_ARN")?;
        let session = env
            .var("TENCENTCLOUD_ROLE_SESSION_NAME")
            .unwrap_or_else(|| "tcmongo-rs".to_string());
        let mut p = Self::new(base, arn, session);
        if let Some(r) = env.var("TENCENTCLOUD_REGION") {
            p.region = r;
        }
        Some(p)
    }

    /// Lifetime asked for, in seconds (default 7200).
    pub fn duration_secs(mut self, secs: u64) -> Self {
        self.duration_secs = secs;
        self
    }

    /// Region sent with the STS call (default `ap-guangzhou`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
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

    /// The role this provider assumes.
    pub(crate) fn role_arn(&self) -> &str {
        &self.role_arn
    }

    fn fetch(&self) -> Result<(Credentials, i64), Error> {
        let base = self.base.provide()?;
        let host = crate::net::authority_of(&self.endpoint)?;
        let body = serde_json::json!({
            "RoleArn": self.role_arn,
            "RoleSessionName": self.session_name,
            "DurationSeconds": self.duration_secs,
        })
        .to_string();
        let url = format!("{}/", self.endpoint);
        let answer = self
            .fetcher
            .retrying(
                "STS AssumeRole",
                Unsent::Retry,
                |now| {
                    let params = SigningParams::builder()
                        .method(HttpMethod::Post)
                        .service("sts")
                        .host(&host)
                        .action("AssumeRole")
                        .version("2018-08-13")
                        .timestamp(now)
                        .payload(SignableBody::Bytes(body.as_bytes()))
                        .region(&self.region)
                        .build()
                        .map_err(|e| cred_error(format!("STS AssumeRole: {e}")))?;
                    let signed = self.signer.sign_headers(&base, &params);
                    self.fetcher.post(&url, signed.iter(), body.as_bytes())
                },
                StsAnswer::decode,
            )
            .map_err(|e| {
                cred_error(format!(
                    "STS AssumeRole for {} at {} failed: {e}",
                    self.role_arn, self.endpoint
                ))
            })?;
        answer.credentials("STS AssumeRole", unix_now() + self.duration_secs as i64)
    }
}

impl ProvideCredentials for StsAssumeRoleProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        self.cache.get("STS AssumeRole", || self.fetch())
    }
}
