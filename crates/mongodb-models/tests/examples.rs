//! Every published example of both sites, request and response, decodes into its typed struct
//! and encodes back to the same values.
//!
//! Fixtures are built from the `example` values of the committed spec: one JSON object per
//! structure, members converted to their documented type, nested structures built recursively.

use mongodb_models::{actions, check_request, reencode_response};
use serde_json::{json, Map, Value};

const SPEC: &str = include_str!("../spec/mongodb-2019-07-25.json");

#[derive(Clone, Copy, PartialEq)]
enum Site {
    Cn,
    Intl,
}

fn spec() -> Value {
    serde_json::from_str(SPEC).expect("committed spec is JSON")
}

/// Converts one scalar example text to a JSON value of the member's type, or `None` when the
/// example is a placeholder.
fn scalar(text: &str, member: &str) -> Option<Value> {
    let text = text.trim();
    if text == "无" || text.is_empty() && member != "string" && member != "datetime" {
        return None;
    }
    // Some examples are quoted (`"1"`): unquote them first.
    let unquoted = match serde_json::from_str::<Value>(text) {
        Ok(Value::String(s)) if text.starts_with('"') => s,
        _ => text.to_string(),
    };
    Some(match member {
        "int64" => json!(unquoted.parse::<i64>().ok()?),
        "uint64" => json!(unquoted.parse::<u64>().ok()?),
        "float" => json!(unquoted.parse::<f64>().ok()?),
        "bool" => json!(unquoted.parse::<bool>().ok()?),
        _ => Value::String(text.to_string()),
    })
}

fn default_for(member: &str) -> Value {
    match member {
        "int64" | "uint64" => json!(0),
        "float" => json!(0.0),
        "bool" => json!(false),
        _ => json!(""),
    }
}

fn example_of(m: &Value, site: Site) -> Option<&str> {
    let key = if site == Site::Intl && m.get("example_intl").is_some() {
        "example_intl"
    } else {
        "example"
    };
    m.get(key).and_then(Value::as_str)
}

fn build(spec: &Value, name: &str, site: Site, depth: usize) -> Value {
    let structures = &spec["structures"];
    let mut out = Map::new();
    for m in structures[name]["members"].as_array().expect("members") {
        let wire = m["name"].as_str().unwrap();
        let ty = m["type"].as_str().unwrap();
        let member = m["member"].as_str().unwrap();
        let required = m["required"].as_bool().unwrap_or(false);
        let on_site = m[if site == Site::Cn { "cn" } else { "intl" }]
            .as_bool()
            .unwrap_or(true);
        if !on_site && !required {
            continue;
        }
        let is_struct = structures.get(member).is_some();
        let value = match (ty, is_struct) {
            ("object", _) if depth < 8 => Some(build(spec, member, site, depth + 1)),
            ("list", true) if depth < 8 => Some(json!([build(spec, member, site, depth + 1)])),
            ("list", false) => {
                example_of(m, site).and_then(|ex| match serde_json::from_str::<Value>(ex) {
                    Ok(Value::Array(items)) => Some(Value::Array(
                        items
                            .iter()
                            .filter_map(|i| match i {
                                Value::String(s) => scalar(s, member),
                                other => scalar(&other.to_string(), member),
                            })
                            .collect(),
                    )),
                    _ => scalar(ex, member).map(|v| json!([v])),
                })
            }
            (_, false) => example_of(m, site).and_then(|ex| scalar(ex, member)),
            _ => None,
        };
        let value = match value {
            Some(v) => v,
            None if required => match ty {
                "list" => json!([]),
                _ => default_for(member),
            },
            None => continue,
        };
        out.insert(wire.to_string(), value);
    }
    Value::Object(out)
}

/// Compares two JSON values: numbers numerically, `null` members the same as absent ones.
fn same(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.as_f64() == y.as_f64() {
                Ok(())
            } else {
                Err(format!("{path}: {x} != {y}"))
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let w = y.get(k).unwrap_or(&Value::Null);
                same(v, w, &format!("{path}.{k}"))?;
            }
            for (k, w) in y {
                if !x.contains_key(k) && !w.is_null() {
                    return Err(format!("{path}.{k}: added"));
                }
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: lengths {} != {}", x.len(), y.len()));
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same(v, w, &format!("{path}.{i}"))?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} != {b}")),
    }
}

fn roundtrip_all(site: Site) -> usize {
    let spec = spec();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, action) in spec["actions"].as_object().unwrap() {
        let on_site = action[if site == Site::Cn { "cn" } else { "intl" }]
            .as_bool()
            .unwrap();
        if !on_site {
            continue;
        }
        let input = action["input"].as_str().unwrap();
        let output = action["output"].as_str().unwrap();

        let req = build(&spec, input, site, 0);
        match check_request(name, &req) {
            Ok(back) => {
                if let Err(e) = same(&req, &back, input) {
                    failures.push(e);
                }
            }
            Err(e) => failures.push(format!("{input}: {e} ({req})")),
        }

        let mut resp = build(&spec, output, site, 0);
        resp.as_object_mut().unwrap().insert(
            "RequestId".into(),
            json!("6ed8d110-67be-4650-83b0-5df5a897e9e6"),
        );
        let body = serde_json::to_vec(&resp).unwrap();
        match reencode_response(name, &body) {
            Ok(back) => {
                if let Err(e) = same(&resp, &back, output) {
                    failures.push(e);
                }
            }
            Err(e) => failures.push(format!("{output}: {e}")),
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

#[test]
fn every_cn_site_example_round_trips() {
    assert_eq!(roundtrip_all(Site::Cn), 97);
}

#[test]
fn every_intl_site_example_round_trips() {
    assert_eq!(roundtrip_all(Site::Intl), 69);
}

#[test]
fn fixtures_are_not_empty() {
    // Guard against a builder that silently produces `{}` everywhere.
    let spec = spec();
    let resp = build(&spec, "DescribeDBBackupsResponse", Site::Cn, 0);
    assert!(resp["BackupList"][0]["BackupName"].is_string(), "{resp}");
    let req = build(&spec, "CreateBackupDownloadTaskRequest", Site::Cn, 0);
    assert!(req["BackupSets"][0]["ReplicaSetId"].is_string(), "{req}");
    assert_eq!(actions().len(), 97);
}
