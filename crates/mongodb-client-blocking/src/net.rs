//! HTTP settings shared by API calls and credential fetches: proxy, TLS trust, timeouts, the
//! `ureq::Agent` built from them, and URL checks.
//!
//! A leaf module: the client, its builder and the credential providers all build their agents
//! here, so the metadata service, STS and the API see the same proxy and the same CA
//! certificates.

use std::path::PathBuf;
use std::time::Duration;

use mongodb_errors::Error;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!("mongodb-client-blocking needs a TLS backend: enable the `rustls` (default) or `native-tls` feature");

/// Where the proxy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProxySetting {
    /// `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY`, honouring `NO_PROXY`.
    FromEnv,
    /// Connect directly.
    Off,
    /// This proxy URL.
    Url(String),
}

/// Extra CA certificates to trust besides the backend's default roots.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExtraRoots {
    /// PEM files, read when the agent is built.
    pub(crate) files: Vec<PathBuf>,
    /// PEM text given in code.
    pub(crate) pems: Vec<Vec<u8>>,
}

impl ExtraRoots {
    fn is_empty(&self) -> bool {
        self.files.is_empty() && self.pems.is_empty()
    }

    /// Every certificate, or an error naming the file or the argument that holds none.
    fn load(&self) -> Result<Vec<Certificate<'static>>, Error> {
        let mut out = Vec::new();
        for path in &self.files {
            let pem = std::fs::read(path).map_err(|e| Error::Config {
                message: format!("ca_bundle {}: cannot be read ({e})", path.display()),
            })?;
            out.extend(parse_certs(&pem).map_err(|why| Error::Config {
                message: format!("ca_bundle {}: {why}", path.display()),
            })?);
        }
        for pem in &self.pems {
            out.extend(parse_certs(pem).map_err(|why| Error::Config {
                message: format!("add_root_certificate: {why}"),
            })?);
        }
        Ok(out)
    }
}

/// The certificates in a PEM text; at least one, or a reason.
fn parse_certs(pem: &[u8]) -> Result<Vec<Certificate<'static>>, String> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(format!("not valid PEM ({e})")),
        }
    }
    if certs.is_empty() {
        return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    Ok(certs)
}

/// Everything an agent is built from.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub(crate) proxy: ProxySetting,
    pub(crate) extra_roots: ExtraRoots,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            proxy: ProxySetting::FromEnv,
            extra_roots: ExtraRoots::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            user_agent: default_request_client(),
        }
    }
}

/// `SDK_RUST_<version>`: how this SDK names itself in `X-TC-RequestClient`, in the form the
/// official SDKs use (`SDK_GO_…`, `SDK_PYTHON_…`).
pub(crate) fn default_request_client() -> String {
    format!("SDK_RUST_{}", env!("CARGO_PKG_VERSION"))
}

impl HttpSettings {
    /// Build the agent. Fails on an unusable proxy URL or CA bundle.
    pub(crate) fn agent(&self) -> Result<ureq::Agent, Error> {
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => ureq::Proxy::try_from_env(),
            ProxySetting::Off => None,
            ProxySetting::Url(u) => Some(ureq::Proxy::new(u).map_err(|e| Error::Config {
                message: format!("proxy {u:?} is not usable: {e}"),
            })?),
        };
        Ok(ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .proxy(proxy)
            .max_redirects(0)
            .user_agent(self.user_agent.clone())
            .tls_config(tls_config(&self.extra_roots)?)
            .build()
            .new_agent())
    }
}

/// TLS from the crate's features: rustls (webpki roots) unless only `native-tls` is enabled
/// (the system's trust store). Extra CA certificates are trusted besides the default roots.
fn tls_config(extra: &ExtraRoots) -> Result<TlsConfig, Error> {
    let rustls = cfg!(feature = "rustls");
    let provider = if rustls {
        TlsProvider::Rustls
    } else {
        TlsProvider::NativeTls
    };
    let roots = if extra.is_empty() {
        if rustls {
            RootCerts::WebPki
        } else {
            RootCerts::PlatformVerifier
        }
    } else {
        let mut certs = default_roots()?;
        certs.extend(extra.load()?);
        RootCerts::new_with_certs(&certs)
    };
    Ok(TlsConfig::builder()
        .provider(provider)
        .root_certs(roots)
        .build())
}

/// The default roots as certificates, so extra ones can be added to them: ureq takes either
/// its default roots or a list, not both.
#[cfg(feature = "rustls")]
fn default_roots() -> Result<Vec<Certificate<'static>>, Error> {
    Ok(webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect())
}

/// The system's trust store as certificates (native-tls only; see the rustls twin above).
#[cfg(not(feature = "rustls"))]
fn default_roots() -> Result<Vec<Certificate<'static>>, Error> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        if let Some(e) = found.errors.first() {
            return Err(Error::Config {
                message: format!("the system's CA certificates could not be loaded: {e}"),
            });
        }
    }
    Ok(found
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect())
}

/// Split `scheme://authority/path` into its parts; only http and https, no query or fragment.
pub(crate) fn split_url(url: &str) -> Result<(String, String, String), Error> {
    let bad = |why: &str| {
        Error::Config {
        message: format!(
            "endpoint {url:?} is not usable: {why}; expected e.g. https://mongodb.tencentcloudapi.com or http://127.0.0.1:8080"
        ),
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

/// An endpoint as written in tccli's files or on a command line: a bare host means
/// `https://host/`.
pub(crate) fn endpoint_url(endpoint: &str) -> String {
    let e = endpoint.trim();
    if e.contains("://") {
        e.to_string()
    } else {
        format!("https://{}/", e.trim_end_matches('/'))
    }
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
    fn bare_hosts_mean_https() {
        assert_eq!(
            endpoint_url("mongodb.tencentcloudapi.com"),
            "https://mongodb.tencentcloudapi.com/"
        );
        assert_eq!(endpoint_url("http://127.0.0.1:1/"), "http://127.0.0.1:1/");
    }

    #[test]
    fn pem_without_certificates_is_refused() {
        assert!(parse_certs(b"hello")
            .unwrap_err()
            .contains("no PEM certificate"));
        let err = ExtraRoots {
            files: vec![PathBuf::from("/nonexistent/ca.pem")],
            pems: vec![],
        }
        .load()
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn request_client_names_the_sdk_and_version() {
        let v = default_request_client();
        assert!(v.starts_with("SDK_RUST_"), "{v}");
        assert!(v.ends_with(env!("CARGO_PKG_VERSION")), "{v}");
    }
}
