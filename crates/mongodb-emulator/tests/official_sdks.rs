//! Requests signed the way the official SDKs sign them are accepted unchanged.
//!
//! The official Node.js SDK signs only `content-type;host`, and signs the URL's host name
//! without the port while the `Host` header it sends carries the port. Pointed at the emulator
//! on its port, every such request must still verify.

mod common;

use common::{start, Api, Req};
use serde_json::json;
use tc_sign::HttpMethod;

/// The headers the Node.js SDK sends for `r`, with `signed_host` as the host it signs (the HTTP
/// library adds `Host: 127.0.0.1:<port>`).
fn nodejs_headers(r: &Req, signed_host: &str) -> Vec<(String, String)> {
    let (content_type, query, body): (&str, &str, &[u8]) = match r.method {
        HttpMethod::Post => ("application/json", "", &r.payload),
        HttpMethod::Get => (
            "application/x-www-form-urlencoded",
            std::str::from_utf8(&r.payload).unwrap(),
            b"",
        ),
    };
    let canonical = tc_sign::canonical_request(
        r.method.as_str(),
        "/",
        query,
        &[("content-type", content_type), ("host", signed_host)],
        &tc_sign::sha256_hex(body),
    );
    let date = tc_sign::utc_date(r.timestamp);
    let string_to_sign = tc_sign::string_to_sign(
        r.timestamp,
        "mongodb",
        &tc_sign::sha256_hex(canonical.as_bytes()),
    );
    let key = tc_sign::derive_signing_key(r.creds.secret_key(), &date, "mongodb");
    let authorization = tc_sign::authorization(
        r.creds.secret_id(),
        &date,
        "mongodb",
        "content-type;host",
        &tc_sign::signature(&key, &string_to_sign),
    );
    [
        ("Content-Type", content_type),
        ("X-TC-Action", r.action.as_str()),
        ("X-TC-Region", "ap-guangzhou"),
        ("X-TC-Timestamp", &r.timestamp.to_string()),
        ("X-TC-Version", r.version.as_str()),
        ("X-TC-RequestClient", "SDK_NODEJS_4.0.0"),
        ("Authorization", &authorization),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

#[test]
fn a_request_signed_the_nodejs_way_is_accepted_on_a_port() {
    let h = start();
    let api = Api::new(&h);
    let bare_host = h.addr().ip().to_string();
    assert_ne!(bare_host, api.host, "the emulator's Host carries a port");

    let post = api.req(
        HttpMethod::Post,
        "DescribeDBInstances",
        br#"{"InstanceIds":["cmgo-demo0002"]}"#.to_vec(),
    );
    let a = api.send_with(&post, &nodejs_headers(&post, &bare_host));
    assert_eq!(a.status, 200);
    let r = a.response();
    assert!(r.get("Error").is_none(), "POST refused: {r}");
    assert_eq!(r["TotalCount"], 1, "{r}");

    let query = mongodb_models::form::encode(&json!({ "InstanceIds": ["cmgo-demo0002"] }));
    let get = api.req(HttpMethod::Get, "DescribeDBInstances", query);
    let a = api.send_with(&get, &nodejs_headers(&get, &bare_host));
    let r = a.response();
    assert!(r.get("Error").is_none(), "GET refused: {r}");
    assert_eq!(r["TotalCount"], 1, "{r}");
}

#[test]
fn a_nodejs_style_request_for_another_host_name_is_refused() {
    let h = start();
    let api = Api::new(&h);
    let r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    // Signed for a name the request was not sent to: stripping the port cannot make it match.
    let a = api.send_with(&r, &nodejs_headers(&r, "mongodb.tencentcloudapi.com"));
    assert_eq!(a.code().as_deref(), Some("AuthFailure.SignatureFailure"));
}
