//! Every official SDK, unchanged: several accounts, session tokens, the legacy HmacSHA1 and
//! HmacSHA256 signatures as the official SDKs build them, and TC3 signed for a service named
//! after the endpoint's first label (the Node.js and Java SDKs).

mod common;

use base64::Engine;
use common::{builder, now, Api, Req};
use hmac::{Hmac, Mac};
use mongodb_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};
use serde_json::{json, Value};
use tc_sign::{Credentials, HttpMethod};

fn creds(id: &str, key: &str) -> Credentials {
    Credentials::new(id, key).unwrap()
}

fn code_of(api: &Api) -> Option<String> {
    let r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    api.send(&r).code()
}

#[test]
fn several_accounts_are_accepted_and_the_demo_one_only_by_default() {
    let h = builder()
        .account("AKIDalpha0001", "alpha-key")
        .account("AKIDbeta00002", "beta-key")
        .start()
        .unwrap();
    assert_eq!(
        h.secret_id(),
        "AKIDalpha0001",
        "the first account is the primary one"
    );
    let mut api = Api::new(&h);
    assert_eq!(code_of(&api), None);
    api.creds = creds("AKIDbeta00002", "beta-key");
    assert_eq!(code_of(&api), None);
    api.creds = creds("AKIDbeta00002", "alpha-key");
    assert_eq!(
        code_of(&api).as_deref(),
        Some("AuthFailure.SignatureFailure")
    );
    api.creds = creds(DEMO_SECRET_ID, DEMO_SECRET_KEY);
    assert_eq!(
        code_of(&api).as_deref(),
        Some("AuthFailure.SecretIdNotFound")
    );

    let h = builder().start().unwrap();
    let api = Api::new(&h);
    assert_eq!(api.creds.secret_id(), DEMO_SECRET_ID);
    assert_eq!(code_of(&api), None);

    let err = builder()
        .account("AKIDtwice", "k1")
        .account("AKIDtwice", "k2")
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("AKIDtwice"), "{err}");
    let err = builder().account("AKIDempty", "").start().unwrap_err();
    assert!(err.to_string().contains("AKIDempty"), "{err}");
}

#[test]
fn a_temporary_credential_needs_its_session_token() {
    let h = builder()
        .account("AKIDplain0001", "plain-key")
        .account_with_token("AKIDtemp00001", "temp-key", "the-session-token")
        .start()
        .unwrap();
    let mut api = Api::new(&h);
    api.creds = creds("AKIDtemp00001", "temp-key");
    assert_eq!(code_of(&api).as_deref(), Some("AuthFailure.TokenFailure"));
    api.creds = creds("AKIDtemp00001", "temp-key")
        .with_token("another-token")
        .unwrap();
    assert_eq!(code_of(&api).as_deref(), Some("AuthFailure.TokenFailure"));
    api.creds = creds("AKIDtemp00001", "temp-key")
        .with_token("the-session-token")
        .unwrap();
    assert_eq!(code_of(&api), None);
    // A permanent key is accepted with or without a token.
    api.creds = creds("AKIDplain0001", "plain-key")
        .with_token("whatever")
        .unwrap();
    assert_eq!(code_of(&api), None);

    // The primary account's token (`EmulatorBuilder::token`) is handed out with it.
    let h = builder()
        .token(Some("primary-token".into()))
        .start()
        .unwrap();
    assert_eq!(h.token(), Some("primary-token"));
    let mut api = Api::new(&h);
    assert_eq!(code_of(&api), None);
    api.creds = creds(h.secret_id(), h.secret_key());
    assert_eq!(code_of(&api).as_deref(), Some("AuthFailure.TokenFailure"));
}

/// How a legacy request travels.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Legacy {
    Sha1,
    Sha256,
}

/// The Python SDK's legacy request: the action's flattened parameters plus `Action`,
/// `RequestClient`, `Nonce`, `Timestamp`, `Version`, `Region`, `SecretId`, `SignatureMethod`
/// (and `Token`), signed over METHOD + endpoint + `/?` + the sorted `k=v` pairs, the
/// signature added last; form-encoded in the query (GET) or the body (POST).
struct LegacyRequest {
    method: &'static str,
    params: Vec<(String, String)>,
}

impl LegacyRequest {
    fn new(method: &'static str, action: &str, own: &[(&str, &str)], id: &str) -> Self {
        let mut params: Vec<(String, String)> = own
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in [
            ("Action", action.to_owned()),
            ("RequestClient", "SDK_PYTHON_3.1.192".to_owned()),
            ("Nonce", "8276432".to_owned()),
            ("Timestamp", now().to_string()),
            ("Version", "2019-07-25".to_owned()),
            ("Region", "ap-guangzhou".to_owned()),
            ("SecretId", id.to_owned()),
        ] {
            params.push((k.to_owned(), v));
        }
        LegacyRequest { method, params }
    }

    fn set(mut self, name: &str, value: &str) -> Self {
        self.params.retain(|(k, _)| k != name);
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.params.retain(|(k, _)| k != name);
        self
    }

    /// Signs for `host` (the endpoint as the SDK was given it) with `key`.
    fn sign(self, alg: Legacy, host: &str, key: &str) -> Self {
        let name = match alg {
            Legacy::Sha1 => "HmacSHA1",
            Legacy::Sha256 => "HmacSHA256",
        };
        let mut s = self.set("SignatureMethod", name);
        let mut sorted = s.params.clone();
        sorted.sort();
        let joined: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let text = format!("{}{host}/?{}", s.method, joined.join("&"));
        let mac = match alg {
            Legacy::Sha1 => {
                let mut m = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
                m.update(text.as_bytes());
                m.finalize().into_bytes().to_vec()
            }
            Legacy::Sha256 => {
                let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
                m.update(text.as_bytes());
                m.finalize().into_bytes().to_vec()
            }
        };
        let signature = base64::engine::general_purpose::STANDARD.encode(mac);
        s.params.push(("Signature".to_owned(), signature));
        s
    }

    fn encoded(&self) -> String {
        let enc = mongodb_models::form::percent_encode;
        let pairs: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        pairs.join("&")
    }

    /// Sends it; returns the `Response` object.
    fn send(&self, api: &Api) -> Value {
        let url = format!("http://{}/", api.host);
        let ct = "application/x-www-form-urlencoded";
        let mut resp = if self.method == "GET" {
            let url = format!("{url}?{}", self.encoded());
            api.agent.get(url).header("Content-Type", ct).call()
        } else {
            api.agent
                .post(url)
                .header("Content-Type", ct)
                .send(self.encoded())
        }
        .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = serde_json::from_reader(resp.body_mut().as_reader()).unwrap();
        v["Response"].clone()
    }
}

fn error_code(r: &Value) -> Option<&str> {
    r["Error"]["Code"].as_str()
}

#[test]
fn python_style_hmac_sha256_get_and_post_are_accepted() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let own = [("InstanceIds.0", "cmgo-demo0002"), ("Limit", "10")];
    for method in ["GET", "POST"] {
        let r = LegacyRequest::new(method, "DescribeDBInstances", &own, h.secret_id())
            .sign(Legacy::Sha256, &api.host, h.secret_key())
            .send(&api);
        assert_eq!(error_code(&r), None, "{method}: {r}");
        assert_eq!(r["TotalCount"], 1, "{method}: {r}");
        assert_eq!(r["InstanceDetails"][0]["InstanceId"], "cmgo-demo0002");
    }
    // A write with nested parameters, the way the SDK flattens them.
    let r = LegacyRequest::new(
        "POST",
        "CreateBackupDBInstance",
        &[
            ("InstanceId", "cmgo-demo0001"),
            ("BackupMethod", "0"),
            ("BackupRemark", "legacy post"),
        ],
        h.secret_id(),
    )
    .sign(Legacy::Sha256, &api.host, h.secret_key())
    .send(&api);
    assert!(
        r["AsyncRequestId"].is_string() || r["AsyncRequestId"].is_number(),
        "{r}"
    );

    let seen = h.requests();
    let methods: Vec<_> = seen.iter().map(|s| s.signature_method.clone()).collect();
    assert!(
        methods.iter().all(|m| m.as_deref() == Some("HmacSHA256")),
        "{methods:?}"
    );
    assert!(seen
        .iter()
        .all(|s| s.secret_id.as_deref() == Some(h.secret_id())));
}

#[test]
fn hmac_sha1_is_accepted_signed_with_or_without_the_port() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let bare = h.addr().ip().to_string();
    for host in [api.host.clone(), bare] {
        let r = LegacyRequest::new("GET", "DescribeDBInstances", &[], h.secret_id())
            .sign(Legacy::Sha1, &host, h.secret_key())
            .send(&api);
        assert_eq!(error_code(&r), None, "{host}: {r}");
        assert_eq!(r["TotalCount"], 2);
    }
    // Without SignatureMethod a legacy signature is HmacSHA1.
    let signed = LegacyRequest::new("GET", "DescribeDBInstances", &[], h.secret_id()).sign(
        Legacy::Sha1,
        &api.host,
        h.secret_key(),
    );
    let text_without_method = {
        let mut p = signed.params.clone();
        p.retain(|(k, _)| k != "SignatureMethod");
        p
    };
    let r = LegacyRequest {
        method: "GET",
        params: text_without_method,
    }
    .send(&api);
    // Its signature covered SignatureMethod, so dropping it breaks the signature: refused
    // as a mismatch, not as an unknown method.
    assert_eq!(error_code(&r), Some("AuthFailure.SignatureFailure"), "{r}");
}

#[test]
fn legacy_failures_get_the_service_codes() {
    let h = builder()
        .credentials(DEMO_SECRET_ID, DEMO_SECRET_KEY)
        .account_with_token("AKIDtemp00001", "temp-key", "legacy-token")
        .start()
        .unwrap();
    let api = Api::new(&h);
    let host = api.host.clone();
    let base = || LegacyRequest::new("POST", "DescribeDBInstances", &[], DEMO_SECRET_ID);
    let cases: Vec<(LegacyRequest, &str)> = vec![
        (
            base().sign(Legacy::Sha256, &host, "wrong-key"),
            "AuthFailure.SignatureFailure",
        ),
        (
            LegacyRequest::new("POST", "DescribeDBInstances", &[], "AKIDunknown").sign(
                Legacy::Sha256,
                &host,
                DEMO_SECRET_KEY,
            ),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            base().set("Timestamp", &(now() - 3600).to_string()).sign(
                Legacy::Sha256,
                &host,
                DEMO_SECRET_KEY,
            ),
            "AuthFailure.SignatureExpire",
        ),
        (
            base()
                .without("Nonce")
                .sign(Legacy::Sha256, &host, DEMO_SECRET_KEY),
            "MissingParameter",
        ),
        (
            base()
                .sign(Legacy::Sha256, &host, DEMO_SECRET_KEY)
                .set("SignatureMethod", "HmacMD5"),
            "InvalidParameterValue",
        ),
        (
            LegacyRequest::new("POST", "DescribeDBInstances", &[], "AKIDtemp00001").sign(
                Legacy::Sha256,
                &host,
                "temp-key",
            ),
            "AuthFailure.TokenFailure",
        ),
    ];
    for (req, want) in cases {
        let r = req.send(&api);
        assert_eq!(error_code(&r), Some(want), "{r}");
        assert!(r["RequestId"].is_string());
    }
    let r = LegacyRequest::new("POST", "DescribeDBInstances", &[], "AKIDtemp00001")
        .set("Token", "legacy-token")
        .sign(Legacy::Sha256, &host, "temp-key")
        .send(&api);
    assert_eq!(error_code(&r), None, "{r}");
}

/// The TC3 headers the Node.js SDK sends when its endpoint is `host`: it signs
/// `content-type;host` with the host name without the port, and names the service after the
/// endpoint's first DNS label.
fn nodejs_style(api: &Api, r: &Req, service: &str) -> Vec<(String, String)> {
    let signed_host = api.host.split(':').next().unwrap();
    let canonical = tc_sign::canonical_request(
        "POST",
        "/",
        "",
        &[("content-type", "application/json"), ("host", signed_host)],
        &tc_sign::sha256_hex(&r.payload),
    );
    let date = tc_sign::utc_date(r.timestamp);
    let to_sign = tc_sign::string_to_sign(
        r.timestamp,
        service,
        &tc_sign::sha256_hex(canonical.as_bytes()),
    );
    let key = tc_sign::derive_signing_key(r.creds.secret_key(), &date, service);
    let auth = tc_sign::authorization(
        r.creds.secret_id(),
        &date,
        service,
        "content-type;host",
        &tc_sign::signature(&key, &to_sign),
    );
    [
        ("Content-Type", "application/json".to_owned()),
        ("X-TC-Action", r.action.clone()),
        ("X-TC-Timestamp", r.timestamp.to_string()),
        ("X-TC-Version", r.version.clone()),
        ("Authorization", auth),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v))
    .collect()
}

#[test]
fn tc3_may_name_the_service_after_the_endpoint() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let r = api.req(
        HttpMethod::Post,
        "DescribeDBInstances",
        json!({}).to_string(),
    );
    // Pointed at 127.0.0.1:<port>, the Node.js and Java SDKs sign service `127`.
    let a = api.send_with(&r, &nodejs_style(&api, &r, "127"));
    assert_eq!(a.code(), None, "{}", a.response());
    let a = api.send_with(&r, &nodejs_style(&api, &r, "mongodb"));
    assert_eq!(a.code(), None, "{}", a.response());
    let a = api.send_with(&r, &nodejs_style(&api, &r, "cvm"));
    assert_eq!(a.code().as_deref(), Some("AuthFailure.SignatureFailure"));
}
