//! The TC3-HMAC-SHA256 building blocks: hashing, the canonical request, the string to sign,
//! key derivation and the `Authorization` value. Everything here is a pure function.

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

pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Somewhere the pieces of a canonical request or string to sign can be written: a buffer, or a
/// hash or HMAC that consumes them without the text ever being assembled.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// Writes ASCII `bytes` lower-cased.
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        const CHUNK: usize = 64;
        let mut buf = [0u8; CHUNK];
        for chunk in bytes.chunks(CHUNK) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            self.put(lower);
        }
    }
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
}

impl Sink for HmacSha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        Mac::update(self, bytes);
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes);
    }

    #[inline(always)]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        (**self).put_ascii_lowercase(bytes);
    }
}

/// A sink that drops what it is given (the fast path keeps no copy of the texts).
pub(crate) struct Discard;

impl Sink for Discard {
    #[inline(always)]
    fn put(&mut self, _bytes: &[u8]) {}
}

/// Writes everything to both sinks.
pub(crate) struct Tee<A, B>(pub(crate) A, pub(crate) B);

impl<A: Sink, B: Sink> Sink for Tee<A, B> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.0.put(bytes);
        self.1.put(bytes);
    }

    #[inline(always)]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        self.0.put_ascii_lowercase(bytes);
        self.1.put_ascii_lowercase(bytes);
    }
}

/// Gathers small pieces in a stack buffer and hands them to `inner` in large runs.
///
/// Hashes pay a fixed cost per `update` call and per call into their block function, so feeding
/// a canonical request as two dozen fragments costs far more than hashing it in one go. The
/// buffer is a multiple of the SHA-256 block size, so full flushes hash straight from it.
pub(crate) struct Buffered<S: Sink, const N: usize> {
    buf: [u8; N],
    len: usize,
    inner: S,
}

impl<S: Sink, const N: usize> Buffered<S, N> {
    #[inline]
    pub(crate) fn new(inner: S) -> Self {
        Buffered {
            buf: [0; N],
            len: 0,
            inner,
        }
    }

    /// Passes on what is still buffered and returns the inner sink.
    #[inline]
    pub(crate) fn finish(mut self) -> S {
        self.flush();
        self.inner
    }

    #[inline]
    fn flush(&mut self) {
        if self.len > 0 {
            self.inner.put(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// Makes room for `n` more bytes, or returns `None` when `n` is larger than the buffer.
    #[inline(always)]
    fn reserve(&mut self, n: usize) -> Option<&mut [u8]> {
        if n > N - self.len {
            self.flush();
            if n > N {
                return None;
            }
        }
        let start = self.len;
        self.len += n;
        self.buf.get_mut(start..start + n)
    }
}

impl<S: Sink, const N: usize> Sink for Buffered<S, N> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        match self.reserve(bytes.len()) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => self.inner.put(bytes),
        }
    }

    #[inline]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        match self.reserve(bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                dst.make_ascii_lowercase();
            }
            None => self.inner.put_ascii_lowercase(bytes),
        }
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two hex digits of every byte value, expanded from [`HEX_DIGITS`] at compile time so
/// encoding takes one load and one store per byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX_DIGITS[i >> 4], HEX_DIGITS[i & 0x0f]];
        i += 1;
    }
    table
};

/// A 64-character lowercase hex rendering of a 32-byte digest, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    #[inline]
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
        Hex64(out)
    }

    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Hex digits are always ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Parses exactly 64 hex digits (either letter case) into 32 bytes.
pub(crate) fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *o = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `"00"` to `"99"`.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// The decimal digits of an `i64` (sign included), kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Decimal {
    buf: [u8; 20],
    start: u8,
}

impl Decimal {
    #[inline]
    pub(crate) fn new(value: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = value.unsigned_abs();
        while n >= 100 {
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
            n /= 100;
        }
        if n >= 10 {
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[n as usize]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        if value < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        Decimal {
            buf,
            start: i as u8,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[usize::from(self.start)..]
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        // Digits and `-` are ASCII.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// Day number (since 1970-01-01) of 0000-01-01, the first date [`UtcDate`] represents.
const FIRST_DAY: i64 = -719_528;
/// Day number of 9999-12-31, the last date [`UtcDate`] represents.
const LAST_DAY: i64 = 2_932_896;

/// A `YYYY-MM-DD` UTC date, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct UtcDate([u8; 10]);

impl UtcDate {
    /// The date containing the Unix `timestamp`, clamped to 0000-01-01..=9999-12-31.
    pub(crate) fn of_timestamp(timestamp: i64) -> Self {
        Self::of_day(timestamp.div_euclid(SECONDS_PER_DAY))
    }

    /// The date of `day` days after 1970-01-01, clamped to 0000-01-01..=9999-12-31.
    pub(crate) fn of_day(day: i64) -> Self {
        let (year, month, day) = civil_from_days(day.clamp(FIRST_DAY, LAST_DAY));
        let mut out = *b"0000-00-00";
        out[0] = b'0' + (year / 1000) as u8;
        out[1] = b'0' + (year / 100 % 10) as u8;
        out[2] = b'0' + (year / 10 % 10) as u8;
        out[3] = b'0' + (year % 10) as u8;
        out[5] = b'0' + (month / 10) as u8;
        out[6] = b'0' + (month % 10) as u8;
        out[8] = b'0' + (day / 10) as u8;
        out[9] = b'0' + (day % 10) as u8;
        UtcDate(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Digits and `-` are ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Converts a day count since 1970-01-01 into a proleptic Gregorian (year, month, day).
///
/// This is the well-known `civil_from_days` of Howard Hinnant's date algorithms: shift the epoch
/// to 0000-03-01 so leap days fall at the end of the year, split into 400-year eras, and read
/// the month off a 153-day five-month cycle.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146_096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st, 0..=365
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// An HMAC-SHA256 keyed with `key`, ready for data.
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so construction never fails.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

pub(crate) fn hmac_bytes(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Returns the lowercase hex SHA-256 digest of `data`.
///
/// This is the form TC3 uses for the hashed payload and the hashed canonical request.
pub fn sha256_hex(data: &[u8]) -> String {
    Hex64::new(&sha256(data)).as_str().to_owned()
}

/// Formats the UTC calendar date (`YYYY-MM-DD`) that contains the Unix `timestamp`.
///
/// This date goes into the credential scope. Timestamps before the year 0 or after the year
/// 9999 are clamped to `0000-01-01` and `9999-12-31`.
pub fn utc_date(timestamp: i64) -> String {
    UtcDate::of_timestamp(timestamp).as_str().to_owned()
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

/// Writes the canonical request to `out`, piece by piece.
///
/// `headers` yields `(lowercase name, raw value)` in signed order; values are trimmed and
/// lower-cased here. `signed_headers` is the `;`-joined name list.
pub(crate) fn write_canonical_request<'h>(
    out: &mut impl Sink,
    method: &str,
    path: &str,
    query: &[u8],
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    signed_headers: &str,
    hashed_payload: &[u8],
) {
    out.put(method.as_bytes());
    out.put(b"\n");
    out.put(if path.is_empty() {
        b"/"
    } else {
        path.as_bytes()
    });
    out.put(b"\n");
    out.put(query);
    out.put(b"\n");
    for (name, value) in headers {
        out.put(name.as_bytes());
        out.put(b":");
        put_lowercase(out, trim(value));
        out.put(b"\n");
    }
    out.put(b"\n");
    out.put(signed_headers.as_bytes());
    out.put(b"\n");
    out.put(hashed_payload);
}

/// [`str::trim`], with a shortcut for the usual value that has nothing to trim.
#[inline]
pub(crate) fn trim(value: &str) -> &str {
    // Bytes from `!` to `~` are neither whitespace nor part of a multi-byte character.
    let visible = |b: Option<&u8>| matches!(b, Some(b'!'..=b'~'));
    let bytes = value.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// Writes `value` lower-cased: ASCII through a small stack buffer a chunk at a time, anything
/// else with full Unicode lower-casing (which needs the whole string, e.g. for a final sigma).
#[inline(always)]
pub(crate) fn put_lowercase(out: &mut impl Sink, value: &str) {
    if value.is_ascii() {
        out.put_ascii_lowercase(value.as_bytes());
    } else {
        out.put(value.to_lowercase().as_bytes());
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
        hashed_payload.as_bytes(),
    );
    bytes_into_string(out)
}

/// Writes the string to sign to `out`, piece by piece; `date` is the credential-scope date.
#[inline]
pub(crate) fn write_string_to_sign(
    out: &mut impl Sink,
    timestamp: &Decimal,
    date: &[u8],
    service: &str,
    hashed_canonical_request: &[u8],
) {
    out.put(ALGORITHM.as_bytes());
    out.put(b"\n");
    out.put(timestamp.as_bytes());
    out.put(b"\n");
    out.put(date);
    out.put(b"/");
    out.put(service.as_bytes());
    out.put(b"/");
    out.put(TERMINATOR.as_bytes());
    out.put(b"\n");
    out.put(hashed_canonical_request);
}

/// Builds the string to sign (step 2 of TC3) from the request time, the service name and the
/// hex hash of the canonical request. The scope date is the UTC date of `timestamp`.
pub fn string_to_sign(timestamp: i64, service: &str, hashed_canonical_request: &str) -> String {
    let date = UtcDate::of_timestamp(timestamp);
    let mut out = Vec::with_capacity(128);
    write_string_to_sign(
        &mut out,
        &Decimal::new(timestamp),
        date.as_bytes(),
        service,
        hashed_canonical_request.as_bytes(),
    );
    bytes_into_string(out)
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
) -> [&'p [u8]; 10] {
    [
        b"TC3-HMAC-SHA256 Credential=",
        secret_id,
        b"/",
        date,
        b"/",
        service,
        b"/tc3_request, SignedHeaders=",
        signed_headers,
        b", Signature=",
        signature,
    ]
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
    fn utc_date_clamps_to_years_0_through_9999() {
        let first = FIRST_DAY * SECONDS_PER_DAY;
        let last = (LAST_DAY + 1) * SECONDS_PER_DAY - 1;
        assert_eq!(utc_date(first), "0000-01-01");
        assert_eq!(utc_date(first - 1), "0000-01-01");
        assert_eq!(utc_date(i64::MIN), "0000-01-01");
        assert_eq!(utc_date(last), "9999-12-31");
        assert_eq!(utc_date(last + 1), "9999-12-31");
        assert_eq!(utc_date(253_402_300_799), "9999-12-31"); // 9999-12-31T23:59:59Z
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(-2_203_891_200), "1900-03-01"); // 1900 is not a leap year
    }

    /// Walks every day from 0000-01-01 to 9999-12-31 with a naive calendar and compares.
    #[test]
    fn civil_from_days_matches_a_day_by_day_walk() {
        let (mut y, mut m, mut d) = (0i64, 1u32, 1u32);
        for day in FIRST_DAY..=LAST_DAY {
            assert_eq!(civil_from_days(day), (y, m, d), "day {day}");
            d += 1;
            if d > month_length(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert_eq!((y, m, d), (10_000, 1, 1));
    }

    fn is_leap(year: i64) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    fn month_length(year: i64, month: u32) -> u32 {
        match month {
            2 if is_leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// A slow but obviously right reference: count whole years, then whole months, from 1970.
    fn reference_date(timestamp: i64) -> String {
        let year_length = |y: i64| if is_leap(y) { 366 } else { 365 };
        let mut days = timestamp.div_euclid(SECONDS_PER_DAY);
        let mut year = 1970;
        while days < 0 {
            year -= 1;
            days += year_length(year);
        }
        while days >= year_length(year) {
            days -= year_length(year);
            year += 1;
        }
        let mut month = 1;
        while days >= i64::from(month_length(year, month)) {
            days -= i64::from(month_length(year, month));
            month += 1;
        }
        format!("{year:04}-{month:02}-{:02}", days + 1)
    }

    /// The reference implementation of lowercase hex.
    fn reference_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    proptest::proptest! {
        #[test]
        fn utc_date_matches_reference(
            timestamp in (FIRST_DAY * SECONDS_PER_DAY)..((LAST_DAY + 1) * SECONDS_PER_DAY),
        ) {
            proptest::prop_assert_eq!(utc_date(timestamp), reference_date(timestamp));
        }

        #[test]
        fn utc_date_matches_reference_1970_to_9999(timestamp in 0i64..253_402_300_800) {
            proptest::prop_assert_eq!(utc_date(timestamp), reference_date(timestamp));
        }

        #[test]
        fn hex_matches_reference_and_round_trips(bytes in proptest::array::uniform32(0u8..)) {
            let hex = Hex64::new(&bytes);
            proptest::prop_assert_eq!(hex.as_str(), reference_hex(&bytes));
            proptest::prop_assert_eq!(decode_hex32(hex.as_str()), Some(bytes));
            proptest::prop_assert_eq!(
                decode_hex32(&hex.as_str().to_ascii_uppercase()),
                Some(bytes)
            );
        }

        #[test]
        fn decode_hex32_rejects_what_is_not_64_hex_digits(text in "[0-9a-fA-FxZ ]{0,70}") {
            let valid = text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
            proptest::prop_assert_eq!(decode_hex32(&text).is_some(), valid);
        }

        #[test]
        fn decimal_matches_to_string(value in proptest::num::i64::ANY) {
            let digits = Decimal::new(value);
            proptest::prop_assert_eq!(digits.as_str(), value.to_string());
        }
    }

    #[test]
    fn decimal_edges() {
        for v in [0, -1, 9, 10, i64::MIN, i64::MAX] {
            assert_eq!(Decimal::new(v).as_str(), v.to_string());
        }
    }

    #[test]
    fn lowercasing_in_chunks_matches_whole_string_lowercasing() {
        for n in [0, 1, 15, 16, 17, 50, 96, 97, 200, 500] {
            let long = "AbC-".repeat(n);
            let mut out = Vec::new();
            put_lowercase(&mut out, &long);
            assert_eq!(out, long.to_ascii_lowercase().into_bytes());
            let mut buffered = Buffered::<_, 64>::new(Vec::new());
            buffered.put(b"X");
            put_lowercase(&mut buffered, &long);
            buffered.put(long.as_bytes());
            let expected = ["X", &long.to_ascii_lowercase(), &long].concat();
            assert_eq!(buffered.finish(), expected.into_bytes());
        }
    }

    proptest::proptest! {
        #[test]
        fn buffered_passes_everything_on_in_order(
            pieces in proptest::collection::vec(
                (proptest::collection::vec(0u8..128, 0..900), proptest::bool::ANY),
                0..12,
            ),
        ) {
            let mut direct = Vec::new();
            let mut buffered = Buffered::<_, 256>::new(Vec::new());
            for (bytes, lower) in &pieces {
                if *lower {
                    direct.put_ascii_lowercase(bytes);
                    buffered.put_ascii_lowercase(bytes);
                } else {
                    direct.put(bytes);
                    buffered.put(bytes);
                }
            }
            proptest::prop_assert_eq!(buffered.finish(), direct);
        }
    }

    #[test]
    fn non_ascii_header_values_are_lowercased() {
        let cr = canonical_request("POST", "/", "", &[("Host", " ÄBC.example ")], "x");
        assert!(cr.contains("host:äbc.example\n"), "{cr}");
    }
}
