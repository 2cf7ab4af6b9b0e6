//! The models' `responses.rs`: one struct per action for the object inside `Response`.

use super::members::write_struct;
use super::model::{doc_url, Model, Role};
use super::text::{doc, HEADER};
use crate::Result;

/// Generates `responses.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! The answer of every action: the object inside `{\"Response\": …}`.\n\n");
    s.push_str("#[allow(unused_imports)]\nuse super::enums::*;\n#[allow(unused_imports)]\nuse super::structures::*;\nuse serde::{Deserialize, Serialize};\n\n");
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
        write_struct(&mut s, model, sname, *role, &fields);
    }
    Ok(s)
}
