//! Family: database accounts, users and roles. State: `state::accounts`
//! (per instance). See `actions/README.md`.
//!
//! Two generations of the API share one table of accounts per instance: the
//! first (`*AccountUser*`, `ResetDBInstancePassword`) speaks of accounts of
//! `admin` and masks per database; the second (`*InstanceUser*`,
//! `*InstanceRole*`) of accounts of any database with roles. Every change is
//! asynchronous work (a flow, task or async request) whose effect applies it,
//! one at a time per instance.

mod account_users;
mod builtin;
mod instance_users;
mod roles;
mod rules;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(account_users::create_account_user),
        Route::new(account_users::delete_account_user),
        Route::new(account_users::describe_account_users),
        Route::new(account_users::set_account_user_privilege),
        Route::new(account_users::reset_db_instance_password),
        Route::new(instance_users::create_instance_user),
        Route::new(instance_users::update_instance_user),
        Route::new(instance_users::delete_instance_user),
        Route::new(instance_users::describe_instance_users),
        Route::new(roles::create_instance_role),
        Route::new(roles::update_instance_role),
        Route::new(roles::delete_instance_role),
        Route::new(roles::describe_instance_roles),
    ]
}
