//! Typed requests and responses for every action of the TencentDB for MongoDB API (version
//! `2019-07-25`), with the wire envelope, lenient decoding and GET form encoding.
//!
//! This crate does no I/O. It is what a program needs to build a request body, read an answer,
//! or store answers as typed values; `mongodb-client-blocking` sends the requests.
//!
//! - For every action `X`, [`XRequest`](CreateBackupDBInstanceRequest) holds its parameters
//!   (built with `new(required…)` and `with_*` setters) and implements [`Action`];
//!   [`XResponse`](CreateBackupDBInstanceResponse) holds the answer. Every data structure of the
//!   API is here under its spec name ([`ReplicaSetInfo`], [`BackupDownloadTask`], …).
//! - Wire names are the spec's PascalCase names; Rust fields are snake case. Optional members
//!   are `Option` and are left out when `None`.
//! - Answers decode the way the service really behaves: a string member may arrive as a number,
//!   an integer as a string, `null` means absent, and so does `""` in an optional number or
//!   boolean; a `null` inside a list is skipped; members this version does not know are kept in
//!   `unknown_fields` (and written back); enumerations such as [`BackupMethod`] keep values they
//!   do not know in an `Unknown` variant. A number that does not fit its member (`-1` for an
//!   unsigned count, `2^64` for an integer) is an error naming the member, never clamped.
//! - Parameters are strict where the caller is wrong: a member a request does not have is an
//!   error naming it, at any depth (`Tags.0.TagKye`).
//! - [`Action::IDEMPOTENT`], [`ActionInfo::idempotent`] and [`is_idempotent`] give one rule for
//!   which actions are safe to resend; [`PagedAction`] describes the actions that answer page by
//!   page.
//! - [`decode_response`] unwraps `{"Response": …}` and turns an error answer into
//!   [`mongodb_errors::Error::Service`]; [`form`] flattens a request for GET.
//! - [`actions`], [`find_action`] and [`check_request`] work with actions by name, for tools that
//!   take parameters as JSON. Each [`ActionInfo`] carries a one-line `summary`, its request's
//!   `params` and its response's `output`, and each [`ParamInfo`] a one-line `help`: the lines
//!   of the crate's `spec/help.json`, which the generator requires for every action and member.
//! - `Debug` never shows a password or a download link's signature: members whose spec name
//!   ends in `Password` print as `** redacted **`, and download links (names ending in `Url`,
//!   such as `BackupDownloadTask.Url`, which are pre-signed) print as scheme, host and path
//!   with `?** redacted **` in place of the query (the value and its wire form are unchanged).
//!
//! ## Structures on both sides
//!
//! A few structures are sent in parameters and returned in answers (`TagInfo`, `NodeTag`,
//! `Auth`, `Role`, `RolePrivilege`, `RoleResource`). They are one Rust type each, as the spec
//! has one name for each, and behave like answer structures when decoded on their own: members
//! this version does not know go to `unknown_fields`. Where one sits inside a request, the
//! request's decoder checks it after decoding and refuses any unknown member, at any depth,
//! with the same `unknown field` error a request's own members give (and [`check_request`]
//! names it by its full path). So a misspelled member is an error in parameters and is kept in
//! answers, without two types per structure. (Their scalar members decode the answers' way on
//! both sides: a blank `Auth.Mask` is absent rather than an error.)
//!
//! ```
//! use mongodb_models::{
//!     decode_response, encode_request, Action, BackupMethod, CreateBackupDBInstanceRequest,
//!     CreateBackupDBInstanceResponse,
//! };
//!
//! let req = CreateBackupDBInstanceRequest::new("cmgo-ayxpky6l", BackupMethod::Logical)
//!     .with_backup_remark("remarkInfo");
//! assert_eq!(CreateBackupDBInstanceRequest::NAME, "CreateBackupDBInstance");
//! assert_eq!(
//!     encode_request(&req),
//!     br#"{"InstanceId":"cmgo-ayxpky6l","BackupMethod":0,"BackupRemark":"remarkInfo"}"#
//! );
//!
//! // The service documents AsyncRequestId as a string but has sent a number.
//! let body = br#"{"Response": {"AsyncRequestId": 4773,
//!                 "RequestId": "e600a8d0-9014-11ea-84c1-01cccde830c6"}}"#;
//! let env = decode_response::<CreateBackupDBInstanceResponse>(body).unwrap();
//! assert_eq!(env.response.async_request_id.as_deref(), Some("4773"));
//! assert_eq!(env.request_id.as_deref(), Some("e600a8d0-9014-11ea-84c1-01cccde830c6"));
//! ```
#![deny(missing_docs)]

// Modules, bottom-up: the leaves (`action`, `info`, `lenient`, `strict`, `redact`, `form`) use
// nothing of the crate; `typed` uses `action` and `info`; `generated` uses those; `envelope`
// uses `action` and `typed`; `registry` sits on top of `generated`. No module uses one above it.
mod action;
mod envelope;
pub mod form;
mod generated;
mod info;
mod lenient;
mod redact;
mod registry;
mod strict;
mod typed;

pub use action::{Action, PagedAction};
pub use envelope::{decode_response, decode_response_value, encode_request, Envelope};
pub use generated::*;
pub use info::{ActionInfo, ParamInfo, RequestError, RequestErrorKind};
pub use registry::{
    actions, check_request, find_action, is_idempotent, reencode_response, structure_params,
};

/// Re-exported on purpose: `serde_json::Value` and `Map` appear in this crate's API (the
/// `unknown_fields` of answers, [`check_request`], [`decode_response_value`]), so callers can
/// name them without a version of their own to keep in step.
pub use serde_json;

/// The service name used in the endpoint host and the request signature.
pub const SERVICE: &str = "mongodb";

/// The API version these models describe, sent as `X-TC-Version`.
pub const API_VERSION: &str = "2019-07-25";
