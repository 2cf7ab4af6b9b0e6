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

/// Where an interruption happened.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Where {
    /// Which stretch of bytes was cut: the range of a multi-part download, 0 for one stream.
    pub(crate) stretch: usize,
    /// Bytes the cut request delivered (0 when none, or when they were thrown away).
    pub(crate) gained: u64,
    /// Bytes of the whole file on disk.
    pub(crate) bytes_done: u64,
}

/// The longest pause between two requests of a stretch (as the client's retry policy's
/// default).
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// Bytes a request must deliver for its interruption to count as progress: what the minimum
/// throughput asks of one window (at least one byte).
fn progress_floor(min_bytes_per_sec: u64, window: Duration) -> u64 {
    let per_window = min_bytes_per_sec as f64 * window.as_secs_f64();
    (per_window as u64).max(1)
}

/// The pause before resuming after the `streak`-th interruption in a row: the client's
/// exponential backoff from `base` (doubling, at most 10 s or `base` if longer), randomised
/// by `r ∈ [0, 1]` between half and all of it.
fn pause_before(base: Duration, streak: u32, r: f64) -> Duration {
    crate::retry::backoff(base, MAX_PAUSE.max(base), streak, Some(r))
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
    /// Interruptions in a row without progress, per stretch of bytes.
    streaks: Vec<u32>,
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
            streaks: Vec::new(),
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

    /// An interruption of the one stream: `Ok` after the pause [`interruption`] asks for,
    /// when another request may resume it.
    ///
    /// [`interruption`]: Self::interruption
    pub(crate) fn interrupted(&mut self, cut: Cut, at: Where) -> Result<(), Error> {
        let pause = self.interruption(cut, at)?;
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
        self.check_deadline(at.bytes_done)
    }

    /// An interruption: `Ok(pause)` when another request may resume the stretch after that
    /// pause (the caller takes it), the error to give up with when the stretch has been
    /// interrupted `max_attempts` times in a row without progress (see
    /// [`DownloadOptions::max_attempts`]).
    pub(crate) fn interruption(&mut self, cut: Cut, at: Where) -> Result<Duration, Error> {
        self.check_deadline(at.bytes_done)?;
        let floor = progress_floor(
            self.opts.settings.min_bytes_per_sec,
            self.opts.settings.throughput_window,
        );
        if self.streaks.len() <= at.stretch {
            self.streaks.resize(at.stretch + 1, 0);
        }
        let streak = &mut self.streaks[at.stretch];
        *streak = if at.gained >= floor { 1 } else { *streak + 1 };
        let streak = *streak;
        let why = match &cut {
            Cut::Failed(e) => e.to_string(),
            Cut::Stalled => format!(
                "under {} bytes/s for {:?}",
                self.opts.settings.min_bytes_per_sec, self.opts.settings.throughput_window
            ),
        };
        if streak >= self.opts.settings.max_attempts {
            log::warn!(
                "download of {} interrupted ({why}); giving up after {streak} interruptions in a row without progress ({} requests)",
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
        let mut pause = pause_before(
            self.opts.settings.retry_delay,
            streak,
            crate::retry::random_fraction(),
        );
        if let Some(left) = self.deadline.remaining() {
            pause = pause.min(left);
        }
        log::warn!(
            "download of {} interrupted at byte {} ({why}); resuming in {pause:?} (interruption {streak}/{} without progress)",
            self.dest.display(),
            at.bytes_done,
            self.opts.settings.max_attempts - 1
        );
        Ok(pause)
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

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn pauses_grow_with_the_streak_and_stay_bounded() {
        assert_eq!(pause_before(S, 1, 1.0), S);
        assert_eq!(pause_before(S, 1, 0.0), S / 2);
        assert_eq!(pause_before(S, 3, 1.0), 4 * S);
        assert_eq!(pause_before(S, 40, 1.0), 10 * S);
        assert_eq!(pause_before(60 * S, 2, 1.0), 60 * S);
        assert_eq!(pause_before(Duration::ZERO, 9, 1.0), Duration::ZERO);
    }

    #[test]
    fn progress_is_what_the_minimum_throughput_asks_of_a_window() {
        assert_eq!(progress_floor(1024, 30 * S), 30 * 1024);
        assert_eq!(progress_floor(8192, S / 2), 4096);
        assert_eq!(progress_floor(0, 30 * S), 1);
    }
}
