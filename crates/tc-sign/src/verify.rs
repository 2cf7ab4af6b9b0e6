//! Checking a received request's TC3 signature, for servers such as the emulator.

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::algorithm::{
    decode_hex32, derive_signing_key, keyed_hmac, sha256, utc_date, write_canonical_request,
    write_string_to_sign, Decimal, Hex64, ALGORITHM, TERMINATOR, UNSIGNED_PAYLOAD,
    UNSIGNED_PAYLOAD_HASH,
};
use crate::params::RedactedHeaders;

/// The clock skew the service itself tolerates: five minutes.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 300;

/// A request as a server received it, borrowed from whatever HTTP library the server uses.
#[derive(Clone, Copy)]
pub struct ReceivedRequest<'a> {
    /// Request method exactly as received, e.g. `POST`.
    pub method: &'a str,
    /// The request target: path plus `?query` if there is one, e.g. `/` or `/?Limit=1`.
    pub path_and_query: &'a str,
    /// All received headers as `(name, value)`; names are matched ignoring letter case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The request body bytes (empty for a typical GET).
    pub body: &'a [u8],
}

impl fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &RedactedHeaders(self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What a successful verification established about the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The secret id from the credential scope.
    pub secret_id: String,
    /// The service name from the credential scope.
    pub service: String,
    /// The scope date (`YYYY-MM-DD`).
    pub date: String,
    /// The request time from `X-TC-Timestamp`.
    pub timestamp: i64,
    /// The signed header names, lower-cased, in the order the client listed them.
    pub signed_headers: Vec<String>,
}

/// Why a request's signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// There is no `Authorization` header, or it is blank.
    MissingAuthorization,
    /// The `Authorization` header does not have the TC3 shape; the text says what is wrong.
    MalformedAuthorization(String),
    /// A header that is required or listed in `SignedHeaders` was not sent (its name).
    MissingHeader(String),
    /// `X-TC-Timestamp` is not a plain decimal integer.
    InvalidTimestamp,
    /// The lookup function knows no secret key for this secret id.
    UnknownSecretId(String),
    /// The date in the credential scope is not the UTC date of `X-TC-Timestamp`.
    DateMismatch {
        /// Date found in the credential scope.
        scope: String,
        /// UTC date of the request timestamp.
        timestamp_date: String,
    },
    /// The request time is further from the server's clock than allowed.
    Expired {
        /// Server time minus request time, in seconds (negative when the request is from the future).
        skew_secs: i64,
    },
    /// Everything parsed, but the signature does not match the request.
    SignatureMismatch,
}

impl VerifyError {
    /// The Tencent Cloud error code a server would answer with for this failure, e.g.
    /// `AuthFailure.SignatureExpire` for [`VerifyError::Expired`].
    pub fn suggested_error_code(&self) -> &'static str {
        match self {
            VerifyError::MissingAuthorization | VerifyError::MalformedAuthorization(_) => {
                "AuthFailure.InvalidAuthorization"
            }
            VerifyError::MissingHeader(name) if name.eq_ignore_ascii_case("x-tc-timestamp") => {
                "MissingParameter"
            }
            VerifyError::MissingHeader(_) => "AuthFailure.InvalidAuthorization",
            VerifyError::InvalidTimestamp => "InvalidParameterValue",
            VerifyError::UnknownSecretId(_) => "AuthFailure.SecretIdNotFound",
            VerifyError::Expired { .. } => "AuthFailure.SignatureExpire",
            VerifyError::DateMismatch { .. } | VerifyError::SignatureMismatch => {
                "AuthFailure.SignatureFailure"
            }
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingAuthorization => f.write_str("the Authorization header is missing"),
            VerifyError::MalformedAuthorization(why) => {
                write!(f, "the Authorization header is malformed: {why}")
            }
            VerifyError::MissingHeader(name) => write!(f, "the {name} header is missing"),
            VerifyError::InvalidTimestamp => {
                f.write_str("X-TC-Timestamp is not a Unix time in whole seconds")
            }
            VerifyError::UnknownSecretId(id) => write!(f, "secret id {id:?} is not known"),
            VerifyError::DateMismatch {
                scope,
                timestamp_date,
            } => write!(
                f,
                "credential scope date {scope} differs from the timestamp's UTC date {timestamp_date}"
            ),
            VerifyError::Expired { skew_secs } => write!(
                f,
                "the request timestamp is {} seconds {} the server clock",
                skew_secs.unsigned_abs(),
                if *skew_secs >= 0 { "behind" } else { "ahead of" }
            ),
            VerifyError::SignatureMismatch => {
                f.write_str("the signature does not match the request")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

struct ParsedAuthorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers_raw: &'a str,
    signed_headers: Vec<String>,
    signature: [u8; 32],
}

fn malformed(why: &str) -> VerifyError {
    VerifyError::MalformedAuthorization(why.to_owned())
}

fn parse_authorization(value: &str) -> Result<ParsedAuthorization<'_>, VerifyError> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| malformed("it must start with \"TC3-HMAC-SHA256 \""))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("expected Credential=…, SignedHeaders=…, Signature=…"))?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => {
                return Err(malformed(
                    "unexpected field (allowed: Credential, SignedHeaders, Signature)",
                ))
            }
        };
        if slot.replace(val.trim()).is_some() {
            return Err(malformed("a field appears twice"));
        }
    }
    let credential = credential.ok_or_else(|| malformed("Credential is missing"))?;
    let signed_headers_raw = signed.ok_or_else(|| malformed("SignedHeaders is missing"))?;
    let signature_hex = signature.ok_or_else(|| malformed("Signature is missing"))?;

    let mut scope = credential.rsplitn(4, '/');
    let (terminator, service, date, secret_id) =
        match (scope.next(), scope.next(), scope.next(), scope.next()) {
            (Some(t), Some(s), Some(d), Some(i)) => (t, s, d, i),
            _ => {
                return Err(malformed(
                    "Credential must be <SecretId>/<date>/<service>/tc3_request",
                ))
            }
        };
    if terminator != TERMINATOR {
        return Err(malformed("the credential scope must end with /tc3_request"));
    }
    if secret_id.is_empty() || service.is_empty() || date.is_empty() {
        return Err(malformed(
            "Credential has an empty secret id, date or service",
        ));
    }

    let signed_headers: Vec<String> = signed_headers_raw
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if signed_headers.iter().any(String::is_empty) {
        return Err(malformed("SignedHeaders has an empty name"));
    }
    for required in ["content-type", "host"] {
        if !signed_headers.iter().any(|h| h == required) {
            return Err(malformed(
                "SignedHeaders must include content-type and host",
            ));
        }
    }

    let sig =
        decode_hex32(signature_hex).ok_or_else(|| malformed("Signature must be 64 hex digits"))?;

    Ok(ParsedAuthorization {
        secret_id,
        date,
        service,
        signed_headers_raw,
        signed_headers,
        signature: sig,
    })
}

fn find_header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Checks the TC3-HMAC-SHA256 signature of a received request.
///
/// `lookup_secret` maps a secret id to its secret key (`None` for an unknown id). `now` is the
/// server's Unix time and `max_skew_secs` how far the request's `X-TC-Timestamp` may be from it
/// (the service allows [`DEFAULT_MAX_SKEW_SECS`]). Checks run in this order: `Authorization`
/// present and well-formed, timestamp present and valid, skew, scope date, signed headers
/// present, secret id known, and finally the signature, compared in constant time.
///
/// Any `SignedHeaders` list is accepted as long as it contains `content-type` and `host`, so
/// requests from the official SDKs (which sign `content-type;host`) verify too. The canonical
/// query string is the received query exactly as sent, the body is hashed as received, and
/// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` makes the literal `UNSIGNED-PAYLOAD` stand in for the
/// body. `X-TC-Token` is not examined here; a server that issues tokens checks it itself.
///
/// ```
/// use tc_sign::{sign, verify, Credentials, HttpMethod, ReceivedRequest, SigningParams};
/// let creds = Credentials::new("AKIDEXAMPLE", "secret")?;
/// let body = br#"{"InstanceId":"cmgo-demo0001"}"#;
/// let signed = sign(&creds, &SigningParams::new(HttpMethod::Post, "mongodb", "127.0.0.1:8080",
///     "DescribeDBBackups", "2019-07-25", 1_700_000_000, body));
/// let headers: Vec<(&str, &str)> =
///     signed.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
/// let req = ReceivedRequest { method: "POST", path_and_query: "/", headers: &headers, body };
/// let lookup = |id: &str| (id == "AKIDEXAMPLE").then(|| "secret".to_string());
/// let ok = verify(&req, &lookup, 1_700_000_030, tc_sign::DEFAULT_MAX_SKEW_SECS).unwrap();
/// assert_eq!(ok.service, "mongodb");
/// # Ok::<(), tc_sign::CredentialsError>(())
/// ```
pub fn verify(
    req: &ReceivedRequest<'_>,
    lookup_secret: &dyn Fn(&str) -> Option<String>,
    now: i64,
    max_skew_secs: i64,
) -> Result<Verified, VerifyError> {
    let auth = find_header(req.headers, "authorization")
        .filter(|v| !v.trim().is_empty())
        .ok_or(VerifyError::MissingAuthorization)?;
    let parsed = parse_authorization(auth)?;

    let ts_raw = find_header(req.headers, "x-tc-timestamp")
        .ok_or_else(|| VerifyError::MissingHeader("X-TC-Timestamp".to_owned()))?
        .trim();
    let timestamp: i64 = ts_raw.parse().map_err(|_| VerifyError::InvalidTimestamp)?;
    if ts_raw.starts_with('+') || (ts_raw.len() > 1 && ts_raw.starts_with('0')) {
        return Err(VerifyError::InvalidTimestamp);
    }

    let skew_secs = now.saturating_sub(timestamp);
    if skew_secs.unsigned_abs() > max_skew_secs.max(0).unsigned_abs() {
        return Err(VerifyError::Expired { skew_secs });
    }

    let timestamp_date = utc_date(timestamp);
    if parsed.date != timestamp_date {
        return Err(VerifyError::DateMismatch {
            scope: parsed.date.to_owned(),
            timestamp_date,
        });
    }

    let mut header_values = Vec::with_capacity(parsed.signed_headers.len());
    for name in &parsed.signed_headers {
        let value = find_header(req.headers, name)
            .ok_or_else(|| VerifyError::MissingHeader(name.clone()))?;
        header_values.push((name.as_str(), value));
    }

    let secret = Zeroizing::new(
        lookup_secret(parsed.secret_id)
            .ok_or_else(|| VerifyError::UnknownSecretId(parsed.secret_id.to_owned()))?,
    );

    let (path, query) = req
        .path_and_query
        .split_once('?')
        .unwrap_or((req.path_and_query, ""));
    let unsigned = find_header(req.headers, "x-tc-content-sha256")
        .is_some_and(|v| v.trim() == UNSIGNED_PAYLOAD);
    let body_hash;
    let hashed_payload = if unsigned {
        UNSIGNED_PAYLOAD_HASH
    } else {
        body_hash = Hex64::new(&sha256(req.body));
        body_hash.as_str()
    };

    let mut canonical = Sha256::new();
    write_canonical_request(
        &mut canonical,
        req.method,
        path,
        query.as_bytes(),
        header_values,
        parsed.signed_headers_raw,
        hashed_payload.as_bytes(),
    );
    let hashed_canonical = Hex64::new(&canonical.finalize().into());

    let key = Zeroizing::new(derive_signing_key(&secret, parsed.date, parsed.service));
    let mut mac = keyed_hmac(&*key);
    write_string_to_sign(
        &mut mac,
        &Decimal::new(timestamp),
        parsed.date.as_bytes(),
        parsed.service,
        hashed_canonical.as_bytes(),
    );
    mac.verify_slice(&parsed.signature)
        .map_err(|_| VerifyError::SignatureMismatch)?;

    Ok(Verified {
        secret_id: parsed.secret_id.to_owned(),
        service: parsed.service.to_owned(),
        date: parsed.date.to_owned(),
        timestamp,
        signed_headers: parsed.signed_headers,
    })
}
