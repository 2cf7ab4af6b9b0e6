//! The default order in which credentials are looked for.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::cvm::DEFAULT_METADATA_ENDPOINT;
use super::sts::DEFAULT_STS_ENDPOINT;
use super::{
    cred_error, CvmRoleProvider, EnvSource, EnvironmentProvider, ProfileFileProvider,
    ProvideCredentials, StsAssumeRoleProvider, TccliProvider,
};

/// Looks for credentials in this order and uses the first source that has them:
///
/// 1. the environment ([`EnvironmentProvider`]),
/// 2. the INI profile file ([`ProfileFileProvider`]),
/// 3. the tccli profile ([`TccliProvider`]),
/// 4. the CVM instance role ([`CvmRoleProvider`]).
///
/// Then, if `TENCENTCLOUD_ROLE_ARN` is set, the credentials found are used to assume that role
/// through STS ([`StsAssumeRoleProvider`]) and the role's temporary credentials are returned.
///
/// When no source has credentials, the error lists every place looked at and why each failed.
/// The source that answered last is tried first next time.
pub struct DefaultChain {
    env: EnvSource,
    metadata_endpoint: Option<String>,
    sts_endpoint: String,
    built: OnceLock<Built>,
}

struct Built {
    base: Arc<Sources>,
    sts: Option<StsAssumeRoleProvider>,
}

#[derive(Debug)]
struct Sources {
    list: Vec<Box<dyn ProvideCredentials>>,
    last_good: AtomicUsize,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("env", &self.env)
            .field("metadata_endpoint", &self.metadata_endpoint)
            .field("sts_endpoint", &self.sts_endpoint)
            .finish_non_exhaustive()
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// The chain over the real process environment and home directory.
    pub fn new() -> Self {
        Self::with_env(EnvSource::process())
    }

    /// The chain over `env` (variables and home directory).
    pub fn with_env(env: EnvSource) -> Self {
        DefaultChain {
            env,
            metadata_endpoint: Some(DEFAULT_METADATA_ENDPOINT.to_string()),
            sts_endpoint: DEFAULT_STS_ENDPOINT.to_string(),
            built: OnceLock::new(),
        }
    }

    /// Use another metadata endpoint for the CVM role step, or `None` to skip that step.
    pub fn metadata_endpoint(mut self, url: Option<String>) -> Self {
        self.metadata_endpoint = url;
        self
    }

    /// Use another STS endpoint for the AssumeRole step.
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts_endpoint = url.into();
        self
    }

    fn built(&self) -> &Built {
        self.built.get_or_init(|| {
            let mut list: Vec<Box<dyn ProvideCredentials>> = vec![
                Box::new(EnvironmentProvider::with_env(self.env.clone())),
                Box::new(ProfileFileProvider::with_env(self.env.clone())),
                Box::new(TccliProvider::with_env(self.env.clone())),
            ];
            if let Some(url) = &self.metadata_endpoint {
                list.push(Box::new(CvmRoleProvider::new().endpoint(url.clone())));
            }
            let base = Arc::new(Sources {
                list,
                last_good: AtomicUsize::new(0),
            });
            let sts = StsAssumeRoleProvider::from_env(base.clone(), &self.env)
                .map(|p| p.endpoint(self.sts_endpoint.clone()));
            Built { base, sts }
        })
    }
}

impl ProvideCredentials for Sources {
    fn provide(&self) -> Result<Credentials, Error> {
        let first = self.last_good.load(Ordering::Relaxed);
        if let Some(p) = self.list.get(first) {
            if let Ok(c) = p.provide() {
                return Ok(c);
            }
        }
        let mut looked = Vec::new();
        for (i, p) in self.list.iter().enumerate() {
            match p.provide() {
                Ok(c) => {
                    self.last_good.store(i, Ordering::Relaxed);
                    return Ok(c);
                }
                Err(Error::Credentials { message }) => looked.push(message),
                Err(other) => looked.push(other.to_string()),
            }
        }
        Err(cred_error(format!("looked in: {}", looked.join("; "))))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, Error> {
        let built = self.built();
        match &built.sts {
            Some(sts) => sts.provide(),
            None => built.base.provide(),
        }
    }
}
