//! [`Session`]: one download's shared state and rules: the current URL and how to replace it,
//! the attempt and refresh budgets, the deadline, and what an interruption costs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mongodb_errors::{DownloadError, Error};

use super::meter::{Deadline, Meter};
use super::options::{DownloadOptions, DownloadProgress};
use super::secret::SecretUrl;

/// Where fresh URLs come from.
pub(crate) type Refresher<'r> = Option<&'r mut (dyn FnMut() -> Result<String, Error> + 'r)>;

/// Why a request stopped before its bytes were all in.
#[derive(Debug)]
pub(crate) enum Cut {
    /// The connection failed (dropped, reset, timed out) or the store answered 408/429/5xx.
    Failed(Error),
    /// The connection stayed under the minimum throughput for a whole window.
    Stalled,
}

pub(crate) struct Session<'a, 'o> {
    pub(crate) agent: &'a ureq::Agent,
    pub(crate) opts: &'a DownloadOptions<'o>,
    pub(crate) url: SecretUrl,
    /// Bumped each time the URL is replaced, so concurrent refusals of one URL refresh once.
    pub(crate) url_generation: u64,
    refresher: Refresher<'a>,
    pub(crate) dest: PathBuf,
    /// The size the caller expects (`BackupSize`), if known.
    pub(crate) expected: Option<u64>,
    pub(crate) deadline: Deadline,
    /// Requests made.
    pub(crate) requests: u32,
    /// Interruptions so far.
    failures: u32,
    pub(crate) refreshes: u32,
    /// Bytes kept from an earlier run (0 once the download had to start over).
    pub(crate) kept: u64,
}

impl<'a, 'o> Session<'a, 'o> {
    pub(crate) fn new(
        agent: &'a ureq::Agent,
        opts: &'a DownloadOptions<'o>,
        url: SecretUrl,
        refresher: Refresher<'a>,
        dest: &Path,
        expected: Option<u64>,
    ) -> Self {
        Session {
            agent,
            opts,
            url,
            url_generation: 0,
            refresher,
            dest: dest.to_path_buf(),
            expected,
            deadline: Deadline::new(opts.settings.deadline),
            requests: 0,
            failures: 0,
            refreshes: 0,
            kept: 0,
        }
    }

    /// A throughput meter for a new connection.
    pub(crate) fn meter(&self) -> Meter {
        Meter::new(
            self.opts.settings.min_bytes_per_sec,
            self.opts.settings.throughput_window,
        )
    }

    /// How long a request may wait for its answer and each read: the read timeout, capped by
    /// the throughput window and the time left before the deadline.
    pub(crate) fn timeout(&self) -> Duration {
        let mut t = self.opts.settings.read_timeout;
        if self.opts.settings.min_bytes_per_sec > 0 {
            t = t.min(self.opts.settings.throughput_window);
        }
        if let Some(left) = self.deadline.remaining() {
            t = t.min(left);
        }
        t.max(Duration::from_millis(1))
    }

    /// `Err` once the deadline has passed.
    pub(crate) fn check_deadline(&self, bytes_done: u64) -> Result<(), Error> {
        match self.deadline.limit() {
            Some(limit) if self.deadline.passed() => Err(DownloadError::DeadlineExceeded {
                path: self.dest.clone(),
                deadline: limit,
                bytes_done,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Count a request about to be sent.
    pub(crate) fn count_request(&mut self) -> u32 {
        self.requests += 1;
        self.requests
    }

    pub(crate) fn progress(&self, bytes_done: u64, bytes_total: Option<u64>) {
        self.opts.report(&DownloadProgress {
            bytes_done,
            bytes_total,
            attempt: self.requests.max(1),
        });
    }

    /// An interruption: `Ok` (after the retry delay) when another request may resume it,
    /// the error to give up with when the attempt budget is spent.
    pub(crate) fn interrupted(&mut self, cut: Cut, bytes_done: u64) -> Result<(), Error> {
        self.check_deadline(bytes_done)?;
        self.failures += 1;
        let why = match &cut {
            Cut::Failed(e) => e.to_string(),
            Cut::Stalled => format!(
                "under {} bytes/s for {:?}",
                self.opts.settings.min_bytes_per_sec, self.opts.settings.throughput_window
            ),
        };
        if self.failures >= self.opts.settings.max_attempts {
            log::warn!(
                "download of {} interrupted ({why}); giving up after {} requests",
                self.dest.display(),
                self.requests
            );
            return Err(match cut {
                Cut::Failed(e) => e,
                Cut::Stalled => DownloadError::Stalled {
                    path: self.dest.clone(),
                    min_bytes_per_sec: self.opts.settings.min_bytes_per_sec,
                    window: self.opts.settings.throughput_window,
                    attempts: self.requests,
                }
                .into(),
            });
        }
        log::warn!(
            "download of {} interrupted at byte {bytes_done} ({why}); resuming (interruption {}/{})",
            self.dest.display(),
            self.failures,
            self.opts.settings.max_attempts - 1
        );
        let mut pause = self.opts.settings.retry_delay;
        if let Some(left) = self.deadline.remaining() {
            pause = pause.min(left);
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
        self.check_deadline(bytes_done)
    }

    /// The store refused the URL of `generation`: replace it (unless that was done already
    /// for this generation), or give up when there is no way or no budget left.
    pub(crate) fn refused(
        &mut self,
        status: u16,
        code: Option<String>,
        generation: u64,
    ) -> Result<(), Error> {
        if generation != self.url_generation {
            return Ok(());
        }
        let give_up = |refreshes| {
            Error::from(DownloadError::UrlRefused {
                path: self.dest.clone(),
                status,
                code: code.clone(),
                refreshes,
            })
        };
        let Some(refresh) = self.refresher.as_mut() else {
            return Err(give_up(0));
        };
        if self.refreshes >= self.opts.settings.max_refreshes {
            return Err(give_up(self.refreshes));
        }
        log::warn!(
            "the file store ({}) refused the download URL of {} with HTTP {status}{}; getting a fresh one ({}/{})",
            self.url.host(),
            self.dest.display(),
            code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
            self.refreshes + 1,
            self.opts.settings.max_refreshes
        );
        let fresh = refresh()?;
        if fresh.trim().is_empty() {
            return Err(Error::InvalidInput {
                parameter: Some("Url".into()),
                message: "the fresh download URL is empty".into(),
            });
        }
        self.refreshes += 1;
        self.url = SecretUrl::new(fresh);
        self.url_generation += 1;
        self.check_deadline(0)
    }
}
