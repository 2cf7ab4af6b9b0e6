//! Every one of the 97 actions goes over the wire from `tcmongo`, by POST and by GET, with the
//! parameters of its published example (the `example` values of the committed spec), and the
//! emulator, which verifies every signature and checks every parameter against the typed
//! models, accepts the request: the answer is a success or a service error about the data
//! (an unknown instance, an action the emulator does not model), never an authentication or
//! parameter error.

mod common;

use serde_json::{json, Map, Value};

use common::*;

const SPEC: &str = include_str!("../../crates/mongodb-models/spec/mongodb-2019-07-25.json");

/// Error codes that would mean the request itself was wrong on the wire.
const WIRE_ERRORS: &[&str] = &[
    "AuthFailure",
    "MissingParameter",
    "UnknownParameter",
    "InvalidParameter:",
    "InvalidAction",
    "NoSuchVersion",
];

/// A scalar of the member's type from its example text.
fn scalar(kind: &str, example: Option<&Value>) -> Value {
    let text = match example {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    match kind {
        "int64" | "uint64" | "int" => {
            json!(text.trim().parse::<f64>().map(|f| f as i64).unwrap_or(1))
        }
        "float" => json!(text.trim().parse::<f64>().unwrap_or(1.0)),
        "bool" => json!(matches!(text.trim(), "true" | "1")),
        _ => json!(if text.is_empty() {
            "x".to_string()
        } else {
            text
        }),
    }
}

/// The example parameters of structure `name`, every member filled in.
fn example(structures: &Map<String, Value>, name: &str) -> Value {
    let mut out = Map::new();
    for m in structures[name]["members"].as_array().expect("members") {
        let member_name = m["name"].as_str().expect("name").to_string();
        let kind = m["type"].as_str().unwrap_or("string");
        let elem = m["member"].as_str().unwrap_or("string");
        let ex = m.get("example");
        let value = match kind {
            "object" => example(structures, elem),
            "list" if structures.contains_key(elem) => json!([example(structures, elem)]),
            "list" => {
                let items: Vec<Value> = match ex {
                    Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                        serde_json::from_str::<Vec<Value>>(s).unwrap_or_default()
                    }
                    Some(v) => vec![v.clone()],
                    None => Vec::new(),
                };
                let scalar_kind = match elem {
                    "int64" | "uint64" | "float" | "bool" => elem,
                    _ => "string",
                };
                items
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(|v| scalar(scalar_kind, Some(v)))
                    .collect()
            }
            "int" => scalar("int", ex),
            "float" | "bool" => scalar(kind, ex),
            _ => scalar("string", ex),
        };
        out.insert(member_name, value);
    }
    Value::Object(out)
}

#[test]
fn every_action_is_accepted_on_the_wire_by_post_and_get() {
    let spec: Value = serde_json::from_str(SPEC).expect("the committed spec is JSON");
    let actions = spec["actions"].as_object().expect("actions");
    let structures = spec["structures"].as_object().expect("structures");
    assert_eq!(actions.len(), 97);

    let emu = emulator();
    let home = tempfile::tempdir().expect("tempdir");
    let mut wire_failures = Vec::new();
    for (action, info) in actions {
        let params = example(structures, info["input"].as_str().expect("input"));
        for method in ["POST", "GET"] {
            let out = run(against(&emu, home.path()).args([
                "--region",
                "ap-guangzhou",
                "--http-method",
                method,
                "--max-attempts",
                "1",
                action,
                "--cli-input-json",
                &params.to_string(),
            ]));
            let err = stderr(&out);
            let code = out.status.code();
            if !matches!(code, Some(0 | 1)) || WIRE_ERRORS.iter().any(|w| err.contains(w)) {
                wire_failures.push(format!("{action} {method}: exit {code:?}: {err}"));
            }
        }
        assert_eq!(
            emu.request_count(action),
            2,
            "{action}: the emulator should have seen one POST and one GET"
        );
    }
    assert!(
        wire_failures.is_empty(),
        "{} of 194 calls were refused on the wire:\n{}",
        wire_failures.len(),
        wire_failures.join("\n")
    );
}
