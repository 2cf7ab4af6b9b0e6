//! Signing a request: [`sign`] (no cache) and [`Signer`] (with a shared key cache).

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::algorithm::{
    bytes_into_string, derive_signing_key, hmac_bytes, push_utc_date, sha256,
    write_canonical_request, write_string_to_sign, Hex64, ALGORITHM, DEFAULT_SIGNED_HEADERS,
    EMPTY_PAYLOAD_HASH, TERMINATOR, UNSIGNED_PAYLOAD, UNSIGNED_PAYLOAD_HASH,
};
use crate::cache::KeyCache;
use crate::credentials::Credentials;
use crate::params::{HttpMethod, SignedRequest, SigningParams};

const SECONDS_PER_DAY: i64 = 86_400;

/// Signs a request, deriving the signing key from scratch.
///
/// Use a [`Signer`] when sending more than a few requests: it produces the same result but
/// derives each day's key only once. The signed headers are always
/// `content-type;host;x-tc-action`.
pub fn sign(creds: &Credentials, params: &SigningParams<'_>) -> SignedRequest {
    sign_with(creds, params, |date, _day| {
        Zeroizing::new(derive_signing_key(creds.secret_key(), date, params.service))
    })
}

/// Signs requests and keeps the derived signing keys in a cache.
///
/// Keys are cached by (secret key, UTC date, service); the cache is small, drops keys of past
/// days, and zeroes what it drops. Cloning a `Signer` is cheap and the clones share one cache, so
/// one `Signer` can serve every thread of a client. `Debug` shows only how many keys are cached.
#[derive(Clone, Default)]
pub struct Signer {
    cache: Arc<KeyCache>,
}

impl Signer {
    /// Creates a signer with an empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs a request; the result is identical to [`sign`]'s.
    pub fn sign(&self, creds: &Credentials, params: &SigningParams<'_>) -> SignedRequest {
        sign_with(creds, params, |date, day| {
            self.cache
                .get(creds.secret_key(), day, date, params.service)
        })
    }

    /// Number of signing keys currently cached.
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    /// Forgets every cached key, e.g. after credentials were rotated.
    pub fn clear_cache(&self) {
        self.cache.clear();
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("cached_keys", &self.cached_keys())
            .finish()
    }
}

fn sign_with(
    creds: &Credentials,
    params: &SigningParams<'_>,
    signing_key: impl FnOnce(&str, i64) -> Zeroizing<[u8; 32]>,
) -> SignedRequest {
    // Step 1: canonical request.
    let body_hash;
    let (query, hashed_payload): (&[u8], &str) = match (params.method, params.unsigned_payload) {
        (HttpMethod::Post, false) => {
            body_hash = Hex64::new(&sha256(params.payload));
            (b"", body_hash.as_str())
        }
        (HttpMethod::Post, true) => (b"", UNSIGNED_PAYLOAD_HASH),
        (HttpMethod::Get, false) => (params.payload, EMPTY_PAYLOAD_HASH),
        (HttpMethod::Get, true) => (params.payload, UNSIGNED_PAYLOAD_HASH),
    };
    let mut canonical = Vec::with_capacity(
        160 + query.len() + params.content_type.len() + params.host.len() + params.action.len(),
    );
    write_canonical_request(
        &mut canonical,
        params.method.as_str(),
        params.path,
        query,
        [
            ("content-type", params.content_type),
            ("host", params.host),
            ("x-tc-action", params.action),
        ],
        DEFAULT_SIGNED_HEADERS,
        hashed_payload,
    );
    let hashed_canonical = Hex64::new(&sha256(&canonical));
    let canonical_request = bytes_into_string(canonical);

    // Step 2: string to sign.
    let mut date = String::with_capacity(10);
    push_utc_date(&mut date, params.timestamp);
    let mut string_to_sign = String::with_capacity(128 + params.service.len());
    write_string_to_sign(
        &mut string_to_sign,
        params.timestamp,
        &date,
        params.service,
        hashed_canonical.as_str(),
    );

    // Step 3: signature.
    let key = signing_key(&date, params.timestamp.div_euclid(SECONDS_PER_DAY));
    let signature = Hex64::new(&hmac_bytes(&*key, string_to_sign.as_bytes()))
        .as_str()
        .to_owned();

    // Step 4: Authorization.
    let secret_id = creds.secret_id();
    let mut authorization =
        String::with_capacity(ALGORITHM.len() + secret_id.len() + params.service.len() + 130);
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(secret_id);
    authorization.push('/');
    authorization.push_str(&date);
    authorization.push('/');
    authorization.push_str(params.service);
    authorization.push('/');
    authorization.push_str(TERMINATOR);
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(DEFAULT_SIGNED_HEADERS);
    authorization.push_str(", Signature=");
    authorization.push_str(&signature);

    let mut headers = Vec::with_capacity(11);
    let mut add = |name: &str, value: &str| headers.push((name.to_owned(), value.to_owned()));
    add("Host", params.host);
    add("Content-Type", params.content_type);
    add("X-TC-Action", params.action);
    add("X-TC-Version", params.version);
    add("X-TC-Timestamp", &params.timestamp.to_string());
    if let Some(region) = params.region {
        add("X-TC-Region", region);
    }
    if let Some(token) = creds.token() {
        add("X-TC-Token", token);
    }
    if let Some(language) = params.language {
        add("X-TC-Language", language);
    }
    if let Some(client) = params.request_client {
        add("X-TC-RequestClient", client);
    }
    if params.unsigned_payload {
        add("X-TC-Content-SHA256", UNSIGNED_PAYLOAD);
    }
    add("Authorization", &authorization);

    SignedRequest {
        headers,
        canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::new("AKIDtest", "secretkey").unwrap()
    }

    #[test]
    fn header_order_and_optional_headers() {
        let params = SigningParams {
            region: Some("ap-guangzhou"),
            language: Some("en-US"),
            request_client: Some("tc-sign-test"),
            unsigned_payload: true,
            ..SigningParams::new(HttpMethod::Post, "mongodb", "h:8080", "A", "V", 5, b"{}")
        };
        let c = creds().with_token("tok").unwrap();
        let s = sign(&c, &params);
        let names: Vec<&str> = s.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Host",
                "Content-Type",
                "X-TC-Action",
                "X-TC-Version",
                "X-TC-Timestamp",
                "X-TC-Region",
                "X-TC-Token",
                "X-TC-Language",
                "X-TC-RequestClient",
                "X-TC-Content-SHA256",
                "Authorization"
            ]
        );
        assert_eq!(s.header("x-tc-content-sha256"), Some("UNSIGNED-PAYLOAD"));
        assert_eq!(s.header("host"), Some("h:8080"));
        assert!(s.canonical_request.ends_with(UNSIGNED_PAYLOAD_HASH));
        let plain = sign(
            &creds(),
            &SigningParams::new(HttpMethod::Post, "s", "h", "A", "V", 5, b""),
        );
        assert_eq!(plain.headers.len(), 6);
    }

    #[test]
    fn debug_hides_authorization_and_token() {
        let c = creds().with_token("sessiontoken").unwrap();
        let s = sign(
            &c,
            &SigningParams::new(HttpMethod::Get, "s", "h", "A", "V", 5, b"a=1"),
        );
        let d = format!("{s:?}");
        assert!(!d.contains("sessiontoken"), "{d}");
        assert!(!d.contains(&s.signature[..]), "{d}");
        assert!(!d.contains("Credential="), "{d}");
        let signer = Signer::new();
        signer.sign(
            &c,
            &SigningParams::new(HttpMethod::Get, "s", "h", "A", "V", 5, b"a=1"),
        );
        assert_eq!(format!("{signer:?}"), "Signer { cached_keys: 1 }");
    }

    #[test]
    fn get_uses_query_and_empty_payload_hash() {
        let s = sign(
            &creds(),
            &SigningParams::new(HttpMethod::Get, "s", "H", "Act", "V", 5, b"B=2&A=1"),
        );
        assert_eq!(
            s.canonical_request,
            format!(
                "GET\n/\nB=2&A=1\ncontent-type:application/x-www-form-urlencoded\nhost:h\n\
                 x-tc-action:act\n\ncontent-type;host;x-tc-action\n{EMPTY_PAYLOAD_HASH}"
            )
        );
    }
}
