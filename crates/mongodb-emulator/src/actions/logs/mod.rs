//! Family: logs, slow logs, log download tasks, client connections, current
//! operations, namespaces. State: `state::logs` (per instance). See
//! `actions/README.md`.

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    Vec::new()
}
