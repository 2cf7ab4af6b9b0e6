//! Signing a request: [`sign`] (no cache), [`Signer`] (with a shared key cache), and the
//! allocation-light [`SignedHeaders`] that [`Signer::sign_headers`] returns.

use std::fmt;
use std::sync::Arc;

use hmac::Mac;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::algorithm::{
    authorization_parts, bytes_into_string, derive_signing_key, keyed_hmac, put_lowercase, trim,
    write_string_to_sign, Buffered, Decimal, Discard, Hex64, HmacSha256, Sink, Tee, UtcDate,
    DEFAULT_SIGNED_HEADERS, EMPTY_PAYLOAD_HASH, SECONDS_PER_DAY, UNSIGNED_PAYLOAD,
    UNSIGNED_PAYLOAD_HASH,
};
use crate::cache::KeyCache;
use crate::credentials::Credentials;
use crate::params::{is_sensitive_header, HttpMethod, SignedRequest, SigningParams};

/// Signs a request, deriving the signing key from scratch.
///
/// Use a [`Signer`] when sending more than a few requests: it produces the same result but
/// derives each day's key only once. The signed headers are always
/// `content-type;host;x-tc-action`.
pub fn sign(creds: &Credentials, params: &SigningParams<'_>) -> SignedRequest {
    let date = UtcDate::of_timestamp(params.timestamp);
    let key = Zeroizing::new(derive_signing_key(
        creds.secret_key(),
        date.as_str(),
        params.service,
    ));
    sign_traced(creds, params, keyed_hmac(&*key))
}

/// Signs requests and keeps the derived signing keys in a cache.
///
/// Keys are cached by (secret key, UTC date, service); the cache is small, drops keys of past
/// days, and zeroes the secret and derived keys it drops. What it actually keeps per key is an
/// HMAC-SHA256 state already keyed with it, so signing with a warm cache runs no key schedule.
/// Cloning a `Signer` is cheap and the clones share one cache, so one `Signer` can serve every
/// thread of a client. `Debug` shows only how many keys are cached.
///
/// [`Signer::sign_headers`] is the fast path for sending requests: it produces every header with
/// a single allocation. [`Signer::sign`] returns the same headers plus every intermediate value,
/// for debugging.
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
    ///
    /// This keeps the canonical request and string to sign for inspection; to send a request,
    /// [`Signer::sign_headers`] does the same work with less allocation.
    pub fn sign(&self, creds: &Credentials, params: &SigningParams<'_>) -> SignedRequest {
        sign_traced(creds, params, self.keyed_mac(creds, params))
    }

    /// Signs a request and returns just the headers to send: the fast path for HTTP clients.
    ///
    /// The canonical request and the string to sign are streamed straight into SHA-256 and the
    /// cached HMAC instead of being assembled, and the result borrows every header value it can
    /// from `params` and `creds`: the one allocation is the `Authorization` value. The headers
    /// ([`SignedHeaders::iter`]) are exactly [`SignedRequest::headers`] of [`Signer::sign`], in
    /// the same order.
    ///
    /// ```
    /// use tc_sign::{Credentials, HttpMethod, Signer, SigningParams};
    ///
    /// let creds = Credentials::new("AKIDEXAMPLE", "secret")?;
    /// let params = SigningParams::new(HttpMethod::Post, "mongodb", "mongodb.tencentcloudapi.com",
    ///     "DescribeDBInstances", "2019-07-25", 1_700_000_000, b"{}");
    /// let signer = Signer::new();
    /// let headers = signer.sign_headers(&creds, &params);
    /// for (name, value) in headers.iter() {
    ///     // request = request.header(name, value);
    /// #   let _ = (name, value);
    /// }
    /// assert_eq!(headers.header("x-tc-timestamp"), Some("1700000000"));
    /// let full = signer.sign(&creds, &params);
    /// assert_eq!(headers.authorization(), full.authorization);
    /// let owned: Vec<(String, String)> =
    ///     headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    /// assert_eq!(owned, full.headers);
    /// # Ok::<(), tc_sign::CredentialsError>(())
    /// ```
    pub fn sign_headers<'a>(
        &self,
        creds: &'a Credentials,
        params: &'a SigningParams<'a>,
    ) -> SignedHeaders<'a> {
        sign_into(
            creds,
            params,
            self.keyed_mac(creds, params),
            Discard,
            Discard,
        )
    }

    /// Number of signing keys currently cached.
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    /// Forgets every cached key, e.g. after credentials were rotated.
    pub fn clear_cache(&self) {
        self.cache.clear();
    }

    #[inline]
    fn keyed_mac(&self, creds: &Credentials, params: &SigningParams<'_>) -> HmacSha256 {
        self.cache.get(
            creds.secret_key(),
            params.timestamp.div_euclid(SECONDS_PER_DAY),
            params.service,
        )
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("cached_keys", &self.cached_keys())
            .finish()
    }
}

/// The headers of one signed request, as returned by [`Signer::sign_headers`].
///
/// Only what signing computes is owned (the `Authorization` value and the timestamp digits,
/// in one allocation); every other value is borrowed from the [`SigningParams`] and
/// [`Credentials`] it was made from. `Debug` hides the `Authorization` and `X-TC-Token` values.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    params: &'a SigningParams<'a>,
    token: Option<&'a str>,
    /// The `Authorization` value followed by the `X-TC-Timestamp` digits.
    text: String,
    /// Length of the `Authorization` part of `text`.
    auth_len: usize,
}

impl<'a> SignedHeaders<'a> {
    /// The headers to send as `(name, value)`, in this order: `Host`, `Content-Type`,
    /// `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp`, then `X-TC-Region`, `X-TC-Token`,
    /// `X-TC-Language`, `X-TC-RequestClient`, `X-TC-Content-SHA256` when they apply, and
    /// `Authorization` last: the same list as [`SignedRequest::headers`].
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let p = self.params;
        [
            Some(("Host", p.host)),
            Some(("Content-Type", p.content_type)),
            Some(("X-TC-Action", p.action)),
            Some(("X-TC-Version", p.version)),
            Some(("X-TC-Timestamp", self.timestamp())),
            p.region.map(|v| ("X-TC-Region", v)),
            self.token.map(|v| ("X-TC-Token", v)),
            p.language.map(|v| ("X-TC-Language", v)),
            p.request_client.map(|v| ("X-TC-RequestClient", v)),
            p.unsigned_payload
                .then_some(("X-TC-Content-SHA256", UNSIGNED_PAYLOAD)),
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
        struct Redacted<'h, 'a>(&'h SignedHeaders<'a>);
        impl fmt::Debug for Redacted<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(n, v)| {
                        (
                            n,
                            if is_sensitive_header(n) {
                                "** redacted **"
                            } else {
                                v
                            },
                        )
                    }))
                    .finish()
            }
        }
        f.debug_struct("SignedHeaders")
            .field("headers", &Redacted(self))
            .finish()
    }
}

/// [`sign_into`], keeping copies of the canonical request and string to sign.
fn sign_traced(creds: &Credentials, params: &SigningParams<'_>, mac: HmacSha256) -> SignedRequest {
    let mut canonical = Vec::with_capacity(
        200 + params.path.len()
            + params.content_type.len()
            + params.host.len()
            + params.action.len()
            + match params.method {
                HttpMethod::Get => params.payload.len(),
                HttpMethod::Post => 0,
            },
    );
    let mut string_to_sign = Vec::with_capacity(128 + params.service.len());
    let signed = sign_into(creds, params, mac, &mut canonical, &mut string_to_sign);
    let headers = signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let signature = signed.signature().to_owned();
    let mut authorization = signed.text;
    authorization.truncate(signed.auth_len);
    SignedRequest {
        headers,
        canonical_request: bytes_into_string(canonical),
        string_to_sign: bytes_into_string(string_to_sign),
        signature,
        authorization,
    }
}

/// Signs with `mac` (keyed with the signing key), streaming the canonical request into SHA-256
/// and the string to sign into `mac`; the two texts are also written to the given sinks.
#[inline]
fn sign_into<'a>(
    creds: &'a Credentials,
    params: &'a SigningParams<'a>,
    mut mac: HmacSha256,
    canonical_copy: impl Sink,
    string_to_sign_copy: impl Sink,
) -> SignedHeaders<'a> {
    // Step 1: canonical request, hashed as it is written.
    let body_hash;
    let (query, hashed_payload): (&[u8], &[u8]) = match (params.method, params.unsigned_payload) {
        (HttpMethod::Post, false) => {
            body_hash = Hex64::new(&Sha256::digest(params.payload).into());
            (b"", body_hash.as_bytes())
        }
        (HttpMethod::Post, true) => (b"", UNSIGNED_PAYLOAD_HASH.as_bytes()),
        (HttpMethod::Get, false) => (params.payload, EMPTY_PAYLOAD_HASH.as_bytes()),
        (HttpMethod::Get, true) => (params.payload, UNSIGNED_PAYLOAD_HASH.as_bytes()),
    };
    let mut hasher = Sha256::new();
    {
        // Room for a typical canonical request; longer ones are hashed in several runs.
        let mut out = Tee(Buffered::<_, 256>::new(&mut hasher), canonical_copy);
        write_default_canonical_request(&mut out, params, query, hashed_payload);
        out.0.finish();
    }
    let hashed_canonical = Hex64::new(&hasher.finalize().into());

    // Step 2: string to sign, fed to the keyed HMAC as it is written.
    let date = UtcDate::of_timestamp(params.timestamp);
    let timestamp = Decimal::new(params.timestamp);
    {
        // Room for a string to sign with a service name of up to 70 bytes.
        let mut out = Tee(Buffered::<_, 192>::new(&mut mac), string_to_sign_copy);
        write_string_to_sign(
            &mut out,
            &timestamp,
            date.as_bytes(),
            params.service,
            hashed_canonical.as_bytes(),
        );
        out.0.finish();
    }

    // Step 3: signature; step 4: Authorization, with the timestamp digits in the same buffer.
    let signature = Hex64::new(&mac.finalize().into_bytes().into());
    let parts = authorization_parts(
        creds.secret_id().as_bytes(),
        date.as_bytes(),
        params.service.as_bytes(),
        DEFAULT_SIGNED_HEADERS.as_bytes(),
        signature.as_bytes(),
    );
    let auth_len = parts.iter().map(|p| p.len()).sum();
    let mut text = Vec::with_capacity(auth_len + timestamp.as_bytes().len());
    for part in parts {
        text.extend_from_slice(part);
    }
    text.extend_from_slice(timestamp.as_bytes());

    SignedHeaders {
        params,
        token: creds.token(),
        text: bytes_into_string(text),
        auth_len,
    }
}

/// `write_canonical_request` specialised to the default signed headers, with the constant
/// text between the values merged into as few pieces as possible.
#[inline(always)]
fn write_default_canonical_request(
    out: &mut impl Sink,
    params: &SigningParams<'_>,
    query: &[u8],
    hashed_payload: &[u8],
) {
    out.put(match params.method {
        HttpMethod::Post => b"POST\n",
        HttpMethod::Get => b"GET\n",
    });
    if params.path.is_empty() || params.path == "/" {
        out.put(b"/\n");
    } else {
        out.put(params.path.as_bytes());
        out.put(b"\n");
    }
    out.put(query);
    out.put(b"\ncontent-type:");
    put_lowercase(out, trim(params.content_type));
    out.put(b"\nhost:");
    put_lowercase(out, trim(params.host));
    out.put(b"\nx-tc-action:");
    put_lowercase(out, trim(params.action));
    out.put(b"\n\ncontent-type;host;x-tc-action\n");
    out.put(hashed_payload);
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
