//! Every published TC3 worked example, checked at every intermediate value it gives.
//! See `tests/data/README.md` for where the vectors come from.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tc_sign::{
    authorization, canonical_request, derive_signing_key, sha256_hex, sign, signature,
    string_to_sign, utc_date, verify, Credentials, HttpMethod, ReceivedRequest, SignableBody,
    SigningParams,
};

fn vectors() -> Vec<Value> {
    let text = include_str!("data/tc3-published.json");
    let doc: Value = serde_json::from_str(text).expect("vector file is JSON");
    doc["vectors"].as_array().expect("vectors array").clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key} missing"))
}

fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn hmac_hex(key: &[u8], msg: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn there_are_vectors() {
    assert!(vectors().len() >= 2);
}

#[test]
fn every_intermediate_value_of_every_vector() {
    for v in vectors() {
        let name = s(&v, "name");
        let payload = s(&v, "payload");
        let timestamp = v["timestamp"].as_i64().unwrap();
        let service = s(&v, "service");
        let date = s(&v, "date");

        let hashed_payload = sha256_hex(payload.as_bytes());
        assert_eq!(
            hashed_payload,
            s(&v, "hashed_payload"),
            "{name}: hashed payload"
        );
        assert_eq!(utc_date(timestamp), date, "{name}: date");

        let action = s(&v, "action");
        let mut headers = Vec::new();
        for h in s(&v, "signed_headers").split(';') {
            let value = match h {
                "content-type" => s(&v, "content_type"),
                "host" => s(&v, "host"),
                "x-tc-action" => action,
                other => panic!("{name}: unexpected signed header {other}"),
            };
            headers.push((h, value));
        }
        let cr = canonical_request(s(&v, "method"), "/", "", &headers, &hashed_payload);
        assert_eq!(cr, s(&v, "canonical_request"), "{name}: canonical request");
        let hashed_cr = sha256_hex(cr.as_bytes());
        assert_eq!(
            hashed_cr,
            s(&v, "hashed_canonical_request"),
            "{name}: hashed canonical request"
        );

        let sts = string_to_sign(timestamp, service, &hashed_cr);
        let expected_sts =
            format!("TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{hashed_cr}");
        assert_eq!(sts, expected_sts, "{name}: string to sign");

        // Derived keys: from the secret key when it is published, else check each published step.
        let signing_key: [u8; 32] = if let Some(key) = opt(&v, "secret_key") {
            derive_signing_key(key, date, service)
        } else {
            let k_date = hex::decode(s(&v, "secret_date")).unwrap();
            let k_service = hmac_hex(&k_date, service);
            assert_eq!(k_service, s(&v, "secret_service"), "{name}: secret_service");
            let k_signing = hmac_hex(&hex::decode(&k_service).unwrap(), "tc3_request");
            assert_eq!(k_signing, s(&v, "secret_signing"), "{name}: secret_signing");
            hex::decode(k_signing).unwrap().try_into().unwrap()
        };
        if let Some(expected) = opt(&v, "secret_signing") {
            assert_eq!(hex::encode(signing_key), expected, "{name}: signing key");
        }

        let sig = signature(&signing_key, &sts);
        assert_eq!(sig, s(&v, "signature"), "{name}: signature");

        if let (Some(expected), Some(id)) = (opt(&v, "authorization"), opt(&v, "secret_id")) {
            let auth = authorization(id, date, service, s(&v, "signed_headers"), &sig);
            assert_eq!(auth, expected, "{name}: authorization");
        }
    }
}

/// The default signing path reproduces the vector that signs `content-type;host;x-tc-action`
/// (its canonical request and string to sign; the signature needs the masked key).
#[test]
fn default_path_matches_x_tc_action_vector() {
    let mut checked = 0;
    for v in vectors() {
        if s(&v, "signed_headers") != tc_sign::DEFAULT_SIGNED_HEADERS {
            continue;
        }
        let params = SigningParams::builder()
            .method(HttpMethod::Post)
            .service(s(&v, "service"))
            .host(s(&v, "host"))
            .action(s(&v, "action"))
            .version(s(&v, "version"))
            .timestamp(v["timestamp"].as_i64().unwrap())
            .payload(SignableBody::Bytes(s(&v, "payload").as_bytes()))
            .content_type(s(&v, "content_type"))
            .set_region(opt(&v, "region"))
            .build()
            .unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "any-key").unwrap();
        let signed = sign(&creds, &params);
        assert_eq!(signed.canonical_request, s(&v, "canonical_request"));
        assert!(signed
            .string_to_sign
            .ends_with(s(&v, "hashed_canonical_request")));
        checked += 1;
    }
    assert!(checked >= 1);
}

/// A request signed the way the published example (and the official SDKs) sign it, with only
/// `content-type;host`, passes verification.
#[test]
fn verify_accepts_the_content_type_host_vector() {
    let v = vectors()
        .into_iter()
        .find(|v| s(v, "signed_headers") == "content-type;host" && opt(v, "secret_key").is_some())
        .expect("a content-type;host vector with its key");
    let ts = v["timestamp"].as_i64().unwrap().to_string();
    let headers = [
        ("Host", s(&v, "host")),
        ("Content-Type", s(&v, "content_type")),
        ("X-TC-Action", s(&v, "action")),
        ("X-TC-Timestamp", ts.as_str()),
        ("X-TC-Version", s(&v, "version")),
        ("Authorization", s(&v, "authorization")),
    ];
    let req = ReceivedRequest {
        method: "POST",
        path_and_query: "/",
        headers: &headers,
        body: s(&v, "payload").as_bytes(),
    };
    let key = s(&v, "secret_key").to_owned();
    let id = s(&v, "secret_id").to_owned();
    let lookup = move |q: &str| (q == id).then(|| key.clone());
    let now = v["timestamp"].as_i64().unwrap() + 10;
    let ok = verify(&req, &lookup, now, 300).expect("vector verifies");
    assert_eq!(ok.signed_headers, ["content-type", "host"]);
    assert_eq!(ok.date, s(&v, "date"));
    assert_eq!(ok.service, s(&v, "service"));
}
