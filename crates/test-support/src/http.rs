//! Just enough HTTP/1.1: read a request (head and `Content-Length` body), write an answer.

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::conn::Conn;
use crate::Recorded;

/// Heads longer than this are refused (the connection is closed).
const MAX_HEAD: usize = 16 * 1024;

/// Read one request; `None` when the peer closed the connection or sent no usable request.
pub(crate) fn read_request(reader: &mut BufReader<Conn>) -> Option<Recorded> {
    let mut line = String::new();
    let mut head_len = 0;
    let mut next_line = |line: &mut String| -> Option<()> {
        line.clear();
        let n = reader.read_line(line).ok()?;
        head_len += n;
        (n > 0 && head_len <= MAX_HEAD).then_some(())
    };
    next_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path_and_query = parts.next()?.to_owned();
    let mut headers = Vec::new();
    let mut h = String::new();
    loop {
        next_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path_and_query,
        headers,
        body,
    })
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Write the status line and headers; `close` adds `Connection: close`.
pub(crate) fn write_head(
    out: &mut impl Write,
    status: u16,
    headers: &[(&str, String)],
    close: bool,
) -> io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    if close {
        text.push_str("Connection: close\r\n");
    }
    text.push_str("\r\n");
    out.write_all(text.as_bytes())
}

/// A whole answer with a `Content-Length` body, in one write.
pub(crate) fn write_answer(
    out: &mut impl Write,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    out.write_all(&bytes)?;
    out.flush()
}

/// A COS-style XML error body. `resource` is echoed as stores do (it may hold the whole
/// request target, query included, which a client must never show).
pub(crate) fn cos_error_xml(code: &str, resource: &str, request_id: u64) -> String {
    let message = match code {
        "AccessDenied" => "Request has expired",
        "NoSuchKey" => "The specified key does not exist.",
        _ => "The request was refused.",
    };
    format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>{code}</Code>\n\t\
         <Message>{message}</Message>\n\t<Resource>{resource}</Resource>\n\t\
         <RequestId>NjVmMDAwMDBf{request_id:08x}</RequestId>\n</Error>\n"
    )
}
