//! The TC3-HMAC-SHA256 building blocks: hashing, the canonical request, the string to sign,
//! key derivation and the `Authorization` value. Everything here is a pure function.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Name of the signature algorithm, as it appears in the string to sign and in `Authorization`.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Literal value of the `X-TC-Content-SHA256` header that asks the service not to check the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The signed-header list this crate uses by default.
pub const DEFAULT_SIGNED_HEADERS: &str = "content-type;host;x-tc-action";

/// Last element of the credential scope.
pub(crate) const TERMINATOR: &str = "tc3_request";

/// Hex SHA-256 of the empty string (the payload hash of a GET request).
pub(crate) const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Hex SHA-256 of `UNSIGNED-PAYLOAD` (the payload hash when the body is left unsigned).
pub(crate) const UNSIGNED_PAYLOAD_HASH: &str =
    "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

type HmacSha256 = Hmac<Sha256>;

/// A 64-character lowercase hex rendering of a 32-byte digest, kept on the stack.
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        // Cannot fail: the output buffer is exactly twice the input length.
        let _ = hex::encode_to_slice(bytes, &mut out);
        Hex64(out)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Hex digits are always ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so construction never fails.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac
}

pub(crate) fn hmac_bytes(key: &[u8], data: &[u8]) -> [u8; 32] {
    hmac_sha256(key, data).finalize().into_bytes().into()
}

/// Returns the lowercase hex SHA-256 digest of `data`.
///
/// This is the form TC3 uses for the hashed payload and the hashed canonical request.
pub fn sha256_hex(data: &[u8]) -> String {
    Hex64::new(&sha256(data)).as_str().to_owned()
}

/// Formats the UTC calendar date (`YYYY-MM-DD`) that contains the Unix `timestamp`.
///
/// This date goes into the credential scope. Timestamps beyond the years ±9999 are clamped
/// to the nearest representable day.
pub fn utc_date(timestamp: i64) -> String {
    let mut out = String::with_capacity(10);
    push_utc_date(&mut out, timestamp);
    out
}

pub(crate) fn push_utc_date(out: &mut String, timestamp: i64) {
    let date = match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => t.date(),
        Err(_) if timestamp < 0 => time::Date::MIN,
        Err(_) => time::Date::MAX,
    };
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
}

/// Derives the TC3 signing key for one secret key, UTC date (`YYYY-MM-DD`) and service.
///
/// The key is the end of an HMAC-SHA256 chain: `"TC3" + secret_key` keys the date, the result
/// keys the service name, and that result keys the constant `tc3_request`. The key only changes
/// once a day, which is why [`Signer`](crate::Signer) caches it.
pub fn derive_signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let mut seed = zeroize::Zeroizing::new(Vec::with_capacity(3 + secret_key.len()));
    seed.extend_from_slice(b"TC3");
    seed.extend_from_slice(secret_key.as_bytes());
    let k_date = zeroize::Zeroizing::new(hmac_bytes(&seed, date.as_bytes()));
    let k_service = zeroize::Zeroizing::new(hmac_bytes(&*k_date, service.as_bytes()));
    hmac_bytes(&*k_service, TERMINATOR.as_bytes())
}

/// Computes the hex signature: HMAC-SHA256 of `string_to_sign` keyed by `signing_key`.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    Hex64::new(&hmac_bytes(signing_key, string_to_sign.as_bytes()))
        .as_str()
        .to_owned()
}

/// Appends the canonical request to `out`.
///
/// `headers` yields `(lowercase name, raw value)` in signed order; values are trimmed and
/// lower-cased here. `signed_headers` is the `;`-joined name list.
pub(crate) fn write_canonical_request<'h>(
    out: &mut Vec<u8>,
    method: &str,
    path: &str,
    query: &[u8],
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    signed_headers: &str,
    hashed_payload: &str,
) {
    out.extend_from_slice(method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(if path.is_empty() {
        b"/"
    } else {
        path.as_bytes()
    });
    out.push(b'\n');
    out.extend_from_slice(query);
    out.push(b'\n');
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        push_lowercase(out, value.trim());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(hashed_payload.as_bytes());
}

fn push_lowercase(out: &mut Vec<u8>, value: &str) {
    if value.is_ascii() {
        out.extend(value.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        out.extend_from_slice(value.to_lowercase().as_bytes());
    }
}

pub(crate) fn bytes_into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Builds a canonical request with an explicit list of signed headers.
///
/// This is the low-level form of step 1 of TC3, for checking published examples or
/// reproducing another implementation; [`sign`](crate::sign) always signs
/// `content-type;host;x-tc-action`. `headers` lists `(name, value)` pairs in the order they are
/// signed: names are lower-cased, values are trimmed and lower-cased. `query` is the query string
/// exactly as sent (empty for a POST), and `hashed_payload` the hex SHA-256 of the body (see
/// [`sha256_hex`]).
///
/// ```
/// let cr = tc_sign::canonical_request(
///     "POST", "/", "",
///     &[("Content-Type", "application/json"), ("Host", "cvm.tencentcloudapi.com")],
///     &tc_sign::sha256_hex(b"{}"),
/// );
/// assert!(cr.starts_with("POST\n/\n\ncontent-type:application/json\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n"));
/// ```
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let signed_headers = names.join(";");
    let mut out = Vec::with_capacity(256);
    write_canonical_request(
        &mut out,
        method,
        path,
        query.as_bytes(),
        names
            .iter()
            .map(String::as_str)
            .zip(headers.iter().map(|(_, v)| *v)),
        &signed_headers,
        hashed_payload,
    );
    bytes_into_string(out)
}

/// Appends the string to sign to `out`; `date` is the credential-scope date.
pub(crate) fn write_string_to_sign(
    out: &mut String,
    timestamp: i64,
    date: &str,
    service: &str,
    hashed_canonical_request: &str,
) {
    let _ = write!(
        out,
        "{ALGORITHM}\n{timestamp}\n{date}/{service}/{TERMINATOR}\n{hashed_canonical_request}"
    );
}

/// Builds the string to sign (step 2 of TC3) from the request time, the service name and the
/// hex hash of the canonical request. The scope date is the UTC date of `timestamp`.
pub fn string_to_sign(timestamp: i64, service: &str, hashed_canonical_request: &str) -> String {
    let date = utc_date(timestamp);
    let mut out = String::with_capacity(128);
    write_string_to_sign(
        &mut out,
        timestamp,
        &date,
        service,
        hashed_canonical_request,
    );
    out
}

/// Formats the `Authorization` header value from its parts.
///
/// `signed_headers` is the `;`-joined list that was signed, e.g. [`DEFAULT_SIGNED_HEADERS`].
pub fn authorization(
    secret_id: &str,
    date: &str,
    service: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{service}/{TERMINATOR}, \
         SignedHeaders={signed_headers}, Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precomputed_hashes_are_right() {
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_HASH);
        assert_eq!(
            sha256_hex(UNSIGNED_PAYLOAD.as_bytes()),
            UNSIGNED_PAYLOAD_HASH
        );
    }

    #[test]
    fn utc_date_handles_edges() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(utc_date(1551113065), "2019-02-25");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(86_400), "1970-01-02");
        assert_eq!(utc_date(i64::MAX), "9999-12-31");
        assert!(!utc_date(i64::MIN).is_empty());
    }

    #[test]
    fn non_ascii_header_values_are_lowercased() {
        let cr = canonical_request("POST", "/", "", &[("Host", " ÄBC.example ")], "x");
        assert!(cr.contains("host:äbc.example\n"), "{cr}");
    }
}
