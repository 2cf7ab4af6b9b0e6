//! `ErrorCode` against the published code list in `tests/data/error-codes.json`.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::str::FromStr;

use mongodb_errors::ErrorCode;

fn published() -> (Vec<String>, Vec<String>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/error-codes.json");
    let text = std::fs::read_to_string(path).expect("read error-codes.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let list = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap_or_else(|| panic!("`{key}` is an array"))
            .iter()
            .map(|c| c.as_str().expect("code is a string").to_owned())
            .collect()
    };
    (list("common"), list("service"))
}

#[test]
fn data_file_has_the_expected_size() {
    let (common, service) = published();
    assert_eq!(common.len(), 38);
    assert_eq!(service.len(), 105);
}

#[test]
fn every_published_code_is_a_known_variant_and_round_trips() {
    let (common, service) = published();
    for code in common.iter().chain(&service) {
        let parsed: ErrorCode = code.parse().unwrap();
        assert!(!parsed.is_unknown(), "{code} parsed as Unknown");
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), *code);
        assert_eq!(ErrorCode::from(code.as_str()), parsed);
        assert_eq!(ErrorCode::from(code.clone()), parsed);
        // The variant's name is the code without dots.
        let debug = format!("{parsed:?}");
        assert_eq!(debug, code.replace('.', ""), "variant name of {code}");
    }
}

#[test]
fn known_list_matches_the_published_list_exactly() {
    let (common, service) = published();
    let published: BTreeSet<&str> = common.iter().chain(&service).map(String::as_str).collect();
    let known: BTreeSet<&str> = ErrorCode::known().iter().copied().collect();
    assert_eq!(
        known.len(),
        ErrorCode::known().len(),
        "duplicates in known()"
    );
    let extra: Vec<_> = known.difference(&published).collect();
    let missing: Vec<_> = published.difference(&known).collect();
    assert!(
        extra.is_empty(),
        "codes not in the published list: {extra:?}"
    );
    assert!(
        missing.is_empty(),
        "published codes without a variant: {missing:?}"
    );
}

#[test]
fn seed_codes_have_the_expected_variants() {
    assert_eq!(
        ErrorCode::from("AuthFailure.SignatureExpire"),
        ErrorCode::AuthFailureSignatureExpire
    );
    assert_eq!(
        ErrorCode::from("InvalidParameterValue.NotFoundInstance"),
        ErrorCode::InvalidParameterValueNotFoundInstance
    );
    assert_eq!(
        ErrorCode::from("RequestLimitExceeded.IPLimitExceeded"),
        ErrorCode::RequestLimitExceededIPLimitExceeded
    );
    assert!(matches!(
        ErrorCode::from("RequestLimitExceeded"),
        ErrorCode::RequestLimitExceeded
    ));
}

#[test]
fn unknown_text_round_trips_exactly() {
    let samples = [
        "",
        " ",
        "InternalError.Brand New",
        "internalerror",
        "AuthFailure.",
        ".",
        "RequestLimitExceeded ",
        "Ünïcødé.コード",
        "a\nb",
    ];
    for s in samples {
        let r: Result<ErrorCode, Infallible> = ErrorCode::from_str(s);
        let code = r.unwrap();
        assert_eq!(code, ErrorCode::Unknown(s.to_owned()));
        assert!(code.is_unknown());
        assert_eq!(code.as_str(), s);
        assert_eq!(code.to_string(), s);
        assert_eq!(ErrorCode::from(code.to_string()), code);
    }
}

#[test]
fn matching_is_case_sensitive() {
    assert!(ErrorCode::from("internalerror").is_unknown());
    assert!(ErrorCode::from("INTERNALERROR").is_unknown());
}

#[test]
fn equality_and_hash_follow_the_wire_text() {
    use std::collections::HashSet;
    let mut set = HashSet::new();
    set.insert(ErrorCode::InternalError);
    assert!(set.contains(&ErrorCode::Unknown("InternalError".to_owned())));
    assert_eq!(ErrorCode::ResourceNotFound, "ResourceNotFound");
    assert_ne!(
        ErrorCode::ResourceNotFound,
        ErrorCode::ResourceNotFoundInstanceNotFundError
    );
}
