//! Signing a request: [`sign`] (no cache) and [`Signer`] (with a shared key cache), both
//! running the TC3 steps through [`sign_into`].

use std::fmt;
use std::sync::Arc;

use hmac::Mac;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::cache::KeyCache;
use crate::credentials::Credentials;
use crate::date::{UtcDate, SECONDS_PER_DAY};
use crate::encoding::{bytes_into_string, Decimal, Hex64};
use crate::hash::{keyed_hmac, HmacSha256};
use crate::params::SigningParams;
use crate::signed_headers::SignedHeaders;
use crate::signed_request::SignedRequest;
use crate::sink::{Buffered, Discard, Sink, Tee};
use crate::tc3::{
    authorization_parts, derive_signing_key, write_default_canonical_request, write_string_to_sign,
    DefaultHeaders, DEFAULT_SIGNED_HEADERS,
};

/// Signs a request, deriving the signing key from scratch.
///
/// Use a [`Signer`] when sending more than a few requests: it produces the same result but
/// derives each day's key only once. The signed headers are always
/// `content-type;host;x-tc-action`.
pub fn sign(creds: &Credentials, params: &SigningParams<'_>) -> SignedRequest {
    let date = UtcDate::of_timestamp(params.timestamp());
    let key = Zeroizing::new(derive_signing_key(
        creds.secret_key(),
        date.as_str(),
        params.service(),
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
    /// use tc_sign::{Credentials, HttpMethod, SignableBody, Signer, SigningParams};
    ///
    /// let creds = Credentials::new("AKIDEXAMPLE", "secret")?;
    /// let params = SigningParams::builder()
    ///     .method(HttpMethod::Post)
    ///     .service("mongodb")
    ///     .host("mongodb.tencentcloudapi.com")
    ///     .action("DescribeDBInstances")
    ///     .version("2019-07-25")
    ///     .timestamp(1_700_000_000)
    ///     .payload(SignableBody::Bytes(b"{}"))
    ///     .build()?;
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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
            params.timestamp().div_euclid(SECONDS_PER_DAY),
            params.service(),
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

/// [`sign_into`], keeping copies of the canonical request and string to sign.
fn sign_traced(creds: &Credentials, params: &SigningParams<'_>, mac: HmacSha256) -> SignedRequest {
    let mut canonical = Vec::with_capacity(
        200 + params.path().len()
            + params.query().len()
            + params.content_type().len()
            + params.host().len()
            + params.action().len(),
    );
    let mut string_to_sign = Vec::with_capacity(128 + params.service().len());
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
    let hashed_payload = params.payload().hash();
    let mut hasher = Sha256::new();
    {
        // Room for a typical canonical request; longer ones are hashed in several runs.
        let mut out = Tee(Buffered::<_, 256>::new(&mut hasher), canonical_copy);
        write_default_canonical_request(
            &mut out,
            params.method(),
            params.path(),
            params.query().as_bytes(),
            DefaultHeaders {
                content_type: params.content_type(),
                host: params.host(),
                action: params.action(),
            },
            hashed_payload.as_bytes(),
        );
        out.0.finish();
    }
    let hashed_canonical = Hex64::new(&hasher.finalize().into());

    // Step 2: string to sign, fed to the keyed HMAC as it is written.
    let date = UtcDate::of_timestamp(params.timestamp());
    let timestamp = Decimal::new(params.timestamp());
    {
        // Room for a string to sign with a service name of up to 70 bytes.
        let mut out = Tee(Buffered::<_, 192>::new(&mut mac), string_to_sign_copy);
        write_string_to_sign(
            &mut out,
            &timestamp,
            date.as_bytes(),
            params.service(),
            hashed_canonical.as_bytes(),
        );
        out.0.finish();
    }

    // Step 3: signature; step 4: Authorization, with the timestamp digits in the same buffer.
    let signature = Hex64::new(&mac.finalize().into_bytes().into());
    let parts = authorization_parts(
        creds.secret_id().as_bytes(),
        date.as_bytes(),
        params.service().as_bytes(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{SignableBody, EMPTY_PAYLOAD_HASH, UNSIGNED_PAYLOAD_HASH};
    use crate::method::HttpMethod;
    use crate::params::SigningParamsBuilder;

    fn creds() -> Credentials {
        Credentials::new("AKIDtest", "secretkey").unwrap()
    }

    fn base(method: HttpMethod) -> SigningParamsBuilder<'static> {
        SigningParams::builder()
            .method(method)
            .service("s")
            .host("h")
            .action("A")
            .version("V")
            .timestamp(5)
            .payload(SignableBody::EMPTY)
    }

    #[test]
    fn header_order_and_optional_headers() {
        let params = base(HttpMethod::Post)
            .service("mongodb")
            .host("h:8080")
            .region("ap-guangzhou")
            .language("en-US")
            .request_client("tc-sign-test")
            .payload(SignableBody::UnsignedPayload)
            .build()
            .unwrap();
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
        let plain = sign(&creds(), &base(HttpMethod::Post).build().unwrap());
        assert_eq!(plain.headers.len(), 6);
    }

    #[test]
    fn debug_hides_authorization_and_token() {
        let c = creds().with_token("sessiontoken").unwrap();
        let params = base(HttpMethod::Get).query("a=1").build().unwrap();
        let s = sign(&c, &params);
        let d = format!("{s:?}");
        assert!(!d.contains("sessiontoken"), "{d}");
        assert!(!d.contains(&s.signature[..]), "{d}");
        assert!(!d.contains("Credential="), "{d}");
        let signer = Signer::new();
        let fast = signer.sign_headers(&c, &params);
        let d = format!("{fast:?}");
        assert!(
            !d.contains("sessiontoken") && !d.contains("Credential="),
            "{d}"
        );
        assert!(d.contains(r#"("Host", "h")"#), "{d}");
        assert_eq!(format!("{signer:?}"), "Signer { cached_keys: 1 }");
    }

    #[test]
    fn get_signs_the_query_and_the_empty_payload_hash() {
        let params = base(HttpMethod::Get)
            .host("H")
            .action("Act")
            .query("B=2&A=1")
            .build()
            .unwrap();
        let s = sign(&creds(), &params);
        assert_eq!(
            s.canonical_request,
            format!(
                "GET\n/\nB=2&A=1\ncontent-type:application/x-www-form-urlencoded\nhost:h\n\
                 x-tc-action:act\n\ncontent-type;host;x-tc-action\n{EMPTY_PAYLOAD_HASH}"
            )
        );
    }

    #[test]
    fn a_precomputed_hash_signs_like_the_bytes_it_hashes() {
        let body = br#"{"InstanceId":"cmgo-1"}"#;
        let bytes = base(HttpMethod::Post)
            .payload(SignableBody::Bytes(body))
            .build()
            .unwrap();
        let digest: [u8; 32] = Sha256::digest(body).into();
        let pre = bytes
            .to_builder()
            .payload(SignableBody::Precomputed(digest))
            .build()
            .unwrap();
        assert_eq!(sign(&creds(), &bytes), sign(&creds(), &pre));
        assert_eq!(sign(&creds(), &pre).header("X-TC-Content-SHA256"), None);
    }
}
