//! One GET to the file store, and what its answer means for the download.

use std::io::Read;
use std::time::Duration;

use mongodb_errors::Error;

use super::secret::SecretUrl;
use crate::transport::map_error;

/// A request for the bytes `[from, to)` (`to: None`: to the end).
pub(crate) struct Ask<'u> {
    pub(crate) url: &'u SecretUrl,
    pub(crate) from: u64,
    pub(crate) to: Option<u64>,
    /// Sent as `If-Range` with a range, so a changed object comes back whole (200).
    pub(crate) if_range: Option<&'u str>,
    /// How long to wait for the answer and for each read.
    pub(crate) timeout: Duration,
}

/// What the store says about the object, from an answer's headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoreMeta {
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64/XZ of the whole object.
    pub(crate) crc64: Option<u64>,
    pub(crate) accept_ranges: bool,
    /// The size of the whole object, when the answer tells it.
    pub(crate) total: Option<u64>,
}

/// A body to read.
pub(crate) struct Body {
    pub(crate) reader: ureq::BodyReader<'static>,
    /// `true` for a 200: the whole object, whatever was asked.
    pub(crate) whole: bool,
    pub(crate) meta: StoreMeta,
}

/// What an answer means.
pub(crate) enum Answer {
    Body(Body),
    /// 403, 404 or 410: the URL was refused (expired or revoked).
    Refused {
        status: u16,
        code: Option<String>,
    },
    /// 416: the range starts past the end.
    NotSatisfiable,
    /// Worth trying again: a dropped connection, a timeout, 408, 429 or 5xx.
    Retry(Error),
    /// Not worth trying again.
    Fatal(Error),
}

pub(crate) fn ask(agent: &ureq::Agent, ask: &Ask<'_>) -> Answer {
    let mut req = agent
        .get(ask.url.expose())
        .config()
        .timeout_global(None)
        .max_redirects(5)
        .timeout_per_read(Some(ask.timeout))
        .timeout_recv_response(Some(ask.timeout))
        .timeout_recv_body(None)
        .build()
        .header("Accept-Encoding", "identity");
    if ask.from > 0 || ask.to.is_some() {
        let end = ask.to.map(|t| (t - 1).to_string()).unwrap_or_default();
        req = req.header("Range", format!("bytes={}-{end}", ask.from));
        if let Some(v) = ask.if_range {
            req = req.header("If-Range", v);
        }
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(e) => {
            let e = ask.url.scrub_error(map_error(e, false));
            return if matches!(e, Error::Transport { .. } | Error::Timeout { .. }) {
                Answer::Retry(e)
            } else {
                Answer::Fatal(e)
            };
        }
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    };
    let mut meta = StoreMeta {
        etag: header("etag"),
        last_modified: header("last-modified"),
        crc64: header("x-cos-hash-crc64ecma").and_then(|v| v.parse().ok()),
        accept_ranges: header("accept-ranges").is_some_and(|v| v.eq_ignore_ascii_case("bytes")),
        total: None,
    };
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    match status {
        200 => {
            meta.total = length;
            Answer::Body(Body {
                reader: resp.into_body().into_reader(),
                whole: true,
                meta,
            })
        }
        206 => {
            let range = header("content-range");
            let parsed = range.as_deref().and_then(content_range);
            match parsed {
                Some((start, total)) if start == ask.from => {
                    meta.total = total;
                    Answer::Body(Body {
                        reader: resp.into_body().into_reader(),
                        whole: false,
                        meta,
                    })
                }
                _ => Answer::Fatal(Error::MalformedResponse {
                    reason: format!(
                        "the file store answered a range request from byte {} with Content-Range {:?}",
                        ask.from,
                        range.unwrap_or_default()
                    ),
                    snippet: String::new(),
                    request_id: None,
                }),
            }
        }
        403 | 404 | 410 => {
            let body = head_of(resp);
            Answer::Refused {
                status,
                code: xml_code(&body),
            }
        }
        416 => Answer::NotSatisfiable,
        _ => {
            let body = head_of(resp);
            // Stores echo the request target in error bodies: scrub before cutting.
            let body = ask.url.scrub(&String::from_utf8_lossy(&body));
            let e = Error::HttpStatus {
                status,
                snippet: Error::snippet(body.as_bytes()),
                request_id: None,
            };
            if status == 408 || status == 429 || status >= 500 {
                Answer::Retry(e)
            } else {
                Answer::Fatal(e)
            }
        }
    }
}

fn head_of(mut resp: ureq::http::Response<ureq::Body>) -> Vec<u8> {
    let mut head = Vec::new();
    let _ = resp
        .body_mut()
        .as_reader()
        .take(4096)
        .read_to_end(&mut head);
    head
}

/// `Content-Range: bytes START-END/TOTAL` → START and TOTAL (`None` for `*`).
pub(crate) fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

/// The `<Code>` of a COS (or S3-style) XML error body, if it is a plain token.
pub(crate) fn xml_code(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    let code = text[start..start + len].trim();
    let plain = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    plain.then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parses() {
        assert_eq!(content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(content_range("items 1-2/3"), None);
    }

    #[test]
    fn xml_codes() {
        let body = b"<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>AccessDenied</Code>\n\t<Message>Request has expired</Message></Error>";
        assert_eq!(xml_code(body), Some("AccessDenied".into()));
        assert_eq!(xml_code(b"<html>forbidden</html>"), None);
        assert_eq!(xml_code(b"<Code>not a token <script></Code>"), None);
    }
}
