//! GET form encoding: request parameters flattened into a query string, and back.
//!
//! Nested members are joined with dots and list items are numbered from 0:
//! `BackupSets.0.ReplicaSetId=cmgo-xxxxxxxx_0`. Keys and values are percent-encoded keeping only
//! the RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`) as they are, so a space is `%20`.
//! Numbers and booleans are written as their JSON text; `null`, empty lists and empty objects
//! produce nothing.
//!
//! ```
//! use mongodb_models::{form, CreateBackupDownloadTaskRequest, ReplicaSetInfo};
//!
//! let req = CreateBackupDownloadTaskRequest::new(
//!     "cmgo-dygv1rnp",
//!     "cmgo-dygv1rnp_2021-03-26 10:44",
//!     vec![ReplicaSetInfo::new("cmgo-dygv1rnp_0")],
//! );
//! let query = form::encode(&req);
//! assert!(query.contains("BackupSets.0.ReplicaSetId=cmgo-dygv1rnp_0"));
//! assert!(query.contains("BackupName=cmgo-dygv1rnp_2021-03-26%2010%3A44"));
//!
//! // Decoding gives the nested shape back, every leaf as a string.
//! let value = form::decode(&query).unwrap();
//! assert_eq!(value["BackupSets"][0]["ReplicaSetId"], "cmgo-dygv1rnp_0");
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// Flattens `v` (normally a request) into a query string, without a leading `?`.
///
/// A value that does not serialize to a JSON object (which no request does) is encoded as a
/// single pair with an empty key prefix dropped, i.e. lists at the top level become `0=…&1=…`.
pub fn encode<T: Serialize + ?Sized>(v: &T) -> String {
    let value = serde_json::to_value(v).unwrap_or(Value::Null);
    encode_value(&value)
}

/// Flattens an already built JSON value; see [`encode`].
pub fn encode_value(value: &Value) -> String {
    let mut out = String::new();
    let mut key = String::new();
    flatten(value, &mut key, &mut out);
    out
}

fn flatten(value: &Value, key: &mut String, out: &mut String) {
    let push_leaf = |key: &str, text: &str, out: &mut String| {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode_into(key, out);
        out.push('=');
        percent_encode_into(text, out);
    };
    match value {
        Value::Null => {}
        Value::Bool(b) => push_leaf(key, if *b { "true" } else { "false" }, out),
        Value::Number(n) => push_leaf(key, &n.to_string(), out),
        Value::String(s) => push_leaf(key, s, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(&i.to_string());
                flatten(item, key, out);
                key.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(k);
                flatten(item, key, out);
                key.truncate(len);
            }
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn percent_encode_into(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// Percent-encodes `s` keeping only the RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    percent_encode_into(s, &mut out);
    out
}

/// Why a query string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The key concerned, as decoded.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query parameter `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for FormError {}

/// Decodes `%XX` escapes; `+` is taken as a space, as HTML forms send it.
pub fn percent_decode(s: &str) -> Result<String, FormError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (bytes.get(i + 1), bytes.get(i + 2)) {
                    (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                        out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                        i += 3;
                    }
                    _ => {
                        return Err(FormError {
                            key: s.to_string(),
                            message: "a `%` is not followed by two hex digits".into(),
                        })
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| FormError {
        key: s.to_string(),
        message: "the decoded text is not UTF-8".into(),
    })
}

enum Node {
    Leaf(String),
    Parent(BTreeMap<String, Node>),
}

/// Reverses [`encode`]: rebuilds nested objects and lists from dotted keys. Every leaf is a JSON
/// string (the typed request decoders accept `"2"` for integers and `"true"` for booleans).
///
/// A parent whose child segments are all list indexes (`0`, `1`, … written without leading
/// zeros) becomes a list, its items in index order (gaps are closed up); any other parent
/// becomes an object. The decision looks at every child, so the order of the pairs never
/// matters. Empty pairs (`&&`) are skipped. A key given twice, or used both as a value and as a
/// parent, is an error.
pub fn decode(query: &str) -> Result<Value, FormError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut root: BTreeMap<String, Node> = BTreeMap::new();
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k)?;
        let value = percent_decode(v)?;
        if key.is_empty() {
            return Err(FormError {
                key,
                message: "empty parameter name".into(),
            });
        }
        insert(&mut root, &key, value)?;
    }
    Ok(Value::Object(to_map(root)))
}

fn conflict(key: &str) -> FormError {
    FormError {
        key: key.to_string(),
        message: "given more than once, or both as a value and as a parent of other values".into(),
    }
}

fn insert(root: &mut BTreeMap<String, Node>, key: &str, value: String) -> Result<(), FormError> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(FormError {
            key: key.to_string(),
            message: "empty segment in a dotted name".into(),
        });
    }
    let (last, parents) = segments
        .split_last()
        .expect("split yields one segment at least");
    let mut map = root;
    for seg in parents {
        let node = map
            .entry((*seg).to_string())
            .or_insert_with(|| Node::Parent(BTreeMap::new()));
        map = match node {
            Node::Parent(children) => children,
            Node::Leaf(_) => return Err(conflict(key)),
        };
    }
    if map.contains_key(*last) {
        return Err(conflict(key));
    }
    map.insert((*last).to_string(), Node::Leaf(value));
    Ok(())
}

/// A list index as the encoder writes it: decimal digits, no leading zero (but `0` itself).
fn list_index(seg: &str) -> Option<usize> {
    let canonical =
        seg == "0" || (!seg.starts_with('0') && seg.bytes().all(|b| b.is_ascii_digit()));
    if canonical {
        seg.parse().ok()
    } else {
        None
    }
}

fn to_map(map: BTreeMap<String, Node>) -> Map<String, Value> {
    map.into_iter().map(|(k, v)| (k, to_value(v))).collect()
}

fn to_value(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Parent(children) => {
            if children.keys().all(|k| list_index(k).is_some()) {
                let items: BTreeMap<usize, Node> = children
                    .into_iter()
                    .filter_map(|(k, v)| list_index(&k).map(|i| (i, v)))
                    .collect();
                Value::Array(items.into_values().map(to_value).collect())
            } else {
                Value::Object(to_map(children))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_nested_lists_and_objects() {
        let v = json!({"A": [{"B": "x y"}, {"B": 2}], "C": true, "D": null, "E": []});
        assert_eq!(encode_value(&v), "A.0.B=x%20y&A.1.B=2&C=true");
    }

    #[test]
    fn decodes_plus_and_percent() {
        let v = decode("A=x+y&B=%E4%BD%A0&C.0=1&C.1=2").unwrap();
        assert_eq!(v, json!({"A": "x y", "B": "你", "C": ["1", "2"]}));
    }

    #[test]
    fn rejects_conflicts_and_bad_escapes() {
        assert!(decode("A=1&A=2").is_err());
        assert!(decode("A=1&A.B=2").is_err());
        assert!(decode("A=%zz").is_err());
        assert!(decode("A..B=1").is_err());
    }
}
