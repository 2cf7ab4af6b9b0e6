//! The client's `generated/methods.rs`: one typed method per action.

use std::fmt::Write as _;

use heck::ToSnakeCase;

use super::model::{doc_url, is_idempotent, Model};
use super::text::{doc, HEADER};

/// Generates `methods.rs`.
pub(super) fn generate(model: &Model) -> String {
    let mut s = String::from(HEADER);
    s.push_str(
        "//! One typed method per action, each a thin wrapper over [`crate::Client::call`].\n\n",
    );
    s.push_str("impl crate::Client {\n");
    for name in model.spec.actions.keys() {
        let mut d = format!("Calls the `{name}` action.");
        if let Some(text) = model.overlay.docs.actions.get(name) {
            let first = text.lines().next().unwrap_or_default();
            let _ = write!(d, "\n\n{first}");
        }
        let _ = write!(
            d,
            "\n\n{}\n\nReference: <{}>",
            if is_idempotent(name) {
                "The action only reads (idempotent), so it is safe to resend."
            } else {
                "The action changes state (not idempotent): resending it after an ambiguous failure may repeat it."
            },
            doc_url(name)
        );
        doc(&mut s, &d);
        let _ = writeln!(
            s,
            "pub fn {}(&self, req: &mongodb_models::{name}Request) -> Result<mongodb_models::{name}Response, mongodb_errors::Error> {{\nself.call(req)\n}}\n",
            name.to_snake_case()
        );
    }
    s.push_str("}\n");
    s
}
