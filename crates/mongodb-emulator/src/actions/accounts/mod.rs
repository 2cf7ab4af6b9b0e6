//! Family: database accounts, users and roles. State: `state::accounts`
//! (per instance). See `actions/README.md`.

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    Vec::new()
}
