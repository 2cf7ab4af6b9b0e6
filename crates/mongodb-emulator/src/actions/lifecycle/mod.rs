//! Family: instance lifecycle, the worked example of a family. Buying
//! (`CreateDBInstance` prepaid, `CreateDBInstanceHour` hourly), what is on sale
//! (`DescribeSpecInfo`) and what it costs (`InquirePrice*`), listing
//! (`DescribeDBInstances`), renaming, projects, deletion protection, renewing,
//! and the end of life (`IsolateDBInstance`, `TerminateDBInstances`,
//! `OfflineIsolatedDBInstance`).

mod billing;
mod create;
mod describe;
mod manage;
pub(crate) mod offer;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(create::create_db_instance),
        Route::new(create::create_db_instance_hour),
        Route::new(describe::describe_db_instances),
        Route::new(offer::describe_spec_info),
        Route::new(manage::rename_instance),
        Route::new(manage::assign_project),
        Route::new(manage::set_db_instance_deletion_protection),
        Route::new(manage::isolate_db_instance),
        Route::new(manage::terminate_db_instances),
        Route::new(manage::offline_isolated_db_instance),
        Route::new(billing::renew_db_instances),
        Route::new(billing::inquire_price_create_db_instances),
        Route::new(billing::inquire_price_renew_db_instances),
        Route::new(billing::inquire_price_modify_db_instance_spec),
    ]
}
