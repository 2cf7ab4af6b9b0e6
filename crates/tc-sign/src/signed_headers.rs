//! [`SignedHeaders`]: the headers of one signed request, borrowed where they can be.

use std::fmt;

use crate::params::SigningParams;
use crate::redact::Headers;

/// The headers of one signed request, as returned by
/// [`Signer::sign_headers`](crate::Signer::sign_headers).
///
/// Only what signing computes is owned (the `Authorization` value and the timestamp digits,
/// in one allocation); every other value is borrowed from the [`SigningParams`] and
/// [`Credentials`](crate::Credentials) it was made from. `Debug` hides the `Authorization` and
/// `X-TC-Token` values.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    pub(crate) params: &'a SigningParams<'a>,
    pub(crate) token: Option<&'a str>,
    /// The `Authorization` value followed by the `X-TC-Timestamp` digits.
    pub(crate) text: String,
    /// Length of the `Authorization` part of `text`.
    pub(crate) auth_len: usize,
}

impl<'a> SignedHeaders<'a> {
    /// The headers to send as `(name, value)`, in this order: `Host`, `Content-Type`,
    /// `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp`, then `X-TC-Region`, `X-TC-Token`,
    /// `X-TC-Language`, `X-TC-RequestClient`, `X-TC-Content-SHA256` when they apply, and
    /// `Authorization` last: the same list as
    /// [`SignedRequest::headers`](crate::SignedRequest::headers).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + Clone + '_ {
        let p = self.params;
        [
            Some(("Host", p.host())),
            Some(("Content-Type", p.content_type())),
            Some(("X-TC-Action", p.action())),
            Some(("X-TC-Version", p.version())),
            Some(("X-TC-Timestamp", self.timestamp())),
            p.region().map(|v| ("X-TC-Region", v)),
            self.token.map(|v| ("X-TC-Token", v)),
            p.language().map(|v| ("X-TC-Language", v)),
            p.request_client().map(|v| ("X-TC-RequestClient", v)),
            p.payload()
                .content_sha256_header()
                .map(|v| ("X-TC-Content-SHA256", v)),
            Some(("Authorization", self.authorization())),
        ]
        .into_iter()
        .flatten()
    }

    /// Looks up one of the headers by name, ignoring letter case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        self.text.get(..self.auth_len).unwrap_or_default()
    }

    /// The hex signature (the 64 digits that end the `Authorization` value).
    pub fn signature(&self) -> &str {
        self.text
            .get(self.auth_len - 64..self.auth_len)
            .unwrap_or_default()
    }

    /// The `X-TC-Timestamp` value.
    fn timestamp(&self) -> &str {
        self.text.get(self.auth_len..).unwrap_or_default()
    }
}

impl fmt::Debug for SignedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("headers", &Headers(self.iter()))
            .finish()
    }
}
