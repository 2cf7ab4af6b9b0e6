//! Checking a received request's TC3 signature the way the service does, for servers such as
//! the emulator: whatever the official SDK that signed it.

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::body::{SignableBody, UNSIGNED_PAYLOAD};
use crate::date::utc_date;
use crate::encoding::{decode_hex32, Decimal, Hex64};
use crate::hash::keyed_hmac;
use crate::redact::header_slice;
use crate::tc3::{
    derive_signing_key, write_canonical_request, write_string_to_sign, ALGORITHM, TERMINATOR,
};
use crate::verify_error::VerifyError;

/// The clock skew the service itself tolerates: five minutes.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 300;

/// Headers every signature must cover, whatever else a client lists in `SignedHeaders`.
const REQUIRED_SIGNED_HEADERS: [&str; 2] = ["content-type", "host"];

/// A request as a server received it, borrowed from whatever HTTP library the server uses.
///
/// `Debug` hides the `Authorization` and `X-TC-Token` values and shows the body's length only.
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
            .field("headers", &header_slice(self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What a successful verification established about the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    if let Some(unsigned) = REQUIRED_SIGNED_HEADERS
        .iter()
        .find(|required| !signed_headers.iter().any(|h| h == *required))
    {
        return Err(VerifyError::UnsignedRequiredHeader((*unsigned).to_owned()));
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

/// The `Host` value without its `:port`, or `None` when it has no port.
///
/// Some clients send `Host: example.com:8080` but sign `host:example.com` (the official Node.js
/// SDK signs the URL's host name, without the port). IPv6 literals keep their brackets.
fn host_without_port(host: &str) -> Option<&str> {
    let host = host.trim();
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')? + 1;
        (host.get(..end)?, host.get(end..)?.strip_prefix(':')?)
    } else {
        let (name, port) = host.rsplit_once(':')?;
        // An IPv6 address without brackets has no port to strip.
        (!name.contains(':')).then_some((name, port))?
    };
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
        .then_some(name)
}

/// Checks the TC3-HMAC-SHA256 signature of a received request, as the service does.
///
/// `lookup_secret` maps a secret id to its secret key (`None` for an unknown id). `now` is the
/// server's Unix time and `max_skew_secs` how far the request's `X-TC-Timestamp` may be from it
/// (the service allows [`DEFAULT_MAX_SKEW_SECS`]). Checks run in this order: `Authorization`
/// present and well-formed, timestamp present and valid, skew, scope date, signed headers
/// present, secret id known, and finally the signature, compared in constant time.
///
/// What every official SDK sends is accepted unchanged:
///
/// - Any `SignedHeaders` list, as long as it includes `content-type` and `host`
///   ([`VerifyError::UnsignedRequiredHeader`] otherwise). Each listed header's canonical value
///   is taken from the received request; a listed header that was not sent is
///   [`VerifyError::MissingHeader`] naming it.
/// - `host` as received, or without its `:port` when the client signed the bare host name.
/// - The body hashed as received, or the literal `UNSIGNED-PAYLOAD` in its place when the
///   request carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
/// - The canonical query string is the received query exactly as sent.
///
/// `X-TC-Token` is not examined here; a server that issues tokens checks it itself.
///
/// ```
/// use tc_sign::{sign, verify, Credentials, HttpMethod, ReceivedRequest, SignableBody, SigningParams};
/// let creds = Credentials::new("AKIDEXAMPLE", "secret")?;
/// let body = br#"{"InstanceId":"cmgo-demo0001"}"#;
/// let params = SigningParams::builder()
///     .method(HttpMethod::Post)
///     .service("mongodb")
///     .host("127.0.0.1:8080")
///     .action("DescribeDBBackups")
///     .version("2019-07-25")
///     .timestamp(1_700_000_000)
///     .payload(SignableBody::Bytes(body))
///     .build()?;
/// let signed = sign(&creds, &params);
/// let headers: Vec<(&str, &str)> =
///     signed.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
/// let req = ReceivedRequest { method: "POST", path_and_query: "/", headers: &headers, body };
/// let lookup = |id: &str| (id == "AKIDEXAMPLE").then(|| "secret".to_string());
/// let ok = verify(&req, &lookup, 1_700_000_030, tc_sign::DEFAULT_MAX_SKEW_SECS)?;
/// assert_eq!(ok.service, "mongodb");
/// # Ok::<(), Box<dyn std::error::Error>>(())
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
    let body = if unsigned {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(req.body)
    };
    let hashed_payload = body.hash();

    let key = Zeroizing::new(derive_signing_key(&secret, parsed.date, parsed.service));
    let signature_matches = |host: Option<&str>| {
        let mut canonical = Sha256::new();
        write_canonical_request(
            &mut canonical,
            req.method,
            path,
            query.as_bytes(),
            header_values.iter().map(|&(name, value)| match host {
                Some(host) if name == "host" => (name, host),
                _ => (name, value),
            }),
            parsed.signed_headers_raw,
            hashed_payload.as_bytes(),
        );
        let hashed_canonical = Hex64::new(&canonical.finalize().into());
        let mut mac = keyed_hmac(&*key);
        write_string_to_sign(
            &mut mac,
            &Decimal::new(timestamp),
            parsed.date.as_bytes(),
            parsed.service,
            hashed_canonical.as_bytes(),
        );
        mac.verify_slice(&parsed.signature).is_ok()
    };
    // The host as received first; then, if it has a port, the bare host name.
    let bare_host = find_header(req.headers, "host").and_then(host_without_port);
    if !(signature_matches(None) || bare_host.is_some_and(|h| signature_matches(Some(h)))) {
        return Err(VerifyError::SignatureMismatch);
    }

    Ok(Verified {
        secret_id: parsed.secret_id.to_owned(),
        service: parsed.service.to_owned(),
        date: parsed.date.to_owned(),
        timestamp,
        signed_headers: parsed.signed_headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_without_port_strips_only_a_numeric_port() {
        let cases = [
            ("127.0.0.1:8080", Some("127.0.0.1")),
            (" example.com:443 ", Some("example.com")),
            ("[::1]:9000", Some("[::1]")),
            ("example.com", None),
            ("[::1]", None),
            ("::1", None),
            ("fe80::1:80", None),
            ("example.com:", None),
            ("example.com:http", None),
            (":8080", None),
            ("[::1]x", None),
        ];
        for (host, expected) in cases {
            assert_eq!(host_without_port(host), expected, "{host:?}");
        }
    }
}
