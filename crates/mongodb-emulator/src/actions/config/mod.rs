//! Family: instance configuration. Parameters (`DescribeInstanceParams`,
//! `ModifyInstanceParams`) held to a table of names, ranges and defaults per
//! engine version and cluster type; parameter templates (the service's
//! defaults and the account's own); security groups; SSL; transparent data
//! encryption. State: `state::features` (per instance and per region). See
//! `actions/README.md`.

mod encryption;
mod instance_params;
mod security;
mod table;
mod templates;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(instance_params::describe_instance_params),
        Route::new(instance_params::modify_instance_params),
        Route::new(templates::create_db_instance_param_tpl),
        Route::new(templates::describe_db_instance_param_tpl),
        Route::new(templates::describe_db_instance_param_tpl_detail),
        Route::new(templates::modify_db_instance_param_tpl),
        Route::new(templates::drop_db_instance_param_tpl),
        Route::new(security::describe_security_group),
        Route::new(security::modify_db_instance_security_group),
        Route::new(encryption::instance_enable_ssl),
        Route::new(encryption::describe_instance_ssl),
        Route::new(encryption::enable_transparent_data_encryption),
        Route::new(encryption::describe_transparent_data_encryption_status),
    ]
}
