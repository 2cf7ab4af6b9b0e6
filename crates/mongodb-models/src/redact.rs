//! `Debug` without secrets: what the generated `Debug` of a structure prints in place of a
//! password member (any member whose spec name ends in `Password`). The value itself is
//! unchanged, and so is its wire form.

use std::fmt;

/// Prints `** redacted **`.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// `Some(** redacted **)` for a set optional secret, `None` for an unset one: whether a password
/// is set is useful in a log, what it is never is.
pub(crate) fn option<T>(v: &Option<T>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}
