//! What goes into a signature ([`SigningParams`]) and what comes out ([`SignedRequest`]).

use std::fmt;
use std::str::FromStr;

/// `Content-Type` sent with a POST request's JSON body.
pub const CONTENT_TYPE_JSON: &str = "application/json";

/// `Content-Type` sent with a GET request, whose parameters travel in the query string.
pub const CONTENT_TYPE_FORM: &str = "application/x-www-form-urlencoded";

/// The two HTTP methods Tencent Cloud API 3.0 accepts with TC3 signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// Parameters in a JSON body (the default and the recommended form).
    #[default]
    Post,
    /// Parameters flattened into the URL query string.
    Get,
}

impl HttpMethod {
    /// The method as it appears on the request line: `"POST"` or `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Get => "GET",
        }
    }

    /// The `Content-Type` this crate sends for the method by default.
    pub fn default_content_type(self) -> &'static str {
        match self {
            HttpMethod::Post => CONTENT_TYPE_JSON,
            HttpMethod::Get => CONTENT_TYPE_FORM,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HttpMethod {
    type Err = ParseHttpMethodError;

    /// Accepts `POST` or `GET` in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("POST") {
            Ok(HttpMethod::Post)
        } else if s.eq_ignore_ascii_case("GET") {
            Ok(HttpMethod::Get)
        } else {
            Err(ParseHttpMethodError(s.to_owned()))
        }
    }
}

/// Returned when a string is neither `POST` nor `GET`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseHttpMethodError(String);

impl fmt::Display for ParseHttpMethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported HTTP method {:?}: use POST or GET", self.0)
    }
}

impl std::error::Error for ParseHttpMethodError {}

/// Everything about one API call that the signature covers or that becomes a header.
///
/// It is plain borrowed data with no HTTP types, so any HTTP client can be adapted to it.
/// Start from [`SigningParams::new`] and set the optional fields with struct update syntax:
///
/// ```
/// use tc_sign::{HttpMethod, SigningParams};
/// let params = SigningParams {
///     region: Some("ap-guangzhou"),
///     ..SigningParams::new(HttpMethod::Post, "mongodb", "mongodb.tencentcloudapi.com",
///                          "DescribeDBInstances", "2019-07-25", 1_700_000_000, b"{}")
/// };
/// assert_eq!(params.content_type, "application/json");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningParams<'a> {
    /// POST (body) or GET (query string).
    pub method: HttpMethod,
    /// Service name used in the credential scope, e.g. `mongodb`.
    pub service: &'a str,
    /// The `Host` header value; may carry a `:port`.
    pub host: &'a str,
    /// Request path; the API uses `/`.
    pub path: &'a str,
    /// The `Content-Type` header value.
    pub content_type: &'a str,
    /// API action name, sent as `X-TC-Action`, e.g. `CreateBackupDBInstance`.
    pub action: &'a str,
    /// API version, sent as `X-TC-Version`, e.g. `2019-07-25`.
    pub version: &'a str,
    /// Region sent as `X-TC-Region`; `None` leaves the header out.
    pub region: Option<&'a str>,
    /// Unix time of the request in seconds (`X-TC-Timestamp`); its UTC date scopes the key.
    pub timestamp: i64,
    /// Response language sent as `X-TC-Language` (`en-US` or `zh-CN`).
    pub language: Option<&'a str>,
    /// Free-form client identifier sent as `X-TC-RequestClient`.
    pub request_client: Option<&'a str>,
    /// For POST the exact body bytes; for GET the exact query string as sent, without `?`.
    pub payload: &'a [u8],
    /// Sign the literal `UNSIGNED-PAYLOAD` instead of the body and send
    /// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`, as the official SDKs do.
    pub unsigned_payload: bool,
}

impl<'a> SigningParams<'a> {
    /// Creates parameters with path `/`, the method's default content type, and no region,
    /// language, request client or unsigned payload.
    pub fn new(
        method: HttpMethod,
        service: &'a str,
        host: &'a str,
        action: &'a str,
        version: &'a str,
        timestamp: i64,
        payload: &'a [u8],
    ) -> Self {
        SigningParams {
            method,
            service,
            host,
            path: "/",
            content_type: method.default_content_type(),
            action,
            version,
            region: None,
            timestamp,
            language: None,
            request_client: None,
            payload,
            unsigned_payload: false,
        }
    }
}

/// The result of signing: the headers to send plus the intermediate values.
///
/// The intermediate values help when the service answers `AuthFailure.SignatureFailure`:
/// compare them with what another implementation computes. `Debug` hides the signature and
/// the `Authorization` and `X-TC-Token` values (read the fields directly when you need them).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// Headers to send, in this order: `Host`, `Content-Type`, `X-TC-Action`, `X-TC-Version`,
    /// `X-TC-Timestamp`, then `X-TC-Region`, `X-TC-Token`, `X-TC-Language`,
    /// `X-TC-RequestClient`, `X-TC-Content-SHA256` when they apply, and `Authorization` last.
    pub headers: Vec<(String, String)>,
    /// Step 1: the canonical request that was hashed.
    pub canonical_request: String,
    /// Step 2: the string the signing key signed.
    pub string_to_sign: String,
    /// Step 3: the hex signature.
    pub signature: String,
    /// The `Authorization` header value (also the last entry of `headers`).
    pub authorization: String,
}

impl SignedRequest {
    /// Looks up one of the produced headers by name, ignoring letter case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether a header carries a credential and must never be shown in logs or `Debug` output.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("x-tc-token")
}

pub(crate) struct RedactedHeaders<'h, N, V>(pub(crate) &'h [(N, V)]);

impl<N: AsRef<str>, V: AsRef<str>> fmt::Debug for RedactedHeaders<'_, N, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, v)| {
                let n = n.as_ref();
                let v = if is_sensitive_header(n) {
                    "** redacted **"
                } else {
                    v.as_ref()
                };
                (n, v)
            }))
            .finish()
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("headers", &RedactedHeaders(&self.headers))
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"** redacted **")
            .field("authorization", &"** redacted **")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_basics() {
        assert_eq!(HttpMethod::default(), HttpMethod::Post);
        assert_eq!(HttpMethod::Get.as_str(), "GET");
        assert_eq!("get".parse::<HttpMethod>().unwrap(), HttpMethod::Get);
        assert_eq!("Post".parse::<HttpMethod>().unwrap(), HttpMethod::Post);
        assert!("PUT"
            .parse::<HttpMethod>()
            .unwrap_err()
            .to_string()
            .contains("POST or GET"));
    }

    #[test]
    fn new_picks_content_type_by_method() {
        let p = SigningParams::new(HttpMethod::Get, "s", "h", "A", "V", 0, b"");
        assert_eq!(p.content_type, CONTENT_TYPE_FORM);
        assert_eq!(p.path, "/");
        assert!(p.region.is_none() && !p.unsigned_payload);
    }
}
