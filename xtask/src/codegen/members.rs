//! What the structures, requests and answers have in common: field attributes and docs, the
//! struct item itself, and its `new` and `with_*` setters.

use std::fmt::Write as _;

use super::model::{Elem, Field, Model, Role, Scalar};
use super::text::{doc, rust_str};

pub(super) fn field_doc(model: &Model, sname: &str, f: &Field) -> String {
    let key = format!("{sname}.{}", f.wire);
    let mut d = String::new();
    if let Some(text) = model.overlay.docs.members.get(&key) {
        d.push_str(text);
        d.push_str("\n\n");
    }
    let what = match (&f.elem, f.list) {
        (Elem::Scalar(s), false) => s.phrase().to_string(),
        (Elem::Scalar(s), true) => format!(
            "a list of {}s",
            s.phrase()
                .trim_start_matches("a ")
                .trim_start_matches("an ")
        ),
        (Elem::Enum(e), false) => format!("a [`{e}`] ({})", model.enum_values_phrase(e)),
        (Elem::Enum(e), true) => format!("a list of [`{e}`] ({})", model.enum_values_phrase(e)),
        (Elem::Struct(st), false) => format!("a [`{st}`] object"),
        (Elem::Struct(st), true) => format!("a list of [`{st}`] objects"),
    };
    let role = model.roles[sname];
    let req = match role {
        Role::Request | Role::RequestSide | Role::Shared => {
            if f.required {
                "; required"
            } else {
                "; optional"
            }
        }
        _ => "",
    };
    let _ = write!(d, "Wire name `{}`: {what}{req}.", f.wire);
    if f.request_id {
        d.push_str(" The id the service gives every request; quote it when reporting a problem. Empty when the answer carried none.");
    } else if !f.plain && matches!(role, Role::Response | Role::ResponseSide | Role::Shared) {
        if f.nullable {
            d.push_str(" The service may send `null`, which decodes as `None`.");
        } else {
            d.push_str(" `None` when absent from the answer.");
        }
    }
    if f.disabled {
        d.push_str(" Marked disabled in the published spec: the service may ignore it.");
    }
    d
}

pub(super) fn struct_doc(model: &Model, sname: &str) -> String {
    let mut d = String::new();
    if let Some(text) = model.overlay.docs.structures.get(sname) {
        d.push_str(text);
        d.push_str("\n\n");
    } else {
        let _ = write!(d, "The `{sname}` data structure of the API.\n\n");
    }
    let actions: Vec<String> = model.used_in[sname]
        .iter()
        .map(|a| format!("`{a}`"))
        .collect();
    let where_ = match model.roles[sname] {
        Role::RequestSide => "Sent in the parameters of",
        Role::Shared => "Sent in the parameters and returned in the answers of",
        _ => "Returned in the answers of",
    };
    let _ = write!(d, "{where_} {}.", actions.join(", "));
    d
}

pub(super) fn field_attr(f: &Field) -> String {
    let mut parts = vec![format!("rename = {}", rust_str(&f.wire))];
    let scalar = matches!(f.elem, Elem::Scalar(_));
    if f.request_id {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"String::is_empty\"".into());
        parts.push("deserialize_with = \"crate::lenient::or_default\"".into());
    } else if f.plain {
        if scalar {
            if f.list {
                parts.push("deserialize_with = \"crate::lenient::req_vec\"".into());
            } else {
                parts.push("deserialize_with = \"crate::lenient::req\"".into());
            }
        }
    } else {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"Option::is_none\"".into());
        if scalar {
            if f.list {
                parts.push("deserialize_with = \"crate::lenient::opt_vec\"".into());
            } else {
                parts.push("deserialize_with = \"crate::lenient::opt\"".into());
            }
        }
    }
    format!("#[serde({})]", parts.join(", "))
}

/// The parameter type and conversion of a `new`/setter argument for a field's inner type.
pub(super) fn arg(f: &Field) -> (String, &'static str) {
    if f.list {
        return (f.inner_ty(), "");
    }
    match &f.elem {
        Elem::Scalar(Scalar::Str | Scalar::DateTime) => ("impl Into<String>".into(), ".into()"),
        Elem::Enum(e) => (format!("impl Into<{e}>"), ".into()"),
        other => (other.rust(), ""),
    }
}

/// The catch-all member of answers and of the structures inside them: members this version of
/// the models does not know are kept, and written back unchanged, so nothing the service sends is
/// lost on a decode/encode round trip.
pub(super) const UNKNOWN_FIELDS: &str = "/// Members this version of the models does not know, kept as they arrived (and written back\n/// unchanged when the value is encoded again).\n#[serde(flatten, skip_serializing_if = \"serde_json::Map::is_empty\")]\npub unknown_fields: serde_json::Map<String, serde_json::Value>,\n";

pub(super) fn can_default(fields: &[Field]) -> bool {
    fields
        .iter()
        .all(|f| !f.plain || f.list || !matches!(f.elem, Elem::Enum(_)))
}

/// Writes one struct item (derives, members, `new` and setters) for a structure or a request;
/// its doc comment is already written.
pub(super) fn write_struct(
    s: &mut String,
    model: &Model,
    sname: &str,
    role: Role,
    fields: &[Field],
) {
    let default = match role {
        Role::Request => fields.iter().all(|f| !f.plain),
        _ => can_default(fields),
    };
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize{})]",
        if default { ", Default" } else { "" }
    );
    s.push_str("#[non_exhaustive]\n");
    if matches!(role, Role::Request | Role::RequestSide) {
        s.push_str("#[serde(deny_unknown_fields)]\n");
    }
    let _ = writeln!(s, "pub struct {sname} {{");
    for f in fields {
        doc(s, &field_doc(model, sname, f));
        let _ = writeln!(s, "{}\npub {}: {},", field_attr(f), f.ident, f.ty());
    }
    if role == Role::ResponseSide {
        s.push_str(UNKNOWN_FIELDS);
    }
    s.push_str("}\n\n");
    gen_impl(s, model, sname, role, fields);
}

pub(super) fn gen_impl(s: &mut String, _model: &Model, sname: &str, role: Role, fields: &[Field]) {
    let required: Vec<&Field> = match role {
        Role::Request | Role::RequestSide => fields.iter().filter(|f| f.plain).collect(),
        Role::Shared => fields.iter().filter(|f| f.required).collect(),
        _ => Vec::new(),
    };
    let with_new = role == Role::Request || !required.is_empty();
    let setters: Vec<&Field> = fields
        .iter()
        .filter(|f| !f.plain && !f.request_id)
        .collect();
    if !with_new && setters.is_empty() {
        return;
    }
    let _ = writeln!(s, "impl {sname} {{");
    if with_new {
        if required.is_empty() {
            let _ = writeln!(s, "/// Creates the value with every optional member unset.");
        } else {
            let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
            let _ = writeln!(
                s,
                "/// Creates the value from its required members ({}); optional members start unset.",
                names.join(", ")
            );
        }
        if required.len() > 7 {
            s.push_str("#[allow(clippy::too_many_arguments)] // reason: one argument per required member of the spec\n");
        }
        let params: Vec<String> = required
            .iter()
            .map(|f| format!("{}: {}", f.ident, arg(f).0))
            .collect();
        let _ = writeln!(
            s,
            "pub fn new({}) -> Self {{\n{sname} {{",
            params.join(", ")
        );
        for f in fields {
            if required.iter().any(|r| r.ident == f.ident) {
                let conv = arg(f).1;
                if f.plain && conv.is_empty() {
                    let _ = writeln!(s, "{},", f.ident);
                } else if f.plain {
                    let _ = writeln!(s, "{}: {}{conv},", f.ident, f.ident);
                } else {
                    let _ = writeln!(s, "{}: Some({}{conv}),", f.ident, f.ident);
                }
            } else if f.request_id {
                let _ = writeln!(s, "{}: String::new(),", f.ident);
            } else {
                let _ = writeln!(s, "{}: None,", f.ident);
            }
        }
        s.push_str("}\n}\n\n");
    }
    for f in setters {
        let (ty, conv) = arg(f);
        let _ = writeln!(
            s,
            "/// Sets `{}` (see the field's documentation).\npub fn {}(mut self, v: {ty}) -> Self {{\nself.{} = Some(v{conv});\nself\n}}\n",
            f.wire, f.setter, f.ident
        );
    }
    s.push_str("}\n\n");
}
