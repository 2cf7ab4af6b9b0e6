//! Family: everything else about an instance (its size, nodes, network,
//! maintenance window, parameters and templates, security groups, SSL,
//! transparent data encryption, audit, tags, SRV URL, kernel upgrades, CPU
//! scaling, zones, password rotation, connection limits). State:
//! `state::features` (per instance and per region) and the instance's own
//! members in `state::instance`. See `actions/README.md`.
//!
//! This folder holds the instance operations: size (`spec`, `shards`,
//! `sizing`), elastic CPU (`cpu`), nodes (`nodes`), zones and promotion
//! (`zones`), engine versions (`versions`), network and public access
//! (`network`), the SRV URL (`srv`), the maintenance window (`maintenance`)
//! and the account-wide switches (`account`); `guard` is what they share.
//! Their state: `state::operations` (on the instance and the region) and
//! `state::changes` (what their work changes when it succeeds).

mod account;
mod cpu;
mod guard;
mod maintenance;
mod network;
mod nodes;
mod shards;
mod sizing;
mod spec;
mod srv;
mod versions;
mod zones;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(spec::modify_db_instance_spec),
        Route::new(cpu::scale_up_db_instance_cpu),
        Route::new(cpu::scale_down_db_instance_cpu),
        Route::new(cpu::check_db_instance_elastic_cpu_scalable),
        Route::new(zones::modify_instance_az),
        Route::new(zones::promote_db_instance_to_active),
        Route::new(nodes::restart_nodes),
        Route::new(nodes::describe_db_instance_node_property),
        Route::new(nodes::flush_instance_router_config),
        Route::new(versions::upgrade_db_instance_kernel_version),
        Route::new(versions::upgrade_db_instance_version),
        Route::new(network::modify_db_instance_network_address),
        Route::new(network::describe_db_instance_url),
        Route::new(network::enable_wan_service),
        Route::new(maintenance::set_instance_maintenance),
        Route::new(srv::describe_srv_connection_domain),
        Route::new(srv::enable_srv_connection_url),
        Route::new(srv::disable_srv_connection_url),
        Route::new(srv::modify_srv_connection_url),
        Route::new(account::describe_password_rotation),
        Route::new(account::enable_password_rotation),
        Route::new(account::increase_db_instance_connection_limit),
    ]
}
