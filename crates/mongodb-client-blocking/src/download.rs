//! Streaming a backup file to disk, with resume.

use std::cell::RefCell;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use mongodb_errors::Error;

use mongodb_models::{BackupDownloadTask, BackupDownloadTaskState};

use crate::transport::{map_error, map_read_error};
use crate::Client;

type ProgressFn<'a> = Box<dyn FnMut(&DownloadProgress) + 'a>;

/// How [`Client::download_backup`](crate::Client::download_backup) behaves.
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::DownloadOptions;
///
/// let opts = DownloadOptions::new()
///     .max_attempts(10)
///     .on_progress(|p| eprintln!("{} of {:?} bytes", p.bytes_done, p.bytes_total));
/// # let _ = opts;
/// ```
pub struct DownloadOptions<'a> {
    pub(crate) max_attempts: u32,
    pub(crate) resume: bool,
    pub(crate) read_timeout: Duration,
    pub(crate) retry_delay: Duration,
    pub(crate) progress: RefCell<Option<ProgressFn<'a>>>,
}

impl fmt::Debug for DownloadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("max_attempts", &self.max_attempts)
            .field("resume", &self.resume)
            .field("read_timeout", &self.read_timeout)
            .field("retry_delay", &self.retry_delay)
            .finish_non_exhaustive()
    }
}

impl Default for DownloadOptions<'_> {
    /// Five attempts, resume on, 60 s read stall timeout, 1 s between attempts, no callback.
    fn default() -> Self {
        DownloadOptions {
            max_attempts: 5,
            resume: true,
            read_timeout: Duration::from_secs(60),
            retry_delay: Duration::from_secs(1),
            progress: RefCell::new(None),
        }
    }
}

impl<'a> DownloadOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of requests made in all before giving up; each retry resumes where the last
    /// one stopped (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Continue an existing `<dest>.part` file from a previous run (default on). Off: start
    /// over.
    pub fn resume(mut self, on: bool) -> Self {
        self.resume = on;
        self
    }

    /// Give up on a connection when no data arrives for this long (default 60 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Pause before resuming after a dropped connection (default 1 s).
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// Call `f` as bytes arrive.
    pub fn on_progress(self, f: impl FnMut(&DownloadProgress) + 'a) -> Self {
        *self.progress.borrow_mut() = Some(Box::new(f));
        self
    }

    fn report(&self, p: &DownloadProgress) {
        if let Some(f) = self.progress.borrow_mut().as_mut() {
            f(p);
        }
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
    /// Which request this is (1 for the first).
    pub attempt: u32,
}

/// The outcome of a finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadReport {
    /// The final file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Bytes that were already on disk from an earlier run and not fetched again.
    pub resumed_from: u64,
    /// Number of requests made.
    pub attempts: u32,
}

impl Client {
    /// Download the file of a completed backup download task to `dest`.
    ///
    /// The file is streamed to `<dest>.part` (never held in memory) and renamed to `dest` only
    /// once its size matches the task's `BackupSize`, so an interrupted or failed download never
    /// leaves a file that looks complete. An existing `.part` file is continued with an HTTP
    /// `Range` request (a server that ignores the range makes it start over); a dropped
    /// connection is resumed the same way, up to [`DownloadOptions::max_attempts`] requests.
    ///
    /// The task's `Url` is pre-signed, so the request carries no API signature; it goes through
    /// the client's connection pool and proxy but is not bound by `max_response_size` or the
    /// call timeout (see [`DownloadOptions::read_timeout`]). The URL is never logged.
    pub fn download_backup(
        &self,
        task: &BackupDownloadTask,
        dest: &Path,
        opts: &DownloadOptions<'_>,
    ) -> Result<DownloadReport, Error> {
        if let Some(state) = task.status {
            if state != BackupDownloadTaskState::Completed {
                return Err(Error::InvalidInput {
                    parameter: Some("Status".into()),
                    message: format!(
                        "the download task of {} is not completed (status {state}); wait for it with wait_backup_download",
                        task.replica_set_id.as_deref().unwrap_or("?")
                    ),
                });
            }
        }
        let url = task
            .url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| Error::InvalidInput {
                parameter: Some("Url".into()),
                message: "the download task has no Url yet".into(),
            })?;
        let expected = task.backup_size.filter(|s| *s > 0).map(|s| s as u64);
        self.download_url(url, expected, dest, opts)
    }

    /// Download any pre-signed `url` to `dest` the way [`download_backup`](Client::download_backup)
    /// does; `expected_size`, when known, is checked before the file is renamed into place.
    pub fn download_url(
        &self,
        url: &str,
        expected_size: Option<u64>,
        dest: &Path,
        opts: &DownloadOptions<'_>,
    ) -> Result<DownloadReport, Error> {
        download(self.agent(), url, expected_size, dest, opts)
    }
}

/// `<dest>.part`, the name a download is written under until it is complete.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

fn io_err(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// Parse `Content-Range: bytes START-END/TOTAL`, returning START and TOTAL (if not `*`).
fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

enum Step {
    Done(u64),
    Retry(Error),
}

/// Download `url` to `dest` through `<dest>.part`.
pub(crate) fn download(
    agent: &ureq::Agent,
    url: &str,
    expected: Option<u64>,
    dest: &Path,
    opts: &DownloadOptions<'_>,
) -> Result<DownloadReport, Error> {
    let part = part_path(dest);
    let mut resumed_from = None;
    let mut last_err = None;
    for attempt in 1..=opts.max_attempts {
        if attempt > 1 && !opts.retry_delay.is_zero() {
            std::thread::sleep(opts.retry_delay);
        }
        let mut offset = if opts.resume || attempt > 1 {
            std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0)
        } else {
            0
        };
        if expected.is_some_and(|n| offset > n) {
            log::warn!(
                "{} is larger than the expected {} bytes; starting over",
                part.display(),
                expected.unwrap_or_default()
            );
            offset = 0;
        }
        let resumed = *resumed_from.get_or_insert(offset);
        if expected == Some(offset) && offset > 0 {
            return finish(&part, dest, offset, expected, resumed, attempt);
        }
        match fetch(agent, url, &part, offset, expected, attempt, opts)? {
            Step::Done(size) => return finish(&part, dest, size, expected, resumed, attempt),
            Step::Retry(e) => {
                log::warn!(
                    "download of {} interrupted (attempt {attempt}/{}): {e}",
                    dest.display(),
                    opts.max_attempts
                );
                last_err = Some(e);
            }
        }
    }
    Err(last_err.unwrap_or_else(|| Error::Transport {
        kind: mongodb_errors::TransportKind::Other,
        message: "download failed".into(),
        sent: true,
    }))
}

fn finish(
    part: &Path,
    dest: &Path,
    size: u64,
    expected: Option<u64>,
    resumed_from: u64,
    attempts: u32,
) -> Result<DownloadReport, Error> {
    if let Some(n) = expected {
        if size != n {
            return Err(Error::MalformedResponse {
                reason: format!("downloaded {size} bytes but the backup is {n} bytes"),
                snippet: String::new(),
                request_id: None,
            });
        }
    }
    std::fs::rename(part, dest).map_err(io_err(format!(
        "renaming {} to {}",
        part.display(),
        dest.display()
    )))?;
    log::info!("downloaded {} ({size} bytes)", dest.display());
    Ok(DownloadReport {
        path: dest.to_path_buf(),
        bytes: size,
        resumed_from,
        attempts,
    })
}

/// One request. Fatal errors come back as `Err`, interruptions worth resuming as `Step::Retry`.
fn fetch(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    offset: u64,
    expected: Option<u64>,
    attempt: u32,
    opts: &DownloadOptions<'_>,
) -> Result<Step, Error> {
    let mut req = agent
        .get(url)
        .config()
        .timeout_global(None)
        .max_redirects(5)
        .timeout_per_read(Some(opts.read_timeout))
        .timeout_recv_response(Some(opts.read_timeout))
        .build()
        .header("Accept-Encoding", "identity");
    if offset > 0 {
        req = req.header("Range", format!("bytes={offset}-"));
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(e) => {
            let e = map_error(e, false);
            return if matches!(e, Error::Transport { .. } | Error::Timeout { .. }) {
                Ok(Step::Retry(e))
            } else {
                Err(e)
            };
        }
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut start = offset;
    match status {
        206 => {
            let range = header("content-range").as_deref().and_then(content_range);
            if range.map(|(s, _)| s) != Some(offset) {
                log::warn!("server answered a different range than asked; starting over");
                truncate(part)?;
                return Ok(Step::Retry(Error::MalformedResponse {
                    reason: "unexpected Content-Range".into(),
                    snippet: header("content-range").unwrap_or_default(),
                    request_id: None,
                }));
            }
        }
        200 => {
            if offset > 0 {
                log::info!("server ignored the Range header; downloading from the start");
            }
            start = 0;
        }
        416 if offset > 0 => {
            // Asked past the end: the part may be complete, or from another file.
            if expected.is_none() {
                return Ok(Step::Done(offset));
            }
            truncate(part)?;
            return Ok(Step::Retry(Error::HttpStatus {
                status,
                snippet: "range not satisfiable".into(),
                request_id: None,
            }));
        }
        _ => {
            let mut resp = resp;
            let mut head = Vec::new();
            let _ = resp
                .body_mut()
                .as_reader()
                .take(2048)
                .read_to_end(&mut head);
            let e = Error::HttpStatus {
                status,
                snippet: Error::snippet(&head),
                request_id: None,
            };
            return if status >= 500 {
                Ok(Step::Retry(e))
            } else {
                Err(e)
            };
        }
    }
    let total = expected.or_else(|| {
        header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|n| n + start)
    });
    let mut file = if start == 0 {
        File::create(part)
    } else {
        OpenOptions::new().append(true).open(part)
    }
    .map_err(io_err(format!("opening {}", part.display())))?;
    let mut done = start;
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 64 * 1024];
    opts.report(&DownloadProgress {
        bytes_done: done,
        bytes_total: total,
        attempt,
    });
    let outcome = loop {
        match reader.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => {
                file.write_all(&buf[..n])
                    .map_err(io_err(format!("writing {}", part.display())))?;
                done += n as u64;
                opts.report(&DownloadProgress {
                    bytes_done: done,
                    bytes_total: total,
                    attempt,
                });
                if expected.is_some_and(|e| done > e) {
                    break Some(Error::MalformedResponse {
                        reason: format!(
                            "the server sent more than the expected {} bytes",
                            expected.unwrap_or_default()
                        ),
                        snippet: String::new(),
                        request_id: None,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break Some(map_read_error(e, u64::MAX)),
        }
    };
    file.flush()
        .and_then(|_| file.sync_all())
        .map_err(io_err(format!("writing {}", part.display())))?;
    drop(file);
    match outcome {
        Some(e @ Error::MalformedResponse { .. }) => {
            let _ = std::fs::remove_file(part);
            Err(e)
        }
        Some(e) => Ok(Step::Retry(e)),
        None if expected.is_some_and(|e| done < e) => Ok(Step::Retry(Error::Transport {
            kind: mongodb_errors::TransportKind::Reset,
            message: format!(
                "the connection ended after {done} of {} bytes",
                expected.unwrap_or_default()
            ),
            sent: true,
        })),
        None => Ok(Step::Done(done)),
    }
}

fn truncate(part: &Path) -> Result<(), Error> {
    File::create(part)
        .map(|_| ())
        .map_err(io_err(format!("truncating {}", part.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parses() {
        assert_eq!(content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(content_range("items 1-2/3"), None);
    }

    #[test]
    fn part_names() {
        assert_eq!(
            part_path(Path::new("/tmp/a/backup.tar")),
            PathBuf::from("/tmp/a/backup.tar.part")
        );
    }
}
