//! Client configuration: the builder, its settings resolved against the environment and tccli's
//! files, and per-call overrides. (`build()` lives with the client, which this module does not
//! know.)

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::{Credentials, HttpMethod};

use crate::credentials::{
    DefaultChain, EnvSource, ProvideCredentials, ServerClock, StaticProvider,
};
use crate::net::{
    default_request_client, endpoint_url, split_url, ExtraRoots, HttpSettings, ProxySetting,
};
use crate::retry::RetryPolicy;
use crate::settings::{EndpointHost, Language};
use crate::tccli::TccliProfile;

/// The default root domain of the Tencent Cloud API (China site).
pub const DEFAULT_ROOT_DOMAIN: &str = "tencentcloudapi.com";
/// The root domain of the international site.
pub const INTL_ROOT_DOMAIN: &str = "intl.tencentcloudapi.com";
/// Default overall timeout of one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest response body read into memory (32 MiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 32 * 1024 * 1024;
/// Default client-side rate limit, requests per second per action (the service's own limit).
pub const DEFAULT_RATE_LIMIT: f64 = 20.0;

/// Per-call overrides for [`Client::call_with`](crate::Client::call_with).
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::{CallOptions, RetryPolicy};
///
/// let opts = CallOptions::new()
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::disabled());
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Overall timeout of each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Bound on the whole call, all attempts and waits included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Retry policy for this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
}

/// The resolved settings of a client.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) region: Option<String>,
    /// `scheme://authority/path` requests go to.
    pub(crate) url: String,
    /// `host[:port]` exactly as in the URL: the `Host` header and the signed host.
    pub(crate) host: String,
    pub(crate) path: String,
    pub(crate) method: HttpMethod,
    pub(crate) language: Option<Language>,
    pub(crate) timeout: Duration,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) request_client: String,
    pub(crate) max_response_size: u64,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<f64>,
    pub(crate) log_bodies: bool,
}

/// Everything `build()` needs: the settings, the agent and the credentials.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) config: Config,
    pub(crate) agent: ureq::Agent,
    pub(crate) provider: Arc<dyn ProvideCredentials>,
    /// Shared with the default chain's STS and OIDC calls.
    pub(crate) clock: ServerClock,
}

/// Longest value of [`ClientBuilder::request_client`], as in the official SDKs.
pub const MAX_REQUEST_CLIENT_LEN: usize = 128;

/// Builds a [`Client`](crate::Client). Every setting has a default; see each method.
///
/// Settings not given here come from, in this order: the environment (`TENCENTCLOUD_REGION`,
/// proxy variables), then tccli's `~/.tccli/<profile>.configure` (`_sys_param.region`,
/// `mongodb.endpoint`), then the defaults. With an explicit [`profile`](Self::profile) the
/// profile's file beats the environment, as in tccli.
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::{Client, Credentials, HttpMethod, Language, RetryPolicy};
///
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .credentials(Credentials::new("AKIDexample", "secret").unwrap())
///     .http_method(HttpMethod::Post)
///     .language(Language::EnUs)
///     .timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().with_max_attempts(4))
///     .rate_limit(Some(10.0))
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint(), "https://mongodb.tencentcloudapi.com/");
/// ```
#[must_use = "call build() to get a client"]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    root_domain: Option<String>,
    endpoint_host: EndpointHost,
    method: HttpMethod,
    language: Option<Language>,
    timeout: Duration,
    connect_timeout: Duration,
    total_timeout: Option<Duration>,
    proxy: ProxySetting,
    extra_roots: ExtraRoots,
    request_client: Option<String>,
    max_response_size: u64,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    chain: Option<DefaultChain>,
    profile: Option<String>,
    env: EnvSource,
    log_bodies: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("root_domain", &self.root_domain)
            .field("method", &self.method)
            .field("profile", &self.profile)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            region: None,
            endpoint: None,
            root_domain: None,
            endpoint_host: EndpointHost::Global,
            method: HttpMethod::Post,
            language: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: None,
            proxy: ProxySetting::FromEnv,
            extra_roots: ExtraRoots::default(),
            request_client: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: RetryPolicy::default(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            provider: None,
            chain: None,
            profile: None,
            env: EnvSource::process(),
            log_bodies: false,
        }
    }
}

impl ClientBuilder {
    /// Region sent as `X-TC-Region`, e.g. `ap-guangzhou`. Default: `TENCENTCLOUD_REGION`, else
    /// tccli's `_sys_param.region`, else none (the header is left out).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Send requests to this URL instead of `https://mongodb.<root domain>/`. `http://` is
    /// allowed for local servers such as the emulator; the URL's `host[:port]` is what is sent
    /// as `Host` and signed. Default: tccli's `mongodb.endpoint` when set (a bare host means
    /// `https://host/`), else the root domain's.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Root domain used when no endpoint is given: [`DEFAULT_ROOT_DOMAIN`] (default) or
    /// [`INTL_ROOT_DOMAIN`].
    pub fn root_domain(mut self, domain: impl Into<String>) -> Self {
        self.root_domain = Some(domain.into());
        self
    }

    /// Which host to use when no endpoint is given: [`EndpointHost::Global`]
    /// `mongodb.<root domain>` (default, like the official SDKs) or
    /// [`EndpointHost::Regional`] `mongodb.<region>.<root domain>`, which needs a region.
    pub fn endpoint_host(mut self, host: EndpointHost) -> Self {
        self.endpoint_host = host;
        self
    }

    /// POST with a JSON body (default) or GET with the parameters in the query string.
    pub fn http_method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// Language of the service's messages (default: the service's choice, English).
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Overall timeout of one attempt, connecting and reading the whole answer included
    /// (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout for opening a connection, DNS and TLS included (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bound on a whole call across all its attempts and the waits between them. Default:
    /// the attempt timeout times the retry policy's attempt count. A retry that could not start
    /// before this bound is not made, and the last attempt gets only the time that is left.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Send every request through this proxy (`http://host:port`, `socks5://host:port`, …),
    /// credential fetches (metadata service, STS) included.
    /// Default: `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` from the environment, honouring `NO_PROXY`.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Ignore proxy environment variables and connect directly.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Off;
        self
    }

    /// Also trust the CA certificates in this PEM file (one or more `BEGIN CERTIFICATE`
    /// blocks), e.g. the certificate of a TLS-inspecting proxy. The backend's default roots
    /// (webpki with `rustls`, the system's store with `native-tls`) stay trusted. The file is
    /// read by [`build`](Self::build); an unreadable file or one without certificates is an
    /// [`Error::Config`] naming it. Applies to credential fetches too. May be repeated.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_roots.files.push(path.into());
        self
    }

    /// Also trust the CA certificate(s) in this PEM text; see [`ca_bundle`](Self::ca_bundle).
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.extra_roots.pems.push(pem.as_ref().to_vec());
        self
    }

    /// Identify your program in `X-TC-RequestClient`, which is then `SDK_RUST_<version>; <tag>`
    /// (default just `SDK_RUST_<version>`, as the official SDKs send `SDK_GO_…`,
    /// `SDK_PYTHON_…`). The tag may hold ASCII letters, digits and `_ - . , ;`, at most
    /// [`MAX_REQUEST_CLIENT_LEN`] characters; anything else makes [`build`](Self::build) fail
    /// with an [`Error::Config`] naming `request_client`.
    pub fn request_client(mut self, tag: impl Into<String>) -> Self {
        self.request_client = Some(tag.into());
        self
    }

    /// Largest API answer read into memory, in bytes (default 32 MiB). A larger answer fails
    /// with [`Error::ResponseTooLarge`]; when its `Content-Length` says so, nothing is read.
    /// Backup downloads stream to disk and are not bound by this.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// How failed calls are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side limit in requests per second per action, shared by all clones of the client
    /// (default 20, the service's limit). `None` switches the limiter off.
    pub fn rate_limit(mut self, per_second: Option<f64>) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// Sign with these fixed credentials.
    pub fn credentials(mut self, creds: Credentials) -> Self {
        self.provider = Some(Arc::new(StaticProvider::new(creds)));
        self
    }

    /// Get credentials from this provider before every attempt. Default: [`DefaultChain`].
    /// The provider makes its own HTTP calls; use [`default_chain`](Self::default_chain) for a
    /// configured chain that shares the client's proxy and CA settings.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Use this [`DefaultChain`] (e.g. with another metadata or STS endpoint). Its metadata
    /// and STS calls go through the client's proxy with the client's CA certificates.
    pub fn default_chain(mut self, chain: DefaultChain) -> Self {
        self.chain = Some(chain);
        self
    }

    /// Use this profile, as tccli's `--profile` does: its credentials (INI section `[name]` or
    /// `~/.tccli/<name>.credential`) beat the environment's, and its `.configure` file gives
    /// the defaults. See [`DefaultChain`] for the rules. Default: `TCCLI_PROFILE` for tccli's
    /// files, `TENCENTCLOUD_PROFILE` for the INI file, else `default`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Where the default region, tccli's files and the default credential chain read
    /// environment variables and the home directory (default: the process). Mostly for tests.
    pub fn env_source(mut self, env: EnvSource) -> Self {
        self.env = env;
        self
    }

    /// Log request and response bodies at `trace` level (default off: bodies may hold
    /// passwords). Secrets in headers are never logged.
    pub fn log_bodies(mut self, on: bool) -> Self {
        self.log_bodies = on;
        self
    }

    /// tccli's `.configure` file of the profile in use, when there is a home directory.
    fn tccli_defaults(&self) -> Result<Option<TccliProfile>, Error> {
        let Some(home) = self.env.home() else {
            return Ok(None);
        };
        if self.region.is_some() && self.endpoint.is_some() {
            return Ok(None);
        }
        let name = self
            .profile
            .clone()
            .or_else(|| self.env.var("TCCLI_PROFILE"))
            .unwrap_or_else(|| "default".to_string());
        TccliProfile::load(home, &name).map(Some)
    }

    /// The `X-TC-RequestClient` value, checked.
    fn request_client_value(&self) -> Result<String, Error> {
        let Some(tag) = &self.request_client else {
            return Ok(default_request_client());
        };
        let ok = !tag.is_empty()
            && tag.len() <= MAX_REQUEST_CLIENT_LEN
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.,;".contains(c));
        if !ok {
            return Err(Error::Config {
                message: format!(
                    "request_client {tag:?} is not usable: use 1 to {MAX_REQUEST_CLIENT_LEN} ASCII letters, digits and _ - . , ; (e.g. backup-job_1.2)"
                ),
            });
        }
        Ok(format!("{}; {tag}", default_request_client()))
    }

    /// Check the settings and resolve them against the environment and tccli's files.
    pub(crate) fn resolve(self) -> Result<Resolved, Error> {
        let config_err = |message: String| Error::Config { message };
        let tccli = self.tccli_defaults()?;
        let tccli_region = tccli.as_ref().and_then(|t| t.region()).map(str::to_string);
        let env_region = self.env.var("TENCENTCLOUD_REGION");
        let region = match &self.profile {
            // An explicit profile beats the environment, as in tccli.
            Some(_) => self.region.clone().or(tccli_region).or(env_region),
            None => self.region.clone().or(env_region).or(tccli_region),
        }
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
        if let Some(r) = &region {
            if !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(config_err(format!(
                    "region {r:?} is not a region name like ap-guangzhou"
                )));
            }
        }
        let tccli_endpoint = tccli
            .as_ref()
            .and_then(|t| t.endpoint("mongodb"))
            .map(endpoint_url);
        let url = match (&self.endpoint, tccli_endpoint) {
            (Some(e), _) => e.trim().to_string(),
            (None, Some(e))
                if self.root_domain.is_none() && self.endpoint_host == EndpointHost::Global =>
            {
                e
            }
            _ => {
                let domain = self.root_domain.as_deref().unwrap_or(DEFAULT_ROOT_DOMAIN);
                let root = domain.trim().trim_matches('.');
                if root.is_empty() || root.contains('/') {
                    return Err(config_err(format!(
                        "root domain {domain:?} is not a domain name"
                    )));
                }
                match (&region, self.endpoint_host) {
                    (Some(r), EndpointHost::Regional) => format!("https://mongodb.{r}.{root}/"),
                    (None, EndpointHost::Regional) => {
                        return Err(config_err(
                            "endpoint_host(EndpointHost::Regional) needs a region: set one with region(…) or TENCENTCLOUD_REGION".to_string(),
                        ))
                    }
                    _ => format!("https://mongodb.{root}/"),
                }
            }
        };
        let (scheme, host, path) = split_url(&url)?;
        let url = format!("{scheme}://{host}{path}");
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(config_err("timeouts must be greater than zero".into()));
        }
        if self.max_response_size == 0 {
            return Err(config_err(
                "max_response_size must be greater than zero".into(),
            ));
        }
        if let Some(r) = self.rate_limit {
            if !(r.is_finite() && r > 0.0) {
                return Err(config_err(format!(
                    "rate limit {r} must be a positive number of requests per second (or None)"
                )));
            }
        }
        let request_client = self.request_client_value()?;
        let agent = HttpSettings {
            proxy: self.proxy.clone(),
            extra_roots: self.extra_roots.clone(),
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            user_agent: request_client.clone(),
        }
        .agent()?;
        let clock = ServerClock::default();
        let provider: Arc<dyn ProvideCredentials> = match (self.provider, self.chain) {
            (Some(p), _) => p,
            (None, chain) => {
                let mut chain = chain.unwrap_or_else(|| DefaultChain::with_env(self.env.clone()));
                if let (Some(p), None) = (&self.profile, chain.explicit_profile()) {
                    chain = chain.profile(p.clone());
                }
                Arc::new(chain.with_agent(agent.clone()).with_clock(clock.clone()))
            }
        };
        let config = Config {
            region,
            url,
            host,
            path,
            method: self.method,
            language: self.language,
            timeout: self.timeout,
            total_timeout: self.total_timeout,
            request_client,
            max_response_size: self.max_response_size,
            retry: self.retry,
            rate_limit: self.rate_limit,
            log_bodies: self.log_bodies,
        };
        Ok(Resolved {
            config,
            agent,
            provider,
            clock,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse() {
        assert_eq!("en-US".parse::<Language>().unwrap(), Language::EnUs);
        assert_eq!("zh_cn".parse::<Language>().unwrap(), Language::ZhCn);
        assert!("fr".parse::<Language>().is_err());
    }

    #[test]
    fn request_client_tags_are_checked() {
        let b = |tag: &str| ClientBuilder::default().request_client(tag);
        assert_eq!(
            b("backup-job_1.2;x,y").request_client_value().unwrap(),
            format!("SDK_RUST_{}; backup-job_1.2;x,y", env!("CARGO_PKG_VERSION"))
        );
        for bad in [
            "",
            "a b",
            "a/b",
            "naïve",
            &"x".repeat(MAX_REQUEST_CLIENT_LEN + 1),
        ] {
            let err = b(bad).request_client_value().unwrap_err().to_string();
            assert!(err.contains("request_client"), "{err}");
        }
        assert!(b(&"x".repeat(MAX_REQUEST_CLIENT_LEN))
            .request_client_value()
            .is_ok());
    }
}
