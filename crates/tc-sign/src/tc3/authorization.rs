//! Step 4 of TC3: the `Authorization` header value.
//!
//! ```text
//! TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<names>, Signature=<hex>
//! ```

use crate::encoding::bytes_into_string;

use super::scope::{ALGORITHM, TERMINATOR};

/// Formats the `Authorization` header value from its parts.
///
/// `signed_headers` is the `;`-joined list that was signed, e.g.
/// [`DEFAULT_SIGNED_HEADERS`](crate::DEFAULT_SIGNED_HEADERS).
pub fn authorization(
    secret_id: &str,
    date: &str,
    service: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    let parts = authorization_parts(
        secret_id.as_bytes(),
        date.as_bytes(),
        service.as_bytes(),
        signed_headers.as_bytes(),
        signature.as_bytes(),
    );
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.extend_from_slice(part);
    }
    bytes_into_string(out)
}

/// The pieces of an `Authorization` value, in order.
#[inline]
pub(crate) fn authorization_parts<'p>(
    secret_id: &'p [u8],
    date: &'p [u8],
    service: &'p [u8],
    signed_headers: &'p [u8],
    signature: &'p [u8],
) -> [&'p [u8]; 13] {
    [
        ALGORITHM.as_bytes(),
        b" Credential=",
        secret_id,
        b"/",
        date,
        b"/",
        service,
        b"/",
        TERMINATOR.as_bytes(),
        b", SignedHeaders=",
        signed_headers,
        b", Signature=",
        signature,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_join_into_the_documented_form() {
        assert_eq!(
            authorization("AKID", "2024-01-02", "cvm", "content-type;host", "ab12"),
            "TC3-HMAC-SHA256 Credential=AKID/2024-01-02/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature=ab12"
        );
    }
}
