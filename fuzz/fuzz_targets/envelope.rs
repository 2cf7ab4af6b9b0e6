//! The response envelope decoder on arbitrary bytes.
//!
//! `decode_response` (typed, `DescribeDBInstances`) and `decode_response_value` (untyped) must
//! never panic. Whatever they accept must encode back to JSON, and that JSON must decode again to
//! the same value: the decoder's lenient rules (`"2"` for 2, `null` for absent, …) converge after
//! one pass. A rejection must be a `MalformedResponse` or a `Service` error whose texts stay short.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mongodb_errors::Error;
use mongodb_models::{decode_response, decode_response_value, DescribeDBInstancesResponse};
use serde_json::{json, Value};

/// JSON equality, with numbers compared as `f64` with a relative tolerance: without serde_json's
/// `float_roundtrip` feature a float may come back one unit in the last place off.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x == y {
                return true;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

/// Wraps a response object back into an answer body.
fn answer(response: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "Response": response })).expect("a JSON value encodes")
}

fn check_error(err: &Error) {
    match err {
        Error::MalformedResponse { snippet, .. } => {
            assert!(
                snippet.chars().count() <= 256,
                "the snippet is not bounded: {} chars",
                snippet.chars().count()
            );
        }
        Error::Service(_) => {}
        other => panic!("unexpected error kind from the decoder: {other:?}"),
    }
    // Display and Debug must not panic either.
    let _ = err.to_string();
    let _ = format!("{err:?}");
}

fuzz_target!(|data: &[u8]| {
    match decode_response::<DescribeDBInstancesResponse>(data) {
        Ok(env) => {
            let first = serde_json::to_value(&env.response).expect("a decoded response encodes");
            let again = decode_response::<DescribeDBInstancesResponse>(&answer(&first))
                .unwrap_or_else(|e| panic!("a re-encoded response does not decode: {e}"));
            let second = serde_json::to_value(&again.response).expect("encodes");
            assert!(same(&first, &second), "{first} != {second}");
        }
        Err(e) => check_error(&e),
    }

    match decode_response_value(data) {
        Ok(env) => {
            assert!(env.response.is_object());
            let again = decode_response_value(&answer(&env.response))
                .unwrap_or_else(|e| panic!("a re-encoded response does not decode: {e}"));
            assert!(
                same(&env.response, &again.response),
                "{} != {}",
                env.response,
                again.response
            );
        }
        Err(e) => check_error(&e),
    }
});
