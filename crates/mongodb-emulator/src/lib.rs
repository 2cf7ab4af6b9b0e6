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
//! 3. `DescribeDBBackups` lists the backup, with `Status` 1 while it runs and 2
//!    once it is done;
//! 4. `CreateBackupDownloadTask` prepares one file per replica set or shard;
//! 5. `DescribeBackupDownloadTask` shows each task going `0 → 1 → 2` and finally
//!    carries a pre-signed `Url` that this same server serves (below).
//!
//! `DescribeDBBackups` lists the backups of the `BackupMethod` it is given; without
//! one it lists only logical (0) backups. That is a guess at the service's
//! behaviour, where a caller that doesn't name the method doesn't see its physical
//! backups; callers should always name the method.
//!
//! # The file store
//!
//! Backup files are served the way Tencent COS serves an object through a
//! pre-signed URL:
//!
//! - every answer with file bytes (200, or 206 for `Range: bytes=N-` and
//!   `bytes=N-M`) carries `ETag` (quoted, stable for the object), `Last-Modified`
//!   (the backup's end), `Accept-Ranges: bytes`, `Content-Length` and
//!   `x-cos-hash-crc64ecma`, the decimal CRC-64/XZ of the **whole** object (also
//!   on 206 answers); a range past the end gets 416; `If-Range` with a validator
//!   that is neither the `ETag` nor exactly the `Last-Modified` gets 200 and the
//!   whole object;
//! - a URL is valid for [`EmulatorBuilder::download_url_ttl`] (one hour by
//!   default) of the emulator's clock; an expired, altered or revoked URL gets 403
//!   with `Content-Type: application/xml` and a COS error body
//!   (`<Error><Code>AccessDenied</Code><Message>…</Message>…<RequestId>…</RequestId>…</Error>`),
//!   an unknown object 404 (`NoSuchKey`). Every `DescribeBackupDownloadTask`
//!   answer hands out fresh URLs, so a client that meets a 403 asks again and
//!   continues.
//!
//! Each file is a POSIX tar archive, the same bytes in every emulator for the
//! same instance, backup name, replica set, method and size. A logical backup's
//! archive holds a mongodump-style tree: `<db>/<collection>.bson` (BSON documents)
//! beside `<db>/<collection>.metadata.json`, for a few databases. A physical (or
//! snapshot) backup's archive holds a data-directory-like tree (WiredTiger files,
//! `storage.bson`, a journal). **The real service's archive layout may differ**:
//! these archives are realistic enough to parse and check, not a copy of what
//! TencentDB produces. Their length is `BackupDownloadTask.BackupSize` exactly.
//!
//! The files of log download tasks (`DescribeLogDownloadTasks`) and audit log
//! files (`DescribeAuditLogFiles`) come from the same store, at
//! `/logfile/<id>/<name>`, with the same headers, ranges, URL rules and download
//! faults: text (log lines, or CSV) made from the instance's logs.
//!
//! # Logs
//!
//! Slow logs, the error log and audit logs are generated, not recorded: a few
//! entries a minute, a function of the instance (its nodes, its databases and
//! collections, its users and client hosts) and of the minute, so every
//! emulator gives the same lines for the same instance and period. Filters,
//! paging and statistics apply to those lines (`DescribeSlowLogPatterns`
//! aggregates exactly what `DescribeSlowLogs` lists). Logs reach back 7 days,
//! audit logs to when the audit was switched on. `DescribeCurrentOp` lists the
//! operations under way at the emulator's clock, `KillOps` ends them, and
//! `DescribeDBInstanceNamespace` lists the instance's databases and
//! collections, drawn the way logical backup archives draw theirs, from the
//! instance alone (the archive of one backup holds a pick of its own).
//!
//! # Instances, regions and asynchronous work
//!
//! The state is kept per region: a request sees the region its `X-TC-Region`
//! names (`ap-guangzhou` when it names none) and nothing of the others. An
//! instance can be bought (`CreateDBInstanceHour`, or `CreateDBInstance` for
//! prepaid months) in the zones, machine types, versions and sizes
//! `DescribeSpecInfo` lists, and nothing else: both answer from one catalog. A
//! purchase is a deal (`DescribeDBInstanceDeal`) that turns the new instances,
//! already listed with their replica sets or shards while being created, into
//! running ones. Instances are renamed, moved between projects, protected from
//! deletion, renewed, priced (`InquirePrice*`), isolated (then backups are
//! refused with `InvalidParameterValue.IllegalInstanceStatus`) and taken
//! offline (then they are gone). Async requests, flows, task ids and deals are
//! one table of work, each going `initial → running → success` per poll or by
//! the clock, or ending as an [`EndAs`] fault says.
//!
//! A running instance changes size through a deal (`ModifyDBInstanceSpec`,
//! priced as `InquirePriceModifyDBInstanceSpec` quotes; the instance is
//! processing until it is delivered, then its new size, shards and nodes
//! show), moves its nodes to other zones, upgrades its engine, moves to
//! another network address, opens public access, scales CPU, restarts nodes,
//! and keeps a maintenance window and an SRV URL: each change is a flow or a
//! deal whose change shows in later reads when it succeeds.
//!
//! [`modelled_actions`] lists the actions answered from the state: all 97 of
//! the API. An action the models know but the emulator didn't model would be
//! checked (signature, parameters) and answered with `UnsupportedOperation`
//! naming it, never with a made-up success. Where the published record is silent the emulator guesses,
//! and says so where it does: prices come from a formula of its own; a deal is
//! paid at once; a purchase whose deal fails is removed; node ids are
//! `<replica set>-node-primary`, `…-node-slave<N>`.
//!
//! Two instances exist from the start, in `ap-guangzhou`: `cmgo-demo0001`, a
//! replica set whose only set is `cmgo-demo0001_0`, and `cmgo-demo0002`, a
//! sharded cluster with shards `cmgo-demo0002_0` and `cmgo-demo0002_1`. Each
//! already has one automatic logical backup.
//!
//! For tests the emulator can be made deterministic ([`Progress::PerPoll`] moves
//! state one step per poll instead of by the clock), its clock can be skewed
//! ([`EmulatorBuilder::clock_offset_secs`]), its rate limit tuned, and faults can be
//! injected per action at run time ([`EmulatorHandle::inject`], [`Fault`]):
//! failures of the API, of the file store (a corrupted byte, a trickle, a stall,
//! expired URLs, 403), and asynchronous work that ends `paused`, `failed` or
//! `undoed`, or download tasks that fail or wait for a retry ([`Fault::EndAs`]).
//! It counts what it has seen ([`EmulatorHandle::stats`]). With
//! [`EmulatorBuilder::state_file`] the state survives restarts.
//!
//! # The control plane
//!
//! The same levers, for programs in any language: JSON under `/_emulator/` on the emulator's
//! own address. [`EmulatorHandle`]'s methods and these routes run the same operations.
//!
//! ```text
//! E=http://127.0.0.1:8080/_emulator
//! curl -s -X POST $E/reset                  # seeded state, no faults, clock and progress as at start
//! curl -s $E/state > state.json             # GET / PUT state: the --state file's format
//! curl -s -X PUT $E/state --data-binary @state.json
//! curl -s -X POST $E/instances -d '{"instance_id": "cmgo-test0001", "sharded": true, "shards": 3}'
//! curl -s -X POST $E/faults -d '{"key": "CreateBackupDBInstance", "fault": {"kind": "error", "code": "InternalError"}, "times": 2}'
//! curl -s -X DELETE "$E/faults?key=CreateBackupDBInstance"     # without ?key=: every fault
//! curl -s -X POST $E/clock -d '{"offset_secs": 3600}'          # or {"advance_secs": 60}
//! curl -s -X POST $E/progress -d '{"mode": "per_poll"}'        # or {"mode": "elapsed", "phase_ms": 1500}
//! curl -s -X POST $E/progress -d '{"advance": 2}'              # every unfinished task two steps on
//! curl -s $E/requests                       # requests seen: action, method, region, secret id, status, error code
//! ```
//!
//! Faults, instance specs and progress modes have the JSON form of their `serde`
//! implementations ([`Fault`]: `{"kind": "latency", "ms": 250}`, …). Control requests are not
//! counted, rate-limited or faulted. The control plane is open only while the emulator listens
//! on loopback; on any other address it demands `Authorization: Bearer <token>` with the token
//! of [`EmulatorBuilder::control_token`] (compared in constant time), and
//! [`EmulatorBuilder::start`] refuses to listen there without one. The crate's README lists
//! every operation with its bodies.
//!
//! # Accounts and the official SDKs
//!
//! Every official Tencent Cloud SDK works unchanged: several accounts
//! ([`EmulatorBuilder::account`]; an unknown secret id gets `AuthFailure.SecretIdNotFound`),
//! session tokens ([`EmulatorBuilder::account_with_token`]; `AuthFailure.TokenFailure` when
//! missing or wrong), any TC3 `SignedHeaders` list with `content-type` and `host`, the host
//! signed with or without its port, a credential scope naming `mongodb` or the first label of
//! the host (the Node.js and Java SDKs derive the service from their endpoint, so they sign
//! `127` for `127.0.0.1:8080`), and the legacy HmacSHA1/HmacSHA256 signatures by GET or
//! form-encoded POST.
//!
//! The HTTP/1.1 connection handling (one thread per connection, keep-alive,
//! limits, request bodies) is the emulator's own, on `std::net`, because the
//! faults need the raw socket: closing without an answer, announcing a
//! `Content-Length` and then cutting the body short, dropping a download after
//! a given number of bytes, trickling it. Request heads are parsed by `httparse`.
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

mod access;
mod actions;
mod api;
mod archive;
mod auth;
mod builder;
mod catalog;
mod config;
mod control;
mod cos;
mod dispatch;
mod download;
mod faults;
mod handle;
mod http;
mod inject;
mod logfile;
mod object;
mod observe;
mod persist;
mod presign;
mod ratelimit;
mod reqlog;
mod server;
mod shared;
mod shared_control;
mod spec;
mod state;
mod stats;
mod steps;
mod synth;
mod util;

pub use builder::{Emulator, EmulatorBuilder};
pub use config::{
    Progress, ANY_ACTION, API_VERSION, DEFAULT_DOWNLOAD_URL_TTL, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_RATE_LIMIT, DEMO_SECRET_ID, DEMO_SECRET_KEY, DOWNLOAD_FAULT_KEY,
};
pub use faults::{EndAs, Fault};
pub use handle::EmulatorHandle;
pub use reqlog::{RequestKind, SeenRequest};
pub use spec::InstanceSpec;
pub use stats::Stats;

/// The actions this emulator models (answers from its state), sorted: every
/// one of the API's 97. Should the API gain an action the emulator doesn't
/// model yet, it is checked and then answered with `UnsupportedOperation`
/// naming it, never with a made-up success.
///
/// ```
/// let modelled = mongodb_emulator::modelled_actions();
/// assert_eq!(modelled.len(), 97);
/// assert!(modelled.contains(&"CreateBackupDBInstance"));
/// assert!(modelled.contains(&"CreateDBInstanceHour"));
/// ```
pub fn modelled_actions() -> Vec<&'static str> {
    actions::modelled()
}
