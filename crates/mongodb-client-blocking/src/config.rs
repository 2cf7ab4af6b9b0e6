//! Client configuration: the builder, its settings, and per-call overrides.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mongodb_errors::Error;
use tc_sign::{Credentials, HttpMethod};

use crate::credentials::{DefaultChain, EnvSource, ProvideCredentials, StaticProvider};
use crate::retry::RetryPolicy;

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

/// Language of the service's messages, sent as `X-TC-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English (`en-US`).
    EnUs,
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::EnUs => "en-US",
            Language::ZhCn => "zh-CN",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Language {
    type Err = Error;

    /// Accepts `en-US`/`zh-CN` in any letter case, with `-` or `_`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "en-us" | "en" => Ok(Language::EnUs),
            "zh-cn" | "zh" => Ok(Language::ZhCn),
            _ => Err(Error::Config {
                message: format!("unknown language {s:?}; use en-US or zh-CN"),
            }),
        }
    }
}

#[derive(Debug, Clone)]
enum ProxySetting {
    FromEnv,
    Off,
    Url(String),
}

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

/// Builds a [`Client`](crate::Client). Every setting has a default; see each method.
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
///     .retry(RetryPolicy::default().max_attempts(4))
///     .rate_limit(Some(10.0))
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint(), "https://mongodb.tencentcloudapi.com/");
/// ```
#[must_use = "call build() to get a client"]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    root_domain: String,
    regional_endpoint: bool,
    method: HttpMethod,
    language: Option<Language>,
    timeout: Duration,
    connect_timeout: Duration,
    total_timeout: Option<Duration>,
    proxy: ProxySetting,
    request_client: String,
    max_response_size: u64,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    provider: Option<Arc<dyn ProvideCredentials>>,
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
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            region: None,
            endpoint: None,
            root_domain: DEFAULT_ROOT_DOMAIN.to_string(),
            regional_endpoint: false,
            method: HttpMethod::Post,
            language: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: None,
            proxy: ProxySetting::FromEnv,
            request_client: format!("tcmongo-rs/{}", env!("CARGO_PKG_VERSION")),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: RetryPolicy::default(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            provider: None,
            env: EnvSource::process(),
            log_bodies: false,
        }
    }
}

impl ClientBuilder {
    /// Region sent as `X-TC-Region`, e.g. `ap-guangzhou`. Default: `TENCENTCLOUD_REGION`, else
    /// none (the header is left out).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Send requests to this URL instead of `https://mongodb.<root domain>/`. `http://` is
    /// allowed for local servers such as the emulator; the URL's `host[:port]` is what is sent
    /// as `Host` and signed.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Root domain used when no endpoint is given: [`DEFAULT_ROOT_DOMAIN`] (default) or
    /// [`INTL_ROOT_DOMAIN`].
    pub fn root_domain(mut self, domain: impl Into<String>) -> Self {
        self.root_domain = domain.into();
        self
    }

    /// Use the region's own host `mongodb.<region>.<root domain>` instead of
    /// `mongodb.<root domain>` (default off, like the official SDKs). Needs a region.
    pub fn regional_endpoint(mut self, on: bool) -> Self {
        self.regional_endpoint = on;
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

    /// Send every request through this proxy (`http://host:port`, `socks5://host:port`, …).
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

    /// Value of `X-TC-RequestClient` (default `tcmongo-rs/<version>`).
    pub fn request_client(mut self, tag: impl Into<String>) -> Self {
        self.request_client = tag.into();
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
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Where the default region and the default credential chain read environment variables
    /// and the home directory (default: the process). Mostly for tests.
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

    /// Check the settings and create the client.
    pub fn build(self) -> Result<crate::Client, Error> {
        let config_err = |message: String| Error::Config { message };
        let region = self
            .region
            .clone()
            .or_else(|| self.env.var("TENCENTCLOUD_REGION"))
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
        let url = match &self.endpoint {
            Some(e) => e.trim().to_string(),
            None => {
                let root = self.root_domain.trim().trim_matches('.');
                if root.is_empty() || root.contains('/') {
                    return Err(config_err(format!(
                        "root domain {:?} is not a domain name",
                        self.root_domain
                    )));
                }
                match (&region, self.regional_endpoint) {
                    (Some(r), true) => format!("https://mongodb.{r}.{root}/"),
                    (None, true) => {
                        return Err(config_err(
                            "regional_endpoint(true) needs a region".to_string(),
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
        if self.request_client.chars().any(|c| c.is_control()) {
            return Err(config_err(
                "request_client must not contain control characters".into(),
            ));
        }
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => ureq::Proxy::try_from_env(),
            ProxySetting::Off => None,
            ProxySetting::Url(u) => Some(
                ureq::Proxy::new(u)
                    .map_err(|e| config_err(format!("proxy {u:?} is not usable: {e}")))?,
            ),
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .proxy(proxy)
            .max_redirects(0)
            .user_agent(self.request_client.clone())
            .tls_config(tls_config())
            .build()
            .new_agent();
        let provider: Arc<dyn ProvideCredentials> = match self.provider {
            Some(p) => p,
            None => Arc::new(DefaultChain::with_env(self.env.clone())),
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
            request_client: self.request_client,
            max_response_size: self.max_response_size,
            retry: self.retry,
            rate_limit: self.rate_limit,
            log_bodies: self.log_bodies,
        };
        Ok(crate::Client::from_parts(config, agent, provider))
    }
}

/// Split `scheme://authority/path` into its parts; only http and https, no query or fragment.
pub(crate) fn split_url(url: &str) -> Result<(String, String, String), Error> {
    let bad = |why: &str| {
        Error::Config {
        message: format!("endpoint {url:?} is not usable: {why}; expected e.g. https://mongodb.tencentcloudapi.com or http://127.0.0.1:8080"),
    }
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad("the scheme must be http or https"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return Err(bad("the host is missing or malformed"));
    }
    if let Some((_, port)) = authority.rsplit_once(':') {
        if !authority.ends_with(']') && port.parse::<u16>().is_err() {
            return Err(bad("the port is not a number"));
        }
    }
    Ok((scheme, authority.to_string(), path.to_string()))
}

/// The `host[:port]` of a URL.
pub(crate) fn authority_of(url: &str) -> Result<String, Error> {
    split_url(url).map(|(_, host, _)| host)
}

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!("mongodb-client-blocking needs a TLS backend: enable the `rustls` (default) or `native-tls` feature");

/// TLS for `https://` endpoints, from the crate's feature flags: rustls unless only
/// `native-tls` is enabled.
pub(crate) fn tls_config() -> ureq::tls::TlsConfig {
    let provider = if cfg!(feature = "rustls") {
        ureq::tls::TlsProvider::Rustls
    } else {
        ureq::tls::TlsProvider::NativeTls
    };
    ureq::tls::TlsConfig::builder().provider(provider).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split() {
        assert_eq!(
            split_url("http://127.0.0.1:8080").unwrap(),
            ("http".into(), "127.0.0.1:8080".into(), "/".into())
        );
        assert_eq!(
            split_url("HTTPS://mongodb.tencentcloudapi.com/").unwrap(),
            (
                "https".into(),
                "mongodb.tencentcloudapi.com".into(),
                "/".into()
            )
        );
        assert!(split_url("ftp://x").is_err());
        assert!(split_url("mongodb.tencentcloudapi.com").is_err());
        assert!(split_url("http://h:port/").is_err());
        assert!(split_url("http://h/?a=b").is_err());
    }

    #[test]
    fn languages_parse() {
        assert_eq!("en-US".parse::<Language>().unwrap(), Language::EnUs);
        assert_eq!("zh_cn".parse::<Language>().unwrap(), Language::ZhCn);
        assert!("fr".parse::<Language>().is_err());
    }
}
