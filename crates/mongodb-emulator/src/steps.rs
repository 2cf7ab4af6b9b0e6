//! How long-running work moves through its stages: one stage per poll
//! ([`Progress::PerPoll`]) or one per phase of the clock
//! ([`Progress::Elapsed`]).

use crate::config::Progress;

/// Where a piece of long-running work stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// The stage, or for a backup download task its `Status` (0 waiting, 1
    /// running, 2 done, 3 failed, 4 waiting for retry).
    pub(crate) phase: u8,
    pub(crate) percent: u8,
}

impl Step {
    pub(crate) const QUEUED: Step = Step {
        phase: 0,
        percent: 0,
    };
    pub(crate) const DONE: Step = Step {
        phase: 2,
        percent: 100,
    };
}

/// The stage (`0..=stages`) of an item created at `created_ms` that has been
/// polled `polls` times before this poll; stage `stages` is its end. Stage 1
/// reports a running percentage, the end 100, the others 0.
pub(crate) fn stage(
    progress: Progress,
    created_ms: i64,
    polls: u32,
    now_ms: i64,
    stages: u8,
) -> Step {
    let (stage, running_percent) = match progress {
        Progress::PerPoll => (polls.min(u32::from(stages)) as u8, 50),
        Progress::Elapsed(d) => {
            let phase_ms = d.as_millis().min(i64::MAX as u128) as i64;
            let age = now_ms.saturating_sub(created_ms).max(0);
            if phase_ms == 0 {
                (stages, 100)
            } else {
                let stage = (age / phase_ms).min(i64::from(stages)) as u8;
                let within = (age % phase_ms) * 100 / phase_ms;
                (stage, within.clamp(1, 99) as u8)
            }
        }
    };
    let percent = match stage {
        s if s == stages => 100,
        1 => running_percent,
        _ => 0,
    };
    Step {
        phase: stage,
        percent,
    }
}

/// The usual three stages: 0 queued, 1 running, 2 done.
pub(crate) fn step(progress: Progress, created_ms: i64, polls: u32, now_ms: i64) -> Step {
    stage(progress, created_ms, polls, now_ms, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn per_poll_reports_then_advances() {
        let phases: Vec<u8> = (0..4)
            .map(|p| step(Progress::PerPoll, 0, p, 0).phase)
            .collect();
        assert_eq!(phases, [0, 1, 2, 2]);
        let percents: Vec<u8> = (0..3)
            .map(|p| step(Progress::PerPoll, 0, p, 0).percent)
            .collect();
        assert_eq!(percents, [0, 50, 100]);
        assert_eq!(stage(Progress::PerPoll, 0, 9, 0, 3).phase, 3);
    }

    #[test]
    fn elapsed_phases() {
        let p = Progress::Elapsed(Duration::from_secs(10));
        assert_eq!(step(p, 0, 0, 5_000), Step::QUEUED);
        let mid = step(p, 0, 0, 15_000);
        assert_eq!((mid.phase, mid.percent), (1, 50));
        assert_eq!(step(p, 0, 0, 20_000), Step::DONE);
        assert_eq!(stage(p, 0, 0, 25_000, 3).phase, 2);
        assert_eq!(stage(p, 0, 0, 30_000, 3).phase, 3);
        assert_eq!(step(Progress::Elapsed(Duration::ZERO), 0, 0, 0), Step::DONE);
    }
}
