//! Family: backups. Taking a backup (`CreateBackupDBInstance`, an async
//! request whose effect records the backup), listing them
//! (`DescribeDBBackups`), and preparing their files for download
//! (`CreateBackupDownloadTask`, `DescribeBackupDownloadTask`).

mod create;
mod download;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(create::create_backup_db_instance),
        Route::new(create::describe_db_backups),
        Route::new(download::create_backup_download_task),
        Route::new(download::describe_backup_download_task),
    ]
}
