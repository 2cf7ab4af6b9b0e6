//! The published example parameters of every action, built from the `example` of each member
//! in the committed spec (every member set, structures and lists filled in).

use serde_json::{json, Map, Value};

/// The committed spec the models are generated from.
pub const SPEC: &str = include_str!("../../../crates/mongodb-models/spec/mongodb-2019-07-25.json");

/// What instance and replica set ids become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ids {
    /// As published (instances no emulator holds).
    AsPublished,
    /// The seeded demo replica set: `cmgo-demo0001` and its `cmgo-demo0001_0`.
    Demo,
}

/// The committed spec, parsed.
pub fn spec() -> Value {
    serde_json::from_str(SPEC).expect("the committed spec is JSON")
}

/// A scalar of the member's type from its example text.
fn scalar(kind: &str, example: Option<&Value>, ids: Ids) -> Value {
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
        _ if ids == Ids::Demo && text.starts_with("cmgo-") && text.contains('_') => {
            json!("cmgo-demo0001_0")
        }
        _ if ids == Ids::Demo && text.starts_with("cmgo-") => json!("cmgo-demo0001"),
        _ if text.is_empty() => json!("x"),
        _ => json!(text),
    }
}

/// The example parameters of structure (or request) `name`, every member filled in.
pub fn example(structures: &Map<String, Value>, name: &str, ids: Ids) -> Value {
    let mut out = Map::new();
    for m in structures[name]["members"].as_array().expect("members") {
        let member_name = m["name"].as_str().expect("name").to_string();
        let kind = m["type"].as_str().unwrap_or("string");
        let elem = m["member"].as_str().unwrap_or("string");
        let ex = m.get("example");
        let value = match kind {
            "object" => example(structures, elem, ids),
            "list" if structures.contains_key(elem) => json!([example(structures, elem, ids)]),
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
                    .map(|v| scalar(scalar_kind, Some(v), ids))
                    .collect()
            }
            "int" => scalar("int", ex, ids),
            "float" | "bool" => scalar(kind, ex, ids),
            _ => scalar("string", ex, ids),
        };
        out.insert(member_name, value);
    }
    Value::Object(out)
}

/// The example parameters of `action`'s request.
pub fn action_example(spec: &Value, action: &str, ids: Ids) -> Value {
    let structures = spec["structures"].as_object().expect("structures");
    let input = spec["actions"][action]["input"]
        .as_str()
        .unwrap_or_else(|| panic!("`{action}` is not in the committed spec"));
    example(structures, input, ids)
}
