//! The models' `responses.rs`: one struct per action for the object inside `Response`.

use std::fmt::Write as _;

use super::members::{field_attr, field_doc, gen_impl, UNKNOWN_FIELDS};
use super::model::{doc_url, Model, Role};
use super::text::{doc, HEADER};
use crate::Result;

/// Generates `responses.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! The answer of every action: the object inside `{\"Response\": …}`.\n\n");
    s.push_str("#[allow(unused_imports)]\nuse super::*;\nuse serde::{Deserialize, Serialize};\n\n");
    for (sname, role) in &model.roles {
        if *role != Role::Response {
            continue;
        }
        let action = sname.trim_end_matches("Response");
        let fields = model.fields(sname)?;
        let mut d = format!(
            "Answer of the `{action}` action (the object inside `Response`).\n\nReference: <{}>\n\n",
            doc_url(action)
        );
        if let Some(text) = model.overlay.docs.actions.get(action) {
            d.push_str(text);
            d.push_str("\n\n");
        }
        d.push_str("Every member is optional so that any answer the service sends decodes; members this version does not know are kept in `unknown_fields`.");
        doc(&mut s, &d);
        s.push_str("#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]\n#[non_exhaustive]\n");
        let _ = writeln!(s, "pub struct {sname} {{");
        for f in &fields {
            doc(&mut s, &field_doc(model, sname, f));
            let _ = writeln!(s, "{}\npub {}: {},", field_attr(f), f.ident, f.ty());
        }
        s.push_str(UNKNOWN_FIELDS);
        s.push_str("}\n\n");
        gen_impl(&mut s, model, sname, *role, &fields);
    }
    Ok(s)
}
