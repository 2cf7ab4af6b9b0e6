//! Family: logs, slow logs, log download tasks, audit logs and their files,
//! client connections, current operations, namespaces. State: `state::logs`
//! (per instance); the log lines, operations and connections are generated
//! by `synth` from the instance and the time, and files are served by
//! `logfile`. See `actions/README.md`.

mod audit;
mod live;
mod mongod;
mod slow;
mod tasks;
mod window;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(slow::describe_slow_logs),
        Route::new(slow::describe_slow_log_patterns),
        Route::new(slow::describe_detailed_slow_logs),
        Route::new(mongod::describe_mongodb_logs),
        Route::new(tasks::create_log_download_task),
        Route::new(tasks::create_slow_log_pattern_download_task),
        Route::new(tasks::describe_log_download_tasks),
        Route::new(tasks::delete_log_download_task),
        Route::new(audit::create_audit_log_file),
        Route::new(audit::describe_audit_log_files),
        Route::new(audit::delete_audit_log_file),
        Route::new(audit::describe_audit_logs),
        Route::new(live::describe_client_connections),
        Route::new(live::describe_current_op),
        Route::new(live::kill_ops),
        Route::new(live::describe_db_instance_namespace),
    ]
}
