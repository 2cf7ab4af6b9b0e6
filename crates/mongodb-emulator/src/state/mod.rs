//! The emulated account, region by region, as plain data that serialises to
//! the state file, and the rules that move asynchronous work forward.
//!
//! Modules, bottom-up: `backups`, `features`, `accounts`, `logs`, `audit`,
//! `operations` (one per family, leaves); `instance` (uses the family
//! structs); `changes` (what instance operations change); `effects`; `tasks`;
//! `region`; `settle` (moves tasks and applies their effects); `root` (the
//! whole account) with `legacy` (the first file layout). None uses one above it.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod backups;
pub(crate) mod changes;
pub(crate) mod effects;
pub(crate) mod features;
pub(crate) mod instance;
mod legacy;
pub(crate) mod logs;
pub(crate) mod operations;
pub(crate) mod region;
mod root;
mod settle;
pub(crate) mod tasks;

pub(crate) use root::State;
