//! The models' `enums.rs`: open enumerations from the overlay, each with an `Unknown` variant
//! that keeps values this version does not know.

use std::fmt::Write as _;

use super::model::{ident_for, Model};
use super::text::{doc, rust_str, value_text, HEADER};

/// Generates `enums.rs`.
pub(super) fn generate(model: &Model) -> String {
    let mut s = String::from(HEADER);
    s.push_str("//! Open enumerations: known values by name, anything else kept in `Unknown`.\n\n");
    s.push_str("use serde::{Serialize, Serializer};\n\n");
    for (name, e) in &model.overlay.enums {
        let int = e.repr == "int";
        let mut d = e.doc.clone();
        d.push_str("\n\nAn open enumeration: a value this version does not know decodes into `Unknown` and encodes back unchanged.");
        if int {
            d.push_str(" On the wire it is an integer; decoding also accepts the integer written as a string (`\"1\"`).");
        } else {
            d.push_str(" On the wire it is a string.");
        }
        let users: Vec<String> = e
            .used_by
            .iter()
            .map(|(st, m)| {
                let field = ident_for(m).0.trim_start_matches("r#").to_string();
                format!("[`{st}::{field}`](crate::{st}::{field})")
            })
            .collect();
        let _ = write!(d, "\n\nUsed by {}.", users.join(", "));
        doc(&mut s, &d);
        let raw_ty = if int { "i64" } else { "String" };
        if int {
            s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n");
        } else {
            s.push_str("#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n");
        }
        s.push_str("#[non_exhaustive]\n");
        let _ = writeln!(s, "pub enum {name} {{");
        for v in &e.values {
            doc(&mut s, &format!("`{}`: {}", value_text(&v.value), v.doc));
            let _ = writeln!(s, "{},", v.name);
        }
        s.push_str("/// A value not known to this version of the crate, kept as received.\n");
        let _ = writeln!(s, "Unknown({raw_ty}),\n}}\n");

        let _ = writeln!(s, "impl {name} {{");
        let _ = writeln!(
            s,
            "/// Every value known to this version, in the order the service documents them."
        );
        let _ = writeln!(s, "pub const KNOWN: &'static [{name}] = &[");
        for v in &e.values {
            let _ = writeln!(s, "{name}::{},", v.name);
        }
        s.push_str("];\n\n");
        if int {
            s.push_str(
                "/// The value as sent on the wire.\npub fn value(&self) -> i64 {\nmatch self {\n",
            );
            for v in &e.values {
                let _ = writeln!(s, "{name}::{} => {},", v.name, v.value);
            }
            let _ = writeln!(s, "{name}::Unknown(v) => *v,\n}}\n}}\n");
        } else {
            s.push_str(
                "/// The value as sent on the wire.\npub fn as_str(&self) -> &str {\nmatch self {\n",
            );
            for v in &e.values {
                let _ = writeln!(
                    s,
                    "{name}::{} => {},",
                    v.name,
                    rust_str(&value_text(&v.value))
                );
            }
            let _ = writeln!(s, "{name}::Unknown(v) => v.as_str(),\n}}\n}}\n");
        }
        s.push_str("/// Whether this is one of the values this version knows by name.\n");
        let _ = writeln!(
            s,
            "pub fn is_known(&self) -> bool {{ !matches!(self, {name}::Unknown(_)) }}\n}}\n"
        );

        if int {
            let _ = writeln!(
                s,
                "impl From<i64> for {name} {{\nfn from(v: i64) -> Self {{\nmatch v {{"
            );
            for v in &e.values {
                let _ = writeln!(s, "{} => {name}::{},", v.value, v.name);
            }
            let _ = writeln!(s, "other => {name}::Unknown(other),\n}}\n}}\n}}\n");
            let _ = writeln!(
                s,
                "impl From<{name}> for i64 {{\nfn from(v: {name}) -> i64 {{ v.value() }}\n}}\n"
            );
            let _ = writeln!(s, "impl std::fmt::Display for {name} {{\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{ write!(f, \"{{}}\", self.value()) }}\n}}\n");
            let _ = writeln!(s, "impl Serialize for {name} {{\nfn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{ s.serialize_i64(self.value()) }}\n}}\n");
            let expect = format!("an Integer ({})", model.enum_values_phrase(name));
            let _ = writeln!(
                s,
                "crate::lenient::int_enum!({name}, {});\n",
                rust_str(&expect)
            );
        } else {
            let _ = writeln!(
                s,
                "impl From<&str> for {name} {{\nfn from(v: &str) -> Self {{\nmatch v {{"
            );
            for v in &e.values {
                let _ = writeln!(
                    s,
                    "{} => {name}::{},",
                    rust_str(&value_text(&v.value)),
                    v.name
                );
            }
            let _ = writeln!(
                s,
                "other => {name}::Unknown(other.to_string()),\n}}\n}}\n}}\n"
            );
            let _ = writeln!(s, "impl From<String> for {name} {{\nfn from(v: String) -> Self {{\nlet known = {name}::from(v.as_str());\nif known.is_known() {{ known }} else {{ {name}::Unknown(v) }}\n}}\n}}\n");
            let _ = writeln!(s, "impl std::fmt::Display for {name} {{\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{ f.write_str(self.as_str()) }}\n}}\n");
            let _ = writeln!(s, "impl Serialize for {name} {{\nfn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{ s.serialize_str(self.as_str()) }}\n}}\n");
            let expect = format!("a String ({})", model.enum_values_phrase(name));
            let _ = writeln!(
                s,
                "crate::lenient::string_enum!({name}, {});\n",
                rust_str(&expect)
            );
        }
    }
    s
}
