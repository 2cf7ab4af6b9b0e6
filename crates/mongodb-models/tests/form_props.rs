//! Property tests: GET form encoding and decoding are inverse.

use mongodb_models::form;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Parameter names: PascalCase-ish words (never numeric, never dotted).
fn name() -> impl Strategy<Value = String> {
    "[A-Z][A-Za-z0-9_]{0,8}"
}

/// Leaf text: anything, including spaces, `&`, `=`, `+`, `%`, dots and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    ".{0,12}"
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = text().prop_map(Value::String);
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 1..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn params() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(name(), value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(v in params()) {
        let query = form::encode_value(&v);
        // Only unreserved characters and the separators appear unescaped.
        prop_assert!(query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)));
        prop_assert_eq!(form::decode(&query).unwrap(), v);
    }

    #[test]
    fn percent_encoding_round_trips(s in ".*") {
        prop_assert_eq!(form::percent_decode(&form::percent_encode(&s)).unwrap(), s);
    }
}

#[test]
fn numbers_and_booleans_become_text() {
    let v = serde_json::json!({"Limit": 10, "Flag": true, "Ids": [1, 2]});
    assert_eq!(form::encode_value(&v), "Flag=true&Ids.0=1&Ids.1=2&Limit=10");
    assert_eq!(
        form::decode("Flag=true&Ids.0=1&Ids.1=2&Limit=10").unwrap(),
        serde_json::json!({"Flag": "true", "Ids": ["1", "2"], "Limit": "10"})
    );
}
