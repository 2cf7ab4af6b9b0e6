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
//!   an integer as a string, `null` means absent, unknown members are ignored, and enumerations
//!   such as [`BackupMethod`] keep values they do not know in an `Unknown` variant.
//! - [`decode_response`] unwraps `{"Response": …}` and turns an error answer into
//!   [`mongodb_errors::Error::Service`]; [`form`] flattens a request for GET.
//! - [`actions`], [`find_action`] and [`check_request`] work with actions by name, for tools that
//!   take parameters as JSON.
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

mod envelope;
pub mod form;
mod generated;
mod lenient;
mod registry;

pub use envelope::{decode_response, decode_response_value, encode_request, Envelope};
pub use generated::*;
pub use registry::{
    actions, check_request, find_action, reencode_response, structure_params, ActionInfo,
    ParamInfo, RequestError, RequestErrorKind,
};

/// Re-exported on purpose: `serde_json::Value` and `Map` appear in this crate's API (the
/// `unknown_fields` of answers, [`check_request`], [`decode_response_value`]), so callers can
/// name them without a version of their own to keep in step.
pub use serde_json;

/// The service name used in the endpoint host and the request signature.
pub const SERVICE: &str = "mongodb";

/// The API version these models describe, sent as `X-TC-Version`.
pub const API_VERSION: &str = "2019-07-25";

/// A request of one API action: what the client needs to send it and read its answer.
///
/// Every generated `XRequest` implements it. The client sends `NAME` as `X-TC-Action`,
/// encodes the request with [`encode_request`] (or [`form::encode`] for GET) and decodes the
/// answer into `Response` with [`decode_response`].
pub trait Action:
    serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Clone + Send + Sync + 'static
{
    /// The action's name, e.g. `CreateBackupDBInstance`.
    const NAME: &'static str;
    /// Whether the action only reads, so resending it after an ambiguous network failure cannot
    /// change anything twice. Retry policies read this.
    const IDEMPOTENT: bool;
    /// The type of the action's answer.
    type Response: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug + Send + 'static;
}
