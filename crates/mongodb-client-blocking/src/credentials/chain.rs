//! The default order in which credentials are looked for, and what "configured" means.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::cvm::{CvmRoleProvider, DEFAULT_METADATA_ENDPOINT};
use super::env::EnvironmentProvider;
use super::env_source::EnvSource;
use super::oidc::{OidcRoleProvider, TKE_VARS};
use super::profile::ProfileFileProvider;
use super::provider::{cred_error, Keyed, Probe, ProvideCredentials, ServerClock, Source};
use super::sts::{StsAssumeRoleProvider, DEFAULT_STS_ENDPOINT};
use super::tccli::TccliProvider;

/// Looks for credentials in a fixed order, as the AWS SDKs and the official Tencent Cloud
/// SDKs do. Each source is either **not configured** here, and then passed over, or
/// **configured**, and then it must work: a configured source that can't give credentials is
/// an [`Error::Credentials`] naming it and the fix, and the sources after it are not tried.
/// That way a program never runs as an identity nobody chose.
///
/// | # | source | configured when | provider |
/// |---|---|---|---|
/// | 1 | environment | `TENCENTCLOUD_SECRET_ID` or `TENCENTCLOUD_SECRET_KEY` is set | [`EnvironmentProvider`] |
/// | 2 | INI profile file | `TENCENTCLOUD_CREDENTIALS_FILE` is set, or `~/.tencentcloud/credentials` exists (but see `TCCLI_PROFILE` below) | [`ProfileFileProvider`] |
/// | 3 | tccli profile | `~/.tccli/<profile>.credential` exists, or `TCCLI_PROFILE` names a profile | [`TccliProvider`] |
/// | 4 | TKE OIDC (workload identity) | any of `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN` is set | [`OidcRoleProvider`] |
/// | 5 | CVM instance role | the metadata service answers with a role bound | [`CvmRoleProvider`] |
///
/// **Which profile the files give.** The INI file and tccli each have a variable naming a
/// profile; a variable names a profile for its own file only, and a profile that was named
/// must exist. `TCCLI_PROFILE` alone also turns the INI file's implicit `[default]` off, so
/// that the keys used are those of the profile whose region and output the CLI takes:
///
/// | set | INI file (step 2) | tccli (step 3) |
/// |---|---|---|
/// | none of these | `[default]`, if the file has one | `default.credential`, if it exists |
/// | `TENCENTCLOUD_PROFILE=p` | `[p]`, which must exist | reached only when the file is absent |
/// | `TCCLI_PROFILE=t` | skipped (logged at `debug`) | `t.credential`, which must exist |
/// | `TCCLI_PROFILE=t` and `TENCENTCLOUD_PROFILE=p` | `[p]`, which must exist | reached only when the file is absent |
/// | `TCCLI_PROFILE=t` and `TENCENTCLOUD_CREDENTIALS_FILE=f` | `f`'s `[default]` (or `[p]`) | reached only when `f` has no `[default]` |
///
/// Then, if `TENCENTCLOUD_ROLE_ARN` is set, the credentials found are used to assume that role
/// through STS ([`StsAssumeRoleProvider`], session name from `TENCENTCLOUD_ROLE_SESSION_NAME`)
/// and the role's temporary credentials are returned.
///
/// **An explicit profile** ([`profile`](Self::profile), the CLI's `--profile`) beats the
/// environment, as in tccli: only that profile is used, from the INI file (section
/// `[name]`) or, failing that, from tccli (`~/.tccli/<name>.credential`);
/// `TENCENTCLOUD_SECRET_*`, `TENCENTCLOUD_ROLE_ARN`, OIDC and the CVM role are not consulted,
/// and a profile found in neither place is an error.
///
/// When no source is configured, the error lists every place looked at. The source used is
/// logged at `debug` level (its name and file, never a secret) whenever it changes.
pub struct DefaultChain {
    env: EnvSource,
    profile: Option<String>,
    metadata_endpoint: Option<String>,
    sts_endpoint: String,
    agent: Option<ureq::Agent>,
    clock: ServerClock,
    built: OnceLock<Built>,
    last_source: Mutex<String>,
}

/// The sources, made once.
struct Built {
    base: Arc<Base>,
    role: Keyed<StsAssumeRoleProvider>,
}

/// The chain without the final AssumeRole step.
struct Base {
    env: EnvSource,
    profile: Option<String>,
    environment: EnvironmentProvider,
    file: ProfileFileProvider,
    tccli: TccliProvider,
    oidc: Keyed<OidcRoleProvider>,
    cvm: Option<Arc<CvmRoleProvider>>,
    sts_endpoint: String,
    agent: Option<ureq::Agent>,
    clock: ServerClock,
}

impl fmt::Debug for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain sources")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("env", &self.env)
            .field("profile", &self.profile)
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
            profile: None,
            metadata_endpoint: Some(DEFAULT_METADATA_ENDPOINT.to_string()),
            sts_endpoint: DEFAULT_STS_ENDPOINT.to_string(),
            agent: None,
            clock: ServerClock::default(),
            built: OnceLock::new(),
            last_source: Mutex::new(String::new()),
        }
    }

    /// Use only this profile (see the type's docs): it beats the environment.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Use another metadata endpoint for the CVM role step, or `None` to skip that step.
    pub fn metadata_endpoint(mut self, url: Option<String>) -> Self {
        self.metadata_endpoint = url;
        self
    }

    /// Use another STS endpoint for the AssumeRole and OIDC steps.
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts_endpoint = url.into();
        self
    }

    /// The profile given to [`profile`](Self::profile), if any.
    pub(crate) fn explicit_profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Make HTTP calls (metadata service, STS) with this agent: the client's proxy and TLS.
    pub(crate) fn with_agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// Sign STS and OIDC calls with this clock: the client's, corrected after
    /// `AuthFailure.SignatureExpire`.
    pub(crate) fn with_clock(mut self, clock: ServerClock) -> Self {
        self.clock = clock;
        self
    }

    fn built(&self) -> &Built {
        self.built.get_or_init(|| {
            let cvm = self.metadata_endpoint.as_ref().map(|url| {
                let p = CvmRoleProvider::new().endpoint(url.clone());
                Arc::new(match &self.agent {
                    Some(a) => p.with_agent(a.clone()),
                    None => p,
                })
            });
            let mut file = ProfileFileProvider::with_env(self.env.clone());
            let mut tccli = TccliProvider::with_env(self.env.clone()).shared(
                cvm.clone()
                    .unwrap_or_else(|| Arc::new(CvmRoleProvider::new())),
                self.agent.clone(),
                self.clock.clone(),
                self.sts_endpoint.clone(),
            );
            if let Some(p) = &self.profile {
                file = file.profile(p.clone()).section_optional();
                tccli = tccli.profile(p.clone()).file_optional();
            }
            Built {
                base: Arc::new(Base {
                    env: self.env.clone(),
                    profile: self.profile.clone(),
                    environment: EnvironmentProvider::with_env(self.env.clone()),
                    file,
                    tccli,
                    oidc: Keyed::default(),
                    cvm,
                    sts_endpoint: self.sts_endpoint.clone(),
                    agent: self.agent.clone(),
                    clock: self.clock.clone(),
                }),
                role: Keyed::default(),
            }
        })
    }

    /// Credentials and where they came from.
    fn resolve(&self) -> Result<(Credentials, String), Error> {
        let built = self.built();
        let (creds, source) = built.base.resolve()?;
        if self.profile.is_some() {
            return Ok((creds, source));
        }
        let Some(arn) = self.env.var("TENCENTCLOUD_ROLE_ARN") else {
            return Ok((creds, source));
        };
        let session = self.env.var("TENCENTCLOUD_ROLE_SESSION_NAME");
        let region = self.env.var("TENCENTCLOUD_REGION");
        let key = format!("{arn}|{session:?}|{region:?}");
        let sts = built.role.get(&key, || {
            let p = StsAssumeRoleProvider::from_env(built.base.clone(), &self.env)
                .unwrap_or_else(|| {
                    StsAssumeRoleProvider::new(built.base.clone(), &arn, "tcmongo-rs")
                })
                .endpoint(self.sts_endpoint.clone())
                .with_clock(self.clock.clone());
            match &self.agent {
                Some(a) => p.with_agent(a.clone()),
                None => p,
            }
        });
        let role_creds = sts.provide()?;
        Ok((
            role_creds,
            format!("{source}, assuming role {arn} (TENCENTCLOUD_ROLE_ARN)"),
        ))
    }
}

impl Base {
    fn oidc(&self) -> Result<Probe, Error> {
        let Some(p) = OidcRoleProvider::from_tke_env(&self.env)? else {
            return Ok(Probe::Absent(format!(
                "TKE OIDC: {} are not set",
                TKE_VARS.join(", ")
            )));
        };
        let p = p
            .endpoint(self.sts_endpoint.clone())
            .with_clock(self.clock.clone());
        let p = self.oidc.get(&p.key(), || match &self.agent {
            Some(a) => p.with_agent(a.clone()),
            None => p,
        });
        Ok(Probe::Found(p.provide()?, p.describe()))
    }

    /// The INI file, unless `TCCLI_PROFILE` alone chose a profile: then the file's implicit
    /// `[default]` is not the identity the user asked for (see the type's docs).
    fn file_step(&self) -> Result<Probe, Error> {
        let named_in_ini = ["TENCENTCLOUD_PROFILE", "TENCENTCLOUD_CREDENTIALS_FILE"]
            .iter()
            .any(|v| self.env.var(v).is_some());
        match self.env.var("TCCLI_PROFILE") {
            Some(tccli) if !named_in_ini => {
                let why = format!(
                    "profile file: its [default] is skipped because TCCLI_PROFILE={tccli} chooses tccli's profile (set TENCENTCLOUD_PROFILE to use a section of the file)"
                );
                log::debug!("credentials: {why}");
                Ok(Probe::Absent(why))
            }
            _ => self.file.probe(),
        }
    }

    fn resolve(&self) -> Result<(Credentials, String), Error> {
        let mut looked = Vec::new();
        if let Some(profile) = &self.profile {
            for source in [&self.file as &dyn Source, &self.tccli] {
                match source.probe()? {
                    Probe::Found(c, from) => return Ok((c, from)),
                    Probe::Absent(why) => looked.push(why),
                }
            }
            return Err(cred_error(format!(
                "profile {profile:?} was asked for but is defined nowhere ({}); add it to ~/.tencentcloud/credentials as [{profile}] or create it with `tccli configure --profile {profile}`",
                looked.join("; ")
            )));
        }
        let steps: [&dyn Fn() -> Result<Probe, Error>; 5] = [
            &|| self.environment.probe(),
            &|| self.file_step(),
            &|| self.tccli.probe(),
            &|| self.oidc(),
            &|| match &self.cvm {
                Some(cvm) => cvm.probe(),
                None => Ok(Probe::Absent("CVM role: not consulted".into())),
            },
        ];
        for step in steps {
            match step()? {
                Probe::Found(c, from) => return Ok((c, from)),
                Probe::Absent(why) => looked.push(why),
            }
        }
        Err(cred_error(format!("looked in: {}", looked.join("; "))))
    }
}

impl ProvideCredentials for Base {
    fn provide(&self) -> Result<Credentials, Error> {
        self.resolve().map(|(c, _)| c)
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, Error> {
        let (creds, source) = self.resolve()?;
        let mut last = self.last_source.lock().unwrap_or_else(|p| p.into_inner());
        if *last != source {
            log::debug!("credentials from {source}");
            *last = source;
        }
        Ok(creds)
    }
}
