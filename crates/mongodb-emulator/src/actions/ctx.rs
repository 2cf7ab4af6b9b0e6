//! [`Ctx`]: what an action handler sees. The state of the request's region
//! (locked for the whole request), the emulator's clock and progress mode,
//! and the fault-given end of the work the request starts. Reading is free;
//! anything reached through a `_mut` accessor marks the state changed, so it
//! is saved to the state file after the request.

use mongodb_errors::ErrorCode;

use super::errors;
use crate::faults::EndAs;
use crate::shared::Shared;
use crate::state::effects::Effect;
use crate::state::instance::{status, Instance};
use crate::state::region::Region;
use crate::state::tasks::{Deal, Pace, Task, TaskEnd, TaskKind};
use crate::state::State;
use crate::steps::Step;
use crate::util::{format_compact, ApiError};

/// Which instance statuses an operation accepts (see [`Ctx::instance_mut`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Allow {
    /// Running (status 2) only: the usual rule for anything that changes an
    /// instance or starts work on it.
    Running,
    /// Anything but isolated (creating and processing instances too).
    NotIsolated,
    /// Any status.
    Any,
}

/// What an action handler sees.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    state: &'a mut State,
    region: String,
    /// `host[:port]` the client used to reach us, for download URLs.
    pub(crate) host: String,
    /// The clock, the progress mode and the backup sizes.
    pub(crate) pace: Pace,
    /// How the work this request starts ends, when a fault says so.
    pub(crate) end_as: Option<EndAs>,
    changed: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        shared: &'a Shared,
        state: &'a mut State,
        region: &str,
        host: String,
        pace: Pace,
        end_as: Option<EndAs>,
    ) -> Self {
        state.region_mut(region);
        Ctx {
            shared,
            state,
            region: region.to_owned(),
            host,
            pace,
            end_as,
            changed: false,
        }
    }

    /// Whether anything was reached for writing.
    pub(crate) fn changed(&self) -> bool {
        self.changed
    }

    /// The emulator's clock, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        self.pace.now_ms
    }

    /// The request's region (`X-TC-Region`).
    pub(crate) fn region_name(&self) -> &str {
        &self.region
    }

    /// The request's region.
    pub(crate) fn region(&self) -> &Region {
        self.state
            .region(&self.region)
            .expect("the request's region exists (made in Ctx::new)")
    }

    /// The request's region, for writing.
    pub(crate) fn region_mut(&mut self) -> &mut Region {
        self.changed = true;
        self.state.region_mut(&self.region)
    }

    /// The whole account (every region), for writing: for the few operations
    /// that cross regions.
    pub(crate) fn state_mut(&mut self) -> &mut State {
        self.changed = true;
        self.state
    }

    /// A fresh number (async work, backups, templates, …), unique in the account.
    pub(crate) fn take_id(&mut self) -> u64 {
        self.changed = true;
        self.state.take_id()
    }

    /// The instance `id` of this region, or `InvalidParameterValue.NotFoundInstance`.
    pub(crate) fn instance(&self, id: &str) -> Result<&Instance, ApiError> {
        self.region()
            .instance(id)
            .ok_or_else(|| errors::not_found_instance(id))
    }

    /// The instance `id` of this region if its status is one `allow` accepts;
    /// `InvalidParameterValue.NotFoundInstance` or
    /// `InvalidParameterValue.IllegalInstanceStatus` otherwise.
    pub(crate) fn checked(&self, id: &str, allow: Allow) -> Result<&Instance, ApiError> {
        let instance = self.instance(id)?;
        check_status(instance, allow)?;
        Ok(instance)
    }

    /// [`checked`](Self::checked), for writing.
    pub(crate) fn instance_mut(
        &mut self,
        id: &str,
        allow: Allow,
    ) -> Result<&mut Instance, ApiError> {
        self.checked(id, allow)?;
        self.changed = true;
        let region = self.state.region_mut(&self.region);
        region
            .instance_mut(id)
            .ok_or_else(|| errors::not_found_instance(id))
    }

    /// Starts a piece of asynchronous work concerning `instance_ids` and
    /// returns its id. It ends as the request's [`EndAs`] fault says (paused,
    /// failed or undone: then its effect is not applied), else in success,
    /// when `effect` is applied.
    pub(crate) fn start_task(
        &mut self,
        kind: TaskKind,
        instance_ids: Vec<String>,
        effect: Option<Effect>,
    ) -> u64 {
        self.push_task(kind, instance_ids, effect, None)
    }

    /// Starts a deal (a purchase, renewal or change of size) and returns its
    /// `DealId`; `effect` applies when it is delivered.
    pub(crate) fn start_deal(
        &mut self,
        instance_ids: Vec<String>,
        effect: Option<Effect>,
        action: &str,
        prices: (f64, f64),
    ) -> String {
        let id = self.state.take_id();
        let deal_id = format!("{}{id:08}", format_compact(self.now_ms()));
        let deal = Deal {
            deal_id: deal_id.clone(),
            action: action.to_owned(),
            original_price: prices.0,
            discount_price: prices.1,
        };
        self.push_task_with_id(id, TaskKind::Deal, instance_ids, effect, Some(deal));
        deal_id
    }

    fn push_task(
        &mut self,
        kind: TaskKind,
        instance_ids: Vec<String>,
        effect: Option<Effect>,
        deal: Option<Deal>,
    ) -> u64 {
        let id = self.state.take_id();
        self.push_task_with_id(id, kind, instance_ids, effect, deal);
        id
    }

    fn push_task_with_id(
        &mut self,
        id: u64,
        kind: TaskKind,
        instance_ids: Vec<String>,
        effect: Option<Effect>,
        deal: Option<Deal>,
    ) {
        let end = match self.end_as {
            Some(EndAs::Paused) => Some(TaskEnd::Paused),
            Some(EndAs::Failed) => Some(TaskEnd::Failed),
            Some(EndAs::Undoed) => Some(TaskEnd::Undoed),
            _ => None,
        };
        let task = Task {
            id,
            kind,
            instance_ids,
            created_ms: self.now_ms(),
            polls: 0,
            finished_ms: None,
            end,
            effect,
            deal,
        };
        self.region_mut().tasks.push(task);
    }

    /// One poll of task `idx` of this region by its query action (see
    /// `Region::poll_task`).
    pub(crate) fn poll_task(&mut self, idx: usize) -> Step {
        let pace = self.pace;
        self.region_mut().poll_task(idx, &pace)
    }

    /// A read of instances by their query action polls the work that changes
    /// them (each piece of work once).
    pub(crate) fn poll_instances(&mut self, ids: &[String]) {
        let pace = self.pace;
        if ids
            .iter()
            .any(|id| self.region().pending_for(id).next().is_some())
        {
            self.region_mut().poll_instances(ids, &pace);
        }
    }

    /// Settles the work of this region whose time has come (elapsed progress).
    pub(crate) fn settle_due(&mut self) {
        let pace = self.pace;
        let region = self.state.region_mut(&self.region);
        if region.settle_due(&pace) {
            self.changed = true;
        }
    }
}

/// Whether `instance`'s status is one `allow` accepts.
pub(crate) fn check_status(instance: &Instance, allow: Allow) -> Result<(), ApiError> {
    let s = instance.status;
    let ok = match allow {
        Allow::Running => s == status::RUNNING,
        Allow::NotIsolated => !status::is_isolated(s),
        Allow::Any => true,
    };
    if ok {
        return Ok(());
    }
    let id = &instance.id;
    let message = match allow {
        _ if status::is_isolated(s) => format!(
            "The instance `{id}` is isolated (status {s}); renew it or use a running instance."
        ),
        _ => format!(
            "The instance `{id}` is {} (status {s}); wait until it is running.",
            status::describe(s)
        ),
    };
    Err(ApiError::new(
        ErrorCode::InvalidParameterValueIllegalInstanceStatus,
        message,
    ))
}
