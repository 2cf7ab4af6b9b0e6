//! HTTP/1.1 on `std::net`: reading requests (the head parsed by `httparse`, the
//! body by `Content-Length` or chunked, `Expect: 100-continue`) under strict
//! limits, and writing answers. Knows nothing of the API, the state or faults.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Longest request line accepted.
const MAX_REQUEST_LINE: usize = 16 * 1024;
/// Largest request head accepted: the request line and up to 64 KiB of header
/// fields.
const MAX_HEAD_BYTES: usize = MAX_REQUEST_LINE + 64 * 1024;
/// Longest line of chunked-body framing (a chunk size, a trailer field).
const MAX_CHUNK_LINE: u64 = 64 * 1024;
/// Most header fields accepted.
const MAX_HEADERS: usize = 128;
/// How much of an oversized body is read and thrown away so that the client can
/// read the answer instead of seeing its upload reset.
const MAX_DRAIN: u64 = 64 * 1024 * 1024;

/// One parsed HTTP request.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    /// Path and query exactly as sent.
    pub(crate) target: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) http10: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text when it is a form-encoded POST (how the legacy signing of API 3.0
    /// sends its parameters).
    pub(crate) fn form_body(&self) -> Option<&str> {
        let form = self.method == "POST"
            && self.header("content-type").is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        form.then(|| std::str::from_utf8(&self.body).ok()).flatten()
    }

    /// The decoded value of parameter `name` from the query string, else from a form-encoded
    /// body.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        query_param(&self.query, name)
            .or_else(|| self.form_body().and_then(|body| query_param(body, name)))
    }

    /// Whether the client asked to close the connection after this exchange.
    pub(crate) fn wants_close(&self) -> bool {
        let conn = self.header("connection").map(|v| v.to_ascii_lowercase());
        match conn {
            Some(v) if v.contains("close") => true,
            Some(v) if v.contains("keep-alive") => false,
            _ => self.http10,
        }
    }
}

/// Why a request could not be read.
pub(crate) enum ReadError {
    /// Not HTTP we understand: answer 400 and close.
    Malformed(String),
    /// The body is larger than allowed: answer `RequestSizeLimitExceeded` and close.
    TooLarge(u64),
    /// The connection failed or closed mid-request.
    Io,
}

/// Reads one line ending in `\n` of at most `limit` bytes (chunked-body
/// framing). `Ok(None)` at a clean end of stream before any byte.
fn read_line(reader: &mut impl BufRead, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    let mut buf = Vec::new();
    match reader.take(limit).read_until(b'\n', &mut buf) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(_) => return Err(ReadError::Io),
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() as u64 >= limit {
            return Err(ReadError::Malformed("a line is too long".to_owned()));
        }
        return Err(ReadError::Io);
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(buf))
}

/// A request line and its header fields.
struct Head {
    method: String,
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
}

impl Head {
    /// Takes what we need from a completely parsed head.
    fn from_parsed(req: &httparse::Request<'_, '_>) -> Result<Head, ReadError> {
        let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version)
        else {
            return Err(ReadError::Malformed("incomplete request line".to_owned()));
        };
        if !target.starts_with('/') {
            return Err(ReadError::Malformed(
                "the request target must start with '/'".to_owned(),
            ));
        }
        let headers = req
            .headers
            .iter()
            .map(|h| match std::str::from_utf8(h.value) {
                Ok(v) => Ok((h.name.to_owned(), v.trim().to_owned())),
                Err(_) => Err(ReadError::Malformed("a header is not UTF-8".to_owned())),
            })
            .collect::<Result<_, _>>()?;
        Ok(Head {
            method: method.to_owned(),
            target: target.to_owned(),
            http10: version == 0,
            headers,
        })
    }
}

/// Reads and parses a request head, growing a buffer until `httparse` finds it
/// complete or it reaches [`MAX_HEAD_BYTES`]. Only the head's bytes are taken
/// from `reader`; whatever follows stays there for the body and the next
/// request. `Ok(None)` at a clean end of stream before any byte.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Head>, ReadError> {
    let mut buf = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Io),
        };
        if available.is_empty() {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io)
            };
        }
        let before = buf.len();
        let take = available.len().min(MAX_HEAD_BYTES - before);
        buf.extend_from_slice(&available[..take]);
        if request_line_len(&buf) > MAX_REQUEST_LINE {
            return Err(ReadError::Malformed(
                "the request line is too long".to_owned(),
            ));
        }
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut fields);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let head = Head::from_parsed(&req)?;
                reader.consume(len - before);
                return Ok(Some(head));
            }
            Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
                return Err(ReadError::Malformed(format!(
                    "the request head is larger than {MAX_HEAD_BYTES} bytes"
                )));
            }
            Ok(httparse::Status::Partial) => reader.consume(take),
            Err(e) => return Err(ReadError::Malformed(e.to_string())),
        }
    }
}

/// The length of the request line in `buf` (or of as much of it as is there),
/// after the empty lines that may come before it.
fn request_line_len(buf: &[u8]) -> usize {
    let start = buf.iter().position(|b| !b"\r\n".contains(b));
    let line = &buf[start.unwrap_or(buf.len())..];
    line.iter().position(|&b| b == b'\n').unwrap_or(line.len())
}

/// Reads one request (head and body); `Ok(None)` when the client closed the
/// connection cleanly before sending one. `out` is for `100 Continue`.
pub(crate) fn read_request(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    max_body: usize,
) -> Result<Option<HttpRequest>, ReadError> {
    let Some(Head {
        method,
        target,
        http10,
        headers,
    }) = read_head(reader)?
    else {
        return Ok(None);
    };
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };

    let expect_continue = find("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let chunked = match find("transfer-encoding") {
        None => false,
        Some(te) if te.to_ascii_lowercase().trim_end().ends_with("chunked") => true,
        Some(_) => {
            return Err(ReadError::Malformed(
                "unsupported Transfer-Encoding".to_owned(),
            ))
        }
    };
    let mut lengths = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse::<u64>());
    let content_length = match lengths.next() {
        None => None,
        Some(Ok(n)) => {
            if lengths.any(|other| other.ok() != Some(n)) {
                return Err(ReadError::Malformed(
                    "conflicting Content-Length".to_owned(),
                ));
            }
            Some(n)
        }
        Some(Err(_)) => return Err(ReadError::Malformed("bad Content-Length".to_owned())),
    };

    let mut body = Vec::new();
    if chunked {
        if expect_continue {
            send_continue(out)?;
        }
        read_chunked(reader, &mut body, max_body)?;
    } else if let Some(len) = content_length {
        if len > max_body as u64 {
            if !expect_continue {
                // Read and discard (bounded) so the client gets to read our answer.
                let _ = reader
                    .get_ref()
                    .set_read_timeout(Some(Duration::from_secs(2)));
                let _ = io::copy(&mut reader.take(len.min(MAX_DRAIN)), &mut io::sink());
            }
            return Err(ReadError::TooLarge(len));
        }
        if expect_continue && len > 0 {
            send_continue(out)?;
        }
        body.reserve(len as usize);
        reader
            .take(len)
            .read_to_end(&mut body)
            .map_err(|_| ReadError::Io)?;
        if body.len() as u64 != len {
            return Err(ReadError::Io);
        }
    }

    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.clone(), String::new()),
    };
    Ok(Some(HttpRequest {
        method,
        target,
        path,
        query,
        http10,
        headers,
        body,
    }))
}

fn send_continue(out: &mut TcpStream) -> Result<(), ReadError> {
    out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
        .and_then(|_| out.flush())
        .map_err(|_| ReadError::Io)
}

fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    max: usize,
) -> Result<(), ReadError> {
    loop {
        let Some(line) = read_line(reader, 1024)? else {
            return Err(ReadError::Io);
        };
        let text = String::from_utf8_lossy(&line);
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Malformed("bad chunk size".to_owned()))?;
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                match read_line(reader, MAX_CHUNK_LINE)? {
                    Some(l) if l.is_empty() => return Ok(()),
                    Some(_) => continue,
                    None => return Err(ReadError::Io),
                }
            }
        }
        // A chunk size near u64::MAX must not wrap around the limit check.
        let total = (body.len() as u64).saturating_add(size);
        if total > max as u64 {
            return Err(ReadError::TooLarge(total));
        }
        let before = body.len();
        reader
            .take(size)
            .read_to_end(body)
            .map_err(|_| ReadError::Io)?;
        if (body.len() - before) as u64 != size {
            return Err(ReadError::Io);
        }
        match read_line(reader, 2)? {
            Some(l) if l.is_empty() => {}
            _ => return Err(ReadError::Malformed("bad chunk terminator".to_owned())),
        }
    }
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Writes the status line and headers; `length` becomes `Content-Length`.
pub(crate) fn write_head(
    out: &mut impl Write,
    status: u16,
    content_type: &str,
    extra: &[(&str, String)],
    length: u64,
    close: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nServer: mongodb-emulator\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n",
        reason(status)
    );
    for (k, v) in extra {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    out.write_all(head.as_bytes())
}

/// Writes a complete answer.
pub(crate) fn write_response(
    out: &mut impl Write,
    status: u16,
    content_type: &str,
    extra: &[(&str, String)],
    body: &[u8],
    close: bool,
) -> io::Result<()> {
    write_head(out, status, content_type, extra, body.len() as u64, close)?;
    out.write_all(body)?;
    out.flush()
}

/// A gateway-style HTML error page for `status`.
pub(crate) fn html_page(status: u16) -> Vec<u8> {
    format!(
        "<html>\r\n<head><title>{status} {r}</title></head>\r\n<body>\r\n<center><h1>{status} {r}</h1></center>\r\n<hr><center>emulated gateway</center>\r\n</body>\r\n</html>\r\n",
        r = reason(status)
    )
    .into_bytes()
}

/// The decoded value of query parameter `name`, if present.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = mongodb_models::form::percent_decode(k).ok()?;
        (k == name).then(|| mongodb_models::form::percent_decode(v).unwrap_or_default())
    })
}
