//! Credentials from tccli's profile, `~/.tccli/<profile>.credential`.

use std::sync::Arc;

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::cvm::CvmRoleProvider;
use super::env_source::EnvSource;
use super::provider::{
    cred_error, make_credentials, provide_from, unix_now, Keyed, Probe, ProvideCredentials,
    ServerClock, Source, StaticProvider,
};
use super::sts::StsAssumeRoleProvider;
use crate::tccli::TccliProfile;

/// Reads the profile the `tccli` command line tool writes, `~/.tccli/<profile>.credential`
/// (see [`tccli`](crate::tccli)). The profile is the one given to
/// [`profile`](Self::profile), else `TCCLI_PROFILE`, else `default`.
///
/// The file's `type` decides what it holds:
///
/// * absent or `default`: `secretId`, `secretKey` and optionally `token`; with `role-arn` (and
///   optionally `role-session-name`) those keys assume the role through STS, as tccli does;
/// * `cvm-role` (`tccli configure set use-cvm-role true`): the instance's CAM role from the
///   metadata service ([`CvmRoleProvider`]);
/// * `oauth`, `sso` (written by tccli's login commands): temporary keys valid until
///   `expiresAt`. Keys past that time are refused, never sent: log in again with tccli.
///
/// Any other type is an error naming it. In the [`DefaultChain`](crate::DefaultChain) the
/// profile counts as configured when its file exists or when it was asked for by name
/// (`TCCLI_PROFILE`, an explicit profile): a profile asked for whose file is missing is an
/// error, not a reason to use another source.
#[derive(Debug, Clone)]
pub struct TccliProvider {
    env: EnvSource,
    profile: Option<String>,
    cvm: Arc<CvmRoleProvider>,
    role: Arc<Keyed<StsAssumeRoleProvider>>,
    agent: Option<ureq::Agent>,
    clock: ServerClock,
    sts_endpoint: Option<String>,
    /// In the chain with an explicit profile: a missing file means "not here".
    file_optional: bool,
}

impl Default for TccliProvider {
    fn default() -> Self {
        Self::with_env(EnvSource::process())
    }
}

impl TccliProvider {
    /// Locate the file through the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locate the file through `env`.
    pub fn with_env(env: EnvSource) -> Self {
        TccliProvider {
            env,
            profile: None,
            cvm: Arc::new(CvmRoleProvider::new()),
            role: Arc::default(),
            agent: None,
            clock: ServerClock::default(),
            sts_endpoint: None,
            file_optional: false,
        }
    }

    /// Use this profile instead of `TCCLI_PROFILE` / `default`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Share the chain's CVM provider (its cache), HTTP agent, clock and STS endpoint.
    pub(crate) fn shared(
        mut self,
        cvm: Arc<CvmRoleProvider>,
        agent: Option<ureq::Agent>,
        clock: ServerClock,
        sts_endpoint: String,
    ) -> Self {
        self.cvm = cvm;
        self.agent = agent;
        self.clock = clock;
        self.sts_endpoint = Some(sts_endpoint);
        self
    }

    pub(crate) fn file_optional(mut self) -> Self {
        self.file_optional = true;
        self
    }

    fn keys(&self, p: &TccliProfile, source: &str) -> Result<Credentials, Error> {
        match (p.credential_str("secretId"), p.credential_str("secretKey")) {
            (Some(id), Some(key)) => make_credentials(id, key, p.credential_str("token"), source),
            _ => Err(cred_error(format!(
                "{source} lacks secretId or secretKey; set them with `tccli configure set secretId … secretKey …`"
            ))),
        }
    }
}

impl Source for TccliProvider {
    fn probe(&self) -> Result<Probe, Error> {
        let Some(home) = self.env.home() else {
            return Ok(Probe::Absent(
                "tccli profile: the home directory is unknown".into(),
            ));
        };
        let (name, asked_by) = match (&self.profile, self.env.var("TCCLI_PROFILE")) {
            (Some(p), _) => (p.clone(), Some("the profile option")),
            (None, Some(p)) => (p, Some("TCCLI_PROFILE")),
            (None, None) => ("default".to_string(), None),
        };
        let profile = TccliProfile::load(home, &name).map_err(|e| match e {
            Error::Config { message } => cred_error(message),
            other => other,
        })?;
        let path = profile.credential_path();
        let source = format!("tccli profile {}", path.display());
        if !profile.credential_exists() {
            let why = format!("{source} does not exist");
            return match asked_by {
                Some(by) if !self.file_optional => Err(cred_error(format!(
                    "{by} names tccli profile {name:?} but {}; create it with `tccli configure --profile {name}` or name another profile",
                    path.display()
                ))),
                _ => Ok(Probe::Absent(why)),
            };
        }
        if let Some(expiry) = profile.credential_expiry() {
            if expiry <= unix_now() {
                return Err(cred_error(format!(
                    "{source} holds temporary keys that expired at {} (expiresAt {expiry}); they are not sent: log in again with tccli",
                    rfc3339(expiry)
                )));
            }
        }
        let creds = match profile.credential_type().unwrap_or("default") {
            "" | "default" | "oauth" | "sso" => self.keys(&profile, &source)?,
            "cvm-role" => {
                return match self.cvm.probe()? {
                    Probe::Found(c, from) => Ok(Probe::Found(c, format!("{source} (type cvm-role): {from}"))),
                    Probe::Absent(why) => Err(cred_error(format!(
                        "{source} says to use the CVM role (type cvm-role), but {why}"
                    ))),
                };
            }
            other => {
                return Err(cred_error(format!(
                    "{source} has type {other:?}, which is not supported (supported: default for secret keys, cvm-role, oauth, sso)"
                )))
            }
        };
        let Some(role_arn) = profile.credential_str("role-arn") else {
            return Ok(Probe::Found(creds, source));
        };
        let session = profile
            .credential_str("role-session-name")
            .unwrap_or("tcmongo-rs")
            .to_string();
        // A rotated key (or token) under the same id gets a provider of its own: the key is
        // part of the cache key, as a digest so that the key itself is never kept twice.
        let key = format!(
            "{role_arn}|{session}|{}|{}",
            creds.secret_id(),
            secret_digest(&creds)
        );
        let sts = self.role.get(&key, || {
            let mut p = StsAssumeRoleProvider::new(StaticProvider::new(creds), role_arn, session)
                .with_clock(self.clock.clone());
            if let Some(url) = &self.sts_endpoint {
                p = p.endpoint(url.clone());
            }
            match &self.agent {
                Some(a) => p.with_agent(a.clone()),
                None => p,
            }
        });
        let role_creds = sts.provide()?;
        Ok(Probe::Found(
            role_creds,
            format!("{source} assuming role {}", sts.role_arn()),
        ))
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        provide_from(self)
    }
}

/// SHA-256 of the secret key and token, hex: tells keys apart without holding them.
fn secret_digest(creds: &Credentials) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(creds.secret_key().as_bytes());
    h.update([0]);
    h.update(creds.token().unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

/// A Unix time as RFC 3339 for messages, or the number when it is out of range.
fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}
