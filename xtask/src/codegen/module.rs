//! The models' `generated/mod.rs`: the module list and the re-exports.

use std::fmt::Write as _;

use super::model::Model;
use super::text::HEADER;

/// Generates `mod.rs`.
pub(super) fn generate(model: &Model) -> String {
    let mut s = String::from(HEADER);
    let _ = write!(
        s,
        "//! Types generated from the committed spec: {} actions, {} structures, {} open enums.\n\n",
        model.spec.actions.len(),
        model.spec.structures.len() - 2 * model.spec.actions.len(),
        model.overlay.enums.len()
    );
    s.push_str(
        "mod enums;\nmod requests;\nmod responses;\nmod structures;\npub(crate) mod registry;\n\n\
         pub use enums::*;\npub use requests::*;\npub use responses::*;\npub use structures::*;\n",
    );
    s
}
