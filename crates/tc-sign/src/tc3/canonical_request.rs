//! Step 1 of TC3: the canonical request, the normalised text of what the signature covers.
//!
//! ```text
//! <METHOD>\n<path>\n<query as sent>\n<name>:<trimmed, lower-cased value>\n…\n\n<signed;header;names>\n<hex SHA-256 of the payload>
//! ```

use crate::encoding::bytes_into_string;
use crate::method::HttpMethod;
use crate::sink::{put_lowercase, Sink};

/// The signed-header list this crate's signer uses.
pub const DEFAULT_SIGNED_HEADERS: &str = "content-type;host;x-tc-action";

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

/// The values of the [`DEFAULT_SIGNED_HEADERS`], in that order.
#[derive(Clone, Copy)]
pub(crate) struct DefaultHeaders<'a> {
    pub(crate) content_type: &'a str,
    pub(crate) host: &'a str,
    pub(crate) action: &'a str,
}

/// [`write_canonical_request`] specialised to the [`DEFAULT_SIGNED_HEADERS`], with the constant
/// text between the values merged into as few pieces as possible (the signer's fast path).
#[inline(always)]
pub(crate) fn write_default_canonical_request(
    out: &mut impl Sink,
    method: HttpMethod,
    path: &str,
    query: &[u8],
    headers: DefaultHeaders<'_>,
    hashed_payload: &[u8],
) {
    out.put(match method {
        HttpMethod::Post => b"POST\n",
        HttpMethod::Get => b"GET\n",
    });
    if path.is_empty() || path == "/" {
        out.put(b"/\n");
    } else {
        out.put(path.as_bytes());
        out.put(b"\n");
    }
    out.put(query);
    out.put(b"\ncontent-type:");
    put_lowercase(out, trim(headers.content_type));
    out.put(b"\nhost:");
    put_lowercase(out, trim(headers.host));
    out.put(b"\nx-tc-action:");
    put_lowercase(out, trim(headers.action));
    out.put(b"\n\ncontent-type;host;x-tc-action\n");
    out.put(hashed_payload);
}

/// [`str::trim`], with a shortcut for the usual value that has nothing to trim.
#[inline]
fn trim(value: &str) -> &str {
    // Bytes from `!` to `~` are neither whitespace nor part of a multi-byte character.
    let visible = |b: Option<&u8>| matches!(b, Some(b'!'..=b'~'));
    let bytes = value.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// Builds a canonical request with an explicit list of signed headers.
///
/// This is the low-level form of step 1 of TC3, for checking published examples or
/// reproducing another implementation; [`sign`](crate::sign) always signs
/// `content-type;host;x-tc-action`. `headers` lists `(name, value)` pairs in the order they are
/// signed: names are lower-cased, values are trimmed and lower-cased. `query` is the query string
/// exactly as sent (empty for a POST), and `hashed_payload` the hex SHA-256 of the body (see
/// [`sha256_hex`](crate::sha256_hex)).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_header_values_are_lowercased() {
        let cr = canonical_request("POST", "/", "", &[("Host", " ÄBC.example ")], "x");
        assert!(cr.contains("host:äbc.example\n"), "{cr}");
    }

    proptest::proptest! {
        /// The fast path's merged constant text writes exactly what the general form writes.
        #[test]
        fn default_writer_matches_the_general_one(
            get in proptest::bool::ANY,
            path in "(/[a-z]{0,6}){0,2}",
            query in "[A-Za-z0-9=&%.]{0,40}",
            content_type in " ?[ -~]{0,30} ?",
            host in "[A-Za-z0-9.:-]{1,30}",
            action in "[A-Za-z]{1,20}|É[a-z]{0,4}",
        ) {
            let method = if get { HttpMethod::Get } else { HttpMethod::Post };
            let mut general = Vec::new();
            write_canonical_request(
                &mut general,
                method.as_str(),
                &path,
                query.as_bytes(),
                [("content-type", &*content_type), ("host", &*host), ("x-tc-action", &*action)],
                DEFAULT_SIGNED_HEADERS,
                b"hash",
            );
            let mut fast = Vec::new();
            let headers = DefaultHeaders { content_type: &content_type, host: &host, action: &action };
            write_default_canonical_request(&mut fast, method, &path, query.as_bytes(), headers, b"hash");
            proptest::prop_assert_eq!(fast, general);
        }
    }
}
