//! Credentials from environment variables.

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::env_source::EnvSource;
use super::provider::{
    cred_error, make_credentials, provide_from, Probe, ProvideCredentials, Source,
};

/// Reads `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY`, plus a session token from
/// `TENCENTCLOUD_SESSION_TOKEN` or, failing that, `TENCENTCLOUD_TOKEN`.
///
/// The variables are read on every call, so a changed environment is picked up. In the
/// [`DefaultChain`](crate::DefaultChain) this source counts as configured when either variable
/// is set: one without the other is an error, not a reason to look elsewhere.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: EnvSource,
}

impl EnvironmentProvider {
    /// Read the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read variables from `env` instead of the process.
    pub fn with_env(env: EnvSource) -> Self {
        EnvironmentProvider { env }
    }
}

impl Source for EnvironmentProvider {
    fn probe(&self) -> Result<Probe, Error> {
        let id = self.env.var("TENCENTCLOUD_SECRET_ID");
        let key = self.env.var("TENCENTCLOUD_SECRET_KEY");
        match (id, key) {
            (Some(id), Some(key)) => {
                let token = self
                    .env
                    .var("TENCENTCLOUD_SESSION_TOKEN")
                    .or_else(|| self.env.var("TENCENTCLOUD_TOKEN"));
                let creds = make_credentials(&id, &key, token.as_deref(), "environment")?;
                Ok(Probe::Found(creds, "environment (TENCENTCLOUD_SECRET_ID)".into()))
            }
            (Some(_), None) => Err(cred_error(
                "environment: TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not; set both or unset both",
            )),
            (None, Some(_)) => Err(cred_error(
                "environment: TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not; set both or unset both",
            )),
            (None, None) => Ok(Probe::Absent(
                "environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set".into(),
            )),
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        provide_from(self)
    }
}
