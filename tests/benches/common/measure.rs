//! The measurement loop of the ratio benches: our code against its floor, interleaved.
//!
//! Shared machines are noisy, and the noise moves: a build that starts on the other core slows
//! whatever runs at that moment. Measuring ours for a few seconds and then the floor for a few
//! seconds lets such a shift land on one side only, and the ratio moves with it. So the two are
//! measured in alternation, in short rounds:
//!
//! 1. Warm-up: both functions run, alternately, in batches that double until a batch takes the
//!    target batch time; this also estimates how long one call of each takes.
//! 2. Each side gets a batch size (calls per batch) that makes one batch last about the target
//!    batch time (at least one call).
//! 3. Rounds: one batch of ours and one of the floor, in alternating order (ours first in even
//!    rounds, floor first in odd ones), until the measurement time is spent (and at least
//!    `MIN_ROUNDS` rounds). Each round gives a time per call of each side and their ratio.
//! 4. The result is the median of the per-round ratios, with its spread (quartiles, min, max),
//!    and the median time per call of each side.
//!
//! A load that comes and goes within seconds touches both batches of a round alike, so the
//! per-round ratio stays put, and the median discards the rounds a burst hit in the middle.
//! Inputs and outputs go through `std::hint::black_box` so that no call is optimized away.
//!
//! Which clock times a batch is the bench's choice ([`Clock`]). Single-threaded CPU work (signing,
//! decoding) is timed by the calling thread's CPU clock, and work shared with other threads of
//! the process (a request to an in-process server over loopback) by the process's CPU clock:
//! the time spent waiting for a core on a busy machine isn't counted at all. Work that waits on
//! something outside the process (a disk, a remote server) needs the wall clock.
//!
//! Work where one call takes seconds (a download) needs no batches: [`rotate`] runs each side
//! once per round, rotating which goes first, and each call times itself.
//!
//! Without `--bench` on the command line (as `cargo test --benches` runs it) each function runs
//! once and nothing is written. `MONGODB_SDK_BENCH_QUICK` shortens the run;
//! `MONGODB_SDK_BENCH_OUT` names the folder where `<metric>.json` is written.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Rounds to run at least, however long a round takes.
const MIN_ROUNDS: usize = 15;
/// Rounds to run at most, however short a round is.
const MAX_ROUNDS: usize = 100_000;

/// What times a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // reason: each bench binary includes this file and uses one of them
pub enum Clock {
    /// Wall time: for work that waits on something outside the process (a disk, the network).
    Wall,
    /// CPU time of the calling thread: for single-threaded CPU work. Where the platform has no
    /// such clock, wall time.
    ThreadCpu,
    /// CPU time of the whole process, every thread: for work shared with threads of the same
    /// process (a client and an in-process server). Where the platform has no such clock, wall
    /// time.
    ProcessCpu,
}

impl Clock {
    /// The clock's reading, from an arbitrary start.
    fn now(self) -> Duration {
        match self {
            #[cfg(unix)]
            Clock::ThreadCpu | Clock::ProcessCpu => {
                use rustix::time::{clock_gettime, ClockId};
                let id = match self {
                    Clock::ThreadCpu => ClockId::ThreadCPUTime,
                    _ => ClockId::ProcessCPUTime,
                };
                let t = clock_gettime(id);
                Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
            }
            _ => {
                static START: OnceLock<Instant> = OnceLock::new();
                START.get_or_init(Instant::now).elapsed()
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Clock::Wall => "wall",
            Clock::ThreadCpu if cfg!(unix) => "thread_cpu",
            Clock::ProcessCpu if cfg!(unix) => "process_cpu",
            Clock::ThreadCpu | Clock::ProcessCpu => "wall",
        }
    }
}

/// How long each phase lasts.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub warm_up: Duration,
    pub measure: Duration,
    /// The target duration of one batch.
    pub batch: Duration,
}

impl Settings {
    /// The quick or the full settings, from `MONGODB_SDK_BENCH_QUICK`.
    pub fn from_env() -> Settings {
        if std::env::var_os("MONGODB_SDK_BENCH_QUICK").is_some() {
            Settings {
                warm_up: Duration::from_millis(500),
                measure: Duration::from_secs(3),
                batch: Duration::from_millis(2),
            }
        } else {
            Settings {
                warm_up: Duration::from_secs(2),
                measure: Duration::from_secs(10),
                batch: Duration::from_millis(5),
            }
        }
    }
}

/// What the rounds gave.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Median time of one call of ours, in nanoseconds.
    pub ours_ns: f64,
    /// Median time of one call of the floor, in nanoseconds.
    pub floor_ns: f64,
    /// The per-round ratios ours / floor, sorted.
    pub ratios: Vec<f64>,
    /// Calls per batch of each side.
    pub batch_ours: u64,
    pub batch_floor: u64,
    pub clock: Clock,
    /// Wall time of the whole measurement, warm-up included.
    pub elapsed: Duration,
}

impl Comparison {
    /// The `q` quantile (0 to 1) of the per-round ratios, interpolated.
    pub fn ratio_quantile(&self, q: f64) -> f64 {
        quantile(&self.ratios, q)
    }

    /// The JSON object `cargo xtask bench` reads.
    pub fn to_json(&self) -> serde_json::Value {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        serde_json::json!({
            "ours_ns": r(self.ours_ns),
            "floor_ns": r(self.floor_ns),
            "ratio": r(self.ratio_quantile(0.5)),
            "ratio_q1": r(self.ratio_quantile(0.25)),
            "ratio_q3": r(self.ratio_quantile(0.75)),
            "ratio_min": r(self.ratio_quantile(0.0)),
            "ratio_max": r(self.ratio_quantile(1.0)),
            "rounds": self.ratios.len(),
            "batch_ours": self.batch_ours,
            "batch_floor": self.batch_floor,
            "clock": self.clock.name(),
            "seconds": r(self.elapsed.as_secs_f64()),
        })
    }
}

/// Measures `ours` against `floor` as the module doc says, prints one line and, when asked
/// to (`--bench` and `MONGODB_SDK_BENCH_OUT`), writes `{"<metric>": {...}}` to `<metric>.json`.
pub fn compare<A, B>(
    metric: &str,
    clock: Clock,
    mut ours: impl FnMut() -> A,
    mut floor: impl FnMut() -> B,
) {
    if !std::env::args().any(|a| a == "--bench") {
        black_box(ours());
        black_box(floor());
        println!("{metric}: smoke run (pass --bench to measure)");
        return;
    }
    let c = measure(Settings::from_env(), clock, &mut ours, &mut floor);
    println!(
        "{metric}: ours {:.1} ns, floor {:.1} ns, ratio {:.3} (quartiles {:.3}..{:.3}, \
         min {:.3}, max {:.3}; {} rounds of {} + {} calls, {} clock)",
        c.ours_ns,
        c.floor_ns,
        c.ratio_quantile(0.5),
        c.ratio_quantile(0.25),
        c.ratio_quantile(0.75),
        c.ratio_quantile(0.0),
        c.ratio_quantile(1.0),
        c.ratios.len(),
        c.batch_ours,
        c.batch_floor,
        c.clock.name(),
    );
    if let Some(dir) = std::env::var_os("MONGODB_SDK_BENCH_OUT") {
        let path = std::path::Path::new(&dir).join(format!("{metric}.json"));
        let doc = serde_json::json!({ metric: c.to_json() });
        let text = serde_json::to_string_pretty(&doc).expect("a Value always serializes");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// The rounds themselves.
pub fn measure<A, B>(
    settings: Settings,
    clock: Clock,
    ours: &mut impl FnMut() -> A,
    floor: &mut impl FnMut() -> B,
) -> Comparison {
    let started = Instant::now();

    // 1. Warm-up, and an estimate of one call of each.
    let (mut ours_time, mut ours_calls) = (Duration::ZERO, 0u64);
    let (mut floor_time, mut floor_calls) = (Duration::ZERO, 0u64);
    let mut n = 1u64;
    while started.elapsed() < settings.warm_up || ours_calls == 0 {
        let a = batch(clock, ours, n);
        let b = batch(clock, floor, n);
        ours_time += a;
        floor_time += b;
        ours_calls += n;
        floor_calls += n;
        if a.max(b) < settings.batch {
            n *= 2;
        }
    }
    let per_call = |time: Duration, calls: u64| time.as_secs_f64() / calls as f64;
    let size = |time: Duration, calls: u64| {
        ((settings.batch.as_secs_f64() / per_call(time, calls).max(1e-9)).round() as u64).max(1)
    };
    let batch_ours = size(ours_time, ours_calls);
    let batch_floor = size(floor_time, floor_calls);

    // 2. Rounds, alternating which side goes first.
    let mut ours_ns = Vec::new();
    let mut floor_ns = Vec::new();
    let mut ratios = Vec::new();
    let measuring = Instant::now();
    while (measuring.elapsed() < settings.measure || ratios.len() < MIN_ROUNDS)
        && ratios.len() < MAX_ROUNDS
    {
        let (a, b) = if ratios.len() % 2 == 0 {
            let a = batch(clock, ours, batch_ours);
            (a, batch(clock, floor, batch_floor))
        } else {
            let b = batch(clock, floor, batch_floor);
            (batch(clock, ours, batch_ours), b)
        };
        let a = a.as_nanos() as f64 / batch_ours as f64;
        let b = b.as_nanos() as f64 / batch_floor as f64;
        ours_ns.push(a);
        floor_ns.push(b);
        ratios.push(a / b.max(f64::MIN_POSITIVE));
    }
    sort(&mut ours_ns);
    sort(&mut floor_ns);
    sort(&mut ratios);
    Comparison {
        ours_ns: quantile(&ours_ns, 0.5),
        floor_ns: quantile(&floor_ns, 0.5),
        ratios,
        batch_ours,
        batch_floor,
        clock,
        elapsed: started.elapsed(),
    }
}

/// Runs each of `sides` sides once per round (`call(side)`), `rounds` times, rotating which
/// goes first: round `r` starts with side `r % sides` and goes on in order, wrapping around
/// (with two sides: 0 1, 1 0, 0 1, …). For work where one call already takes long enough to be
/// timed on its own (a download takes seconds), so a batch is one call and each call times
/// itself. Returns what the calls returned, per side, in round order.
#[allow(dead_code)] // reason: only the benches whose calls take seconds use it
pub fn rotate<T>(rounds: usize, sides: usize, mut call: impl FnMut(usize) -> T) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..sides).map(|_| Vec::with_capacity(rounds)).collect();
    for round in 0..rounds {
        for i in 0..sides {
            let side = (round + i) % sides;
            out[side].push(call(side));
        }
    }
    out
}

/// Runs `f` `n` times; returns how long that took by `clock`.
fn batch<T>(clock: Clock, f: &mut impl FnMut() -> T, n: u64) -> Duration {
    let start = clock.now();
    for _ in 0..n {
        black_box(f());
    }
    clock.now().saturating_sub(start)
}

fn sort(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
}

/// The `q` quantile of sorted values, linearly interpolated; NaN when there are none.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}
