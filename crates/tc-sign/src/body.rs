//! What the signature says about the request body: [`SignableBody`], and the payload hash that
//! ends the canonical request.

use std::fmt;

use crate::encoding::Hex64;
use crate::hash::sha256;

/// Literal value of the `X-TC-Content-SHA256` header that asks the service not to check the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Hex SHA-256 of the empty string (the payload hash of a request without a body, e.g. a GET).
pub(crate) const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Hex SHA-256 of `UNSIGNED-PAYLOAD` (the payload hash when the body is left unsigned).
pub(crate) const UNSIGNED_PAYLOAD_HASH: &str =
    "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

/// The request body as the signature covers it.
///
/// `Debug` shows a body's length, never its bytes: a request body can carry passwords.
///
/// ```
/// use tc_sign::SignableBody;
/// let body = br#"{"Limit":1}"#;
/// assert_eq!(format!("{:?}", SignableBody::Bytes(body)), "Bytes { len: 11 }");
/// assert_eq!(SignableBody::EMPTY, SignableBody::Bytes(b""));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignableBody<'a> {
    /// The exact bytes sent as the body, hashed into the signature. A GET sends no body:
    /// use [`SignableBody::EMPTY`] (its parameters go in the query string instead).
    Bytes(&'a [u8]),
    /// Leave the body out of the signature: the literal `UNSIGNED-PAYLOAD` is hashed in its
    /// place and the request carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`, an option the
    /// official Go, Python and Java SDKs offer for large bodies.
    UnsignedPayload,
    /// The SHA-256 digest of the body, computed by the caller (for example while streaming it
    /// from disk). The signature is the same as for [`SignableBody::Bytes`] of that body.
    Precomputed([u8; 32]),
}

impl SignableBody<'_> {
    /// No body: what a GET request signs.
    pub const EMPTY: SignableBody<'static> = SignableBody::Bytes(&[]);

    /// The hex payload hash that ends the canonical request.
    #[inline]
    pub(crate) fn hash(&self) -> PayloadHash {
        match self {
            SignableBody::Bytes([]) => PayloadHash::Known(EMPTY_PAYLOAD_HASH),
            SignableBody::Bytes(bytes) => PayloadHash::Computed(Hex64::new(&sha256(bytes))),
            SignableBody::UnsignedPayload => PayloadHash::Known(UNSIGNED_PAYLOAD_HASH),
            SignableBody::Precomputed(digest) => PayloadHash::Computed(Hex64::new(digest)),
        }
    }

    /// The `X-TC-Content-SHA256` header this body needs, if any.
    #[inline]
    pub(crate) fn content_sha256_header(&self) -> Option<&'static str> {
        matches!(self, SignableBody::UnsignedPayload).then_some(UNSIGNED_PAYLOAD)
    }
}

impl fmt::Debug for SignableBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignableBody::Bytes(bytes) => {
                f.debug_struct("Bytes").field("len", &bytes.len()).finish()
            }
            SignableBody::UnsignedPayload => f.write_str("UnsignedPayload"),
            SignableBody::Precomputed(digest) => f
                .debug_tuple("Precomputed")
                .field(&Hex64::new(digest).as_str())
                .finish(),
        }
    }
}

/// A payload hash in hex: one of the constants, or computed on the stack.
pub(crate) enum PayloadHash {
    Known(&'static str),
    Computed(Hex64),
}

impl PayloadHash {
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadHash::Known(hex) => hex.as_bytes(),
            PayloadHash::Computed(hex) => hex.as_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256_hex;

    fn hex(body: SignableBody<'_>) -> String {
        String::from_utf8(body.hash().as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn every_form_hashes_as_the_service_expects() {
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_HASH);
        assert_eq!(
            sha256_hex(UNSIGNED_PAYLOAD.as_bytes()),
            UNSIGNED_PAYLOAD_HASH
        );
        assert_eq!(hex(SignableBody::EMPTY), EMPTY_PAYLOAD_HASH);
        assert_eq!(hex(SignableBody::Bytes(b"{}")), sha256_hex(b"{}"));
        assert_eq!(hex(SignableBody::UnsignedPayload), UNSIGNED_PAYLOAD_HASH);
        assert_eq!(
            hex(SignableBody::Precomputed(sha256(b"{}"))),
            sha256_hex(b"{}")
        );
        assert_eq!(
            SignableBody::UnsignedPayload.content_sha256_header(),
            Some(UNSIGNED_PAYLOAD)
        );
        assert_eq!(SignableBody::EMPTY.content_sha256_header(), None);
    }

    #[test]
    fn debug_never_shows_the_body() {
        let d = format!("{:?}", SignableBody::Bytes(b"{\"Password\":\"hunter2\"}"));
        assert_eq!(d, "Bytes { len: 22 }");
        assert_eq!(
            format!("{:?}", SignableBody::UnsignedPayload),
            "UnsignedPayload"
        );
    }
}
