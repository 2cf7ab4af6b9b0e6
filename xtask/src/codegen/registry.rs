//! The models' `generated/registry.rs`: the tables of actions and structures (names, types,
//! required flags, enum values, help lines) and the name-based dispatch to the typed requests
//! and answers.

use std::fmt::Write as _;

use heck::ToSnakeCase;

use super::model::{doc_url, is_idempotent, Elem, Model, READ_ONLY_VERBS};
use super::text::{rust_str, value_text, words, HEADER};
use crate::Result;

/// The `ParamInfo` table of structure `sname`'s members (without `RequestId` when
/// `request_id` is false), laid out as rustfmt would with its items `indent` spaces in.
/// rustfmt leaves a table alone when a help line is too long to fit, so the generator lays
/// the tables out itself.
fn param_infos(model: &Model, sname: &str, request_id: bool, indent: usize) -> Result<String> {
    let fields = model.fields(sname)?;
    let fields: Vec<_> = fields
        .iter()
        .filter(|f| request_id || !f.request_id)
        .collect();
    if fields.is_empty() {
        return Ok("&[]".to_string());
    }
    let (outer, item, field) = (
        " ".repeat(indent - 4),
        " ".repeat(indent),
        " ".repeat(indent + 4),
    );
    let mut s = String::from("&[\n");
    for f in fields {
        let values = match &f.elem {
            Elem::Enum(e) => model.overlay.enums[e]
                .values
                .iter()
                .map(|v| rust_str(&format!("{} {}", value_text(&v.value), words(&v.name))))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let wire_ty = match &f.elem {
            Elem::Enum(e) => {
                let base = if model.overlay.enums[e].repr == "int" {
                    "Integer"
                } else {
                    "String"
                };
                if f.list {
                    format!("Array of {base}")
                } else {
                    base.to_string()
                }
            }
            _ => f.type_name(),
        };
        let structure = match &f.elem {
            Elem::Struct(st) => format!("Some({})", rust_str(st)),
            _ => "None".to_string(),
        };
        let _ = writeln!(s, "{item}ParamInfo {{");
        for (key, value) in [
            ("name", rust_str(&f.wire)),
            ("type_name", rust_str(&wire_ty)),
            ("required", f.required.to_string()),
            ("output_required", f.output_required.to_string()),
            ("structure", structure),
            ("values", format!("&[{values}]")),
            ("help", rust_str(model.help.line(sname, &f.wire))),
        ] {
            let _ = writeln!(s, "{field}{key}: {value},");
        }
        let _ = writeln!(s, "{item}}},");
    }
    let _ = write!(s, "{outer}]");
    Ok(s)
}

/// Generates `registry.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str(
        "//! Tables describing every action and structure, and the name-based dispatch.\n\n",
    );
    s.push_str("use super::requests::*;\nuse super::responses::*;\nuse crate::info::{ActionInfo, ParamInfo};\nuse crate::typed::{check_typed, reencode_typed, DecodeError, RawError};\n\n");
    let verbs: Vec<String> = READ_ONLY_VERBS.iter().map(|v| rust_str(v)).collect();
    let _ = writeln!(
        s,
        "/// The idempotency rule: an action whose name starts with one of these read-only verbs is safe to resend.\npub(crate) static READ_ONLY_VERBS: &[&str] = &[{}];\n",
        verbs.join(", ")
    );
    s.push_str(
        "/// Every action, sorted by name.\npub(crate) static ACTIONS: &[ActionInfo] = &[\n",
    );
    for (name, a) in &model.spec.actions {
        s.push_str("    ActionInfo {\n");
        for (key, value) in [
            ("name", rust_str(name)),
            ("snake_name", rust_str(&name.to_snake_case())),
            ("idempotent", is_idempotent(name).to_string()),
            ("intl", a.intl.to_string()),
            ("doc_url", rust_str(&doc_url(name))),
            ("summary", rust_str(model.help.summary(name))),
            ("params", param_infos(model, &a.input, true, 12)?),
            ("output", param_infos(model, &a.output, false, 12)?),
        ] {
            let _ = writeln!(s, "        {key}: {value},");
        }
        s.push_str("    },\n");
    }
    s.push_str("];\n\n");
    s.push_str("/// Members of every structure (requests and responses included), sorted by name.\npub(crate) static STRUCTURES: &[(&str, &[ParamInfo])] = &[\n");
    for name in model.spec.structures.keys() {
        let _ = writeln!(
            s,
            "    (\n        {},\n        {},\n    ),",
            rust_str(name),
            param_infos(model, name, true, 12)?
        );
    }
    s.push_str("];\n\n");
    s.push_str("/// Decodes `params` into the typed request of `action` (an exact name) and re-encodes it.\npub(crate) fn check_by_name(action: &str, params: &serde_json::Value) -> Option<Result<serde_json::Value, RawError>> {\nSome(match action {\n");
    for name in model.spec.actions.keys() {
        let _ = writeln!(
            s,
            "{} => check_typed::<{name}Request>(params),",
            rust_str(name)
        );
    }
    s.push_str("_ => return None,\n})\n}\n\n");
    s.push_str("/// Decodes `body` into the typed response of `action` (an exact name) and re-encodes it.\npub(crate) fn reencode_response_by_name(action: &str, body: &[u8]) -> Option<Result<serde_json::Value, DecodeError>> {\nSome(match action {\n");
    for name in model.spec.actions.keys() {
        let _ = writeln!(
            s,
            "{} => reencode_typed::<{name}Response>(body),",
            rust_str(name)
        );
    }
    s.push_str("_ => return None,\n})\n}\n");
    Ok(s)
}
