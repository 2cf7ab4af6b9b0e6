//! [`Recorded`]: one request as a [`TestServer`](crate::TestServer) received it.

/// One request as the server received it: method, target, headers and body, byte for byte.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Recorded {
    /// `GET`, `POST`, `CONNECT`, …
    pub method: String,
    /// The request target as sent: the path and `?query` (for `CONNECT`, `host:port`).
    pub path_and_query: String,
    /// Every header in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes; empty without one).
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of header `name` (any letter case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The API action (`X-TC-Action`), or `""`.
    pub fn action(&self) -> &str {
        self.header("X-TC-Action").unwrap_or("")
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or("")
    }

    /// The value of query parameter `name`, as sent (not decoded).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path_and_query.split_once('?')?;
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// A single `Range: bytes=START-[END]` (END inclusive), if asked.
    pub fn range(&self) -> Option<(u64, Option<u64>)> {
        parse_range(self.header("range")?)
    }

    /// Checks the TC3 signature with `tc_sign::verify`, taking the request's own
    /// `X-TC-Timestamp` as the time (so any clock skew passes).
    pub fn verify(&self, secret_id: &str, secret_key: &str) -> Result<tc_sign::Verified, String> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let req = tc_sign::ReceivedRequest {
            method: &self.method,
            path_and_query: &self.path_and_query,
            headers: &headers,
            body: &self.body,
        };
        let now: i64 = self
            .header("X-TC-Timestamp")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let lookup = |sid: &str| (sid == secret_id).then(|| secret_key.to_owned());
        tc_sign::verify(&req, &lookup, now, 300).map_err(|e| e.to_string())
    }
}

/// `bytes=START-[END]` → `(START, END)`; `None` for suffix ranges, other units and garbage.
pub(crate) fn parse_range(v: &str) -> Option<(u64, Option<u64>)> {
    let spec = v.trim().strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let start = a.trim().parse().ok()?;
    let end = match b.trim() {
        "" => None,
        e => Some(e.parse().ok()?),
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("bytes=5-"), Some((5, None)));
        assert_eq!(parse_range("bytes=0-99"), Some((0, Some(99))));
        assert_eq!(parse_range("bytes=-5"), None);
        assert_eq!(parse_range("items=1-2"), None);
    }

    #[test]
    fn the_query_and_path_are_split() {
        let r = Recorded {
            method: "GET".into(),
            path_and_query: "/f.tar?a=1&sig=xyz".into(),
            headers: vec![("Range".into(), "bytes=3-".into())],
            body: Vec::new(),
        };
        assert_eq!(r.path(), "/f.tar");
        assert_eq!(r.query_param("sig"), Some("xyz"));
        assert_eq!(r.query_param("b"), None);
        assert_eq!(r.range(), Some((3, None)));
        assert_eq!(r.header("range"), Some("bytes=3-"));
    }
}
