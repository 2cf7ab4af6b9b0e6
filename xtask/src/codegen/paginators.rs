//! The client's `generated/paginators.rs`: an `<action>_iter` method for every action that
//! pages, each a thin wrapper over the one generic paginator (`Client::paginate`).

use std::fmt::Write as _;

use heck::ToSnakeCase;

use super::model::{doc_url, Model};
use super::text::{doc, HEADER};
use crate::Result;

/// Generates `paginators.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! One iterator method per paged action, each a thin wrapper over [`crate::Client::paginate`].\n\n");
    s.push_str("impl crate::Client {\n");
    for name in model.spec.actions.keys() {
        let Some(paging) = model.paging(name)? else {
            continue;
        };
        let d = format!(
            "Every item of `{name}` (its `{items}` list), fetched page by page as the iterator is consumed.\n\nThe request's `Offset` is where iteration starts and its `Limit` the page size (default [`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE)); iteration ends after the last page (short or empty, or once `{total}` items were seen). See [`Paginator`](crate::Paginator).\n\nReference: <{}>",
            doc_url(name),
            items = paging.items.wire,
            total = paging.total.wire,
        );
        doc(&mut s, &d);
        let _ = writeln!(
            s,
            "pub fn {}_iter(&self, req: mongodb_models::{name}Request) -> crate::Paginator<{}> {{\nself.paginate(req)\n}}\n",
            name.to_snake_case(),
            item_path(&paging.items.elem.rust()),
        );
    }
    s.push_str("}\n");
    Ok(s)
}

/// A model type as the client names it (scalars are the std ones).
fn item_path(rust: &str) -> String {
    match rust {
        "String" | "i64" | "u64" | "f64" | "bool" => rust.to_string(),
        other => format!("mongodb_models::{other}"),
    }
}
