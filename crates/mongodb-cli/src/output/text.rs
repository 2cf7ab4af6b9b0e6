//! `--output text`: tccli's tab-separated form (the same as the AWS CLI's `text` output), so
//! scripts written against `tccli … --output text` read `tcmongo` the same way.
//!
//! The rules:
//! * An object prints one line with the values of its scalar members, keys in sorted order,
//!   separated by tabs; then each member that is a list or an object, in sorted key order, is
//!   printed the same way with the member's name, upper-cased, as its *identifier*.
//! * A line printed under an identifier starts with it (`BACKUPLIST\t…`).
//! * A list of objects prints one line per object. The columns are the same for every object:
//!   the sorted union of the keys that hold a scalar in any of them (a missing one is empty).
//! * A list of scalars prints one line per element under an identifier (`INSTANCEIDS\tcmgo-1`),
//!   or all elements on one tab-separated line at the top (a `--filter` result, say).
//! * A scalar is printed as Python's `str()` writes it, as tccli does: `True`, `False`, `None`,
//!   numbers as written, strings as they are.

use serde_json::{Map, Value};

/// Renders `value` in tccli's text form.
pub fn render_text(value: &Value) -> String {
    let mut out = String::new();
    item(value, None, None, &mut out);
    out
}

fn item(v: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match v {
        Value::Object(o) => object(o, identifier, scalar_keys, out),
        Value::Array(items) => list(items, identifier, out),
        scalar => {
            out.push_str(&scalar_str(scalar));
            out.push('\n');
        }
    }
}

fn list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(Value::is_object) {
        let keys = scalar_keys_of(items);
        for i in items {
            item(i, identifier, Some(&keys), out);
        }
    } else if items.iter().any(Value::is_array) {
        let (nested, scalars): (Vec<&Value>, Vec<&Value>) =
            items.iter().partition(|i| is_container(i));
        if !scalars.is_empty() {
            scalar_list(&scalars, identifier, out);
        }
        for n in nested {
            item(n, identifier, None, out);
        }
    } else {
        scalar_list(&items.iter().collect::<Vec<_>>(), identifier, out);
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for i in items {
                out.push_str(&id.to_uppercase());
                out.push('\t');
                out.push_str(&scalar_str(i));
                out.push('\n');
            }
        }
        None => {
            let cells: Vec<String> = items.iter().map(|i| scalar_str(i)).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
}

fn object(
    o: &Map<String, Value>,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) {
    let mut scalars: Vec<String> = Vec::new();
    let mut nested: Vec<(&str, &Value)> = Vec::new();
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort();
    match scalar_keys {
        None => {
            for k in keys {
                match &o[k] {
                    v if is_container(v) => nested.push((k, v)),
                    v => scalars.push(scalar_str(v)),
                }
            }
        }
        Some(columns) => {
            for c in columns {
                scalars.push(o.get(c).map(scalar_str).unwrap_or_default());
            }
            for k in keys.into_iter().filter(|k| !columns.contains(k)) {
                nested.push((k, &o[k]));
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (k, v) in nested {
        item(v, Some(k), None, out);
    }
}

/// The sorted keys that hold a scalar in at least one of the objects.
fn scalar_keys_of(items: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.iter())
        .filter(|(_, v)| !is_container(v))
        .map(|(k, _)| k.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn is_container(v: &Value) -> bool {
    v.is_object() || v.is_array()
}

/// A value as Python's `str()` writes the parsed JSON value. Lists and objects (which reach
/// here only as a column of a list whose other rows hold a scalar there) are compact JSON.
fn scalar_str(v: &Value) -> String {
    match v {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_response_with_a_list_of_objects() {
        let v = json!({
            "BackupList": [
                {"BackupName": "b1", "BackupSize": 10, "Status": 2},
                {"BackupName": "b2", "Status": 1, "Remark": null}
            ],
            "RequestId": "r-1",
            "TotalCount": 2
        });
        assert_eq!(
            render_text(&v),
            "r-1\t2\n\
BACKUPLIST\tb1\t10\t\t2\n\
BACKUPLIST\tb2\t\tNone\t1\n"
        );
    }

    #[test]
    fn nested_objects_and_scalar_lists_get_identifiers() {
        let v = json!({
            "Id": "x",
            "Ok": true,
            "Ids": ["a", "b"],
            "Sub": {"Z": 1.5, "A": false, "Deeper": {"K": "v"}},
            "Empty": []
        });
        assert_eq!(
            render_text(&v),
            "x\tTrue\n\
IDS\ta\nIDS\tb\n\
SUB\tFalse\t1.5\n\
DEEPER\tv\n"
        );
    }

    #[test]
    fn filter_results_at_the_top() {
        assert_eq!(render_text(&json!(["a", "b", 3])), "a\tb\t3\n");
        assert_eq!(render_text(&json!("cmgo-1")), "cmgo-1\n");
        assert_eq!(render_text(&json!(null)), "None\n");
        assert_eq!(render_text(&json!([])), "");
        assert_eq!(render_text(&json!([["a", "b"], "c"])), "c\na\tb\n");
    }

    #[test]
    fn lists_of_objects_nest_under_their_key() {
        let v = json!({"Tasks": [{"Id": 1, "Files": [{"Name": "f"}]}]});
        assert_eq!(render_text(&v), "TASKS\t1\nFILES\tf\n");
    }
}
