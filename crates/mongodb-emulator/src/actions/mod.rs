//! The modelled actions, one module (or folder) per family, and the table
//! that routes an action to its typed handler. See `README.md` beside this
//! file for how to add an action.
//!
//! Modules, bottom-up: `errors`, `params`, `fill` (leaves); `ctx` (what a
//! handler sees); `route` (a typed handler behind a name); the families
//! (`tasks`, `backups`, `lifecycle`, `instances`, `accounts`, `logs`), each
//! with its `routes()`; this module gathers them. None uses one above it.

pub(crate) mod ctx;
mod errors;
pub(crate) mod fill;
mod params;
mod route;

mod accounts;
mod audit;
mod backups;
mod config;
mod instances;
mod lifecycle;
mod logs;
mod tasks;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use self::ctx::Ctx;
use self::route::Route;
use crate::util::ApiError;

/// Every family's routes, by action name.
fn table() -> &'static BTreeMap<&'static str, Route> {
    static TABLE: OnceLock<BTreeMap<&'static str, Route>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let families = [
            tasks::routes(),
            backups::routes(),
            lifecycle::routes(),
            instances::routes(),
            accounts::routes(),
            logs::routes(),
            audit::routes(),
            config::routes(),
        ];
        let mut table = BTreeMap::new();
        for route in families.into_iter().flatten() {
            let action = route.action();
            if table.insert(action, route).is_some() {
                // A second registration would silently shadow the first.
                panic!("the action `{action}` is registered twice");
            }
        }
        table
    })
}

/// Runs the handler of `action` on parameters already checked against the
/// models; an action without a handler answers `UnsupportedOperation`.
pub(crate) fn run(ctx: &mut Ctx<'_>, action: &str, params: Value) -> Result<Value, ApiError> {
    match table().get(action) {
        Some(route) => route.call(ctx, params),
        None => Err(errors::unsupported(action)),
    }
}

/// The actions that have a handler, sorted.
pub(crate) fn modelled() -> Vec<&'static str> {
    table().keys().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_a_real_action_and_registered_once() {
        let names = modelled();
        assert!(names.len() >= 20, "{names:?}");
        for name in &names {
            assert!(
                mongodb_models::find_action(name).is_some_and(|a| a.name == *name),
                "{name}"
            );
        }
        for family in [tasks::routes(), backups::routes(), lifecycle::routes()] {
            assert!(!family.is_empty());
        }
    }
}
