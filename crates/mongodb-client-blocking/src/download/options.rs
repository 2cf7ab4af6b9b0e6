//! [`DownloadOptions`] and [`DownloadProgress`].

use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use mongodb_errors::Error;

type ProgressFn<'a> = Box<dyn FnMut(&DownloadProgress) + 'a>;
type RefreshFn<'a> = Box<dyn FnMut() -> Result<String, Error> + 'a>;

/// Files below this size are fetched over one connection by default.
pub const PARTS_THRESHOLD: u64 = 64 * 1024 * 1024;
/// The most connections a file is fetched over by default.
pub const DEFAULT_MAX_PARTS: u32 = 4;

/// Whether a download continues a `<dest>.part` left by an earlier run
/// ([`DownloadOptions::resume`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Resume {
    /// Continue it when the record beside it proves it holds the start of this same file
    /// (the default); discard it otherwise.
    #[default]
    IfProven,
    /// Always start over: any `.part` is discarded.
    Never,
}

/// How [`Client::download_backup`](crate::Client::download_backup) and its siblings behave.
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::DownloadOptions;
///
/// let opts = DownloadOptions::new()
///     .max_attempts(10)
///     .min_throughput(4096, Duration::from_secs(60))
///     .deadline(Duration::from_secs(6 * 3600))
///     .on_progress(|p| eprintln!("{} of {:?} bytes", p.bytes_done, p.bytes_total));
/// # let _ = opts;
/// ```
pub struct DownloadOptions<'a> {
    pub(crate) settings: Settings,
    pub(crate) progress: RefCell<Option<ProgressFn<'a>>>,
    pub(crate) refresh: RefCell<Option<RefreshFn<'a>>>,
}

/// The plain values of [`DownloadOptions`], without its callbacks: copied into the options of
/// each file by the export workflow, which brings its own callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) max_attempts: u32,
    pub(crate) resume: Resume,
    pub(crate) read_timeout: Duration,
    pub(crate) retry_delay: Duration,
    pub(crate) max_refreshes: u32,
    pub(crate) min_bytes_per_sec: u64,
    pub(crate) throughput_window: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) parts: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_attempts: 5,
            resume: Resume::IfProven,
            read_timeout: Duration::from_secs(60),
            retry_delay: Duration::from_millis(500),
            max_refreshes: 3,
            min_bytes_per_sec: 1024,
            throughput_window: Duration::from_secs(30),
            deadline: None,
            parts: None,
        }
    }
}

impl Settings {
    /// Options with these values and no callbacks.
    pub(crate) fn options<'b>(self) -> DownloadOptions<'b> {
        DownloadOptions {
            settings: self,
            progress: RefCell::new(None),
            refresh: RefCell::new(None),
        }
    }
}

impl fmt::Debug for DownloadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("DownloadOptions")
            .field("max_attempts", &s.max_attempts)
            .field("resume", &s.resume)
            .field("read_timeout", &s.read_timeout)
            .field("retry_delay", &s.retry_delay)
            .field("max_refreshes", &s.max_refreshes)
            .field("min_bytes_per_sec", &s.min_bytes_per_sec)
            .field("throughput_window", &s.throughput_window)
            .field("deadline", &s.deadline)
            .field("parts", &s.parts)
            .field("refresh_url", &self.refresh.borrow().is_some())
            .finish_non_exhaustive()
    }
}

impl Default for DownloadOptions<'_> {
    /// Five attempts in a row without progress, resume if proven, 60 s read timeout, pauses from
    /// 500 ms, 3 fresh URLs at most,
    /// a minimum of 1 KiB/s averaged over 30 s, no deadline, parts chosen by size, no callbacks.
    fn default() -> Self {
        Settings::default().options()
    }
}

impl<'a> DownloadOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests in a row a stretch of bytes may take without progress (at least 1; default
    /// 5). An interrupted request (dropped connection, timeout, stall, HTTP 408, 429 or 5xx)
    /// is resumed where it stopped; the download gives up at the `n`-th interruption in a row
    /// of one stretch (the one stream, or one range of a multi-part download) whose request
    /// made no progress.
    ///
    /// A request made progress when it delivered at least what the
    /// [minimum throughput](Self::min_throughput) asks of one window (30 KiB by default; one
    /// byte when the check is off): its interruption starts the count again at 1. So a long
    /// download over a flaky connection that keeps moving never runs out of attempts, while
    /// one that keeps failing at the same byte, or trickles, stops after `n` requests. `1`
    /// never resumes.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.settings.max_attempts = n.max(1);
        self
    }

    /// Whether to continue an existing `<dest>.part` from an earlier run: when its record
    /// proves it holds the start of this same file ([`Resume::IfProven`], the default), or
    /// never ([`Resume::Never`]: always start over).
    pub fn resume(mut self, mode: Resume) -> Self {
        self.settings.resume = mode;
        self
    }

    /// Give up on a connection when no data arrives for this long (default 60 s; the
    /// throughput window caps it).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = timeout;
        self
    }

    /// The pause before the first resume of a stretch (default 500 ms). As with the client's
    /// retries ([`RetryPolicy`](crate::RetryPolicy)), it doubles with each further
    /// interruption in a row without progress, up to 10 s (or `delay` when that is longer),
    /// randomised between half and all of it. A multi-part download pauses only the range
    /// that was cut. `Duration::ZERO` resumes at once.
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.settings.retry_delay = delay;
        self
    }

    /// How many fresh URLs to ask for when the file store refuses one (HTTP 403, 404 or 410,
    /// as it answers an expired pre-signed URL) before giving up (default 3).
    pub fn max_refreshes(mut self, n: u32) -> Self {
        self.settings.max_refreshes = n;
        self
    }

    /// Where a fresh pre-signed URL comes from when the store refuses the current one:
    /// `f` returns it (or an error, which ends the download and keeps the `.part`).
    /// [`Client::download_backup_file`](crate::Client::download_backup_file) brings its own
    /// (it asks the service) and uses `f` instead when it is set.
    pub fn refresh_url(self, f: impl FnMut() -> Result<String, Error> + 'a) -> Self {
        *self.refresh.borrow_mut() = Some(Box::new(f));
        self
    }

    /// Drop and resume a connection that delivers less than `bytes_per_sec`, averaged over
    /// `window` (default 1 KiB/s over 30 s). The attempt limit applies. `0` turns the check
    /// off.
    pub fn min_throughput(mut self, bytes_per_sec: u64, window: Duration) -> Self {
        self.settings.min_bytes_per_sec = bytes_per_sec;
        self.settings.throughput_window = window.max(Duration::from_millis(1));
        self
    }

    /// Give up when the whole download (every attempt, refresh and the verification) has
    /// not finished within `limit`. The `.part` is kept for a later run. Default: none.
    pub fn deadline(mut self, limit: Duration) -> Self {
        self.settings.deadline = Some(limit);
        self
    }

    /// Fetch the file over `n` connections at once, each a byte range written at its offset,
    /// where the store accepts ranges and the size is known (at least 1). Default: one below
    /// 64 MiB, then one more per 64 MiB, up to 4.
    pub fn parts(mut self, n: u32) -> Self {
        self.settings.parts = Some(n.max(1));
        self
    }

    /// Call `f` as bytes arrive.
    pub fn on_progress(self, f: impl FnMut(&DownloadProgress) + 'a) -> Self {
        *self.progress.borrow_mut() = Some(Box::new(f));
        self
    }

    pub(crate) fn report(&self, p: &DownloadProgress) {
        if let Some(f) = self.progress.borrow_mut().as_mut() {
            f(p);
        }
    }

    /// The connections to use for a file of `size` bytes.
    pub(crate) fn parts_for(&self, size: u64) -> u32 {
        self.settings.parts.unwrap_or_else(|| {
            if size < PARTS_THRESHOLD {
                1
            } else {
                (1 + size / PARTS_THRESHOLD).min(u64::from(DEFAULT_MAX_PARTS)) as u32
            }
        })
    }
}

/// Where a download stands, passed to the [`DownloadOptions::on_progress`] callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// Bytes on disk so far, resumed bytes included.
    pub bytes_done: u64,
    /// Size of the whole file, when known.
    pub bytes_total: Option<u64>,
    /// Requests made so far (1 for the first).
    pub attempt: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_by_size() {
        let o = DownloadOptions::new();
        assert_eq!(o.parts_for(0), 1);
        assert_eq!(o.parts_for(PARTS_THRESHOLD - 1), 1);
        assert_eq!(o.parts_for(PARTS_THRESHOLD), 2);
        assert_eq!(o.parts_for(3 * PARTS_THRESHOLD), 4);
        assert_eq!(o.parts_for(1 << 40), 4);
        assert_eq!(DownloadOptions::new().parts(0).parts_for(1 << 40), 1);
        assert_eq!(DownloadOptions::new().parts(8).parts_for(10), 8);
    }
}
