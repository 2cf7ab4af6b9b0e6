//! One HTTP exchange over ureq, and the mapping of ureq's errors onto the SDK's [`Error`].

use std::io::{self, Read};
use std::time::Duration;

use mongodb_errors::{Error, TransportKind};
use tc_sign::HttpMethod;

/// What came back from one exchange whose body was read in full.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The `Date` header, raw.
    pub(crate) date: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Send one request and read the answer, at most `max` bytes of body.
///
/// `headers` come from the signer and are sent as they are (`Host` included), so what is
/// signed is what is sent.
pub(crate) fn exchange<'h>(
    agent: &ureq::Agent,
    method: HttpMethod,
    url: &str,
    headers: impl IntoIterator<Item = (&'static str, &'h str)>,
    body: &[u8],
    timeout: Duration,
    max: u64,
) -> Result<Answer, Error> {
    let result = match method {
        HttpMethod::Get => {
            let mut req = agent
                .get(url)
                .config()
                .timeout_global(Some(timeout))
                .build();
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.call()
        }
        _ => {
            let mut req = agent
                .post(url)
                .config()
                .timeout_global(Some(timeout))
                .build();
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.send(body)
        }
    };
    let mut resp = result.map_err(|e| map_error(e, false))?;
    let status = resp.status().as_u16();
    let date = header(resp.headers(), "date");
    if let Some(announced) = header(resp.headers(), "content-length").and_then(|v| v.parse().ok()) {
        if announced > max {
            // Dropping the response closes the connection without reading the body.
            return Err(Error::ResponseTooLarge {
                limit: max,
                announced: Some(announced),
            });
        }
    }
    let body = read_limited(resp.body_mut(), max)?;
    Ok(Answer { status, date, body })
}

fn header(headers: &ureq::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// Read a body, failing once more than `max` bytes arrive (before or after decompression).
fn read_limited(body: &mut ureq::Body, max: u64) -> Result<Vec<u8>, Error> {
    let reader = body.with_config().limit(max).reader();
    let mut out = Vec::new();
    match reader.take(max.saturating_add(1)).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > max => Err(Error::ResponseTooLarge {
            limit: max,
            announced: None,
        }),
        Ok(_) => Ok(out),
        Err(e) => Err(map_read_error(e, max)),
    }
}

/// Map an error raised while reading a response body (the request was sent).
pub(crate) fn map_read_error(e: io::Error, max: u64) -> Error {
    // ureq wraps its own errors in io::Error while reading; unwrap to classify them.
    if e.get_ref().is_some_and(|inner| inner.is::<ureq::Error>()) {
        let inner = e
            .into_inner()
            .and_then(|b| b.downcast::<ureq::Error>().ok())
            .map(|b| *b);
        return match inner {
            Some(ureq::Error::BodyExceedsLimit(_)) => Error::ResponseTooLarge {
                limit: max,
                announced: None,
            },
            Some(other) => map_error(other, true),
            None => Error::Transport {
                kind: TransportKind::Io,
                message: "reading the response failed".into(),
                sent: true,
            },
        };
    }
    map_io(e, true)
}

fn map_io(e: io::Error, after_send: bool) -> Error {
    use io::ErrorKind as K;
    let message = e.to_string();
    if is_tls_failure(&e) {
        // A refused certificate or a failed handshake: nothing of the request went out.
        return Error::Transport {
            kind: TransportKind::Tls,
            message,
            sent: after_send,
        };
    }
    match e.kind() {
        K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable
            if !after_send =>
        {
            Error::Transport {
                kind: TransportKind::Connect,
                message,
                sent: false,
            }
        }
        K::TimedOut | K::WouldBlock => Error::Timeout {
            message,
            sent: true,
        },
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            Error::Transport {
                kind: TransportKind::Reset,
                message,
                sent: true,
            }
        }
        _ => Error::Transport {
            kind: TransportKind::Io,
            message,
            sent: true,
        },
    }
}

/// Whether an I/O error carries a TLS failure (rustls reports handshake and certificate
/// errors as I/O errors wrapping its own error type).
fn is_tls_failure(e: &io::Error) -> bool {
    #[cfg(feature = "rustls")]
    if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
        return true;
    }
    let _ = e;
    false
}

/// Map a ureq error. `after_send` is true while reading a body, when everything was sent.
pub(crate) fn map_error(e: ureq::Error, after_send: bool) -> Error {
    use ureq::Error as U;
    let transport = |kind, sent: bool, message: String| Error::Transport {
        kind,
        message,
        sent,
    };
    match e {
        U::Timeout(t) => {
            let sent = after_send || !matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect);
            Error::Timeout {
                message: format!("{t} timeout"),
                sent,
            }
        }
        U::Io(io) => map_io(io, after_send),
        U::HostNotFound => transport(TransportKind::Dns, false, "host not found".into()),
        U::ConnectionFailed => transport(TransportKind::Connect, false, "connection failed".into()),
        U::ConnectProxyFailed(m) => transport(TransportKind::Proxy, false, m),
        U::InvalidProxyUrl => Error::Config {
            message: "the proxy URL is invalid".into(),
        },
        U::Tls(m) => transport(TransportKind::Tls, after_send, m.to_string()),
        U::Pem(e) => transport(TransportKind::Tls, after_send, e.to_string()),
        #[cfg(feature = "rustls")]
        U::Rustls(e) => transport(TransportKind::Tls, after_send, e.to_string()),
        #[cfg(feature = "native-tls")]
        U::NativeTls(e) => transport(TransportKind::Tls, after_send, e.to_string()),
        U::TlsRequired => transport(TransportKind::Tls, false, "TLS required".into()),
        U::BadUri(m) => Error::Config {
            message: format!("bad request URL: {m}"),
        },
        U::Http(e) => Error::Config {
            message: format!("could not build the request: {e}"),
        },
        U::RequireHttpsOnly(m) => Error::Config { message: m },
        U::BodyExceedsLimit(limit) => Error::ResponseTooLarge {
            limit,
            announced: None,
        },
        U::LargeResponseHeader(_, _) => transport(
            TransportKind::Other,
            true,
            "the response headers are too large".into(),
        ),
        U::Protocol(p) => transport(TransportKind::Other, true, format!("HTTP protocol: {p}")),
        other => transport(TransportKind::Other, true, other.to_string()),
    }
}

/// Seconds-level offset of `date` (an HTTP date, RFC 7231 / RFC 2822) from `local_now`.
pub(crate) fn parse_http_date(date: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc2822;
    let d = date.trim();
    if let Ok(t) = time::OffsetDateTime::parse(d, &Rfc2822) {
        return Some(t.unix_timestamp());
    }
    // RFC 7231 IMF-fixdate ends in "GMT", which RFC 2822 parsing may reject; swap it.
    let alt = d
        .strip_suffix("GMT")
        .or_else(|| d.strip_suffix("UTC"))
        .map(|s| format!("{s}+0000"))?;
    time::OffsetDateTime::parse(&alt, &Rfc2822)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Find `Response.RequestId` in a body, if it is JSON that has one.
pub(crate) fn request_id_in(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("Response")?
        .get("RequestId")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 +0000"),
            Some(784111777)
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn request_ids_found() {
        assert_eq!(
            request_id_in(br#"{"Response":{"RequestId":"r-1"}}"#).as_deref(),
            Some("r-1")
        );
        assert_eq!(request_id_in(b"<html>"), None);
    }
}
