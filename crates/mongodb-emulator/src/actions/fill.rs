//! The spec's always-present answer members, data-driven: every member the
//! spec marks `output_required` (`mongodb_models::ParamInfo::output_required`)
//! is filled in when a handler left it out, with a value of its type, at every
//! depth (inside structures and lists of structures the handler returned).
//! Handlers should set real values; this is the floor under them.

use mongodb_models::{structure_params, ParamInfo};
use serde_json::{Map, Value};

use crate::util::format_time;

/// What the filler may use for realistic values.
pub(crate) struct Hints<'a> {
    pub(crate) region: &'a str,
    pub(crate) now_ms: i64,
}

/// Fills the always-present members of `structure` (e.g.
/// `DescribeDBInstancesResponse`) missing from `value`, recursively.
pub(crate) fn fill_required(structure: &str, value: &mut Value, hints: &Hints<'_>) {
    fill(structure, value, hints, 0);
}

/// Structures nest a few levels at most; the limit guards against a cycle.
const MAX_DEPTH: usize = 8;

fn fill(structure: &str, value: &mut Value, hints: &Hints<'_>, depth: usize) {
    let (Some(members), Value::Object(map)) = (structure_params(structure), value) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    for m in members {
        match map.get_mut(m.name) {
            Some(v) if !v.is_null() => {
                if let Some(inner) = m.structure {
                    match v {
                        Value::Array(items) => {
                            for item in items {
                                fill(inner, item, hints, depth + 1);
                            }
                        }
                        other => fill(inner, other, hints, depth + 1),
                    }
                }
            }
            _ if m.output_required => {
                map.insert(m.name.to_owned(), default_for(m, hints, depth));
            }
            _ => {}
        }
    }
}

/// A value of the member's type, shaped by its name where that says more.
fn default_for(m: &ParamInfo, hints: &Hints<'_>, depth: usize) -> Value {
    if m.type_name.starts_with("Array of ") {
        return Value::Array(Vec::new());
    }
    if let Some(inner) = m.structure {
        let mut v = Value::Object(Map::new());
        fill(inner, &mut v, hints, depth + 1);
        return v;
    }
    match m.type_name {
        "Integer" => Value::from(0),
        "Float" => Value::from(0.0),
        "Boolean" => Value::Bool(false),
        _ if m.name.ends_with("Time") => Value::from(format_time(hints.now_ms)),
        _ if m.name == "Region" => Value::from(hints.region),
        _ => Value::from(""),
    }
}

/// The dotted paths of always-present members missing from `value` (empty
/// when the answer is complete).
#[cfg(test)]
fn missing_required(structure: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    missing(structure, value, "", &mut out, 0);
    out
}

#[cfg(test)]
fn missing(structure: &str, value: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    let (Some(members), Value::Object(map)) = (structure_params(structure), value) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    for m in members {
        let here = if path.is_empty() {
            m.name.to_owned()
        } else {
            format!("{path}.{}", m.name)
        };
        match (map.get(m.name), m.structure) {
            (None | Some(Value::Null), _) if m.output_required => out.push(here),
            (Some(Value::Array(items)), Some(inner)) => {
                for (n, item) in items.iter().enumerate() {
                    missing(inner, item, &format!("{here}.{n}"), out, depth + 1);
                }
            }
            (Some(v @ Value::Object(_)), Some(inner)) => missing(inner, v, &here, out, depth + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_every_required_member_at_every_depth() {
        let hints = Hints {
            region: "ap-shanghai",
            now_ms: 1_616_726_640_000,
        };
        let mut answer =
            json!({ "InstanceDetails": [{ "InstanceId": "cmgo-a", "ReplicaSets": [{}] }] });
        assert!(!missing_required("DescribeDBInstancesResponse", &answer).is_empty());
        fill_required("DescribeDBInstancesResponse", &mut answer, &hints);
        assert_eq!(
            missing_required("DescribeDBInstancesResponse", &answer),
            Vec::<String>::new()
        );
        assert_eq!(answer["TotalCount"], 0);
        let d = &answer["InstanceDetails"][0];
        assert_eq!(d["InstanceId"], "cmgo-a", "set values are kept");
        assert_eq!(d["Region"], "ap-shanghai");
        assert_eq!(d["CreateTime"], "2021-03-26 10:44:00");
        assert_eq!(d["Tags"], json!([]));
        assert!(d["RelatedInstance"].is_object());
        assert!(d.get("ZoneList").is_none(), "optional members stay out");

        let mut spec = json!({ "SpecInfoList": [{ "SpecItems": [{ "Cpu": 2 }] }] });
        let before = missing_required("DescribeSpecInfoResponse", &spec);
        assert!(
            before.contains(&"SpecInfoList.0.SpecItems.0.SpecCode".to_owned()),
            "{before:?}"
        );
        fill_required("DescribeSpecInfoResponse", &mut spec, &hints);
        assert!(missing_required("DescribeSpecInfoResponse", &spec).is_empty());
        assert_eq!(spec["SpecInfoList"][0]["SpecItems"][0]["Cpu"], 2);
    }
}
