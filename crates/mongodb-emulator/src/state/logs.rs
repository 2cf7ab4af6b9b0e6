//! What an instance keeps about its logs (family: logs): log download tasks
//! and where logs are shipped. The log lines themselves are generated when
//! read. Every member defaults, so state files written before a member existed
//! still load.

use serde::{Deserialize, Serialize};

/// Log state of one instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceLogs {
    pub(crate) download_tasks: Vec<LogDownloadTask>,
}

/// A log download task (`CreateLogDownloadTask`, `DescribeLogDownloadTasks`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LogDownloadTask {
    pub(crate) id: u64,
    /// `mongod`, `slowlog-pattern`, …
    pub(crate) kind: String,
    /// The period the logs cover (ms since the epoch).
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    pub(crate) finished_ms: Option<i64>,
}
