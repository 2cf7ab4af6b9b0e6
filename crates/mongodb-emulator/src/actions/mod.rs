//! The modelled actions, one module per family, and the router that picks the
//! handler. A handler takes the already checked parameters and returns the
//! answer's members; the pipeline around it is in `api`.

mod async_requests;
mod backups;
mod download_tasks;
mod instances;
mod params;

use mongodb_errors::ErrorCode;
use serde_json::Value;

use crate::config::Progress;
use crate::faults::EndAs;
use crate::shared::Shared;
use crate::util::ApiError;

/// What an action handler sees.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    /// `host[:port]` the client used to reach us, for download URLs.
    pub(crate) host: String,
    pub(crate) now_ms: i64,
    pub(crate) progress: Progress,
    /// How the work this request starts ends, when a fault says so.
    pub(crate) end_as: Option<EndAs>,
}

/// Runs the handler of `action` (parameters already checked against the models).
pub(crate) fn route(ctx: &Ctx<'_>, action: &str, params: &Value) -> Result<Value, ApiError> {
    match action {
        "CreateBackupDBInstance" => backups::create_backup_db_instance(ctx, params),
        "DescribeDBBackups" => backups::describe_db_backups(ctx, params),
        "DescribeAsyncRequestInfo" => async_requests::describe_async_request_info(ctx, params),
        "CreateBackupDownloadTask" => download_tasks::create_backup_download_task(ctx, params),
        "DescribeBackupDownloadTask" => download_tasks::describe_backup_download_task(ctx, params),
        "DescribeDBInstances" => instances::describe_db_instances(ctx, params),
        _ => Err(ApiError::new(
                ErrorCode::UnsupportedOperation,
                format!(
                    "The emulator does not model `{action}` yet; its request was well-formed but nothing was done."
            ),
        )),
    }
}
