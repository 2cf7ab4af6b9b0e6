//! Small helpers shared by the modules: request ids, time formatting, the API
//! error type and the answer envelope.

use mongodb_errors::ErrorCode;
use serde_json::{Map, Value};
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

/// A failure answered as `{"Response": {"Error": {...}}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn invalid_value(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidParameterValue, message)
    }

    pub(crate) fn not_found_instance(instance_id: &str) -> Self {
        ApiError::new(
            ErrorCode::InvalidParameterValueNotFoundInstance,
            format!("The instance `{instance_id}` was not found."),
        )
    }
}

/// A fresh UUID-shaped (version 4 layout) request id.
pub(crate) fn request_id() -> String {
    let a = fastrand::u32(..);
    let b = fastrand::u16(..);
    let c = (fastrand::u16(..) & 0x0fff) | 0x4000;
    let d = (fastrand::u16(..) & 0x3fff) | 0x8000;
    let e = fastrand::u64(..) & 0xffff_ffff_ffff;
    format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
}

/// A random lowercase hex token of `len` characters.
pub(crate) fn hex_token(len: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..len)
        .map(|_| HEX[fastrand::usize(..16)] as char)
        .collect()
}

/// Milliseconds since the Unix epoch, by the machine clock shifted by `offset_secs`.
pub(crate) fn now_ms(offset_secs: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    now.saturating_add(offset_secs.saturating_mul(1000))
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) for `ms` since the epoch.
pub(crate) fn http_date(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&format).unwrap_or_default()
}

fn beijing(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset!(+8))
}

/// `YYYY-MM-DD HH:MM:SS` in the service's time zone (UTC+8).
pub(crate) fn format_time(ms: i64) -> String {
    beijing(ms)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

/// `YYYY-MM-DD HH:MM` in UTC+8, the form used in backup names.
pub(crate) fn format_minute(ms: i64) -> String {
    beijing(ms)
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// `YYYYMMDDHHMMSS` in UTC+8, the form deal ids start with.
pub(crate) fn format_compact(ms: i64) -> String {
    beijing(ms)
        .format(format_description!(
            "[year][month][day][hour][minute][second]"
        ))
        .unwrap_or_default()
}

/// Parses `YYYY-MM-DD HH:MM:SS` (UTC+8) into milliseconds since the epoch.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let parsed = PrimitiveDateTime::parse(
        text.trim(),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .ok()?;
    let ts = parsed.assume_offset(offset!(+8)).unix_timestamp();
    Some(ts.saturating_mul(1000))
}

/// The answer envelope: `{"Response": {..fields, "RequestId": id}}`.
pub(crate) fn envelope(fields: Value, request_id: &str) -> Value {
    let mut inner = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    inner.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
    let mut outer = Map::new();
    outer.insert("Response".to_owned(), Value::Object(inner));
    Value::Object(outer)
}

/// The error envelope for `err`.
pub(crate) fn error_envelope(err: &ApiError, request_id: &str) -> Value {
    serde_json::json!({
        "Response": {
            "Error": { "Code": err.code.as_str(), "Message": err.message },
            "RequestId": request_id,
        }
    })
}

/// The serialised error envelope for `err`, with a fresh request id.
pub(crate) fn error_body(err: &ApiError) -> Vec<u8> {
    serde_json::to_vec(&error_envelope(err, &request_id())).unwrap_or_default()
}

/// A 64-bit FNV-1a hash, for deterministic seeds.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The splitmix64 finaliser: a good 64-bit mix of `x`.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_uuids_and_differ() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn times_round_trip_in_utc_plus_8() {
        let ms = 1_616_726_640_000; // 2021-03-26 02:44:00 UTC
        assert_eq!(format_time(ms), "2021-03-26 10:44:00");
        assert_eq!(format_minute(ms), "2021-03-26 10:44");
        assert_eq!(format_compact(ms), "20210326104400");
        assert_eq!(parse_time("2021-03-26 10:44:00"), Some(ms));
        assert_eq!(parse_time("yesterday"), None);
    }
}
