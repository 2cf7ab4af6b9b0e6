//! Verification outcomes, one test per failure kind, plus the official SDKs' variants.

use tc_sign::{
    sign, verify, Credentials, HttpMethod, ReceivedRequest, SignableBody, SignedRequest,
    SigningParams, SigningParamsBuilder, Verified, VerifyError,
};

const ID: &str = "AKIDverifytest";
const KEY: &str = "verify-secret-key";
const TS: i64 = 1_700_000_000;

fn lookup(id: &str) -> Option<String> {
    (id == ID).then(|| KEY.to_owned())
}

fn creds() -> Credentials {
    Credentials::new(ID, KEY).unwrap()
}

fn base() -> SigningParamsBuilder<'static> {
    SigningParams::builder()
        .service("mongodb")
        .host("mongodb.tencentcloudapi.com")
        .action("DescribeDBBackups")
        .version("2019-07-25")
        .timestamp(TS)
}

fn post(body: &[u8]) -> SigningParams<'_> {
    base()
        .method(HttpMethod::Post)
        .payload(SignableBody::Bytes(body))
        .build()
        .unwrap()
}

fn get(query: &str) -> SigningParams<'_> {
    base()
        .method(HttpMethod::Get)
        .query(query)
        .payload(SignableBody::EMPTY)
        .build()
        .unwrap()
}

fn run(
    signed: &SignedRequest,
    edit: impl FnOnce(&mut Vec<(String, String)>),
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now: i64,
) -> Result<Verified, VerifyError> {
    let mut owned = signed.headers.clone();
    edit(&mut owned);
    let headers: Vec<(&str, &str)> = owned
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = ReceivedRequest {
        method,
        path_and_query,
        headers: &headers,
        body,
    };
    verify(&req, &lookup, now, 300)
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in headers.iter_mut() {
        if n.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

fn post_signed() -> SignedRequest {
    sign(&creds(), &post(b"{\"Limit\":1}"))
}

#[test]
fn valid_post_and_get() {
    let s = post_signed();
    let ok = run(&s, |_| {}, "POST", "/", b"{\"Limit\":1}", TS).unwrap();
    assert_eq!(ok.secret_id, ID);
    assert_eq!(ok.timestamp, TS);
    assert_eq!(ok.signed_headers, ["content-type", "host", "x-tc-action"]);

    let q = "InstanceId=cmgo-demo0001&BackupSets.0.ReplicaSetId=cmgo-demo0001_0";
    let s = sign(&creds(), &get(q));
    let target = format!("/?{q}");
    run(&s, |_| {}, "GET", &target, b"", TS).unwrap();
    // A reordered query string is a different request.
    let reordered = "/?BackupSets.0.ReplicaSetId=cmgo-demo0001_0&InstanceId=cmgo-demo0001";
    assert_eq!(
        run(&s, |_| {}, "GET", reordered, b"", TS).unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

#[test]
fn header_names_are_case_insensitive_and_values_trimmed() {
    let s = post_signed();
    let r = run(
        &s,
        |h| {
            for (n, v) in h.iter_mut() {
                *n = n.to_ascii_lowercase();
                if n == "host" {
                    *v = format!("  {}  ", v.to_ascii_uppercase());
                }
            }
        },
        "POST",
        "/",
        b"{\"Limit\":1}",
        TS,
    );
    r.unwrap();
}

#[test]
fn missing_and_malformed_authorization() {
    let s = post_signed();
    let body = b"{\"Limit\":1}";
    let e = run(
        &s,
        |h| h.retain(|(n, _)| n != "Authorization"),
        "POST",
        "/",
        body,
        TS,
    );
    assert_eq!(e.unwrap_err(), VerifyError::MissingAuthorization);
    let e = run(&s, |h| set(h, "Authorization", "  "), "POST", "/", body, TS);
    assert_eq!(e.unwrap_err(), VerifyError::MissingAuthorization);

    let sig = s.signature.clone();
    let bad = [
        "Bearer abc".to_owned(),
        format!("TC3-HMAC-SHA256 Credential={ID}/2023-11-14/mongodb/tc3_request, Signature={sig}"),
        format!("TC3-HMAC-SHA256 Credential={ID}/2023-11-14/mongodb, SignedHeaders=content-type;host, Signature={sig}"),
        format!("TC3-HMAC-SHA256 Credential={ID}/2023-11-14/mongodb/tc3_request, SignedHeaders=content-type;host, Signature=zz"),
        format!("TC3-HMAC-SHA256 Credential={ID}/2023-11-14/mongodb/tc3_request, SignedHeaders=content-type;host, Signature={sig}, Extra=1"),
        format!("TC3-HMAC-SHA256 Credential=/2023-11-14/mongodb/tc3_request, SignedHeaders=content-type;host, Signature={sig}"),
    ];
    for value in bad {
        let e = run(
            &s,
            |h| set(h, "Authorization", &value),
            "POST",
            "/",
            body,
            TS,
        )
        .unwrap_err();
        assert!(
            matches!(e, VerifyError::MalformedAuthorization(_)),
            "{value}: {e:?}"
        );
        assert_eq!(e.suggested_error_code(), "AuthFailure.InvalidAuthorization");
        assert!(!e.to_string().contains(KEY));
    }
}

#[test]
fn timestamp_problems() {
    let s = post_signed();
    let body = b"{\"Limit\":1}";
    let e = run(
        &s,
        |h| h.retain(|(n, _)| n != "X-TC-Timestamp"),
        "POST",
        "/",
        body,
        TS,
    );
    assert_eq!(
        e.unwrap_err(),
        VerifyError::MissingHeader("X-TC-Timestamp".into())
    );
    for bad in ["soon", "", "1.5", "+1700000000", "01700000000"] {
        let e = run(&s, |h| set(h, "X-TC-Timestamp", bad), "POST", "/", body, TS);
        assert_eq!(e.unwrap_err(), VerifyError::InvalidTimestamp, "{bad:?}");
    }
    // Within tolerance either way, then beyond it.
    run(&s, |_| {}, "POST", "/", body, TS + 300).unwrap();
    run(&s, |_| {}, "POST", "/", body, TS - 300).unwrap();
    let e = run(&s, |_| {}, "POST", "/", body, TS + 301).unwrap_err();
    assert_eq!(e, VerifyError::Expired { skew_secs: 301 });
    assert_eq!(e.suggested_error_code(), "AuthFailure.SignatureExpire");
    let e = run(&s, |_| {}, "POST", "/", body, TS - 1000).unwrap_err();
    assert_eq!(e, VerifyError::Expired { skew_secs: -1000 });
    assert!(e.to_string().contains("ahead"));
    // Extreme clocks do not overflow.
    let e = run(&s, |_| {}, "POST", "/", body, i64::MIN).unwrap_err();
    assert!(matches!(e, VerifyError::Expired { .. }));
}

#[test]
fn scope_date_must_match_timestamp_date() {
    // Sign just before midnight UTC, then claim a timestamp just after it.
    let midnight = 1_700_006_400; // 2023-11-15T00:00:00Z
    let p = post(b"{}")
        .to_builder()
        .timestamp(midnight - 1)
        .build()
        .unwrap();
    let s = sign(&creds(), &p);
    let e = run(
        &s,
        |h| set(h, "X-TC-Timestamp", &midnight.to_string()),
        "POST",
        "/",
        b"{}",
        midnight,
    )
    .unwrap_err();
    assert_eq!(
        e,
        VerifyError::DateMismatch {
            scope: "2023-11-14".into(),
            timestamp_date: "2023-11-15".into()
        }
    );
}

#[test]
fn unknown_id_missing_signed_header_and_wrong_signature() {
    let s = post_signed();
    let body = b"{\"Limit\":1}";
    let other = sign(&Credentials::new("AKIDother", KEY).unwrap(), &post(body));
    let e = run(&other, |_| {}, "POST", "/", body, TS).unwrap_err();
    assert_eq!(e, VerifyError::UnknownSecretId("AKIDother".into()));
    assert_eq!(e.suggested_error_code(), "AuthFailure.SecretIdNotFound");

    let e = run(
        &s,
        |h| h.retain(|(n, _)| n != "X-TC-Action"),
        "POST",
        "/",
        body,
        TS,
    )
    .unwrap_err();
    assert_eq!(e, VerifyError::MissingHeader("x-tc-action".into()));

    let wrong_key = sign(&Credentials::new(ID, "not-the-key").unwrap(), &post(body));
    let e = run(&wrong_key, |_| {}, "POST", "/", body, TS).unwrap_err();
    assert_eq!(e, VerifyError::SignatureMismatch);
    assert_eq!(e.suggested_error_code(), "AuthFailure.SignatureFailure");

    // Method and path are covered too.
    assert_eq!(
        run(&s, |_| {}, "GET", "/", body, TS).unwrap_err(),
        VerifyError::SignatureMismatch
    );
    assert_eq!(
        run(&s, |_| {}, "POST", "/x", body, TS).unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

#[test]
fn unsigned_payload_is_honoured() {
    let p = base()
        .method(HttpMethod::Post)
        .payload(SignableBody::UnsignedPayload)
        .build()
        .unwrap();
    let s = sign(&creds(), &p);
    assert_eq!(s.header("X-TC-Content-SHA256"), Some("UNSIGNED-PAYLOAD"));
    // Any body is accepted, since the body is not signed.
    run(&s, |_| {}, "POST", "/", b"{\"Limit\":2}", TS).unwrap();
    // Dropping the header makes the server hash the body, which no longer matches.
    let e = run(
        &s,
        |h| h.retain(|(n, _)| n != "X-TC-Content-SHA256"),
        "POST",
        "/",
        b"{\"Limit\":1}",
        TS,
    );
    assert_eq!(e.unwrap_err(), VerifyError::SignatureMismatch);
}

#[test]
fn received_request_debug_hides_secrets() {
    let c = creds().with_token("session-token-value").unwrap();
    let s = sign(&c, &post(b"{}"));
    let headers: Vec<(&str, &str)> = s
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = ReceivedRequest {
        method: "POST",
        path_and_query: "/",
        headers: &headers,
        body: b"{}",
    };
    let d = format!("{req:?}");
    assert!(
        !d.contains("session-token-value") && !d.contains(&s.signature),
        "{d}"
    );
    assert!(d.contains("mongodb.tencentcloudapi.com"), "{d}");
}
