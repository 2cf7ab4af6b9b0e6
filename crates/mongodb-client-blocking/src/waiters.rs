//! Polling asynchronous operations until they finish.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use mongodb_errors::{BackupName, Error, InstanceId, WaitError, WaitTarget};
use mongodb_models::{
    BackupDownloadTask, BackupDownloadTaskState, DescribeAsyncRequestInfoRequest,
    DescribeAsyncRequestInfoResponse, DescribeBackupDownloadTaskRequest,
};

use crate::terminal::{AsyncRequestOutcome, DownloadTaskOutcome};
use crate::Client;

type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;
type SleepFn<'a> = Box<dyn Fn(Duration) + 'a>;

/// How a waiter polls: interval with backoff, overall deadline, progress callback.
///
/// The first poll happens at once; then the waiter sleeps `initial_interval`, multiplied by
/// `backoff` after each poll up to `max_interval`, until the operation finishes or `timeout`
/// has passed (the last poll is made at the deadline).
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::WaitOptions;
///
/// let opts = WaitOptions::new()
///     .initial_interval(Duration::from_secs(1))
///     .backoff(2.0)
///     .max_interval(Duration::from_secs(20))
///     .timeout(Duration::from_secs(30 * 60))
///     .on_progress(|p| eprintln!("poll {}: {} ({:?}%)", p.poll, p.status, p.percent));
/// # let _ = opts;
/// ```
pub struct WaitOptions<'a> {
    initial_interval: Duration,
    backoff: f64,
    max_interval: Duration,
    timeout: Duration,
    progress: RefCell<Option<ProgressFn<'a>>>,
    sleeper: Option<SleepFn<'a>>,
}

impl fmt::Debug for WaitOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("initial_interval", &self.initial_interval)
            .field("backoff", &self.backoff)
            .field("max_interval", &self.max_interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for WaitOptions<'_> {
    /// First interval 2 s, ×1.5 per poll, at most 30 s apart, give up after 2 hours.
    fn default() -> Self {
        WaitOptions {
            initial_interval: Duration::from_secs(2),
            backoff: 1.5,
            max_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(2 * 60 * 60),
            progress: RefCell::new(None),
            sleeper: None,
        }
    }
}

impl<'a> WaitOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wait before the second poll.
    pub fn initial_interval(mut self, d: Duration) -> Self {
        self.initial_interval = d;
        self
    }

    /// Factor the interval grows by after each poll (at least 1).
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Longest wait between polls.
    pub fn max_interval(mut self, d: Duration) -> Self {
        self.max_interval = d;
        self
    }

    /// Give up after this long, with an [`Error::Wait`] of kind
    /// [`TimedOut`](mongodb_errors::WaitErrorKind::TimedOut) carrying the last status.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Call `f` after every poll.
    pub fn on_progress(self, f: impl FnMut(&Progress) + 'a) -> Self {
        *self.progress.borrow_mut() = Some(Box::new(f));
        self
    }

    /// Sleep with `f` instead of [`std::thread::sleep`]. With a custom sleeper the waiter
    /// measures time as the sum of the sleeps it asked for (not the wall clock), so a test can
    /// pass a function that returns at once and still reach the deadline.
    pub fn sleeper(mut self, f: impl Fn(Duration) + 'a) -> Self {
        self.sleeper = Some(Box::new(f));
        self
    }
}

/// The polling values of [`WaitOptions`] without its callbacks: the export workflow copies
/// them into the options of each wait, which bring their own progress callbacks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PollTiming {
    initial_interval: Duration,
    backoff: f64,
    max_interval: Duration,
    timeout: Duration,
}

impl Default for PollTiming {
    fn default() -> Self {
        WaitOptions::default().timing()
    }
}

impl PollTiming {
    /// Wait options with these values and no callbacks.
    pub(crate) fn options<'b>(self) -> WaitOptions<'b> {
        WaitOptions {
            initial_interval: self.initial_interval,
            backoff: self.backoff,
            max_interval: self.max_interval,
            timeout: self.timeout,
            progress: RefCell::new(None),
            sleeper: None,
        }
    }
}

impl WaitOptions<'_> {
    /// The polling values (intervals, backoff, deadline), without the callbacks.
    pub(crate) fn timing(&self) -> PollTiming {
        PollTiming {
            initial_interval: self.initial_interval,
            backoff: self.backoff,
            max_interval: self.max_interval,
            timeout: self.timeout,
        }
    }
}

/// A waiter's state after one poll, passed to [`WaitOptions::on_progress`].
///
/// Only the client makes these (the struct is `#[non_exhaustive]`); new fields may appear.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Which poll this is (1 for the first).
    pub poll: u32,
    /// Time spent waiting so far.
    pub elapsed: Duration,
    /// The operation's status: the async request's status (`running`, `success`, …), or for
    /// backup downloads one `replica set: state percent%` entry per task, comma-separated.
    pub status: String,
    /// Completion in percent when the service reports it (the lowest of the tasks' percents).
    pub percent: Option<i64>,
    /// The request id of the status query.
    pub request_id: Option<String>,
    /// The async request being waited for: set by
    /// [`wait_async_request`](Client::wait_async_request) and the workflows built on it
    /// (such as [`backup_and_wait`](Client::backup_and_wait), where the caller learns the id
    /// only from here); `None` for backup-download waits.
    pub async_request_id: Option<String>,
    /// For backup-download waits ([`wait_backup_download`](Client::wait_backup_download),
    /// [`wait_backup_download_for`](Client::wait_backup_download_for),
    /// [`prepare_backup_download`](Client::prepare_backup_download)): the latest download task
    /// of each replica set or shard as of this poll, typed, ordered by replica set id (empty
    /// while no task exists yet). Use it rather than parsing [`status`](Progress::status).
    /// Always empty for async-request waits.
    pub tasks: Vec<BackupDownloadTask>,
}

// `BackupDownloadTask` is only `PartialEq` because it is generated, but none of its fields is a
// floating-point number, so equality is reflexive and `Progress` keeps the `Eq` it always had.
impl Eq for Progress {}

/// Drives the poll / sleep / deadline cycle.
struct Poller<'o, 'a> {
    opts: &'o WaitOptions<'a>,
    async_request_id: Option<String>,
    start: Instant,
    slept: Duration,
    interval: Duration,
    poll: u32,
}

impl<'o, 'a> Poller<'o, 'a> {
    fn new(opts: &'o WaitOptions<'a>, async_request_id: Option<&str>) -> Self {
        Poller {
            opts,
            async_request_id: async_request_id.map(str::to_string),
            start: Instant::now(),
            slept: Duration::ZERO,
            interval: opts.initial_interval,
            poll: 0,
        }
    }

    /// Real time, or with a custom sleeper the sum of the sleeps asked for.
    fn elapsed(&self) -> Duration {
        if self.opts.sleeper.is_some() {
            self.slept
        } else {
            self.start.elapsed()
        }
    }

    fn report(
        &mut self,
        status: String,
        percent: Option<i64>,
        request_id: Option<String>,
        tasks: Vec<BackupDownloadTask>,
    ) {
        self.poll += 1;
        let p = Progress {
            poll: self.poll,
            elapsed: self.elapsed(),
            status,
            percent,
            request_id,
            async_request_id: self.async_request_id.clone(),
            tasks,
        };
        log::debug!("wait poll {}: {} ({:?})", p.poll, p.status, p.elapsed);
        if let Some(f) = self.opts.progress.borrow_mut().as_mut() {
            f(&p);
        }
    }

    /// Sleep before the next poll; `false` when the deadline has passed.
    fn pause(&mut self) -> bool {
        let elapsed = self.elapsed();
        if elapsed >= self.opts.timeout {
            return false;
        }
        let d = self.interval.min(self.opts.timeout - elapsed);
        match &self.opts.sleeper {
            Some(s) => s(d),
            None => std::thread::sleep(d),
        }
        self.slept += d;
        self.interval = self
            .interval
            .mul_f64(self.opts.backoff)
            .min(self.opts.max_interval);
        true
    }
}

/// How a backup download task's state reads for a person: `waiting`, `preparing`, `completed`,
/// `failed`, `waiting for retry` (or `state N` for a value this version does not know, `unknown`
/// when the service sent none). Used in [`Progress::status`] and by progress displays.
pub fn task_state_label(task: &BackupDownloadTask) -> String {
    match task.status.as_ref() {
        Some(BackupDownloadTaskState::Waiting) => "waiting".into(),
        Some(BackupDownloadTaskState::Downloading) => "preparing".into(),
        Some(BackupDownloadTaskState::Completed) => "completed".into(),
        Some(BackupDownloadTaskState::Failed) => "failed".into(),
        Some(BackupDownloadTaskState::WaitingForRetry) => "waiting for retry".into(),
        Some(other) => format!("state {other}"),
        None => "unknown".into(),
    }
}

impl Client {
    /// Poll `DescribeAsyncRequestInfo` for `async_request_id` (as returned by
    /// `CreateBackupDBInstance` and other long operations) until its status is `success`.
    ///
    /// Which statuses end the wait is [`AsyncRequestOutcome`]'s rule: `initial`, `running` and
    /// statuses unknown to this version keep the waiter polling.
    ///
    /// # Errors
    ///
    /// The errors of the call, or an [`Error::Wait`] carrying the async request id and the
    /// RequestId of the last status query, of kind
    /// [`AsyncRequestEnded`](mongodb_errors::WaitErrorKind::AsyncRequestEnded) as soon as the
    /// status is `paused`, `failed` or `undoed`, or
    /// [`TimedOut`](mongodb_errors::WaitErrorKind::TimedOut) (with the last status) when the
    /// deadline passes first.
    pub fn wait_async_request(
        &self,
        async_request_id: &str,
        opts: &WaitOptions<'_>,
    ) -> Result<DescribeAsyncRequestInfoResponse, Error> {
        let req = DescribeAsyncRequestInfoRequest::new(async_request_id);
        let mut poller = Poller::new(opts, Some(async_request_id));
        loop {
            let resp = self.call(&req)?;
            let name = resp
                .status
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "unknown".into());
            let rid = Some(resp.request_id.clone()).filter(|r| !r.is_empty());
            poller.report(name.clone(), None, rid.clone(), Vec::new());
            match AsyncRequestOutcome::of(resp.status.as_ref()) {
                AsyncRequestOutcome::Succeeded => return Ok(resp),
                AsyncRequestOutcome::Ended(status) => {
                    return Err(WaitError::async_request_ended(async_request_id, status)
                        .with_request_id(rid)
                        .into())
                }
                _ => {}
            }
            if !poller.pause() {
                return Err(WaitError::timed_out(
                    WaitTarget::async_request(async_request_id),
                    opts.timeout,
                    Some(name),
                )
                .with_request_id(rid)
                .into());
            }
        }
    }

    /// Poll `DescribeBackupDownloadTask` for the download tasks of `backup_name` until every
    /// task is completed (status 2), and return the tasks (the newest one per replica set or
    /// shard). Completed tasks carry the download `Url`.
    ///
    /// Which states end the wait is [`DownloadTaskOutcome`]'s rule: 0 (waiting), 1
    /// (preparing), 4 (waiting for retry) and states unknown to this version keep the waiter
    /// polling, as does a backup with no task yet.
    ///
    /// # Errors
    ///
    /// The errors of the calls, or an [`Error::Wait`] of kind
    /// [`DownloadTaskFailed`](mongodb_errors::WaitErrorKind::DownloadTaskFailed) naming the
    /// replica sets as soon as any task is in state 3 (failed), or
    /// [`TimedOut`](mongodb_errors::WaitErrorKind::TimedOut) when the deadline passes first.
    pub fn wait_backup_download(
        &self,
        instance_id: &str,
        backup_name: &str,
        opts: &WaitOptions<'_>,
    ) -> Result<Vec<BackupDownloadTask>, Error> {
        self.wait_backup_download_for(instance_id, backup_name, &[], opts)
    }

    /// Like [`wait_backup_download`](Client::wait_backup_download), but waits only for the
    /// listed replica sets / shards (e.g. `cmgo-xxxx_0`), and keeps polling until a task exists
    /// for each of them. An empty list means every task of the backup.
    pub fn wait_backup_download_for(
        &self,
        instance_id: &str,
        backup_name: &str,
        replica_sets: &[String],
        opts: &WaitOptions<'_>,
    ) -> Result<Vec<BackupDownloadTask>, Error> {
        let req = DescribeBackupDownloadTaskRequest::new(instance_id).with_backup_name(backup_name);
        let mut poller = Poller::new(opts, None);
        loop {
            let latest = self.latest_download_tasks(&req, backup_name, replica_sets, &|_| true)?;
            let status = if latest.is_empty() {
                "no download task yet".to_string()
            } else {
                latest
                    .iter()
                    .map(|(set, t)| {
                        format!("{set}: {} {}%", task_state_label(t), t.percent.unwrap_or(0))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let percent = latest.values().map(|t| t.percent.unwrap_or(0)).min();
            poller.report(
                status.clone(),
                percent,
                None,
                latest.values().cloned().collect(),
            );
            let outcome = |t: &BackupDownloadTask| DownloadTaskOutcome::of(t.status.as_ref());
            let failed: Vec<String> = latest
                .iter()
                .filter(|(_, t)| outcome(t) == DownloadTaskOutcome::Failed)
                .map(|(s, _)| s.clone())
                .collect();
            if !failed.is_empty() {
                return Err(WaitError::download_task_failed(
                    InstanceId::new(instance_id),
                    BackupName::new(backup_name),
                    failed,
                )
                .into());
            }
            let all_listed = replica_sets.iter().all(|s| latest.contains_key(s));
            if !latest.is_empty()
                && all_listed
                && latest
                    .values()
                    .all(|t| outcome(t) == DownloadTaskOutcome::Ready)
            {
                return Ok(latest.into_values().collect());
            }
            if !poller.pause() {
                return Err(WaitError::timed_out(
                    WaitTarget::backup_download(
                        InstanceId::new(instance_id),
                        BackupName::new(backup_name),
                    ),
                    opts.timeout,
                    Some(status),
                )
                .into());
            }
        }
    }

    /// One poll of the download tasks: the newest task per replica set of `backup_name`
    /// (only those of `replica_sets` when it is not empty) among those `keep` accepts, keyed
    /// by replica set id.
    pub(crate) fn latest_download_tasks(
        &self,
        req: &DescribeBackupDownloadTaskRequest,
        backup_name: &str,
        replica_sets: &[String],
        keep: &dyn Fn(&BackupDownloadTask) -> bool,
    ) -> Result<BTreeMap<String, BackupDownloadTask>, Error> {
        let mut latest: BTreeMap<String, BackupDownloadTask> = BTreeMap::new();
        for task in self.describe_backup_download_task_iter(req.clone()) {
            let task = task?;
            if !keep(&task) {
                continue;
            }
            if task
                .backup_name
                .as_deref()
                .is_some_and(|n| !n.is_empty() && n != backup_name)
            {
                continue;
            }
            let set = task.replica_set_id.clone().unwrap_or_default();
            if !replica_sets.is_empty() && !replica_sets.contains(&set) {
                continue;
            }
            let newer = latest
                .get(&set)
                .is_none_or(|old| task.create_time >= old.create_time);
            if newer {
                latest.insert(set, task);
            }
        }
        Ok(latest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_states_read_as_before() {
        let t = |st: BackupDownloadTaskState| BackupDownloadTask::default().with_status(st);
        assert_eq!(
            task_state_label(&t(BackupDownloadTaskState::Downloading)),
            "preparing"
        );
        assert_eq!(
            task_state_label(&t(BackupDownloadTaskState::WaitingForRetry)),
            "waiting for retry"
        );
        assert_eq!(task_state_label(&BackupDownloadTask::default()), "unknown");
    }
}
