//! Family: everything else about an instance (its size, nodes, network,
//! maintenance window, parameters and templates, security groups, SSL,
//! transparent data encryption, audit, tags, SRV URL, kernel upgrades, CPU
//! scaling, zones, password rotation, connection limits). State:
//! `state::features` (per instance and per region) and the instance's own
//! members in `state::instance`. See `actions/README.md`.

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    Vec::new()
}
