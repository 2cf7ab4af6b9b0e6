//! Rendering of response objects for stdout.
//!
//! Responses arrive as `serde_json::Value` objects (the `Response` wrapper already removed).
//! `json` prints them pretty; `table` turns the first list of objects into an aligned table
//! for a person to read, with the remaining scalar fields as `Key: value` lines above it.

use std::io::Write;

use serde_json::{Map, Value};

use crate::exit::{self, Failure};

/// How a response is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Pretty-printed JSON (the default; machine-readable).
    Json,
    /// An aligned text table for people.
    Table,
}

impl OutputFormat {
    /// Parses the `--output` value (`json` or `table`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "table" => Some(Self::Table),
            _ => None,
        }
    }
}

/// Renders `value` in `format`; the result ends with a newline.
pub fn render(value: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => render_json(value),
        OutputFormat::Table => render_table(value, None),
    }
}

/// Pretty JSON followed by a newline.
pub fn render_json(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    s.push('\n');
    s
}

/// Renders an object as `Key: value` lines plus an aligned table for its first field that is a
/// list of objects. `columns`, when given, selects and orders the table's columns; otherwise
/// every key seen in the rows is a column, in order of first appearance.
pub fn render_table(value: &Value, columns: Option<&[&str]>) -> String {
    let obj = match value {
        Value::Object(obj) => obj,
        Value::Array(items) => return table_of(items, columns),
        other => return format!("{}\n", cell(other)),
    };
    let list_key = obj.iter().find_map(|(k, v)| match v {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            Some(k.clone())
        }
        _ => None,
    });
    let mut out = key_values(obj, list_key.as_deref());
    if let Some(key) = list_key {
        if !out.is_empty() {
            out.push('\n');
        }
        if let Some(Value::Array(items)) = obj.get(&key) {
            out.push_str(&table_of(items, columns));
        }
    }
    out
}

/// `Key: value` lines for every field except `skip`, keys padded to one width.
fn key_values(obj: &Map<String, Value>, skip: Option<&str>) -> String {
    let rows: Vec<(&str, String)> = obj
        .iter()
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .map(|(k, v)| (k.as_str(), cell(v)))
        .collect();
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v) in rows {
        let pad = width - k.chars().count();
        out.push_str(k);
        out.push(':');
        out.push_str(&" ".repeat(pad + 1));
        out.push_str(&v);
        out.push('\n');
    }
    out
}

/// An aligned table of `items` (objects; anything else becomes a one-column row).
fn table_of(items: &[Value], columns: Option<&[&str]>) -> String {
    if items.is_empty() {
        return "(no items)\n".to_string();
    }
    let cols: Vec<String> = match columns {
        Some(c) => c.iter().map(|s| s.to_string()).collect(),
        None => {
            let mut cols: Vec<String> = Vec::new();
            for item in items {
                if let Value::Object(o) = item {
                    for k in o.keys() {
                        if !cols.iter().any(|c| c == k) {
                            cols.push(k.clone());
                        }
                    }
                }
            }
            if cols.is_empty() {
                cols.push("Value".to_string());
            }
            cols
        }
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| match item {
            Value::Object(o) => cols
                .iter()
                .map(|c| o.get(c).map(cell).unwrap_or_default())
                .collect(),
            other => vec![cell(other)],
        })
        .collect();
    let mut widths: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
    for row in &rows {
        for (w, v) in widths.iter_mut().zip(row) {
            *w = (*w).max(v.chars().count());
        }
    }
    let mut out = String::new();
    push_row(&mut out, &cols, &widths);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    push_row(&mut out, &rule, &widths);
    for row in &rows {
        push_row(&mut out, row, &widths);
    }
    out
}

/// One table line: cells left-aligned, two spaces apart, no trailing blanks.
fn push_row(out: &mut String, cells: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(c);
        line.push_str(&" ".repeat(w.saturating_sub(c.chars().count())));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// A value as one table cell: strings bare, null empty, lists of scalars comma-joined,
/// anything else compact JSON. Newlines and tabs become spaces so rows stay on one line.
fn cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    };
    s.replace(['\n', '\r', '\t'], " ")
}

/// Writes text to stdout. A reader that went away (`tcmongo … | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Other {
            code: exit::NETWORK,
            message: format!("cannot write to stdout: {e}"),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_pretty_with_newline() {
        let s = render(&json!({"A": 1}), OutputFormat::Json);
        assert_eq!(s, "{\n  \"A\": 1\n}\n");
    }

    #[test]
    fn table_aligns_first_list_of_objects() {
        // Keys are written in sorted order so the test holds with or without serde_json's
        // `preserve_order` feature.
        let v = json!({
            "BackupList": [
                {"BackupName": "a", "Status": 2},
                {"BackupName": "longer name", "Extra": null, "Status": 1}
            ],
            "RequestId": "r-1",
            "TotalCount": 2
        });
        let s = render(&v, OutputFormat::Table);
        let expected = "RequestId:  r-1\nTotalCount: 2\n\n\
BackupName   Status  Extra\n\
-----------  ------  -----\n\
a            2\n\
longer name  1\n";
        assert_eq!(s, expected);
    }

    #[test]
    fn table_without_list_is_key_values() {
        let v = json!({"AsyncRequestId": 4773, "RequestId": "x", "Tags": ["a", "b"]});
        let s = render(&v, OutputFormat::Table);
        assert_eq!(
            s,
            "AsyncRequestId: 4773\nRequestId:      x\nTags:           a,b\n"
        );
    }

    #[test]
    fn table_with_selected_columns_and_nested_cells() {
        let v = json!({"L": [{"A": {"x": 1}, "B": "line\nbreak", "C": 3}]});
        let s = render_table(&v, Some(&["B", "A"]));
        assert_eq!(
            s,
            "B           A\n----------  -------\nline break  {\"x\":1}\n"
        );
    }

    #[test]
    fn format_parse() {
        assert_eq!(OutputFormat::parse("TABLE"), Some(OutputFormat::Table));
        assert_eq!(OutputFormat::parse("yaml"), None);
    }
}
