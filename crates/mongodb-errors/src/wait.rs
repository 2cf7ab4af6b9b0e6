//! [`WaitError`]: why waiting for an asynchronous operation ended without success.

use std::fmt;
use std::time::Duration;

/// Names of the things a wait is about, each a type of its own so that an instance id can't
/// be passed where a backup name is expected (or the other way round).
macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps the name.
            pub fn new(name: impl Into<String>) -> Self {
                $name(name.into())
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(name: $name) -> String {
                name.0
            }
        }
    };
}

name_type!(
    /// An instance id, e.g. `cmgo-p8vnipr5`.
    InstanceId
);
name_type!(
    /// A backup's name, as `DescribeDBBackups` lists it.
    BackupName
);
name_type!(
    /// The id of an async request, as `CreateBackupDBInstance` and other actions return it.
    AsyncRequestId
);

/// The status an async request was in when a wait gave up on it: one of the statuses of
/// `DescribeAsyncRequestInfo` that mean the operation will not succeed on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndedStatus {
    /// `paused`: a step failed and the operation is on hold.
    Paused,
    /// `failed`: a step failed and the operation stopped for good.
    Failed,
    /// `undoed`: a step failed and the operation's changes were rolled back.
    Undoed,
}

impl EndedStatus {
    /// The status as the service writes it (`paused`, `failed`, `undoed`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndedStatus::Paused => "paused",
            EndedStatus::Failed => "failed",
            EndedStatus::Undoed => "undoed",
        }
    }
}

impl fmt::Display for EndedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a wait was waiting for, in [`WaitErrorKind::TimedOut`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitTarget {
    /// An async request (`DescribeAsyncRequestInfo`).
    #[non_exhaustive]
    AsyncRequest {
        /// The async request's id.
        async_request_id: String,
    },
    /// The download tasks of a backup (`DescribeBackupDownloadTask`).
    #[non_exhaustive]
    BackupDownload {
        /// The instance the backup belongs to.
        instance_id: String,
        /// The backup whose files were being prepared.
        backup_name: String,
    },
}

impl WaitTarget {
    /// Waiting for the async request `async_request_id`.
    pub fn async_request(async_request_id: impl Into<String>) -> Self {
        WaitTarget::AsyncRequest {
            async_request_id: async_request_id.into(),
        }
    }

    /// Waiting for the download tasks of backup `backup` of instance `instance`.
    pub fn backup_download(instance: InstanceId, backup: BackupName) -> Self {
        WaitTarget::BackupDownload {
            instance_id: instance.into(),
            backup_name: backup.into(),
        }
    }
}

impl fmt::Display for WaitTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitTarget::AsyncRequest { async_request_id } => {
                write!(f, "async request {async_request_id}")
            }
            WaitTarget::BackupDownload {
                instance_id,
                backup_name,
            } => write!(
                f,
                "the download tasks of backup {backup_name} of {instance_id}"
            ),
        }
    }
}

/// Why a wait ended without success, as [`WaitError::kind`] tells it.
///
/// Every kind but [`TimedOut`](WaitErrorKind::TimedOut) is the service's own answer: the
/// operation will not succeed however long one waits. New kinds may be added (and new fields,
/// so match with `..`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitErrorKind {
    /// `DescribeAsyncRequestInfo` reported the request `paused`, `failed` or `undoed`.
    #[non_exhaustive]
    AsyncRequestEnded {
        /// The async request's id.
        async_request_id: String,
        /// The status it ended in.
        status: EndedStatus,
    },
    /// A backup download task ended in state 3 (failed).
    #[non_exhaustive]
    DownloadTaskFailed {
        /// The instance the backup belongs to.
        instance_id: String,
        /// The backup whose files were being prepared.
        backup_name: String,
        /// The replica sets (or shards) whose task failed, in id order; never empty.
        replica_sets: Vec<String>,
    },
    /// The deadline passed before the operation finished.
    #[non_exhaustive]
    TimedOut {
        /// What was being waited for.
        target: WaitTarget,
        /// The deadline the wait was given.
        timeout: Duration,
        /// The last status seen, as a person reads it (for display only; the typed state is
        /// in the waiter's progress reports).
        last_status: Option<String>,
    },
    /// The backup request succeeded, but no new backup of the instance is listed.
    #[non_exhaustive]
    NoNewBackup {
        /// The id of the `CreateBackupDBInstance` async request.
        async_request_id: String,
        /// The instance that was backed up.
        instance_id: String,
    },
}

/// Waiting for an asynchronous operation ended without success: the service reported it as
/// paused, failed or undone, a download task failed, a backup could not be found after its
/// request succeeded, or the deadline passed first.
///
/// Match on [`kind`](WaitError::kind); [`is_timeout`](WaitError::is_timeout) separates "we
/// stopped waiting" from "the service said no". Displays as one line naming the operation,
/// the status and the RequestId of the last status query.
///
/// ```
/// use mongodb_errors::{EndedStatus, Error, WaitError, WaitErrorKind};
///
/// let err: Error = WaitError::async_request_ended("4773", EndedStatus::Paused)
///     .with_request_id(Some("rid-1".to_owned()))
///     .into();
/// let wait = err.wait_error().unwrap();
/// assert!(matches!(
///     wait.kind(),
///     WaitErrorKind::AsyncRequestEnded { status: EndedStatus::Paused, .. }
/// ));
/// assert_eq!(wait.async_request_id(), Some("4773"));
/// assert!(!wait.is_timeout());
/// assert_eq!(err.request_id(), Some("rid-1"));
/// assert_eq!(
///     err.to_string(),
///     "async request 4773 ended with status `paused` (RequestId: rid-1)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitError {
    kind: WaitErrorKind,
    request_id: Option<String>,
}

impl WaitError {
    /// The service reported async request `async_request_id` as `status`.
    pub fn async_request_ended(async_request_id: impl Into<String>, status: EndedStatus) -> Self {
        Self::from_kind(WaitErrorKind::AsyncRequestEnded {
            async_request_id: async_request_id.into(),
            status,
        })
    }

    /// The download tasks of backup `backup` of instance `instance` failed for `replica_sets`
    /// (sorted and deduplicated here).
    pub fn download_task_failed(
        instance: InstanceId,
        backup: BackupName,
        replica_sets: Vec<String>,
    ) -> Self {
        let mut replica_sets = replica_sets;
        replica_sets.sort();
        replica_sets.dedup();
        Self::from_kind(WaitErrorKind::DownloadTaskFailed {
            instance_id: instance.into(),
            backup_name: backup.into(),
            replica_sets,
        })
    }

    /// Waiting for `target` passed its `timeout`; `last_status` is what the last poll saw.
    pub fn timed_out(target: WaitTarget, timeout: Duration, last_status: Option<String>) -> Self {
        Self::from_kind(WaitErrorKind::TimedOut {
            target,
            timeout,
            last_status,
        })
    }

    /// Backup request `request` succeeded but no new backup of instance `instance` is listed.
    pub fn no_new_backup(request: AsyncRequestId, instance: InstanceId) -> Self {
        Self::from_kind(WaitErrorKind::NoNewBackup {
            async_request_id: request.into(),
            instance_id: instance.into(),
        })
    }

    fn from_kind(kind: WaitErrorKind) -> Self {
        WaitError {
            kind,
            request_id: None,
        }
    }

    /// Sets the RequestId of the last status query (an empty id counts as none).
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id.filter(|r| !r.is_empty());
        self
    }

    /// Why the wait ended.
    pub fn kind(&self) -> &WaitErrorKind {
        &self.kind
    }

    /// The RequestId of the last status query, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The async request concerned, for the kinds about one.
    pub fn async_request_id(&self) -> Option<&str> {
        match &self.kind {
            WaitErrorKind::AsyncRequestEnded {
                async_request_id, ..
            }
            | WaitErrorKind::NoNewBackup {
                async_request_id, ..
            }
            | WaitErrorKind::TimedOut {
                target: WaitTarget::AsyncRequest { async_request_id },
                ..
            } => Some(async_request_id),
            _ => None,
        }
    }

    /// `true` when the wait stopped at its deadline; `false` when the service's answer ended
    /// it (the operation failed, was paused or undone, or made no backup).
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, WaitErrorKind::TimedOut { .. })
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            WaitErrorKind::AsyncRequestEnded {
                async_request_id,
                status,
            } => write!(
                f,
                "async request {async_request_id} ended with status `{status}`"
            )?,
            WaitErrorKind::DownloadTaskFailed {
                instance_id,
                backup_name,
                replica_sets,
            } => write!(
                f,
                "preparing the download of backup {backup_name} of {instance_id} failed for {} {}",
                if replica_sets.len() == 1 {
                    "replica set"
                } else {
                    "replica sets"
                },
                replica_sets.join(", ")
            )?,
            WaitErrorKind::TimedOut {
                target,
                timeout,
                last_status,
            } => {
                write!(f, "{target} did not finish within {}", Secs(*timeout))?;
                if let Some(s) = last_status {
                    write!(f, " (last status: {s})")?;
                }
            }
            WaitErrorKind::NoNewBackup {
                async_request_id,
                instance_id,
            } => write!(
                f,
                "backup request {async_request_id} succeeded, but no new backup of \
                 {instance_id} is listed"
            )?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (RequestId: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for WaitError {}

/// A duration for people: `90s`, `30m`, `2h`, `1h30m`, `1.5s`.
struct Secs(Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.subsec_nanos() != 0 || d.as_secs() < 60 {
            return write!(f, "{}s", d.as_secs_f64());
        }
        let (h, m, s) = (d.as_secs() / 3600, d.as_secs() / 60 % 60, d.as_secs() % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        let s = |d: Duration| Secs(d).to_string();
        assert_eq!(s(Duration::from_secs(30)), "30s");
        assert_eq!(s(Duration::from_millis(1500)), "1.5s");
        assert_eq!(s(Duration::from_secs(60)), "1m");
        assert_eq!(s(Duration::from_secs(2 * 3600)), "2h");
        assert_eq!(s(Duration::from_secs(3600 + 30 * 60 + 5)), "1h30m5s");
    }

    #[test]
    fn every_kind_displays_what_matters() {
        let cases = [
            (
                WaitError::async_request_ended("4773", EndedStatus::Undoed),
                "async request 4773 ended with status `undoed`",
            ),
            (
                WaitError::download_task_failed(
                    InstanceId::new("cmgo-1"),
                    BackupName::new("bk"),
                    vec!["cmgo-1_1".into(), "cmgo-1_0".into(), "cmgo-1_1".into()],
                ),
                "preparing the download of backup bk of cmgo-1 failed for replica sets \
                 cmgo-1_0, cmgo-1_1",
            ),
            (
                WaitError::download_task_failed(
                    InstanceId::new("cmgo-1"),
                    BackupName::new("bk"),
                    vec!["cmgo-1_0".into()],
                ),
                "preparing the download of backup bk of cmgo-1 failed for replica set cmgo-1_0",
            ),
            (
                WaitError::timed_out(
                    WaitTarget::async_request("9"),
                    Duration::from_secs(7200),
                    Some("running".into()),
                ),
                "async request 9 did not finish within 2h (last status: running)",
            ),
            (
                WaitError::timed_out(
                    WaitTarget::backup_download(InstanceId::new("cmgo-1"), BackupName::new("bk")),
                    Duration::from_secs(30),
                    None,
                ),
                "the download tasks of backup bk of cmgo-1 did not finish within 30s",
            ),
            (
                WaitError::no_new_backup(AsyncRequestId::new("4773"), InstanceId::new("cmgo-1")),
                "backup request 4773 succeeded, but no new backup of cmgo-1 is listed",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
            let with_id = err.with_request_id(Some("rid".into()));
            assert_eq!(with_id.to_string(), format!("{text} (RequestId: rid)"));
        }
        let no_id = WaitError::no_new_backup(AsyncRequestId::new("1"), InstanceId::new("x"))
            .with_request_id(Some(String::new()));
        assert_eq!(no_id.request_id(), None);
    }

    #[test]
    fn each_name_lands_in_its_own_field() {
        let e = WaitError::download_task_failed(
            InstanceId::new("cmgo-9"),
            BackupName::new("bk-9"),
            vec!["cmgo-9_0".into()],
        );
        assert!(matches!(
            e.kind(),
            WaitErrorKind::DownloadTaskFailed { instance_id, backup_name, .. }
                if instance_id == "cmgo-9" && backup_name == "bk-9"
        ));
        let n = WaitError::no_new_backup(AsyncRequestId::new("77"), InstanceId::new("cmgo-9"));
        assert!(matches!(
            n.kind(),
            WaitErrorKind::NoNewBackup { async_request_id, instance_id }
                if async_request_id == "77" && instance_id == "cmgo-9"
        ));
        let t = WaitTarget::backup_download(InstanceId::new("cmgo-9"), BackupName::new("bk-9"));
        assert_eq!(
            t,
            WaitTarget::BackupDownload {
                instance_id: "cmgo-9".into(),
                backup_name: "bk-9".into()
            }
        );
        assert_eq!(InstanceId::new("cmgo-9").to_string(), "cmgo-9");
        assert_eq!(String::from(BackupName::new("bk")), "bk");
    }

    #[test]
    fn async_request_id_and_timeout_per_kind() {
        let t = WaitError::timed_out(WaitTarget::async_request("7"), Duration::ZERO, None);
        assert_eq!(t.async_request_id(), Some("7"));
        assert!(t.is_timeout());
        let d = WaitError::timed_out(
            WaitTarget::backup_download(InstanceId::new("i"), BackupName::new("b")),
            Duration::ZERO,
            None,
        );
        assert_eq!(d.async_request_id(), None);
        assert!(d.is_timeout());
        let f = WaitError::download_task_failed(
            InstanceId::new("i"),
            BackupName::new("b"),
            vec!["i_0".into()],
        );
        assert_eq!(f.async_request_id(), None);
        assert!(!f.is_timeout());
        let n = WaitError::no_new_backup(AsyncRequestId::new("8"), InstanceId::new("i"));
        assert_eq!(n.async_request_id(), Some("8"));
        assert!(!n.is_timeout());
    }
}
