//! What makes the file store look like Tencent COS on the wire: its header
//! names and its XML error bodies.

use std::io::Write;

use crate::http::write_response;
use crate::util::hex_token;

/// The decimal CRC-64/XZ of the whole object, on every download answer.
pub(crate) const CRC64_HEADER: &str = "x-cos-hash-crc64ecma";

/// The store's id of one answer.
pub(crate) const REQUEST_ID_HEADER: &str = "x-cos-request-id";

/// A fresh id for a store answer.
pub(crate) fn request_id() -> String {
    hex_token(32)
}

/// The XML error body COS sends with a failure status.
pub(crate) fn error_xml(code: &str, message: &str, resource: &str, request_id: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n\
         \t<Code>{}</Code>\n\t<Message>{}</Message>\n\t<Resource>{}</Resource>\n\
         \t<RequestId>{}</RequestId>\n\t<TraceId>{}</TraceId>\n</Error>\n",
        escape(code),
        escape(message),
        escape(resource),
        escape(request_id),
        hex_token(48),
    )
    .into_bytes()
}

/// Answers `status` with the XML error body; returns whether the connection can
/// be kept.
pub(crate) fn write_error(
    out: &mut impl Write,
    status: u16,
    code: &str,
    message: &str,
    resource: &str,
    close: bool,
) -> bool {
    let id = request_id();
    let body = error_xml(code, message, resource, &id);
    let extra = [(REQUEST_ID_HEADER, id)];
    write_response(out, status, "application/xml", &extra, &body, close).is_ok() && !close
}

/// Escapes text for an XML element. (Five replacements; an XML crate for
/// writing one fixed element shape would be more than the job needs.)
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_is_cos_shaped_and_escaped() {
        let body = String::from_utf8(error_xml("AccessDenied", "a < b", "/x&y", "rid")).unwrap();
        assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"));
        assert!(body.contains("<Code>AccessDenied</Code>"));
        assert!(body.contains("<Message>a &lt; b</Message>"));
        assert!(body.contains("<Resource>/x&amp;y</Resource>"));
        assert!(body.contains("<RequestId>rid</RequestId>"));
    }
}
