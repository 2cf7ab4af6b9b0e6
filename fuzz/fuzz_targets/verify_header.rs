//! The signature verifier on arbitrary requests, and sign → verify on arbitrary contents.
//!
//! The input is split on `\n` into header texts, the rest is the body:
//!
//! ```text
//! Authorization \n X-TC-Timestamp \n method \n path?query \n Content-Type \n Host \n
//! X-TC-Action \n X-TC-Content-SHA256 \n body…
//! ```
//!
//! 1. `tc_sign::verify` on that request must never panic, whatever the header texts (the server
//!    clock is set to the request's own timestamp when it parses, so the fuzzer can reach the date
//!    and signature checks). The secret id of the published TC3 example is known to the lookup,
//!    so the seed is a request that verifies.
//! 2. The same host, action and body (or query, for GET), signed by `tc_sign::sign` at the
//!    timestamp, must verify.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tc_sign::{
    Credentials, HttpMethod, ReceivedRequest, SignableBody, SigningParams, DEFAULT_MAX_SKEW_SECS,
};

/// The secret id and key of the published TC3-HMAC-SHA256 example.
const SECRET_ID: &str = "AKID**********************0123456789EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
/// The example's request time.
const DEFAULT_NOW: i64 = 1_551_113_065;

fn lookup(id: &str) -> Option<String> {
    (id == SECRET_ID).then(|| SECRET_KEY.to_owned())
}

fn fields(data: &[u8]) -> (Vec<String>, &[u8]) {
    let mut texts = Vec::with_capacity(8);
    let mut rest = data;
    while texts.len() < 8 {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                texts.push(String::from_utf8_lossy(&rest[..i]).into_owned());
                rest = &rest[i + 1..];
            }
            None => {
                texts.push(String::from_utf8_lossy(rest).into_owned());
                rest = &[];
            }
        }
    }
    (texts, rest)
}

fuzz_target!(|data: &[u8]| {
    let (f, body) = fields(data);
    let [auth, ts, method, target, content_type, host, action, content_sha] = &f[..] else {
        unreachable!("fields() returns eight texts");
    };

    // 1. Arbitrary request: no panic, and a sensible answer.
    let headers = [
        ("Authorization", auth.as_str()),
        ("X-TC-Timestamp", ts.as_str()),
        ("Content-Type", content_type.as_str()),
        ("Host", host.as_str()),
        ("X-TC-Action", action.as_str()),
        ("X-TC-Content-SHA256", content_sha.as_str()),
    ];
    let req = ReceivedRequest {
        method,
        path_and_query: target,
        headers: &headers,
        body,
    };
    let now = ts.trim().parse::<i64>().unwrap_or(DEFAULT_NOW);
    for (now, skew) in [
        (now, DEFAULT_MAX_SKEW_SECS),
        (DEFAULT_NOW, i64::MIN),
        (i64::MIN, i64::MAX),
    ] {
        match tc_sign::verify(&req, &lookup, now, skew) {
            Ok(v) => {
                assert_eq!(v.secret_id, SECRET_ID);
                assert!(v.signed_headers.iter().any(|h| h == "host"));
            }
            Err(e) => {
                let _ = e.to_string();
                let _ = e.suggested_error_code();
                let _ = format!("{e:?}");
            }
        }
    }

    // 2. Sign these contents properly: the verifier must accept them.
    let timestamp = now;
    let creds = Credentials::new(SECRET_ID, SECRET_KEY).expect("valid example credentials");
    let get = method.eq_ignore_ascii_case("GET");
    let query = String::from_utf8_lossy(body);
    let (query_signed, body_signed): (&str, &[u8]) = if get { (&query, &[]) } else { ("", body) };
    let payload = if content_sha.trim() == "UNSIGNED-PAYLOAD" {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(body_signed)
    };
    let built = SigningParams::builder()
        .method(if get {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        })
        .service("mongodb")
        .host(host)
        .action(action)
        .version("2019-07-25")
        .timestamp(timestamp)
        .query(query_signed)
        .payload(payload)
        .build();
    let params = match built {
        Ok(params) => params,
        Err(e) => {
            // Only an empty host or action can be missing here, and the error must say so.
            assert!(host.is_empty() || action.is_empty(), "{e}");
            assert!(
                e.missing().iter().all(|m| ["host", "action"].contains(m)),
                "{e}"
            );
            return;
        }
    };
    let signed = tc_sign::sign(&creds, &params);
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let target = if get {
        format!("/?{query}")
    } else {
        "/".to_owned()
    };
    let req = ReceivedRequest {
        method: if get { "GET" } else { "POST" },
        path_and_query: &target,
        headers: &headers,
        body: if get { &[] } else { body },
    };
    if let Err(e) = tc_sign::verify(&req, &lookup, timestamp, DEFAULT_MAX_SKEW_SECS) {
        panic!("a freshly signed request does not verify: {e} ({req:?})");
    }
});
