//! What the control plane does to the shared state, as small functions on [`Shared`]:
//! replace the state (reset, load), show it (dump), and move long-running work on.

use std::time::Duration;

use serde_json::Value;

use crate::config::Progress;
use crate::shared::Shared;
use crate::state::{State, STATE_FORMAT};

impl Shared {
    /// Replaces the whole state (saved to the state file, if any); returns the instance ids
    /// it holds.
    pub(crate) fn replace_state(&self, state: State) -> Vec<String> {
        self.with_state(|s| {
            *s = state;
            (s.instances.iter().map(|i| i.id.clone()).collect(), true)
        })
    }

    /// The state as JSON, exactly as the state file holds it.
    pub(crate) fn state_json(&self) -> Value {
        self.with_state(|s| (serde_json::to_value(&*s).unwrap_or(Value::Null), false))
    }

    /// Moves every unfinished async request and backup download task `steps` steps on, as
    /// `steps` polls would (per-poll progress) or `steps` phases of the clock (elapsed
    /// progress); a backup whose request reaches its end is recorded at once. Returns how
    /// many items moved.
    pub(crate) fn advance_work(&self, steps: u32) -> usize {
        let progress = self.progress();
        let now = self.now_ms();
        let sizes = self.sizes;
        let shift = |created_ms: &mut i64, polls: &mut u32| match progress {
            Progress::PerPoll => *polls = polls.saturating_add(steps),
            Progress::Elapsed(phase) => {
                let back = phase_ms(phase).saturating_mul(i64::from(steps));
                *created_ms = created_ms.saturating_sub(back);
            }
        };
        self.with_state(|s| {
            let mut moved = 0;
            for r in s.async_requests.iter_mut() {
                if r.finished_ms.is_none() {
                    shift(&mut r.created_ms, &mut r.polls);
                    moved += 1;
                }
            }
            for t in s.tasks.iter_mut() {
                if t.finished_ms.is_none() {
                    shift(&mut t.created_ms, &mut t.polls);
                    moved += 1;
                }
            }
            for idx in 0..s.async_requests.len() {
                if s.async_requests[idx].finished_ms.is_none() {
                    let step = s.async_requests[idx].step(progress, now);
                    s.settle_async(idx, step, now, sizes);
                }
            }
            (moved, moved > 0)
        })
    }
}

fn phase_ms(phase: Duration) -> i64 {
    i64::try_from(phase.as_millis()).unwrap_or(i64::MAX)
}

/// A state from its JSON (the state file's format), or why it is not one.
pub(crate) fn parse_state(value: Value) -> Result<State, String> {
    let state: State =
        serde_json::from_value(value).map_err(|e| format!("not an emulator state: {e}"))?;
    if state.format != STATE_FORMAT {
        return Err(format!(
            "the state has format {}, this emulator reads format {STATE_FORMAT}",
            state.format
        ));
    }
    Ok(state)
}
