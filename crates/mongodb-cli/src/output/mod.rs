//! Rendering of response objects for stdout, and writing to it.
//!
//! Responses arrive as `serde_json::Value` objects (the `Response` wrapper already removed).
//! `json` prints them pretty; `table` lays them out for a person ([`table`]); `text` is tccli's
//! tab-separated form for scripts ([`text`]).

mod table;
mod text;

use std::io::Write;

use serde_json::Value;

pub use table::render_table;
pub use text::render_text;

use crate::exit::{self, Failure};

/// How an API action's response is printed (`--output`, tccli's three formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pretty-printed JSON (the default; machine-readable).
    Json,
    /// An aligned table for people.
    Table,
    /// tccli's tab-separated lines, for scripts.
    Text,
}

impl Format {
    /// Parses the `--output` value (`json`, `table` or `text`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "table" => Some(Self::Table),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// Renders `value` in `format`; the result ends with a newline (or is empty).
pub fn render(value: &Value, format: impl Into<Format>) -> String {
    match format.into() {
        Format::Json => render_json(value),
        Format::Table => render_table(value, None),
        Format::Text => render_text(value),
    }
}

/// Pretty JSON followed by a newline.
pub fn render_json(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    s.push('\n');
    s
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
        let s = render(&json!({"A": 1}), Format::Json);
        assert_eq!(s, "{\n  \"A\": 1\n}\n");
    }

    #[test]
    fn every_format_renders() {
        let v = json!({"A": 1, "B": [{"C": true}]});
        assert_eq!(render(&v, Format::Text), "1\nB\tTrue\n");
        assert_eq!(render(&v, Format::Table), "A: 1\n\nC\n-----\ntrue\n");
        assert_eq!(render(&v, Format::Json), render_json(&v));
    }

    #[test]
    fn format_parse() {
        assert_eq!(Format::parse("TEXT"), Some(Format::Text));
        assert_eq!(Format::parse("yaml"), None);
        assert_eq!(Format::parse("TABLE"), Some(Format::Table));
    }
}
