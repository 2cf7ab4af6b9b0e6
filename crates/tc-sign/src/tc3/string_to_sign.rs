//! Step 2 of TC3: the string to sign, which binds the hashed canonical request to the time and
//! the credential scope.
//!
//! ```text
//! TC3-HMAC-SHA256\n<timestamp>\n<UTC date>/<service>/tc3_request\n<hex SHA-256 of the canonical request>
//! ```

use crate::date::UtcDate;
use crate::encoding::{bytes_into_string, Decimal};
use crate::sink::Sink;

use super::scope::{ALGORITHM, TERMINATOR};

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
///
/// ```
/// let sts = tc_sign::string_to_sign(1_551_113_065, "cvm", "abc123");
/// assert_eq!(sts, "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\nabc123");
/// ```
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
