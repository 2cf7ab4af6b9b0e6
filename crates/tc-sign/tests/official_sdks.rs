//! `verify` accepts requests built exactly as each official Tencent Cloud SDK builds them.
//!
//! Each test forms the request the way that SDK does (facts read from its public source: which
//! headers it signs, how it writes `Host`, which `Content-Type` it sends, how it lays out the
//! query string, whether it can leave the body unsigned) and signs it with the small,
//! independent TC3 implementation below, written from the published algorithm with `sha2` and
//! `hmac` directly, so a bug shared by this crate's signer and verifier cannot hide here.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tc_sign::{verify, ReceivedRequest, Verified, VerifyError, DEFAULT_MAX_SKEW_SECS};

const ID: &str = "AKIDsdkformtest";
const KEY: &str = "sdk-form-secret-key";
/// 2023-11-14T22:13:20Z.
const TS: i64 = 1_700_000_000;
const DATE: &str = "2023-11-14";

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// What a client signs, in the form it signs it.
struct Signing<'a> {
    method: &'a str,
    service: &'a str,
    /// The canonical query string: the query exactly as the SDK sends it.
    query: &'a str,
    /// `(lower-case name, value as the SDK writes it)` in signed order.
    signed: &'a [(&'a str, &'a str)],
    /// The hex payload hash the SDK puts at the end of the canonical request.
    payload_hash: String,
}

/// TC3-HMAC-SHA256 from the published algorithm: the `Authorization` value.
fn authorization(s: &Signing<'_>) -> String {
    let mut canonical = format!("{}\n/\n{}\n", s.method, s.query);
    for (name, value) in s.signed {
        canonical.push_str(&format!("{name}:{value}\n"));
    }
    let names: Vec<&str> = s.signed.iter().map(|(n, _)| *n).collect();
    let names = names.join(";");
    canonical.push_str(&format!("\n{names}\n{}", s.payload_hash));
    let scope = format!("{DATE}/{}/tc3_request", s.service);
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{TS}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k_date = hmac(format!("TC3{KEY}").as_bytes(), DATE);
    let k_service = hmac(&k_date, s.service);
    let k_signing = hmac(&k_service, "tc3_request");
    let signature = hex::encode(hmac(&k_signing, &string_to_sign));
    format!("TC3-HMAC-SHA256 Credential={ID}/{scope}, SignedHeaders={names}, Signature={signature}")
}

/// A request as the server receives it.
#[derive(Clone)]
struct Received {
    method: &'static str,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn verify(&self) -> Result<Verified, VerifyError> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = ReceivedRequest {
            method: self.method,
            path_and_query: &self.target,
            headers: &headers,
            body: &self.body,
        };
        let lookup = |id: &str| (id == ID).then(|| KEY.to_owned());
        verify(&req, &lookup, TS + 10, DEFAULT_MAX_SKEW_SECS)
    }

    fn set(&mut self, name: &str, value: &str) {
        let slot = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no {name} header"));
        slot.1 = value.to_owned();
    }
}

/// The `X-TC-*` headers every SDK sends besides those it signs.
fn common_headers(action: &str) -> Vec<(String, String)> {
    [
        ("X-TC-Action", action),
        ("X-TC-Version", "2019-07-25"),
        ("X-TC-Timestamp", &TS.to_string()),
        ("X-TC-Region", "ap-guangzhou"),
        ("X-TC-RequestClient", "SDK_TEST_1.0"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

/// Builds a request whose `Host` and `Content-Type` are sent as `host_sent` and `content_type`,
/// signed over `content-type;host` with `host_signed`, as every official SDK does.
fn sdk_request(
    method: &'static str,
    host_sent: &str,
    host_signed: &str,
    content_type: &str,
    query: &str,
    body: &[u8],
    unsigned_payload: bool,
) -> Received {
    let mut headers = vec![
        ("Host".to_owned(), host_sent.to_owned()),
        ("Content-Type".to_owned(), content_type.to_owned()),
    ];
    headers.extend(common_headers("DescribeDBBackups"));
    let payload_hash = if unsigned_payload {
        headers.push(("X-TC-Content-SHA256".into(), "UNSIGNED-PAYLOAD".into()));
        sha256_hex(b"UNSIGNED-PAYLOAD")
    } else {
        sha256_hex(body)
    };
    let auth = authorization(&Signing {
        method,
        service: "mongodb",
        query,
        signed: &[("content-type", content_type), ("host", host_signed)],
        payload_hash,
    });
    headers.push(("Authorization".into(), auth));
    let target = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    };
    Received {
        method,
        target,
        headers,
        body: body.to_vec(),
    }
}

fn accepted(r: &Received) -> Verified {
    r.verify().unwrap_or_else(|e| panic!("refused: {e}"))
}

/// tencentcloud-sdk-go (`common/client.go`, TC3 path):
/// - signs `content-type;host`; `Host` is the configured endpoint (the `Domain`), port included
///   when the endpoint has one, and the same value is sent;
/// - `Content-Type: application/json` for POST, `application/x-www-form-urlencoded` for GET;
/// - GET parameters are flattened (`Filters.0.Name`), the common ones (`Action`, `Version`,
///   `Region`, `Timestamp`, `Nonce`, `RequestClient`) removed, then encoded with Go's
///   `url.Values.Encode`: keys sorted, space as `+`; a GET signs the empty payload;
/// - `ClientProfile.UnsignedPayload` sends `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and hashes
///   that literal in place of the body.
#[test]
fn go_sdk() {
    let body = br#"{"InstanceId":"cmgo-demo0001","Limit":1}"#;
    let host = "mongodb.tencentcloudapi.com";
    let ok = accepted(&sdk_request(
        "POST",
        host,
        host,
        "application/json",
        "",
        body,
        false,
    ));
    assert_eq!(ok.signed_headers, ["content-type", "host"]);
    accepted(&sdk_request(
        "POST",
        host,
        host,
        "application/json",
        "",
        body,
        true,
    ));
    let query = "BackupSets.0.ReplicaSetId=cmgo-demo0001_0&InstanceId=cmgo-demo0001&Remark=a+b%2Fc";
    let form = "application/x-www-form-urlencoded";
    accepted(&sdk_request("GET", host, host, form, query, b"", false));
    // An endpoint with a port: sent and signed with it.
    let local = "127.0.0.1:9000";
    accepted(&sdk_request(
        "POST",
        local,
        local,
        "application/json",
        "",
        body,
        false,
    ));
}

/// tencentcloud-sdk-python (`common/abstract_client.py`, `_build_req_with_tc3_signature`):
/// - signs `content-type;host`; `Host` is `HttpProfile.endpoint` as configured (port included
///   when given), sent as is;
/// - `Content-Type: application/json` for POST (body from `json.dumps`, so `", "` and `": "`
///   separators), `application/x-www-form-urlencoded` for GET;
/// - GET parameters flattened and encoded with `urlencode` in insertion order (not sorted),
///   space as `+`; a GET signs the empty payload;
/// - `ClientProfile(unsignedPayload=True)` sends `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and
///   hashes that literal.
#[test]
fn python_sdk() {
    let body = br#"{"InstanceId": "cmgo-demo0001", "Limit": 1}"#;
    let host = "mongodb.tencentcloudapi.com";
    accepted(&sdk_request(
        "POST",
        host,
        host,
        "application/json",
        "",
        body,
        false,
    ));
    accepted(&sdk_request(
        "POST",
        host,
        host,
        "application/json",
        "",
        body,
        true,
    ));
    let query = "InstanceId=cmgo-demo0001&Remark=a+b%2Fc&BackupSets.0.ReplicaSetId=cmgo-demo0001_0";
    let form = "application/x-www-form-urlencoded";
    accepted(&sdk_request("GET", host, host, form, query, b"", false));
    let local = "localhost:9000";
    accepted(&sdk_request("GET", local, local, form, query, b"", true));
}

/// tencentcloud-sdk-nodejs (`src/common/sign.ts`, `src/common/http/http_connection.ts`):
/// - signs `content-type;host`, and signs the URL's host name WITHOUT the port
///   (`URL.hostname`), while the `Host` header it sends carries the port (`URL.host`);
/// - `Content-Type: application/json` for POST (body from `JSON.stringify`, compact),
///   `application/x-www-form-urlencoded` for GET;
/// - GET parameters flattened and encoded with `querystring.stringify` in insertion order
///   (space as `%20`); the URL always gets a `?`, even with no parameters; a GET signs the
///   empty payload;
/// - no unsigned-payload option.
#[test]
fn nodejs_sdk() {
    let body = br#"{"InstanceId":"cmgo-demo0001","Limit":1}"#;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    // Through a port: sent with it, signed without it.
    let ok = accepted(&sdk_request(
        "POST",
        "127.0.0.1:9000",
        "127.0.0.1",
        json,
        "",
        body,
        false,
    ));
    assert_eq!(ok.signed_headers, ["content-type", "host"]);
    let query =
        "InstanceId=cmgo-demo0001&Remark=a%20b%2Fc&BackupSets.0.ReplicaSetId=cmgo-demo0001_0";
    accepted(&sdk_request(
        "GET",
        "localhost:9000",
        "localhost",
        form,
        query,
        b"",
        false,
    ));
    let ipv6 = sdk_request("POST", "[::1]:9000", "[::1]", json, "", body, false);
    accepted(&ipv6);
    // The default port is left out of the URL, so nothing is stripped.
    let host = "mongodb.tencentcloudapi.com";
    accepted(&sdk_request("POST", host, host, json, "", body, false));
    // A GET without parameters ends its target with a bare `?`.
    let mut bare = sdk_request("GET", "localhost:9000", "localhost", form, "", b"", false);
    bare.target = "/?".to_owned();
    accepted(&bare);
}

/// tencentcloud-sdk-java (`common/AbstractClient.java`, `doRequestWithTC3`):
/// - signs `content-type;host`; `Host` is the endpoint as configured, sent as is;
/// - `Content-Type: application/json; charset=utf-8` for POST (OkHttp would add the charset
///   anyway, so the SDK signs it), `application/x-www-form-urlencoded` for GET;
/// - GET parameters from a `HashMap` (no particular order), values encoded with `URLEncoder`
///   (space as `+`), keys as they are; a GET signs the empty payload;
/// - the credential scope's service is the endpoint's first DNS label;
/// - `ClientProfile.setUnsignedPayload(true)` sends `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and
///   hashes that literal.
#[test]
fn java_sdk() {
    let body = br#"{"InstanceId":"cmgo-demo0001","Limit":1}"#;
    let host = "mongodb.tencentcloudapi.com";
    let json = "application/json; charset=utf-8";
    accepted(&sdk_request("POST", host, host, json, "", body, false));
    accepted(&sdk_request("POST", host, host, json, "", body, true));
    let query = "Remark=a+b%2Fc&Limit=1&InstanceId=cmgo-demo0001";
    let form = "application/x-www-form-urlencoded";
    accepted(&sdk_request("GET", host, host, form, query, b"", false));
}

#[test]
fn a_signed_header_list_without_host_or_content_type_is_refused() {
    let ts = TS.to_string();
    for (signed, missing) in [
        (&[("host", "h.example")][..], "content-type"),
        (&[("content-type", "application/json")][..], "host"),
        (&[("x-tc-action", "describedbbackups")][..], "content-type"),
    ] {
        let auth = authorization(&Signing {
            method: "POST",
            service: "mongodb",
            query: "",
            signed,
            payload_hash: sha256_hex(b"{}"),
        });
        let r = Received {
            method: "POST",
            target: "/".into(),
            headers: [
                ("Host", "h.example"),
                ("Content-Type", "application/json"),
                ("X-TC-Action", "DescribeDBBackups"),
                ("X-TC-Timestamp", ts.as_str()),
                ("Authorization", auth.as_str()),
            ]
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
            body: b"{}".to_vec(),
        };
        let e = r.verify().unwrap_err();
        assert_eq!(e, VerifyError::UnsignedRequiredHeader(missing.into()));
        assert!(e.to_string().contains(missing), "{e}");
        assert_eq!(e.suggested_error_code(), "AuthFailure.InvalidAuthorization");
    }
}

/// A request that signs more than the SDKs do: every listed header counts.
fn signing_many_headers() -> Received {
    let ts = TS.to_string();
    let signed = [
        ("content-type", "application/json"),
        ("host", "mongodb.tencentcloudapi.com"),
        ("x-tc-action", "describedbbackups"),
        ("x-tc-region", "ap-guangzhou"),
        ("x-tc-timestamp", ts.as_str()),
    ];
    let body = br#"{"Limit":1}"#;
    let auth = authorization(&Signing {
        method: "POST",
        service: "mongodb",
        query: "",
        signed: &signed,
        payload_hash: sha256_hex(body),
    });
    let mut headers = vec![
        ("Host".to_owned(), "mongodb.tencentcloudapi.com".to_owned()),
        ("Content-Type".to_owned(), "application/json".to_owned()),
    ];
    headers.extend(common_headers("DescribeDBBackups"));
    headers.push(("Authorization".into(), auth));
    Received {
        method: "POST",
        target: "/".into(),
        headers,
        body: body.to_vec(),
    }
}

#[test]
fn any_list_that_includes_host_and_content_type_is_accepted() {
    let ok = accepted(&signing_many_headers());
    assert_eq!(
        ok.signed_headers,
        [
            "content-type",
            "host",
            "x-tc-action",
            "x-tc-region",
            "x-tc-timestamp"
        ]
    );
}

#[test]
fn tampering_any_signed_header_fails() {
    let original = signing_many_headers();
    let tampered = [
        ("Content-Type", "application/json; charset=gbk"),
        ("Host", "mongodb.tencentcloudapi.com.evil.example"),
        ("Host", "cvm.tencentcloudapi.com"),
        ("X-TC-Action", "DeleteBackup"),
        ("X-TC-Region", "ap-shanghai"),
    ];
    for (name, value) in tampered {
        let mut r = original.clone();
        r.set(name, value);
        assert_eq!(
            r.verify().unwrap_err(),
            VerifyError::SignatureMismatch,
            "{name}: {value}"
        );
    }
    // The timestamp is signed twice over (listed here, and always in the string to sign).
    let mut r = original.clone();
    r.set("X-TC-Timestamp", &(TS + 1).to_string());
    assert_eq!(r.verify().unwrap_err(), VerifyError::SignatureMismatch);
    // A header that is not listed is not covered: changing it changes nothing.
    let mut r = original.clone();
    r.set("X-TC-RequestClient", "something-else");
    accepted(&r);
}

#[test]
fn a_port_never_makes_a_different_host_verify() {
    // Signed with the port: another port, or another name with the same port, fails.
    let json = "application/json";
    let with_port = sdk_request(
        "POST",
        "127.0.0.1:9000",
        "127.0.0.1:9000",
        json,
        "",
        b"{}",
        false,
    );
    accepted(&with_port);
    for host in ["127.0.0.1:9001", "127.0.0.2:9000", "127.0.0.1"] {
        let mut r = with_port.clone();
        r.set("Host", host);
        assert_eq!(
            r.verify().unwrap_err(),
            VerifyError::SignatureMismatch,
            "{host}"
        );
    }
    // Signed without the port (the Node.js form): the name must still match.
    let bare = sdk_request(
        "POST",
        "127.0.0.1:9000",
        "127.0.0.1",
        json,
        "",
        b"{}",
        false,
    );
    for host in ["127.0.0.2:9000", "localhost:9000", "127.0.0.1:x"] {
        let mut r = bare.clone();
        r.set("Host", host);
        assert_eq!(
            r.verify().unwrap_err(),
            VerifyError::SignatureMismatch,
            "{host}"
        );
    }
}

#[test]
fn a_listed_header_that_was_not_sent_is_named() {
    let mut r = signing_many_headers();
    r.headers.retain(|(n, _)| n != "X-TC-Region");
    assert_eq!(
        r.verify().unwrap_err(),
        VerifyError::MissingHeader("x-tc-region".into())
    );
}

#[test]
fn an_unsigned_payload_request_without_its_header_fails() {
    // Signed as unsigned, but the header that says so was dropped on the way: the server
    // hashes the body, which the client did not.
    let mut r = sdk_request(
        "POST",
        "mongodb.tencentcloudapi.com",
        "mongodb.tencentcloudapi.com",
        "application/json",
        "",
        b"{}",
        true,
    );
    accepted(&r);
    r.body = b"{\"Limit\":99}".to_vec();
    accepted(&r);
    r.headers.retain(|(n, _)| n != "X-TC-Content-SHA256");
    assert_eq!(r.verify().unwrap_err(), VerifyError::SignatureMismatch);
}
