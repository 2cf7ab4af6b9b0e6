//! Family: audit and log shipping. The audit service of an instance
//! (`OpenAuditService`, `ModifyAuditService`, `CloseAuditService`,
//! `DescribeAuditConfig`, `DescribeAuditInstanceList`) and shipping its logs to
//! the Cloud Log Service (`ModifyDBInstanceLogToCLS`,
//! `DescribeDBInstanceLogToCLS`). State: `state::audit` (per instance). The
//! audit log files belong to the logs family, which reads whether auditing is
//! on from the same state.

mod cls;
mod list;
mod service;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(service::open_audit_service),
        Route::new(service::modify_audit_service),
        Route::new(service::close_audit_service),
        Route::new(service::describe_audit_config),
        Route::new(list::describe_audit_instance_list),
        Route::new(cls::modify_db_instance_log_to_cls),
        Route::new(cls::describe_db_instance_log_to_cls),
    ]
}
