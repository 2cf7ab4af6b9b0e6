//! The one table of asynchronous work of a region: async requests
//! (`AsyncRequestId`), flows (`FlowId`), tasks (`TaskId`) and deals (`DealId`).
//! Each moves initial → running → success (one step per poll of the action
//! that queries it, or by the emulator's clock, as [`Progress`] says), or ends
//! paused / failed / undoed when a fault says so. What a task changes when it
//! succeeds is its [`Effect`]; applying it is `settle`'s job.

use serde::{Deserialize, Serialize};

use super::effects::Effect;
use crate::config::Progress;
use crate::steps::{step, Step};

/// How the emulator's time moves for the work of one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pace {
    pub(crate) progress: Progress,
    pub(crate) now_ms: i64,
    /// The range of backup file sizes (for backups a task records).
    pub(crate) sizes: (u64, u64),
}

/// Which kind of id a task was handed out as, and so which action queries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TaskKind {
    /// `AsyncRequestId`, queried by `DescribeAsyncRequestInfo`.
    AsyncRequest,
    /// `FlowId`, queried by `DescribeAsyncRequestInfo` too.
    Flow,
    /// `TaskId`, queried by `DescribeAsyncRequestInfo` too (the service has no
    /// other query for them).
    Task,
    /// `DealId`, queried by `DescribeDBInstanceDeal`.
    Deal,
}

/// An end other than success, when a fault says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TaskEnd {
    Paused,
    Failed,
    Undoed,
}

/// What a deal bought.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Deal {
    /// The `DealId` as handed out.
    pub(crate) deal_id: String,
    /// `purchase`, `renew`, `upgrade`, `downgrade` or `refund`.
    pub(crate) action: String,
    pub(crate) original_price: f64,
    pub(crate) discount_price: f64,
}

/// One piece of asynchronous work.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Task {
    /// The number handed out (as text for async requests).
    pub(crate) id: u64,
    pub(crate) kind: TaskKind,
    /// The instances it concerns (may be empty).
    #[serde(default)]
    pub(crate) instance_ids: Vec<String>,
    pub(crate) created_ms: i64,
    pub(crate) polls: u32,
    /// When it ended: success (its effect applied) or the `end` it was given.
    #[serde(default)]
    pub(crate) finished_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) end: Option<TaskEnd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) effect: Option<Effect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deal: Option<Deal>,
}

impl Task {
    /// Where it stands: phase 0 initial, 1 running, 2 ended.
    pub(crate) fn step(&self, pace: &Pace) -> Step {
        if self.finished_ms.is_some() {
            Step::DONE
        } else {
            step(pace.progress, self.created_ms, self.polls, pace.now_ms)
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished_ms.is_some()
    }

    /// Whether it ended, or will end, in success.
    pub(crate) fn succeeds(&self) -> bool {
        self.end.is_none()
    }

    /// Whether it concerns `instance_id`.
    pub(crate) fn concerns(&self, instance_id: &str) -> bool {
        self.instance_ids.iter().any(|i| i == instance_id)
    }

    /// The `Status` `DescribeAsyncRequestInfo` reports at `step`.
    pub(crate) fn status(&self, step: Step) -> &'static str {
        match (step.phase, self.end) {
            (0, _) => "initial",
            (1, _) => "running",
            (_, None) => "success",
            (_, Some(TaskEnd::Paused)) => "paused",
            (_, Some(TaskEnd::Failed)) => "failed",
            (_, Some(TaskEnd::Undoed)) => "undoed",
        }
    }

    /// The `Status` `DescribeDBInstanceDeal` reports at `step`: 2 paid, 3
    /// delivering, 4 delivered, 5 delivery failed, 6 refunded (an undone deal).
    /// The emulator pays every deal at once, so 1 (unpaid) never shows.
    pub(crate) fn deal_status(&self, step: Step) -> i64 {
        match (step.phase, self.end) {
            (0, _) => 2,
            (1, _) | (_, Some(TaskEnd::Paused)) => 3,
            (_, None) => 4,
            (_, Some(TaskEnd::Failed)) => 5,
            (_, Some(TaskEnd::Undoed)) => 6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_per_poll() {
        let pace = Pace {
            progress: Progress::PerPoll,
            now_ms: 0,
            sizes: (1, 1),
        };
        let mut t = Task {
            id: 1,
            kind: TaskKind::Deal,
            instance_ids: vec!["cmgo-a".into()],
            created_ms: 0,
            polls: 0,
            finished_ms: None,
            end: None,
            effect: None,
            deal: None,
        };
        let seen = |t: &mut Task| -> Vec<(&'static str, i64)> {
            (0..3)
                .map(|p| {
                    t.polls = p;
                    let s = t.step(&pace);
                    (t.status(s), t.deal_status(s))
                })
                .collect()
        };
        assert_eq!(
            seen(&mut t),
            [("initial", 2), ("running", 3), ("success", 4)]
        );
        t.end = Some(TaskEnd::Failed);
        assert_eq!(seen(&mut t)[2], ("failed", 5));
        t.end = Some(TaskEnd::Undoed);
        assert_eq!(seen(&mut t)[2], ("undoed", 6));
        assert!(t.concerns("cmgo-a") && !t.concerns("cmgo-b"));
    }
}
