//! Family: backups. Taking a backup (`CreateBackupDBInstance`, an async
//! request whose effect records the backup), listing them
//! (`DescribeDBBackups`), preparing their files for download
//! (`CreateBackupDownloadTask`, `DescribeBackupDownloadTask`), deleting them
//! and setting when they expire (`DeleteDBBackups`, `ModifyBackupExpireTime`),
//! the automatic backup rules (`SetBackupRules`, `DescribeBackupRules`, and
//! the emulator's automatic backups that follow them), and going back in
//! time (`RestoreDBInstance`, `FlashBackDBInstance`).

mod create;
mod download;
mod manage;
mod restore;
mod rules;
mod schedule;

use super::route::Route;

/// This family's actions.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(create::create_backup_db_instance),
        Route::new(create::describe_db_backups),
        Route::new(download::create_backup_download_task),
        Route::new(download::describe_backup_download_task),
        Route::new(rules::set_backup_rules),
        Route::new(rules::describe_backup_rules),
        Route::new(manage::delete_db_backups),
        Route::new(manage::modify_backup_expire_time),
        Route::new(restore::restore_db_instance),
        Route::new(restore::flash_back_db_instance),
    ]
}
