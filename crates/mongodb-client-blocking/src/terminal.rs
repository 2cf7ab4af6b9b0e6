//! Which polled statuses end a wait, and how: the one place the waiters (and anyone showing
//! progress) learn it. One classifier per kind of long operation; a status this version does
//! not know keeps the wait going until its deadline.

use mongodb_errors::EndedStatus;
use mongodb_models::{AsyncRequestStatus, BackupDownloadTaskState};

/// Where an async request stands, from its `DescribeAsyncRequestInfo` status.
///
/// ```
/// use mongodb_client_blocking::models::AsyncRequestStatus;
/// use mongodb_client_blocking::{AsyncRequestOutcome, EndedStatus};
///
/// assert_eq!(
///     AsyncRequestOutcome::of(Some(&AsyncRequestStatus::Paused)),
///     AsyncRequestOutcome::Ended(EndedStatus::Paused)
/// );
/// assert_eq!(AsyncRequestOutcome::of(None), AsyncRequestOutcome::Pending);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AsyncRequestOutcome {
    /// Not finished: `initial`, `running`, no status, or a status this version does not know.
    Pending,
    /// `success`.
    Succeeded,
    /// `paused`, `failed` or `undoed`: the request will not succeed by waiting. A paused
    /// request is on hold until someone acts on it, so a wait ends there too.
    Ended(EndedStatus),
}

impl AsyncRequestOutcome {
    /// Classifies a polled status.
    pub fn of(status: Option<&AsyncRequestStatus>) -> Self {
        match status {
            Some(AsyncRequestStatus::Success) => AsyncRequestOutcome::Succeeded,
            Some(AsyncRequestStatus::Paused) => AsyncRequestOutcome::Ended(EndedStatus::Paused),
            Some(AsyncRequestStatus::Failed) => AsyncRequestOutcome::Ended(EndedStatus::Failed),
            Some(AsyncRequestStatus::Undoed) => AsyncRequestOutcome::Ended(EndedStatus::Undoed),
            Some(AsyncRequestStatus::Initial | AsyncRequestStatus::Running) | None => {
                AsyncRequestOutcome::Pending
            }
            Some(_) => AsyncRequestOutcome::Pending,
        }
    }
}

/// Where a backup download task stands, from its `Status`.
///
/// ```
/// use mongodb_client_blocking::models::BackupDownloadTaskState;
/// use mongodb_client_blocking::DownloadTaskOutcome;
///
/// let of = |s| DownloadTaskOutcome::of(Some(&s));
/// assert_eq!(of(BackupDownloadTaskState::Completed), DownloadTaskOutcome::Ready);
/// assert_eq!(of(BackupDownloadTaskState::Failed), DownloadTaskOutcome::Failed);
/// // 4, waiting for retry: the service tries again by itself.
/// assert_eq!(of(BackupDownloadTaskState::WaitingForRetry), DownloadTaskOutcome::Pending);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadTaskOutcome {
    /// Not ready: 0 waiting, 1 preparing, 4 waiting for retry, no state, or a state this
    /// version does not know.
    Pending,
    /// 2 completed: the task carries its download `Url`.
    Ready,
    /// 3 failed.
    Failed,
}

impl DownloadTaskOutcome {
    /// Classifies a polled task state.
    pub fn of(state: Option<&BackupDownloadTaskState>) -> Self {
        match state {
            Some(BackupDownloadTaskState::Completed) => DownloadTaskOutcome::Ready,
            Some(BackupDownloadTaskState::Failed) => DownloadTaskOutcome::Failed,
            Some(
                BackupDownloadTaskState::Waiting
                | BackupDownloadTaskState::Downloading
                | BackupDownloadTaskState::WaitingForRetry,
            )
            | None => DownloadTaskOutcome::Pending,
            Some(_) => DownloadTaskOutcome::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_async_status_has_a_deliberate_outcome() {
        use AsyncRequestOutcome::*;
        let expected = [
            (AsyncRequestStatus::Initial, Pending),
            (AsyncRequestStatus::Running, Pending),
            (AsyncRequestStatus::Paused, Ended(EndedStatus::Paused)),
            (AsyncRequestStatus::Undoed, Ended(EndedStatus::Undoed)),
            (AsyncRequestStatus::Failed, Ended(EndedStatus::Failed)),
            (AsyncRequestStatus::Success, Succeeded),
        ];
        assert_eq!(expected.len(), AsyncRequestStatus::KNOWN.len());
        for (status, outcome) in expected {
            assert_eq!(
                AsyncRequestOutcome::of(Some(&status)),
                outcome,
                "{status:?}"
            );
        }
        let new = AsyncRequestStatus::Unknown("rolling-back".into());
        assert_eq!(AsyncRequestOutcome::of(Some(&new)), Pending);
        assert_eq!(AsyncRequestOutcome::of(None), Pending);
    }

    #[test]
    fn every_known_task_state_has_a_deliberate_outcome() {
        use DownloadTaskOutcome::*;
        let expected = [
            (BackupDownloadTaskState::Waiting, Pending),
            (BackupDownloadTaskState::Downloading, Pending),
            (BackupDownloadTaskState::Completed, Ready),
            (BackupDownloadTaskState::Failed, Failed),
            (BackupDownloadTaskState::WaitingForRetry, Pending),
        ];
        assert_eq!(expected.len(), BackupDownloadTaskState::KNOWN.len());
        for (state, outcome) in expected {
            assert_eq!(DownloadTaskOutcome::of(Some(&state)), outcome, "{state:?}");
        }
        let new = BackupDownloadTaskState::Unknown(9);
        assert_eq!(DownloadTaskOutcome::of(Some(&new)), Pending);
        assert_eq!(DownloadTaskOutcome::of(None), Pending);
    }
}
