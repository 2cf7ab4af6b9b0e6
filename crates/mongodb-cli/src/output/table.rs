//! `--output table`: a response for a person to read, laid out by `comfy-table`.
//!
//! An object's scalar members become `Key: value` lines; its first member that is a non-empty
//! list of objects becomes a table below them, one row per object. Columns are separated by
//! blanks, the header is underlined with dashes, and no line ends in blanks.

use comfy_table::{ContentLineStyle, LineStyle, Table, TableStyle};
use serde_json::{Map, Value};

/// Borderless: columns two blanks apart, a dashed rule under the header.
const STYLE: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none().junction(' '))
    .header_separator(LineStyle::none().fill('-').junction(' '))
    .content_lines(ContentLineStyle::none().junction(' '));

/// Renders an object as `Key: value` lines plus a table for its first field that is a list of
/// objects. `columns`, when given, selects and orders the table's columns; otherwise every key
/// seen in the rows is a column, in order of first appearance.
pub fn render_table(value: &Value, columns: Option<&[&str]>) -> String {
    let obj = match value {
        Value::Object(obj) => obj,
        Value::Array(items) => return table_of(items, columns),
        Value::Null => return String::new(),
        other => return format!("{}\n", cell(other)),
    };
    let list_key = obj.iter().find_map(|(k, v)| match v {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            Some(k.clone())
        }
        _ => None,
    });
    let mut out = key_values(obj, list_key.as_deref());
    if let Some(Value::Array(items)) = list_key.as_ref().and_then(|k| obj.get(k)) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&table_of(items, columns));
    }
    out
}

/// `Key: value` lines for every field except `skip`, the values aligned.
fn key_values(obj: &Map<String, Value>, skip: Option<&str>) -> String {
    let mut table = new_table();
    if obj.keys().all(|k| Some(k.as_str()) == skip) {
        return String::new();
    }
    for (k, v) in obj.iter().filter(|(k, _)| Some(k.as_str()) != skip) {
        table.add_row(vec![format!("{k}:"), cell(v)]);
    }
    finish(table, (0, 0))
}

/// A table of `items` (objects; anything else becomes a one-column row).
fn table_of(items: &[Value], columns: Option<&[&str]>) -> String {
    if items.is_empty() {
        return "(no items)\n".to_string();
    }
    let cols: Vec<String> = match columns {
        Some(c) => c.iter().map(|s| s.to_string()).collect(),
        None => {
            let mut cols: Vec<String> = Vec::new();
            for k in items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(Map::keys)
            {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
            if cols.is_empty() {
                cols.push("Value".to_string());
            }
            cols
        }
    };
    let mut table = new_table();
    table.set_header(cols.clone());
    for item in items {
        let row: Vec<String> = match item {
            Value::Object(o) => cols
                .iter()
                .map(|c| o.get(c).map(cell).unwrap_or_default())
                .collect(),
            other => vec![cell(other)],
        };
        table.add_row(row);
    }
    finish(table, (0, 1))
}

/// An empty table in [`STYLE`].
fn new_table() -> Table {
    let mut table = Table::new();
    table.load_style(STYLE);
    table
}

/// The table's lines with every column padded by `padding` (left, right) blanks, without
/// trailing blanks, each ending with a newline.
fn finish(mut table: Table, padding: (u16, u16)) -> String {
    for column in table.column_iter_mut() {
        column.set_padding(padding);
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_list_of_objects_is_a_table_below_the_scalars() {
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
        let expected = "RequestId:  r-1\nTotalCount: 2\n\n\
BackupName   Status  Extra\n\
------------ ------- ------\n\
a            2\n\
longer name  1\n";
        assert_eq!(render_table(&v, None), expected);
    }

    #[test]
    fn without_a_list_it_is_key_values() {
        let v = json!({"AsyncRequestId": 4773, "RequestId": "x", "Tags": ["a", "b"]});
        assert_eq!(
            render_table(&v, None),
            "AsyncRequestId: 4773\nRequestId:      x\nTags:           a,b\n"
        );
    }

    #[test]
    fn selected_columns_and_nested_cells() {
        let v = json!({"L": [{"A": {"x": 1}, "B": "line\nbreak", "C": 3}]});
        assert_eq!(
            render_table(&v, Some(&["B", "A"])),
            "B           A\n----------- --------\nline break  {\"x\":1}\n"
        );
    }

    #[test]
    fn lists_scalars_and_null() {
        assert_eq!(
            render_table(&json!(["a", 1]), None),
            "Value\n------\na\n1\n"
        );
        assert_eq!(render_table(&json!([]), None), "(no items)\n");
        assert_eq!(render_table(&json!("x"), None), "x\n");
        assert_eq!(render_table(&json!(null), None), "");
    }

    #[test]
    fn wide_characters_stay_aligned() {
        let v = json!([{"Name": "备份", "N": 1}, {"Name": "ab", "N": 2}]);
        let keys_sorted = render_table(&v, Some(&["Name", "N"]));
        assert_eq!(keys_sorted, "Name  N\n----- --\n备份  1\nab    2\n");
    }
}
