//! The models' `requests.rs`: one struct per action with its parameters, and its `Action`
//! implementation.

use std::fmt::Write as _;

use super::members::write_struct;
use super::model::{doc_url, is_idempotent, Elem, Field, Model, Paging, Role, Scalar};
use super::text::{doc, rust_str, HEADER};
use crate::Result;

/// Generates `requests.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! The request of every action: its parameters, and its [`crate::Action`] implementation (and [`crate::PagedAction`] for the actions that page).\n\n");
    s.push_str("#[allow(unused_imports)]\nuse super::enums::*;\nuse super::responses::*;\n#[allow(unused_imports)]\nuse super::structures::*;\nuse serde::{Deserialize, Serialize};\n\n");
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
            "impl crate::action::Action for {sname} {{\nconst NAME: &'static str = {};\nconst IDEMPOTENT: bool = {};\ntype Response = {action}Response;\n}}\n",
            rust_str(action),
            is_idempotent(action)
        );
        if let Some(paging) = model.paging(action)? {
            write_paged(&mut s, sname, &paging);
        }
    }
    Ok(s)
}

/// `impl PagedAction`: how to read and set the page of the request, and where the items and
/// the total are in the answer.
fn write_paged(s: &mut String, sname: &str, p: &Paging) {
    let read = |f: &Field, on: &str| {
        let value = if f.plain {
            format!("Some({on}.{})", f.ident)
        } else {
            format!("{on}.{}", f.ident)
        };
        match f.elem {
            Elem::Scalar(Scalar::U64) => value,
            _ => format!("{value}.and_then(|v| u64::try_from(v).ok())"),
        }
    };
    let set = |f: &Field, v: &str| {
        let value = match f.elem {
            Elem::Scalar(Scalar::U64) => v.to_string(),
            _ => format!("i64::try_from({v}).unwrap_or(i64::MAX)"),
        };
        if f.plain {
            format!("self.{} = {value};", f.ident)
        } else {
            format!("self.{} = Some({value});", f.ident)
        }
    };
    let _ = writeln!(
        s,
        "impl crate::action::PagedAction for {sname} {{\ntype Item = {item};\nfn page_offset(&self) -> Option<u64> {{ {offset} }}\nfn page_limit(&self) -> Option<u64> {{ {limit}.filter(|v| *v > 0) }}\nfn set_page(&mut self, offset: u64, limit: u64) {{\n{set_offset}\n{set_limit}\n}}\nfn total_count(response: &Self::Response) -> Option<u64> {{ {total} }}\nfn into_items(response: Self::Response) -> Vec<Self::Item> {{ response.{items}.unwrap_or_default() }}\n}}\n",
        item = p.items.elem.rust(),
        offset = read(&p.offset, "self"),
        limit = read(&p.limit, "self"),
        set_offset = set(&p.offset, "offset"),
        set_limit = set(&p.limit, "limit"),
        total = read(&p.total, "response"),
        items = p.items.ident,
    );
}
