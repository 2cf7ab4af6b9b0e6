//! A download over several connections: the `.part` is sized up front and each byte range
//! is written at its offset; the record says how far each range got, so a resume fetches
//! only what is missing. A follower thread hashes the file's complete prefix as it grows,
//! so verification runs alongside the transfer.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mongodb_errors::{DownloadError, Error, TransportKind};

use super::fileio;
use super::hash::Hashes;
use super::meter::{Deadline, Meter};
use super::pipeline::HAND_ON_AFTER;
use super::record::{self, Record, Seg};
use super::request::{self, Answer, Ask, Body};
use super::secret::SecretUrl;
use super::sequential::{adopt, changed, check_total, io_err, same_object};
use super::session::{Cut, Session, Where};
use crate::transport::map_read_error;

/// Bytes each connection reads at once.
const BUFFER: usize = 256 * 1024;
/// Progress is synced to disk and recorded at least this often.
const RECORD_EVERY: u64 = 64 * 1024 * 1024;

/// How a multi-part download ended.
pub(crate) enum Outcome {
    /// Every range is on disk; the hashes cover the whole file.
    Done(Hashes),
    /// The store answered the first range with the whole object (it ignores ranges): go on
    /// over this one connection.
    Whole(Body),
    /// The object changed under us: start over.
    Restart,
}

/// Fetch the missing ranges of a `total`-byte file over up to `n` connections.
pub(crate) fn run(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &mut Record,
    meta_path: &Path,
    n: u32,
    total: u64,
) -> Result<Outcome, Error> {
    let mut first = None;
    if rec.ranges.is_none() {
        match probe(s, file, rec, meta_path, n, total)? {
            Probe::Whole(b) => return Ok(Outcome::Whole(b)),
            Probe::Ranged(b) => first = Some(b),
        }
    }
    let mut segs = rec.ranges.clone().unwrap_or_default();
    let fetched = fetch(s, file, rec, meta_path, &mut segs, n, total, first);
    rec.ranges = Some(segs);
    let saved = checkpoint(file, meta_path, rec).map_err(io_err(s, "recording"));
    match fetched? {
        None => Ok(Outcome::Restart),
        Some(mut hashes) => {
            saved?;
            // The follower hashed the ranges as they completed; this covers what is left.
            hashes.catch_up(file, total).map_err(io_err(s, "reading"))?;
            s.check_deadline(total)?;
            Ok(Outcome::Done(hashes))
        }
    }
}

/// Make the bytes of the ranges durable, then record how far they got: the record never
/// claims bytes that a power loss could still take back (they would read as zeros).
fn checkpoint(file: &File, meta_path: &Path, rec: &Record) -> std::io::Result<()> {
    file.sync_data()?;
    record::save(meta_path, rec)
}

enum Probe {
    Whole(Body),
    Ranged(Body),
}

/// Ask for the first range: a 206 proves ranges work and defines the object; a 200 means
/// they don't.
fn probe(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &mut Record,
    meta_path: &Path,
    n: u32,
    total: u64,
) -> Result<Probe, Error> {
    let segs = record::split(total, n);
    loop {
        s.check_deadline(0)?;
        s.count_request();
        let url = s.url.clone();
        let ask = Ask {
            url: &url,
            from: 0,
            to: Some(segs[0].end),
            if_range: None,
            timeout: s.timeout(),
        };
        match request::ask(s.agent, &ask) {
            Answer::Body(b) if b.whole => return Ok(Probe::Whole(b)),
            Answer::Body(b) => {
                check_total(s, Some(total), &b.meta)?;
                adopt(s, rec, &b.meta, true, meta_path)?;
                file.set_len(total).map_err(io_err(s, "sizing"))?;
                rec.ranges = Some(segs);
                record::save(meta_path, rec).map_err(io_err(s, "recording"))?;
                return Ok(Probe::Ranged(b));
            }
            Answer::Refused { status, code } => {
                let generation = s.url_generation;
                s.refused(status, code, generation)?;
            }
            Answer::NotSatisfiable => {
                return Err(DownloadError::SizeMismatch {
                    path: s.dest.clone(),
                    expected: total,
                    actual: 0,
                }
                .into())
            }
            Answer::Retry(e) => s.interrupted(Cut::Failed(e), Where::default())?,
            Answer::Fatal(e) => return Err(e),
        }
    }
}

enum Event {
    Progress { seg: usize, bytes: u64 },
    Ended { seg: usize, end: End },
}

enum End {
    Complete,
    Stopped,
    Cut(Cut),
    Refused {
        status: u16,
        code: Option<String>,
        generation: u64,
    },
    Changed,
    Fatal(Error),
    Io(std::io::Error),
    /// The deadline passed before the request was made.
    Late,
}

/// One range request, run on its own thread.
struct Job {
    seg: usize,
    from: u64,
    to: u64,
    total: u64,
    url: SecretUrl,
    generation: u64,
    timeout: Duration,
    meter: Meter,
    deadline: Deadline,
    /// Wait this long before the request (this range was cut just before).
    pause: Duration,
    body: Option<Body>,
}

/// The bytes `[0, n)` on disk: every range complete up to the first one that is not.
fn complete_prefix(segs: &[Seg]) -> u64 {
    segs.iter()
        .find(|g| !g.is_complete())
        .or(segs.last())
        .map_or(0, |g| g.next().min(g.end))
}

/// Run the ranges to completion while a follower thread hashes the complete prefix of the
/// file as it grows, so hashing overlaps the transfer. `Ok(Some(hashes))`: every range is
/// on disk and `hashes` covers what the follower reached; `Ok(None)`: the object changed,
/// start over.
#[allow(clippy::too_many_arguments)] // reason: one call site; the pieces are the download's state
fn fetch(
    s: &mut Session<'_, '_>,
    file: &File,
    rec: &Record,
    meta_path: &Path,
    segs: &mut [Seg],
    n: u32,
    total: u64,
    first: Option<Body>,
) -> Result<Option<Hashes>, Error> {
    let agent = s.agent;
    let stop = AtomicBool::new(false);
    // The first range's answer may be in hand already (from the probe).
    let in_hand = first.as_ref().map(|_| 0);
    let mut queue: VecDeque<(usize, Duration)> = (0..segs.len())
        .filter(|&i| !segs[i].is_complete() && Some(i) != in_hand)
        .map(|i| (i, Duration::ZERO))
        .collect();
    let mut first = first;
    let mut failure: Option<Error> = None;
    let mut restart = false;
    let mut done: u64 = segs.iter().map(|g| g.done).sum();
    // How far each range had got when its current request began.
    let mut begun: Vec<u64> = segs.iter().map(|g| g.done).collect();
    let mut unrecorded = 0u64;
    s.progress(done, Some(total));
    let mut prefix = complete_prefix(segs);
    let followed = std::thread::scope(|sc| {
        let (tx, rx) = mpsc::channel::<Event>();
        let (mark_tx, mark_rx) = mpsc::channel::<u64>();
        let _ = mark_tx.send(prefix);
        let stop_ref = &stop;
        let follower = sc.spawn(move || Hashes::new().follow(file, mark_rx, stop_ref));
        let mut active = 0usize;
        let start = |s: &mut Session<'_, '_>,
                     seg: usize,
                     range: Seg,
                     pause: Duration,
                     body: Option<Body>| {
            if body.is_none() {
                s.count_request();
            }
            let job = Job {
                seg,
                from: range.next(),
                to: range.end,
                total,
                url: s.url.clone(),
                generation: s.url_generation,
                timeout: s.timeout(),
                meter: s.meter(),
                deadline: s.deadline,
                pause,
                body,
            };
            let tx = tx.clone();
            let stop = &stop;
            sc.spawn(move || {
                let seg = job.seg;
                let end = work(agent, file, rec, job, stop, &tx);
                let _ = tx.send(Event::Ended { seg, end });
            });
        };
        if let Some(body) = first.take() {
            begun[0] = segs[0].done;
            start(s, 0, segs[0], Duration::ZERO, Some(body));
            active += 1;
        }
        loop {
            while failure.is_none() && !restart && active < n as usize {
                let Some((seg, pause)) = queue.pop_front() else {
                    break;
                };
                begun[seg] = segs[seg].done;
                start(s, seg, segs[seg], pause, None);
                active += 1;
            }
            if active == 0 {
                break;
            }
            let Ok(event) = rx.recv() else { break };
            match event {
                Event::Progress { seg, bytes } => {
                    segs[seg].done += bytes;
                    done += bytes;
                    unrecorded += bytes;
                    s.progress(done, Some(total));
                    let now = complete_prefix(segs);
                    if now > prefix {
                        prefix = now;
                        let _ = mark_tx.send(prefix);
                    }
                    if unrecorded >= RECORD_EVERY {
                        unrecorded = 0;
                        let mut r = rec.clone();
                        r.ranges = Some(segs.to_vec());
                        let saved = checkpoint(file, meta_path, &r);
                        if let Err(e) = saved {
                            failure.get_or_insert(io_err(s, "recording")(e));
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                }
                Event::Ended { seg, end } => {
                    active -= 1;
                    let next = match end {
                        End::Complete | End::Stopped => Ok(None),
                        _ if failure.is_some() || restart => Ok(None),
                        End::Cut(cut) => {
                            let at = Where {
                                stretch: seg,
                                gained: segs[seg].done - begun[seg],
                                bytes_done: done,
                            };
                            s.interruption(cut, at).map(Some)
                        }
                        End::Refused {
                            status,
                            code,
                            generation,
                        } => s
                            .refused(status, code, generation)
                            .map(|()| Some(Duration::ZERO)),
                        End::Late => s.check_deadline(done).map(|()| Some(Duration::ZERO)),
                        End::Changed => {
                            restart = true;
                            Ok(None)
                        }
                        End::Fatal(e) => Err(e),
                        End::Io(e) => Err(io_err(s, "writing")(e)),
                    };
                    match next {
                        Ok(Some(pause)) => queue.push_back((seg, pause)),
                        Ok(None) => {}
                        Err(e) => {
                            failure = Some(e);
                        }
                    }
                    if failure.is_some() || restart {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
            }
        }
        drop(mark_tx);
        follower
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread panicked")))
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if restart {
        log::warn!(
            "the file store's object behind {} changed: starting over",
            s.dest.display()
        );
        return Ok(None);
    }
    followed.map(Some).map_err(io_err(s, "reading"))
}

/// One range: request it (unless its answer is in hand) and write it at its offset.
fn work(
    agent: &ureq::Agent,
    file: &File,
    rec: &Record,
    mut job: Job,
    stop: &AtomicBool,
    tx: &mpsc::Sender<Event>,
) -> End {
    let mut body = match job.body.take() {
        Some(b) => b,
        None => {
            if !pause(job.pause, stop) {
                return End::Stopped;
            }
            if job.deadline.passed() {
                return End::Late;
            }
            let left = job.deadline.remaining().unwrap_or(job.timeout);
            let ask = Ask {
                url: &job.url,
                from: job.from,
                to: Some(job.to),
                if_range: rec.validator(),
                timeout: job.timeout.min(left).max(Duration::from_millis(1)),
            };
            match request::ask(agent, &ask) {
                Answer::Body(b)
                    if b.whole
                        || !same_object(rec, &b.meta)
                        || b.meta.total.is_some_and(|t| t != job.total) =>
                {
                    return End::Changed
                }
                Answer::Body(b) => b,
                Answer::Refused { status, code } => {
                    return End::Refused {
                        status,
                        code,
                        generation: job.generation,
                    }
                }
                Answer::NotSatisfiable => return End::Changed,
                Answer::Retry(e) => return End::Cut(Cut::Failed(e)),
                Answer::Fatal(e) => return End::Fatal(e),
            }
        }
    };
    let mut buf = vec![0u8; BUFFER];
    let mut at = job.from;
    loop {
        if stop.load(Ordering::SeqCst) {
            return End::Stopped;
        }
        if at >= job.to {
            return End::Complete;
        }
        let want = (job.to - at).min(BUFFER as u64) as usize;
        // Fill the buffer before writing it and telling the coordinator (a network read
        // returns what one segment brought, and a write and a message per read would cost
        // more than the bytes), but not for longer than a slow connection should wait.
        let mut filled = 0;
        let mut cut = None;
        let started = Instant::now();
        while filled < want && cut.is_none() && (filled == 0 || started.elapsed() < HAND_ON_AFTER) {
            match body.reader.read(&mut buf[filled..want]) {
                Ok(0) => {
                    cut = Some(End::Cut(Cut::Failed(Error::Transport {
                        kind: TransportKind::Reset,
                        message: format!(
                            "the connection ended at byte {} of the range ending at {}",
                            at + filled as u64,
                            job.to
                        ),
                        sent: true,
                    })))
                }
                Ok(n) => {
                    filled += n;
                    if !job.meter.add(n as u64) || job.deadline.passed() {
                        cut = Some(End::Cut(Cut::Stalled));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let e = job.url.scrub_error(map_read_error(e, u64::MAX));
                    cut = Some(End::Cut(
                        if matches!(e, Error::Timeout { .. }) && job.meter.read_cap().is_some() {
                            Cut::Stalled
                        } else {
                            Cut::Failed(e)
                        },
                    ));
                }
            }
        }
        if filled > 0 {
            if let Err(e) = fileio::write_all_at(file, &buf[..filled], at) {
                return End::Io(e);
            }
            at += filled as u64;
            let _ = tx.send(Event::Progress {
                seg: job.seg,
                bytes: filled as u64,
            });
        }
        if let Some(end) = cut {
            return end;
        }
    }
}

/// Sleep `pause` unless the download is stopped meanwhile (then `false`).
fn pause(pause: Duration, stop: &AtomicBool) -> bool {
    const STEP: Duration = Duration::from_millis(50);
    let mut left = pause;
    while !left.is_zero() {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let nap = left.min(STEP);
        std::thread::sleep(nap);
        left -= nap;
    }
    !stop.load(Ordering::SeqCst)
}

/// Forget a multi-part layout after the object changed.
pub(crate) fn reset(rec: &mut Record) {
    rec.ranges = None;
    rec.etag = None;
    rec.last_modified = None;
    rec.crc64 = None;
}

/// The error counted for a restart.
pub(crate) fn restart_cause() -> Error {
    changed()
}
