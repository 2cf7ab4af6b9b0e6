//! The models' `structures.rs`: every data structure that is neither a request nor an answer.

use super::members::{struct_doc, write_struct};
use super::model::{Model, Role};
use super::text::{doc, HEADER};
use crate::Result;

/// Generates `structures.rs`.
pub(super) fn generate(model: &Model) -> Result<String> {
    let mut s = String::from(HEADER);
    s.push_str("//! Data structures shared by requests and responses.\n\n");
    s.push_str(
        "#[allow(unused_imports)]\nuse super::enums::*;\nuse serde::{Deserialize, Serialize};\n\n",
    );
    for (sname, role) in &model.roles {
        if matches!(role, Role::Request | Role::Response) {
            continue;
        }
        let fields = model.fields(sname)?;
        doc(&mut s, &struct_doc(model, sname));
        write_struct(&mut s, model, sname, *role, &fields);
    }
    Ok(s)
}
