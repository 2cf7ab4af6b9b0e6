//! What goes into a signature: [`SigningParams`], made with [`SigningParams::builder`].

use std::fmt;

use crate::body::SignableBody;
use crate::method::HttpMethod;

/// Everything about one API call that the signature covers or that becomes a header.
///
/// It is plain borrowed data with no HTTP types, so any HTTP client can be adapted to it. Make
/// one with [`SigningParams::builder`]; [`build`](SigningParamsBuilder::build) names every
/// required value that was not set. To vary one value of existing parameters, go through
/// [`to_builder`](SigningParams::to_builder).
///
/// ```
/// use tc_sign::{HttpMethod, SignableBody, SigningParams};
/// let body = br#"{"Limit":1}"#;
/// let params = SigningParams::builder()
///     .method(HttpMethod::Post)
///     .service("mongodb")
///     .host("mongodb.tencentcloudapi.com")
///     .action("DescribeDBInstances")
///     .version("2019-07-25")
///     .timestamp(1_700_000_000) // the caller supplies the time
///     .payload(SignableBody::Bytes(body))
///     .region("ap-guangzhou")
///     .build()?;
/// assert_eq!(params.content_type(), "application/json");
/// assert_eq!(params.path(), "/");
///
/// // A GET request: parameters in the query string, no body.
/// let get = params
///     .to_builder()
///     .method(HttpMethod::Get)
///     .query("Limit=1")
///     .payload(SignableBody::EMPTY)
///     .content_type("application/x-www-form-urlencoded")
///     .build()?;
/// assert_eq!(get.query(), "Limit=1");
///
/// let err = SigningParams::builder().method(HttpMethod::Post).build().unwrap_err();
/// assert_eq!(err.missing(), ["service", "host", "action", "version", "timestamp", "payload"]);
/// # Ok::<(), tc_sign::SigningParamsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningParams<'a> {
    method: HttpMethod,
    service: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a str,
    content_type: &'a str,
    action: &'a str,
    version: &'a str,
    region: Option<&'a str>,
    timestamp: i64,
    language: Option<&'a str>,
    request_client: Option<&'a str>,
    payload: SignableBody<'a>,
}

impl<'a> SigningParams<'a> {
    /// Starts parameters with nothing set.
    ///
    /// Required: [`method`](SigningParamsBuilder::method),
    /// [`service`](SigningParamsBuilder::service), [`host`](SigningParamsBuilder::host),
    /// [`action`](SigningParamsBuilder::action), [`version`](SigningParamsBuilder::version),
    /// [`timestamp`](SigningParamsBuilder::timestamp) and
    /// [`payload`](SigningParamsBuilder::payload). The rest default to path `/`, an empty query
    /// string, the method's content type, and no region, language or request client.
    pub fn builder() -> SigningParamsBuilder<'a> {
        SigningParamsBuilder::default()
    }

    /// A builder holding these values, to change some of them.
    pub fn to_builder(&self) -> SigningParamsBuilder<'a> {
        SigningParamsBuilder {
            method: Some(self.method),
            service: Some(self.service),
            host: Some(self.host),
            path: Some(self.path),
            query: Some(self.query),
            content_type: Some(self.content_type),
            action: Some(self.action),
            version: Some(self.version),
            region: self.region,
            timestamp: Some(self.timestamp),
            language: self.language,
            request_client: self.request_client,
            payload: Some(self.payload),
        }
    }

    /// POST (body) or GET (query string).
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// Service name used in the credential scope, e.g. `mongodb`.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// The `Host` header value; may carry a `:port`.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// Request path; the API uses `/`.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query string exactly as sent, without `?` (empty for a POST).
    pub fn query(&self) -> &'a str {
        self.query
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> &'a str {
        self.content_type
    }

    /// API action name, sent as `X-TC-Action`, e.g. `CreateBackupDBInstance`.
    pub fn action(&self) -> &'a str {
        self.action
    }

    /// API version, sent as `X-TC-Version`, e.g. `2019-07-25`.
    pub fn version(&self) -> &'a str {
        self.version
    }

    /// Region sent as `X-TC-Region`, if any.
    pub fn region(&self) -> Option<&'a str> {
        self.region
    }

    /// Unix time of the request in seconds (`X-TC-Timestamp`); its UTC date scopes the key.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Response language sent as `X-TC-Language`, if any.
    pub fn language(&self) -> Option<&'a str> {
        self.language
    }

    /// Client identifier sent as `X-TC-RequestClient`, if any.
    pub fn request_client(&self) -> Option<&'a str> {
        self.request_client
    }

    /// The body, as the signature covers it.
    pub fn payload(&self) -> SignableBody<'a> {
        self.payload
    }
}

/// Collects [`SigningParams`]; made by [`SigningParams::builder`].
///
/// Setting a value twice keeps the last one. `Debug` shows what is set (a body only by length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigningParamsBuilder<'a> {
    method: Option<HttpMethod>,
    service: Option<&'a str>,
    host: Option<&'a str>,
    path: Option<&'a str>,
    query: Option<&'a str>,
    content_type: Option<&'a str>,
    action: Option<&'a str>,
    version: Option<&'a str>,
    region: Option<&'a str>,
    timestamp: Option<i64>,
    language: Option<&'a str>,
    request_client: Option<&'a str>,
    payload: Option<SignableBody<'a>>,
}

impl<'a> SigningParamsBuilder<'a> {
    /// Required: POST (parameters in a JSON body) or GET (parameters in the query string).
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Required: the service name of the credential scope, e.g. `mongodb`.
    pub fn service(mut self, service: &'a str) -> Self {
        self.service = Some(service);
        self
    }

    /// Required: the `Host` header value exactly as sent, with its `:port` if the URL has one.
    pub fn host(mut self, host: &'a str) -> Self {
        self.host = Some(host);
        self
    }

    /// Required: the API action, sent as `X-TC-Action`, e.g. `CreateBackupDBInstance`.
    pub fn action(mut self, action: &'a str) -> Self {
        self.action = Some(action);
        self
    }

    /// Required: the API version, sent as `X-TC-Version`, e.g. `2019-07-25`.
    pub fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// Required: the request time in Unix seconds, sent as `X-TC-Timestamp`. The signer never
    /// reads a clock, so the caller passes it (corrected for clock skew if it knows any).
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Required: the body, as the signature covers it ([`SignableBody::EMPTY`] for a GET).
    pub fn payload(mut self, payload: SignableBody<'a>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The request path; `/` (the default) for the API.
    pub fn path(mut self, path: &'a str) -> Self {
        self.path = Some(path);
        self
    }

    /// The query string exactly as it will be sent, without `?`; empty (the default) for a POST.
    /// It is signed byte for byte, so send the same text.
    pub fn query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }

    /// The `Content-Type` header value; defaults to the method's
    /// ([`HttpMethod::default_content_type`]).
    pub fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The region, sent as `X-TC-Region`.
    pub fn region(self, region: &'a str) -> Self {
        self.set_region(Some(region))
    }

    /// The region, or `None` to leave `X-TC-Region` out (the default).
    pub fn set_region(mut self, region: Option<&'a str>) -> Self {
        self.region = region;
        self
    }

    /// The response language, sent as `X-TC-Language` (`en-US` or `zh-CN`).
    pub fn language(self, language: &'a str) -> Self {
        self.set_language(Some(language))
    }

    /// The response language, or `None` to leave `X-TC-Language` out (the default).
    pub fn set_language(mut self, language: Option<&'a str>) -> Self {
        self.language = language;
        self
    }

    /// A free-form client identifier, sent as `X-TC-RequestClient`.
    pub fn request_client(self, request_client: &'a str) -> Self {
        self.set_request_client(Some(request_client))
    }

    /// The client identifier, or `None` to leave `X-TC-RequestClient` out (the default).
    pub fn set_request_client(mut self, request_client: Option<&'a str>) -> Self {
        self.request_client = request_client;
        self
    }

    /// Checks that every required value is set and returns the parameters.
    ///
    /// Fails with a [`SigningParamsError`] that names every required value that is missing;
    /// an empty service, host, action or version counts as missing.
    pub fn build(self) -> Result<SigningParams<'a>, SigningParamsError> {
        let mut err = SigningParamsError {
            missing: [""; REQUIRED],
            len: 0,
        };
        let text = |value: Option<&'a str>| value.filter(|v| !v.is_empty());
        let method = self.method.or_else(|| err.push("method"));
        let service = text(self.service).or_else(|| err.push("service"));
        let host = text(self.host).or_else(|| err.push("host"));
        let action = text(self.action).or_else(|| err.push("action"));
        let version = text(self.version).or_else(|| err.push("version"));
        let timestamp = self.timestamp.or_else(|| err.push("timestamp"));
        let payload = self.payload.or_else(|| err.push("payload"));
        match (method, service, host, action, version, timestamp, payload) {
            (
                Some(method),
                Some(service),
                Some(host),
                Some(action),
                Some(version),
                Some(timestamp),
                Some(payload),
            ) => Ok(SigningParams {
                method,
                service,
                host,
                path: self.path.unwrap_or("/"),
                query: self.query.unwrap_or(""),
                content_type: self
                    .content_type
                    .unwrap_or_else(|| method.default_content_type()),
                action,
                version,
                region: self.region,
                timestamp,
                language: self.language,
                request_client: self.request_client,
                payload,
            }),
            _ => Err(err),
        }
    }
}

/// The number of required values in [`SigningParams`].
const REQUIRED: usize = 7;

/// Returned by [`SigningParamsBuilder::build`] when required values are missing; it names each.
///
/// ```
/// use tc_sign::{HttpMethod, SigningParams};
/// let err = SigningParams::builder()
///     .method(HttpMethod::Post)
///     .service("mongodb")
///     .action("DescribeDBInstances")
///     .version("2019-07-25")
///     .timestamp(1_700_000_000)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.missing(), ["host", "payload"]);
/// assert_eq!(
///     err.to_string(),
///     "signing parameters are incomplete: set host and payload on SigningParams::builder() \
///      (an empty string counts as missing)"
/// );
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SigningParamsError {
    missing: [&'static str; REQUIRED],
    len: usize,
}

impl SigningParamsError {
    /// The builder methods of the missing values, in the order they are checked: `method`,
    /// `service`, `host`, `action`, `version`, `timestamp`, `payload`.
    pub fn missing(&self) -> &[&'static str] {
        self.missing.get(..self.len).unwrap_or_default()
    }

    /// Records `name` as missing; returns `None` so it can end an `or_else`.
    fn push<T>(&mut self, name: &'static str) -> Option<T> {
        if let Some(slot) = self.missing.get_mut(self.len) {
            *slot = name;
            self.len += 1;
        }
        None
    }
}

impl fmt::Debug for SigningParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParamsError")
            .field("missing", &self.missing())
            .finish()
    }
}

impl fmt::Display for SigningParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signing parameters are incomplete: set ")?;
        let names = self.missing();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == names.len() { " and " } else { ", " })?;
            }
            f.write_str(name)?;
        }
        f.write_str(" on SigningParams::builder() (an empty string counts as missing)")
    }
}

impl std::error::Error for SigningParamsError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::{CONTENT_TYPE_FORM, CONTENT_TYPE_JSON};

    fn full() -> SigningParamsBuilder<'static> {
        SigningParams::builder()
            .method(HttpMethod::Get)
            .service("s")
            .host("h")
            .action("A")
            .version("V")
            .timestamp(0)
            .payload(SignableBody::EMPTY)
    }

    #[test]
    fn defaults_follow_the_method() {
        let p = full().build().unwrap();
        assert_eq!(p.content_type(), CONTENT_TYPE_FORM);
        assert_eq!((p.path(), p.query()), ("/", ""));
        assert_eq!(
            (p.region(), p.language(), p.request_client()),
            (None, None, None)
        );
        let p = full().method(HttpMethod::Post).build().unwrap();
        assert_eq!(p.content_type(), CONTENT_TYPE_JSON);
    }

    #[test]
    fn every_missing_value_is_named() {
        let err = SigningParams::builder().build().unwrap_err();
        assert_eq!(
            err.missing(),
            [
                "method",
                "service",
                "host",
                "action",
                "version",
                "timestamp",
                "payload"
            ]
        );
        assert_eq!(
            err.to_string(),
            "signing parameters are incomplete: set method, service, host, action, version, \
             timestamp and payload on SigningParams::builder() (an empty string counts as missing)"
        );
        let err = full().host("").action("").build().unwrap_err();
        assert_eq!(err.missing(), ["host", "action"]);
        assert_eq!(
            format!("{err:?}"),
            r#"SigningParamsError { missing: ["host", "action"] }"#
        );
        let err = full().version("").build().unwrap_err();
        assert_eq!(err.to_string().matches("version").count(), 1, "{err}");
        assert!(err
            .to_string()
            .starts_with("signing parameters are incomplete: set version on"));
    }

    #[test]
    fn to_builder_round_trips_and_the_last_setting_wins() {
        let p = full()
            .region("ap-guangzhou")
            .language("en-US")
            .request_client("c")
            .path("/x")
            .query("a=1")
            .content_type("text/plain")
            .build()
            .unwrap();
        assert_eq!(p.to_builder().build().unwrap(), p);
        let q = p
            .to_builder()
            .set_region(None)
            .host("other")
            .build()
            .unwrap();
        assert_eq!((q.region(), q.host()), (None, "other"));
        assert_eq!(
            q.to_builder()
                .host("h")
                .region("ap-guangzhou")
                .build()
                .unwrap(),
            p
        );
    }

    #[test]
    fn debug_shows_the_body_length_only() {
        let p = full()
            .method(HttpMethod::Post)
            .payload(SignableBody::Bytes(b"{\"Password\":\"hunter2\"}"))
            .build()
            .unwrap();
        let d = format!("{p:?}");
        assert!(!d.contains("hunter2") && d.contains("len: 22"), "{d}");
    }
}
