//! What the control plane does to the shared state, as small functions on [`Shared`]:
//! replace the state (reset, load), show it (dump), and move long-running work on.

use std::time::Duration;

use serde_json::Value;

use crate::config::Progress;
use crate::shared::Shared;
use crate::state::tasks::Pace;
use crate::state::State;

impl Shared {
    /// Replaces the whole state (saved to the state file, if any); returns the instance ids
    /// it holds, in every region.
    pub(crate) fn replace_state(&self, state: State) -> Vec<String> {
        self.with_state(|s| {
            *s = state;
            (instance_ids(s), true)
        })
    }

    /// The state as JSON, exactly as the state file holds it.
    pub(crate) fn state_json(&self) -> Value {
        self.with_state(|s| (serde_json::to_value(&*s).unwrap_or(Value::Null), false))
    }

    /// Moves every unfinished task (async requests, flows, deals), backup download task, log
    /// download task and audit log file of every region `steps` steps on, as `steps` polls would (per-poll progress) or
    /// `steps` phases of the clock (elapsed progress); work that reaches its end is settled
    /// at once (its effect applied). Returns how many items moved.
    pub(crate) fn advance_work(&self, steps: u32) -> usize {
        let pace = Pace {
            progress: self.progress(),
            now_ms: self.now_ms(),
            sizes: self.sizes,
        };
        let shift = |created_ms: &mut i64, polls: &mut u32| match pace.progress {
            Progress::PerPoll => *polls = polls.saturating_add(steps),
            Progress::Elapsed(phase) => {
                let back = phase_ms(phase).saturating_mul(i64::from(steps));
                *created_ms = created_ms.saturating_sub(back);
            }
        };
        self.with_state(|s| {
            let mut moved = 0;
            for region in s.regions.values_mut() {
                for t in region.tasks.iter_mut().filter(|t| !t.is_finished()) {
                    shift(&mut t.created_ms, &mut t.polls);
                    moved += 1;
                }
                for t in region.download_tasks.iter_mut() {
                    if t.finished_ms.is_none() {
                        shift(&mut t.created_ms, &mut t.polls);
                        moved += 1;
                    }
                }
                for instance in region.instances.iter_mut() {
                    moved += instance.logs.advance(steps, pace.progress);
                }
                region.settle_reached(&pace);
            }
            (moved, moved > 0)
        })
    }
}

/// The ids of every instance of every region.
fn instance_ids(s: &State) -> Vec<String> {
    s.regions
        .values()
        .flat_map(|r| r.instances.iter().map(|i| i.id.clone()))
        .collect()
}

fn phase_ms(phase: Duration) -> i64 {
    i64::try_from(phase.as_millis()).unwrap_or(i64::MAX)
}

/// A state from its JSON (the state file's format, current or first layout), or why it is
/// not one.
pub(crate) fn parse_state(value: Value) -> Result<State, String> {
    let bytes = serde_json::to_vec(&value).map_err(|e| format!("not an emulator state: {e}"))?;
    State::from_json(&bytes).map_err(|e| format!("not an emulator state: {e}"))
}
