//! A local, stateful stand-in for the TencentDB for MongoDB API (version `2019-07-25`).
//!
//! The emulator is an HTTP server that runs inside your process (or behind
//! `tcmongo emulator`) and answers the same wire protocol as
//! `mongodb.tencentcloudapi.com`: TC3-HMAC-SHA256 signed POST (JSON) and GET
//! (query string) requests, `{"Response": …}` envelopes, the platform's error codes.
//! Point a client at [`EmulatorHandle::url`] with the credentials from
//! [`EmulatorHandle::credentials`] and it can run the backup workflow end to end
//! without a cloud account:
//!
//! 1. `CreateBackupDBInstance` starts a backup and returns an async request id;
//! 2. `DescribeAsyncRequestInfo` reports it going `initial → running → success`;
//! 3. `DescribeDBBackups` then lists the new backup;
//! 4. `CreateBackupDownloadTask` prepares one file per replica set or shard;
//! 5. `DescribeBackupDownloadTask` shows each task going `0 → 1 → 2` and finally
//!    carries a `Url` that this same server serves, with deterministic bytes and
//!    support for `Range` requests.
//!
//! `DescribeDBInstances` reads the same state. Every other action of the API is
//! recognised and checked (signature, parameters) and then answered with
//! `UnsupportedOperation` naming the action, never with a made-up success.
//!
//! Two instances exist from the start: `cmgo-demo0001`, a replica set whose only
//! set is `cmgo-demo0001_0`, and `cmgo-demo0002`, a sharded cluster with shards
//! `cmgo-demo0002_0` and `cmgo-demo0002_1`. Each already has one automatic backup.
//!
//! For tests the emulator can be made deterministic ([`Progress::PerPoll`] moves
//! state one step per poll instead of by the clock), its clock can be skewed
//! ([`EmulatorBuilder::clock_offset_secs`]), its rate limit tuned, and faults can be
//! injected per action at run time ([`EmulatorHandle::inject`], [`Fault`]). It
//! counts what it has seen ([`EmulatorHandle::stats`]). With
//! [`EmulatorBuilder::state_file`] the state survives restarts.
//!
//! The HTTP/1.1 connection handling (one thread per connection, keep-alive,
//! limits, request bodies) is the emulator's own, on `std::net`, because the
//! faults need the raw socket: closing without an answer, announcing a
//! `Content-Length` and then cutting the body short, dropping a download after
//! a given number of bytes. Request heads are parsed by `httparse`.
//!
//! # Example
//!
//! ```
//! use mongodb_emulator::{Emulator, Progress};
//!
//! let emulator = Emulator::builder().progress(Progress::PerPoll).start()?;
//! println!("emulator listening at {}", emulator.url());
//! println!("secret id: {}", emulator.secret_id());
//! assert!(emulator.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(emulator.request_count("DescribeDBInstances"), 0);
//! emulator.stop(); // dropping the handle stops it too
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod actions;
mod api;
mod auth;
mod builder;
mod config;
mod dispatch;
mod download;
mod faults;
mod handle;
mod http;
mod inject;
mod persist;
mod ratelimit;
mod server;
mod shared;
mod spec;
mod state;
mod stats;
mod util;

pub use builder::{Emulator, EmulatorBuilder};
pub use config::{
    Progress, ANY_ACTION, API_VERSION, DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT, DEMO_SECRET_ID,
    DEMO_SECRET_KEY, DOWNLOAD_FAULT_KEY,
};
pub use faults::Fault;
pub use handle::EmulatorHandle;
pub use spec::InstanceSpec;
pub use stats::Stats;
