//! [`RawRequest`]: one API request built by hand, signed with `tc-sign` (or not), and written
//! on a fresh socket exactly as built; [`RawAnswer`]: what came back.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tc_sign::{Credentials, HttpMethod, SignableBody, SigningParams};

/// The service and version every request names unless told otherwise.
const SERVICE: &str = "mongodb";
const VERSION: &str = "2019-07-25";
/// How long [`RawRequest::send`] waits for the answer to end.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// One API request for tests that need what no client sends: a body that is not JSON, no
/// signature, a signature by the wrong key, another version, an odd header. The time is the
/// current one unless [`timestamp`](Self::timestamp) says otherwise.
///
/// ```no_run
/// use test_support::{presets, RawRequest};
///
/// let emu = presets::fast().start().unwrap();
/// let answer = RawRequest::post("DescribeDBInstances", &serde_json::json!({"Limit": 1}))
///     .region("ap-guangzhou")
///     .signed(&emu.credentials())
///     .send(emu.addr());
/// assert_eq!(answer.status, 200);
/// assert!(answer.response()["TotalCount"].is_u64());
/// ```
#[derive(Clone)]
#[must_use]
pub struct RawRequest {
    method: HttpMethod,
    action: String,
    version: String,
    /// POST: the body; GET: the query string (without `?`).
    payload: Vec<u8>,
    region: Option<String>,
    token: Option<String>,
    timestamp: Option<i64>,
    headers: Vec<(String, String)>,
    creds: Option<Credentials>,
}

impl std::fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("action", &self.action)
            .field("version", &self.version)
            .field("payload", &String::from_utf8_lossy(&self.payload))
            .field("region", &self.region)
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("signed", &self.creds.as_ref().map(Credentials::secret_id))
            .finish_non_exhaustive()
    }
}

impl RawRequest {
    fn new(method: HttpMethod, action: &str, payload: Vec<u8>) -> RawRequest {
        RawRequest {
            method,
            action: action.to_owned(),
            version: VERSION.to_owned(),
            payload,
            region: None,
            token: None,
            timestamp: None,
            headers: Vec::new(),
            creds: None,
        }
    }

    /// A POST of `params` as JSON.
    pub fn post(action: &str, params: &Value) -> RawRequest {
        RawRequest::new(HttpMethod::Post, action, params.to_string().into_bytes())
    }

    /// A POST of `body` as it is (it need not be JSON).
    pub fn post_bytes(action: &str, body: impl Into<Vec<u8>>) -> RawRequest {
        RawRequest::new(HttpMethod::Post, action, body.into())
    }

    /// A GET with this query string (already encoded, without `?`).
    pub fn get(action: &str, query: impl Into<String>) -> RawRequest {
        RawRequest::new(HttpMethod::Get, action, query.into().into_bytes())
    }

    /// Name another API version (`X-TC-Version`).
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// Send `X-TC-Region` (signed along when the request is signed).
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// Send this `X-TC-Token`, in place of any the credentials carry.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Sign and send this request time (seconds since the Unix epoch) instead of now.
    pub fn timestamp(mut self, unix_secs: i64) -> Self {
        self.timestamp = Some(unix_secs);
        self
    }

    /// Add a header after the others (a second one of a name is sent twice).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sign with `creds` (TC3-HMAC-SHA256). Without this the request goes unsigned: the
    /// `X-TC-*` headers but no `Authorization`.
    pub fn signed(mut self, creds: &Credentials) -> Self {
        self.creds = Some(creds.clone());
        self
    }

    fn time(&self) -> i64 {
        self.timestamp.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("the clock is after 1970")
                .as_secs() as i64
        })
    }

    /// The headers it sends to `host` (`127.0.0.1:PORT`), `Host` first, in order.
    pub fn headers(&self, host: &str) -> Vec<(String, String)> {
        let timestamp = self.time();
        let mut out: Vec<(String, String)> = match &self.creds {
            Some(creds) => {
                let (query, body) = match self.method {
                    HttpMethod::Get => (std::str::from_utf8(&self.payload).unwrap_or(""), &[][..]),
                    _ => ("", &self.payload[..]),
                };
                let params = SigningParams::builder()
                    .method(self.method)
                    .service(SERVICE)
                    .host(host)
                    .action(&self.action)
                    .version(&self.version)
                    .timestamp(timestamp)
                    .query(query)
                    .payload(SignableBody::Bytes(body))
                    .set_region(self.region.as_deref())
                    .build()
                    .expect("complete signing parameters");
                tc_sign::sign(creds, &params).headers
            }
            None => {
                let mut h = vec![
                    ("Host".to_owned(), host.to_owned()),
                    (
                        "Content-Type".to_owned(),
                        self.method.default_content_type().to_owned(),
                    ),
                    ("X-TC-Action".to_owned(), self.action.clone()),
                    ("X-TC-Version".to_owned(), self.version.clone()),
                    ("X-TC-Timestamp".to_owned(), timestamp.to_string()),
                ];
                if let Some(region) = &self.region {
                    h.push(("X-TC-Region".to_owned(), region.clone()));
                }
                h
            }
        };
        if let Some(token) = &self.token {
            out.retain(|(k, _)| !k.eq_ignore_ascii_case("X-TC-Token"));
            out.push(("X-TC-Token".to_owned(), token.clone()));
        }
        out.extend(self.headers.iter().cloned());
        out
    }

    /// The whole HTTP/1.1 request for `host`, with `Connection: close`, ready to write.
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let target = match self.method {
            HttpMethod::Get if !self.payload.is_empty() => {
                format!("/?{}", String::from_utf8_lossy(&self.payload))
            }
            _ => "/".to_owned(),
        };
        let mut head = format!("{} {target} HTTP/1.1\r\n", self.method.as_str());
        for (k, v) in self.headers(host) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n");
        let body: &[u8] = match self.method {
            HttpMethod::Get => &[],
            _ => &self.payload,
        };
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// Write it on a fresh connection to `addr` and read until the server closes it.
    ///
    /// Panics when the connection fails or what comes back is not an HTTP answer.
    pub fn send(&self, addr: SocketAddr) -> RawAnswer {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(READ_TIMEOUT))
            .expect("read timeout");
        s.write_all(&self.to_bytes(&addr.to_string()))
            .expect("send the request");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("an answer, then close");
        RawAnswer::parse(&raw)
    }
}

/// An HTTP answer read off the socket.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawAnswer {
    /// The status code.
    pub status: u16,
    /// Every header, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body as it came (not decoded).
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// Split raw bytes into status, headers and body. Panics when they are no HTTP/1.1 answer.
    pub fn parse(raw: &[u8]) -> RawAnswer {
        let pos = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..pos]);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        assert!(status_line.starts_with("HTTP/1.1 "), "{head}");
        let status = status_line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status code: {head}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        RawAnswer {
            status,
            headers,
            body: raw[pos + 4..].to_vec(),
        }
    }

    /// The value of header `name` (any letter case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics, showing it, when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The API envelope's `Response` object; panics when there is none.
    pub fn response(&self) -> Value {
        let v = self.json();
        v.get("Response")
            .cloned()
            .unwrap_or_else(|| panic!("no Response in {v}"))
    }

    /// The error code, if the answer is an API error.
    pub fn error_code(&self) -> Option<String> {
        self.response()["Error"]["Code"].as_str().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_post_verifies_and_names_its_region() {
        let creds = Credentials::new("AKIDraw", "raw-key").unwrap();
        let req = RawRequest::post("DescribeDBInstances", &serde_json::json!({"Limit": 1}))
            .region("ap-guangzhou")
            .timestamp(1_700_000_000)
            .signed(&creds);
        let bytes = req.to_bytes("127.0.0.1:9");
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("POST / HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"),
            "{text}"
        );
        assert!(text.contains("X-TC-Region: ap-guangzhou\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n{\"Limit\":1}"), "{text}");
        // The server side of tc-sign accepts it.
        let headers = req.headers("127.0.0.1:9");
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        let received = tc_sign::ReceivedRequest {
            method: "POST",
            path_and_query: "/",
            headers: &pairs,
            body: br#"{"Limit":1}"#,
        };
        let lookup = |id: &str| (id == "AKIDraw").then(|| "raw-key".to_owned());
        tc_sign::verify(&received, &lookup, 1_700_000_000, 300).unwrap();
    }

    #[test]
    fn an_unsigned_get_has_the_api_headers_and_no_authorization() {
        let req = RawRequest::get("DescribeDBInstances", "Limit=1")
            .timestamp(5)
            .token("tok")
            .header("X-Extra", "1");
        let text = String::from_utf8(req.to_bytes("h:1")).unwrap();
        assert!(text.starts_with("GET /?Limit=1 HTTP/1.1\r\n"), "{text}");
        assert!(!text.contains("Authorization"), "{text}");
        for line in [
            "X-TC-Action: DescribeDBInstances",
            "X-TC-Timestamp: 5",
            "X-TC-Token: tok",
        ] {
            assert!(text.contains(line), "{line}: {text}");
        }
        assert!(text.ends_with("X-Extra: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
        assert!(!format!("{req:?}").contains("tok\""), "{req:?}");
    }

    #[test]
    fn answers_parse() {
        let a = RawAnswer::parse(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Response\":{\"Error\":{\"Code\":\"AuthFailure\"}}}",
        );
        assert_eq!(a.status, 200);
        assert_eq!(a.header("content-type"), Some("application/json"));
        assert_eq!(a.error_code().as_deref(), Some("AuthFailure"));
    }
}
