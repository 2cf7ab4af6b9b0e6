//! Pre-signed download URLs, in the manner of COS: the query carries a
//! validity window (`q-sign-time=<start>;<end>`, seconds of the emulator's
//! clock), a serial number (so that all URLs handed out so far can be expired
//! at once) and an HMAC-SHA256 over the path, the window and the serial, keyed
//! by the task's secret. A URL is refused when any of them is missing or
//! altered, when its window has passed, or when its serial was expired.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::http::query_param;

/// Why a download URL is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Denial {
    /// The signature parameters are missing or malformed.
    Missing,
    /// The signature does not match (the URL was altered).
    Tampered,
    /// The validity window has passed, or the URL was expired on purpose.
    Expired,
}

impl Denial {
    /// The message of the 403 answer.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Denial::Missing => "Request is missing its signature parameters.",
            Denial::Tampered => "The request signature does not match.",
            Denial::Expired => "Request has expired.",
        }
    }
}

fn signature(key: &str, path: &str, start: i64, end: i64, serial: u64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(format!("{path}\n{start};{end}\n{serial}").as_bytes());
    Some(mac)
}

/// The query string of a URL for `path`, valid from `start` to `end` (seconds).
pub(crate) fn query(key: &str, path: &str, start: i64, end: i64, serial: u64) -> String {
    let sig = signature(key, path, start, end, serial)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!(
        "q-sign-algorithm=hmac-sha256&q-sign-time={start}%3B{end}&q-url-serial={serial}&q-signature={sig}"
    )
}

/// Checks the query of a request for `path` at `now` (seconds).
pub(crate) fn check(
    key: &str,
    path: &str,
    query: &str,
    now: i64,
    revoked_below: u64,
) -> Result<(), Denial> {
    let param = |name| query_param(query, name).filter(|v| !v.is_empty());
    let (Some(time), Some(serial), Some(sig)) = (
        param("q-sign-time"),
        param("q-url-serial"),
        param("q-signature"),
    ) else {
        return Err(Denial::Missing);
    };
    let window = time
        .split_once(';')
        .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)));
    let (Some((start, end)), Ok(serial), Ok(sig)) =
        (window, serial.parse::<u64>(), hex::decode(sig))
    else {
        return Err(Denial::Tampered);
    };
    let mac = signature(key, path, start, end, serial).ok_or(Denial::Tampered)?;
    mac.verify_slice(&sig).map_err(|_| Denial::Tampered)?;
    if now >= end || now < start.saturating_sub(300) || serial < revoked_below {
        return Err(Denial::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_check_their_window_signature_and_serial() {
        let q = query("k", "/download/1/f.tar", 1000, 1060, 7);
        assert_eq!(check("k", "/download/1/f.tar", &q, 1000, 0), Ok(()));
        assert_eq!(check("k", "/download/1/f.tar", &q, 1059, 7), Ok(()));
        assert_eq!(
            check("k", "/download/1/f.tar", &q, 1060, 0),
            Err(Denial::Expired)
        );
        assert_eq!(
            check("k", "/download/1/f.tar", &q, 1000, 8),
            Err(Denial::Expired)
        );
        assert_eq!(
            check("other", "/download/1/f.tar", &q, 1000, 0),
            Err(Denial::Tampered)
        );
        assert_eq!(
            check("k", "/download/2/f.tar", &q, 1000, 0),
            Err(Denial::Tampered)
        );
        let longer = q.replace("%3B1060", "%3B9999");
        assert_eq!(
            check("k", "/download/1/f.tar", &longer, 1000, 0),
            Err(Denial::Tampered)
        );
        assert_eq!(
            check("k", "/download/1/f.tar", "sign=abc", 1000, 0),
            Err(Denial::Missing)
        );
    }
}
