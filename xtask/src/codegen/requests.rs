//! The models' `requests.rs`: one struct per action with its parameters, and its `Action`
//! implementation.

use std::fmt::Write as _;

use super::members::write_struct;
use super::model::{doc_url, is_idempotent, Model, Role};
use super::text::{doc, rust_str, HEADER};
use crate::Result;

/// Generates `requests.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! The request of every action: its parameters, and its [`crate::Action`] implementation.\n\n");
    s.push_str("#[allow(unused_imports)]\nuse super::*;\nuse serde::{Deserialize, Serialize};\n\n");
    for (sname, role) in &model.roles {
        if *role != Role::Request {
            continue;
        }
        let fields = model.fields(sname)?;
        let action = sname.trim_end_matches("Request");
        let mut d = format!(
            "Parameters of the `{action}` action.\n\nReference: <{}>\n\n",
            doc_url(action)
        );
        if let Some(text) = model.overlay.docs.actions.get(action) {
            d.push_str(text);
            d.push_str("\n\n");
        }
        let _ = write!(
            d,
            "Build it with `new` (the required parameters) and the `with_*` setters; send it with a client, which answers with [`{action}Response`]. {}",
            if is_idempotent(action) {
                "The action only reads, so it is safe to resend."
            } else {
                "The action changes state: it is not resent automatically after an ambiguous failure."
            }
        );
        doc(&mut s, &d);
        write_struct(&mut s, model, sname, *role, &fields);
        let _ = writeln!(
            s,
            "impl crate::Action for {sname} {{\nconst NAME: &'static str = {};\nconst IDEMPOTENT: bool = {};\ntype Response = {action}Response;\n}}\n",
            rust_str(action),
            is_idempotent(action)
        );
    }
    Ok(s)
}
