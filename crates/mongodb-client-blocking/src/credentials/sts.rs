//! Temporary credentials from STS `AssumeRole`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mongodb_errors::{Error, ServiceError};
use tc_sign::{Credentials, HttpMethod, SignableBody, Signer, SigningParams};

use super::{cred_error, make_credentials, CredentialCache, EnvSource, ProvideCredentials};

/// The public STS endpoint.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.tencentcloudapi.com";

/// Assumes a CAM role through STS (`sts` service, action `AssumeRole`, version `2018-08-13`),
/// signing the call with base credentials from another provider, and hands out the role's
/// temporary credentials (`Credentials.TmpSecretId`, `TmpSecretKey`, `Token`; `ExpiredTime`).
///
/// The result is cached and refreshed five minutes before it expires.
pub struct StsAssumeRoleProvider {
    base: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: String,
    duration_secs: u64,
    region: String,
    endpoint: String,
    signer: Signer,
    agent: ureq::Agent,
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
            agent: super::cvm::small_agent(Duration::from_secs(10)),
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

    fn fetch(&self) -> Result<(Credentials, i64), Error> {
        let base = self.base.provide()?;
        let host = crate::config::authority_of(&self.endpoint)?;
        let body = serde_json::json!({
            "RoleArn": self.role_arn,
            "RoleSessionName": self.session_name,
            "DurationSeconds": self.duration_secs,
        })
        .to_string();
        let params = SigningParams::builder()
            .method(HttpMethod::Post)
            .service("sts")
            .host(&host)
            .action("AssumeRole")
            .version("2018-08-13")
            .timestamp(super::unix_now())
            .payload(SignableBody::Bytes(body.as_bytes()))
            .region(&self.region)
            .build()
            .map_err(|e| cred_error(format!("STS AssumeRole: {e}")))?;
        let signed = self.signer.sign_headers(&base, &params);
        let mut req = self.agent.post(format!("{}/", self.endpoint));
        for (k, v) in signed.iter() {
            req = req.header(k, v);
        }
        let mut resp = req.send(body.as_bytes()).map_err(|e| {
            cred_error(format!(
                "STS AssumeRole: {} unreachable ({e})",
                self.endpoint
            ))
        })?;
        let status = resp.status().as_u16();
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| cred_error(format!("STS AssumeRole: reading the answer failed ({e})")))?;
        if status != 200 {
            return Err(cred_error(format!(
                "STS AssumeRole: HTTP {status}: {}",
                Error::snippet(&bytes)
            )));
        }
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| cred_error("STS AssumeRole: the answer is not JSON"))?;
        let r = &v["Response"];
        if let Some(err) = r.get("Error") {
            let svc = ServiceError::new(
                err["Code"].as_str().unwrap_or("Unknown"),
                err["Message"].as_str().unwrap_or(""),
                r["RequestId"].as_str().map(str::to_string),
            );
            return Err(cred_error(format!(
                "STS AssumeRole for {} failed: {svc}",
                self.role_arn
            )));
        }
        let c = &r["Credentials"];
        let s = |k: &str| c[k].as_str().unwrap_or("");
        let creds = make_credentials(
            s("TmpSecretId"),
            s("TmpSecretKey"),
            Some(s("Token")),
            "STS AssumeRole",
        )?;
        let expiry = r["ExpiredTime"]
            .as_i64()
            .unwrap_or_else(|| super::unix_now() + self.duration_secs as i64);
        Ok((creds, expiry))
    }
}

impl ProvideCredentials for StsAssumeRoleProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        self.cache.get("STS AssumeRole", || self.fetch())
    }
}
