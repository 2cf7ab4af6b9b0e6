//! What the structures, requests and answers have in common: field attributes and docs, the
//! struct item itself, and its `new` and `with_*` setters.

use std::fmt::Write as _;

use super::model::{Elem, Field, Model, Redact, Role, Scalar};
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
        let blank_absent = match &f.elem {
            Elem::Scalar(sc) => !matches!(sc, Scalar::Str | Scalar::DateTime),
            Elem::Enum(e) => model.overlay.enums[e].repr == "int",
            Elem::Struct(_) => false,
        };
        if f.list {
            d.push_str(" `null` items are skipped.");
        } else if blank_absent {
            d.push_str(" An empty string counts as absent.");
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

/// The `#[serde(…)]` attribute of a member: its wire name, and the decoder its place calls for.
///
/// Parameters decode scalars leniently but strictly shaped (`lenient::req`, `opt`, …) and the
/// structures they share with answers strictly (`strict::…`); answers decode through the answer
/// flavour (`lenient::opt_answer`, …): blank numbers are absent, `null` in lists is skipped.
pub(super) fn field_attr(f: &Field) -> String {
    let mut parts = vec![format!("rename = {}", rust_str(&f.wire))];
    let scalar = matches!(f.elem, Elem::Scalar(_));
    let with = if f.request_id {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"String::is_empty\"".into());
        Some("lenient::or_default")
    } else if f.plain {
        match (scalar, f.strict, f.list) {
            (true, _, false) => Some("lenient::req"),
            (true, _, true) => Some("lenient::req_vec"),
            (false, true, false) => Some("strict::req"),
            (false, true, true) => Some("strict::req_vec"),
            (false, false, _) => None,
        }
    } else {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"Option::is_none\"".into());
        let structure = matches!(f.elem, Elem::Struct(_));
        match (f.answer, structure, f.strict, f.list) {
            (true, false, _, false) => Some("lenient::opt_answer"),
            (true, false, _, true) => Some("lenient::opt_vec_answer"),
            (true, true, _, true) => Some("lenient::opt_list_answer"),
            (true, true, _, false) => None,
            (false, false, _, _) if !scalar => None,
            (false, false, _, false) => Some("lenient::opt"),
            (false, false, _, true) => Some("lenient::opt_vec"),
            (false, true, true, false) => Some("strict::opt"),
            (false, true, true, true) => Some("strict::opt_vec"),
            (false, true, false, _) => None,
        }
    };
    if let Some(with) = with {
        parts.push(format!("deserialize_with = \"crate::{with}\""));
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
    write_derives(s, fields, default);
    if matches!(role, Role::Request | Role::RequestSide) {
        s.push_str("#[serde(deny_unknown_fields)]\n");
    }
    let _ = writeln!(s, "pub struct {sname} {{");
    for f in fields {
        doc(s, &field_doc(model, sname, f));
        let _ = writeln!(s, "{}\npub {}: {},", field_attr(f), f.ident, f.ty());
    }
    let unknown = keeps_unknown(role);
    if unknown {
        s.push_str(UNKNOWN_FIELDS);
    }
    s.push_str("}\n\n");
    gen_impl(s, model, sname, role, fields);
    write_debug(s, sname, fields, unknown);
    if role == Role::Shared {
        write_known_members(s, sname, fields);
    }
}

/// For a structure shared with answers: where its unknown members are, so a request can
/// refuse them (see the models' `strict` module).
fn write_known_members(s: &mut String, sname: &str, fields: &[Field]) {
    let names: Vec<String> = fields.iter().map(|f| rust_str(&f.wire)).collect();
    let _ = writeln!(
        s,
        "impl crate::strict::KnownMembers for {sname} {{\nfn first_unknown(&self) -> Option<crate::strict::UnknownMember> {{\nif let Some(name) = self.unknown_fields.keys().next() {{\nreturn Some(crate::strict::UnknownMember {{ path: name.clone(), expected: &[{}] }});\n}}",
        names.join(", ")
    );
    for f in fields {
        if !matches!(f.elem, Elem::Struct(_)) {
            continue;
        }
        let (helper, view) = if f.list {
            ("in_list", "as_deref")
        } else {
            ("in_member", "as_ref")
        };
        let _ = writeln!(
            s,
            "if let Some(found) = crate::strict::{helper}({}, self.{}.{view}()) {{\nreturn Some(found);\n}}",
            rust_str(&f.wire),
            f.ident
        );
    }
    s.push_str("None\n}\n}\n\n");
}

/// Whether a structure keeps members it does not know (`unknown_fields`): answers and
/// everything inside them.
pub(super) fn keeps_unknown(role: Role) -> bool {
    matches!(role, Role::Response | Role::ResponseSide | Role::Shared)
}

/// The derives and `#[non_exhaustive]`; `Debug` is derived unless a member is redacted.
pub(super) fn write_derives(s: &mut String, fields: &[Field], default: bool) {
    let debug = if fields.iter().any(|f| f.redact != Redact::No) {
        ""
    } else {
        "Debug, "
    };
    let _ = writeln!(
        s,
        "#[derive({debug}Clone, PartialEq, Serialize, Deserialize{})]",
        if default { ", Default" } else { "" }
    );
    s.push_str("#[non_exhaustive]\n");
}

/// A `Debug` that prints passwords as `** redacted **` and download links without their query,
/// for structures that hold one.
pub(super) fn write_debug(s: &mut String, sname: &str, fields: &[Field], unknown: bool) {
    if fields.iter().all(|f| f.redact == Redact::No) {
        return;
    }
    let has = |r: Redact| fields.iter().any(|f| f.redact == r);
    let what = match (has(Redact::Whole), has(Redact::Query)) {
        (true, false) => "Passwords print as `** redacted **`.",
        (false, _) => "Download links print without their query string (a pre-signed link's signature).",
        (true, true) => "Passwords print as `** redacted **`, download links without their query string (a pre-signed link's signature).",
    };
    let _ = writeln!(
        s,
        "impl std::fmt::Debug for {sname} {{\n/// {what}\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\nf.debug_struct({})",
        rust_str(sname)
    );
    for f in fields {
        let name = rust_str(f.ident.trim_start_matches("r#"));
        let optional = f.ty().starts_with("Option<");
        let shown = match (f.redact, optional) {
            (Redact::No, _) => format!("&self.{}", f.ident),
            (Redact::Whole, true) => format!("&crate::redact::option(&self.{})", f.ident),
            (Redact::Whole, false) => "&crate::redact::Redacted".to_string(),
            (Redact::Query, true) => format!("&crate::redact::link_option(&self.{})", f.ident),
            (Redact::Query, false) => format!("&crate::redact::Link(&self.{})", f.ident),
        };
        let _ = writeln!(s, ".field({name}, {shown})");
    }
    if unknown {
        s.push_str(".field(\"unknown_fields\", &self.unknown_fields)\n");
    }
    s.push_str(".finish()\n}\n}\n\n");
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
        if keeps_unknown(role) {
            s.push_str("unknown_fields: serde_json::Map::new(),\n");
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
