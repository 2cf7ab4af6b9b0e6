//! What [`Signer::sign`](crate::Signer::sign) returns: the headers to send plus every
//! intermediate value of the signature.

use std::fmt;

use crate::redact::{header_slice, Redacted};

/// The result of signing: the headers to send plus the intermediate values.
///
/// The intermediate values help when the service answers `AuthFailure.SignatureFailure`:
/// compare them with what another implementation computes. `Debug` hides the signature and
/// the `Authorization` and `X-TC-Token` values (read the fields directly when you need them).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
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

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("headers", &header_slice(&self.headers))
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &Redacted)
            .field("authorization", &Redacted)
            .finish()
    }
}
