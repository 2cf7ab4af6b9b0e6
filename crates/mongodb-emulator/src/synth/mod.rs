//! Synthetic observations of an instance: its slow logs, error log, audit
//! log, current operations and client connections, and the files made of
//! them. Everything is a function of the instance (its nodes, databases,
//! users) and of time: the same instance and period give the same entries in
//! every emulator, and filters apply afterwards, so a count, a page and a file
//! of the same period agree.
//!
//! Modules, bottom-up: `view` (what the generators see of an instance, and
//! their shared tools); `slow`, `errorlog`, `audit`, `live` (the generators);
//! `files` (download bodies).

pub(crate) mod audit;
pub(crate) mod errorlog;
pub(crate) mod files;
pub(crate) mod live;
pub(crate) mod slow;
pub(crate) mod view;
