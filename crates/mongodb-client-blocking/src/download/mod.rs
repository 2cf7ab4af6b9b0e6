//! Backup files to disk: resumable, verified, with fresh URLs when the old one expires.
//!
//! Reading order, bottom up: the leaves ([`options`], [`report`] (with the crate's
//! `verified` leaf), `secret`, `record`,
//! `fileio`, `hash`, `meter`, `lock`) know nothing of each other's users; `request` is one
//! GET and what its answer means; `session` holds one download's budgets and URL;
//! `pipeline` and `sequential` fetch over one connection, `parts` over several; `engine`
//! strings them together and `api` is the client's door to it.

mod api;
mod engine;
mod fileio;
mod hash;
mod lock;
mod meter;
mod options;
mod parts;
mod pipeline;
mod record;
mod report;
mod request;
mod secret;
mod sequential;
mod session;

pub(crate) use hash::Hashes;
pub(crate) use options::Settings;
pub use options::{DownloadOptions, DownloadProgress, Resume, DEFAULT_MAX_PARTS, PARTS_THRESHOLD};
pub use record::part_path;
pub use report::DownloadReport;
