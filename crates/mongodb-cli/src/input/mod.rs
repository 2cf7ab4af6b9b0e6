//! Request input: `--cli-input-json`, the per-parameter `--<Param>` flags, and their dotted
//! form `--<Param>.<index or member>… VALUE` ([`dotted`]).
//!
//! `--cli-input-json` takes inline JSON, `@FILE` (or `file://FILE`), or `-` for stdin, and must
//! be a JSON object. Each `--<Param> VALUE` flag is converted by the parameter's declared type:
//! strings stay strings, integers/floats/booleans are converted when the text is unambiguous,
//! lists and structures are JSON (a list may also be given as repeated flags, one element each).
//! Flags override keys of the same name from `--cli-input-json`. The merged object is then
//! checked against the typed request by `mongodb_models::check_request` (in `action`).

pub mod dotted;
mod kind;

use std::io::Read;

use serde_json::{Map, Value};

use kind::scalar_value;
pub use kind::{element_type, ParamKind};

/// Reads the `--cli-input-json` argument: inline JSON, `@FILE`, `file://FILE` or `-` (stdin).
pub fn read_cli_input_json(arg: &str, stdin: &mut dyn Read) -> Result<Map<String, Value>, String> {
    let (text, source) = if arg == "-" {
        let mut s = String::new();
        stdin
            .read_to_string(&mut s)
            .map_err(|e| format!("--cli-input-json: cannot read stdin: {e}"))?;
        (s, "stdin".to_string())
    } else if let Some(path) = arg
        .strip_prefix('@')
        .or_else(|| arg.strip_prefix("file://"))
    {
        let s = std::fs::read_to_string(path)
            .map_err(|e| format!("--cli-input-json: cannot read {path}: {e}"))?;
        (s, path.to_string())
    } else {
        (arg.to_string(), "the argument".to_string())
    };
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("--cli-input-json: {source} is not valid JSON: {e}"))?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "--cli-input-json: expected a JSON object of parameters, got {}",
            kind_name(&other)
        )),
    }
}

/// Converts the raw text(s) given for `--<name>` into the JSON value for the request.
pub fn flag_value(name: &str, type_name: &str, raw: &[String]) -> Result<Value, String> {
    let kind = ParamKind::of(type_name);
    match &kind {
        ParamKind::List(inner) => {
            if let [one] = raw {
                if one.trim_start().starts_with('[') {
                    return serde_json::from_str(one)
                        .map_err(|e| format!("--{name} expects a JSON array ({type_name}): {e}"));
                }
            }
            raw.iter()
                .map(|r| scalar_value(name, type_name, inner, r))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ => match raw {
            [one] => scalar_value(name, type_name, &kind, one),
            _ => Err(format!("--{name} was given more than once")),
        },
    }
}

/// A short name for a JSON value's kind, for messages.
fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn scalars_convert_when_unambiguous() {
        assert_eq!(flag_value("N", "Integer", &raw(&["0"])).unwrap(), json!(0));
        assert_eq!(
            flag_value("N", "Integer", &raw(&["-3"])).unwrap(),
            json!(-3)
        );
        assert!(flag_value("N", "Integer", &raw(&["x"]))
            .unwrap_err()
            .contains("--N"));
        assert_eq!(
            flag_value("S", "String", &raw(&["007"])).unwrap(),
            json!("007")
        );
        assert_eq!(
            flag_value("B", "Boolean", &raw(&["TRUE"])).unwrap(),
            json!(true)
        );
        assert_eq!(
            flag_value("F", "Float", &raw(&["1.5"])).unwrap(),
            json!(1.5)
        );
        assert!(flag_value("F", "Float", &raw(&["nan"])).is_err());
    }

    #[test]
    fn lists_from_json_or_repeats() {
        assert_eq!(
            flag_value("Ids", "Array of String", &raw(&["[\"a\",\"b\"]"])).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(
            flag_value("Ids", "Array of String", &raw(&["a", "b"])).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(
            flag_value("St", "Array of Integer", &raw(&["2", "3"])).unwrap(),
            json!([2, 3])
        );
        assert_eq!(
            flag_value(
                "BackupSets",
                "Array of ReplicaSetInfo",
                &raw(&["{\"ReplicaSetId\":\"x_0\"}"])
            )
            .unwrap(),
            json!([{"ReplicaSetId": "x_0"}])
        );
        assert!(flag_value("L", "Array of String", &raw(&["[oops"])).is_err());
    }

    #[test]
    fn structures_are_json() {
        assert_eq!(
            flag_value("Filter", "SomeStruct", &raw(&["{\"A\":1}"])).unwrap(),
            json!({"A": 1})
        );
        let err = flag_value("Filter", "SomeStruct", &raw(&["A=1"])).unwrap_err();
        assert!(err.contains("--Filter expects JSON"), "{err}");
    }

    #[test]
    fn cli_input_json_sources() {
        let mut empty: &[u8] = b"";
        let m = read_cli_input_json("{\"InstanceId\":\"x\"}", &mut empty).unwrap();
        assert_eq!(m["InstanceId"], json!("x"));

        let mut stdin: &[u8] = b"{\"Limit\": 2}";
        let m = read_cli_input_json("-", &mut stdin).unwrap();
        assert_eq!(m["Limit"], json!(2));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.json");
        std::fs::write(&path, "{\"A\": [1]}").unwrap();
        let m = read_cli_input_json(&format!("@{}", path.display()), &mut empty).unwrap();
        assert_eq!(m["A"], json!([1]));

        assert!(read_cli_input_json("[1]", &mut empty)
            .unwrap_err()
            .contains("object"));
        assert!(read_cli_input_json("{", &mut empty)
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(read_cli_input_json("@/nonexistent/x.json", &mut empty).is_err());
    }
}
