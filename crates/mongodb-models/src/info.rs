//! The descriptions the crate gives of its actions and members ([`ActionInfo`], [`ParamInfo`]),
//! and the error of name-based checks ([`RequestError`]). Plain data: the generated tables are
//! made of these, and everything name-based reads them.

use std::fmt;

/// What the crate knows about one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionInfo {
    /// The action's name as sent in `X-TC-Action`, e.g. `CreateBackupDBInstance`.
    pub name: &'static str,
    /// The name in snake case, as the client's method is called: `create_backup_db_instance`.
    pub snake_name: &'static str,
    /// Whether the action only reads, so resending it after an ambiguous failure is safe.
    pub idempotent: bool,
    /// Whether the international site publishes the action too.
    pub intl: bool,
    /// Link to the action's page in the API Explorer.
    pub doc_url: &'static str,
    /// What the action does, in one line (from the crate's `spec/help.json`).
    pub summary: &'static str,
    /// The request's parameters, in the spec's order.
    pub params: &'static [ParamInfo],
    /// The response's members, in the spec's order, without the `RequestId` every answer
    /// carries.
    pub output: &'static [ParamInfo],
}

/// One member of a request or of a structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamInfo {
    /// Wire name, e.g. `BackupSets`.
    pub name: &'static str,
    /// Type as the reference pages write it: `String`, `Integer`, `Float`, `Boolean`,
    /// `Timestamp`, a structure name, or `Array of …`.
    pub type_name: &'static str,
    /// Whether the spec marks the member required (in a request or a request-side structure).
    pub required: bool,
    /// Whether the spec says every answer carries the member (answer-side structures only;
    /// always `false` for request members). Answers still decode without it.
    pub output_required: bool,
    /// The structure the member holds (or holds a list of), if any.
    pub structure: Option<&'static str>,
    /// Known values of an enumerated member, each as `"<value> <meaning>"`; empty otherwise.
    pub values: &'static [&'static str],
    /// What the member means, in one line (from the crate's `spec/help.json`).
    pub help: &'static str,
}

impl ParamInfo {
    /// A phrase for messages: `an Integer (0 logical, 1 physical, 3 snapshot)`.
    pub fn describe(&self) -> String {
        let article = if self.type_name.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        let mut s = format!("{article} {}", self.type_name);
        if !self.values.is_empty() {
            s.push_str(" (");
            s.push_str(&self.values.join(", "));
            s.push(')');
        }
        s
    }
}

/// The kind of a [`RequestError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestErrorKind {
    /// No action has that name.
    UnknownAction,
    /// A required parameter is absent.
    MissingParameter,
    /// A parameter the action does not have.
    UnknownParameter,
    /// A parameter of the wrong JSON type (e.g. text where an integer is expected).
    InvalidType,
    /// A parameter of the right type but an unusable value (e.g. a negative unsigned integer).
    InvalidValue,
}

/// Why [`check_request`](crate::check_request) rejected some parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestError {
    /// What kind of problem it is.
    pub kind: RequestErrorKind,
    /// The parameter concerned, as a dotted path for nested members (`BackupSets.0.ReplicaSetId`).
    pub parameter: Option<String>,
    /// A sentence for people.
    pub message: String,
}

impl RequestError {
    /// Creates an error.
    pub fn new(
        kind: RequestErrorKind,
        parameter: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        RequestError {
            kind,
            parameter,
            message: message.into(),
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

impl From<RequestError> for mongodb_errors::Error {
    fn from(e: RequestError) -> Self {
        mongodb_errors::Error::InvalidInput {
            parameter: e.parameter,
            message: e.message,
        }
    }
}
