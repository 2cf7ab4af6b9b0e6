//! Name-based access to the actions: the table of actions and their parameters, lookup by a
//! loosely written name, and validation of JSON parameters against the typed requests.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::generated::registry::{check_by_name, reencode_response_by_name, ACTIONS, STRUCTURES};
use crate::Action;

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
    /// The request's parameters, in the spec's order.
    pub params: &'static [ParamInfo],
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
    /// Whether the spec marks the member required.
    pub required: bool,
    /// The structure the member holds (or holds a list of), if any.
    pub structure: Option<&'static str>,
    /// Known values of an enumerated member, each as `"<value> <meaning>"`; empty otherwise.
    pub values: &'static [&'static str],
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

/// Every action the crate knows, sorted by name.
pub fn actions() -> &'static [ActionInfo] {
    ACTIONS
}

fn normalize(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
}

/// Finds an action by name, ignoring case, `-` and `_`: `create-backup-db-instance`,
/// `create_backup_db_instance` and `CreateBackupDBInstance` all find the same action.
pub fn find_action(name: &str) -> Option<&'static ActionInfo> {
    if let Ok(i) = ACTIONS.binary_search_by(|a| a.name.cmp(name)) {
        return Some(&ACTIONS[i]);
    }
    ACTIONS
        .iter()
        .find(|a| normalize(a.name).eq(normalize(name)))
}

/// The members of a structure (or of a request or response) by its spec name.
pub fn structure_params(name: &str) -> Option<&'static [ParamInfo]> {
    STRUCTURES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| STRUCTURES[i].1)
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

/// Why [`check_request`] rejected some parameters.
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

/// Checks JSON parameters against an action's typed request and returns them in canonical form.
///
/// `action` is matched like [`find_action`]. The parameters are decoded into the action's
/// request type — names strictly (an unknown or missing parameter is an error naming it), scalars
/// leniently (`"2"` for an integer is fine) — and encoded again, so the result carries every
/// value in its documented type.
///
/// ```
/// use mongodb_models::{check_request, RequestErrorKind};
/// use serde_json::json;
///
/// let ok = check_request("create-backup-db-instance",
///     &json!({"InstanceId": "cmgo-demo0001", "BackupMethod": "1"})).unwrap();
/// assert_eq!(ok, json!({"InstanceId": "cmgo-demo0001", "BackupMethod": 1}));
///
/// let err = check_request("CreateBackupDBInstance", &json!({"InstanceId": "x", "BackupMethod": 0, "Foo": 1}))
///     .unwrap_err();
/// assert_eq!(err.kind, RequestErrorKind::UnknownParameter);
/// assert_eq!(err.parameter.as_deref(), Some("Foo"));
/// ```
pub fn check_request(action: &str, params: &Value) -> Result<Value, RequestError> {
    let info = find_action(action).ok_or_else(|| {
        RequestError::new(
            RequestErrorKind::UnknownAction,
            None,
            format!("unknown action `{action}`"),
        )
    })?;
    match check_by_name(info.name, params) {
        Some(result) => result.map_err(|e| e.with_context(info, params)),
        None => Err(RequestError::new(
            RequestErrorKind::UnknownAction,
            None,
            format!("unknown action `{action}`"),
        )),
    }
}

/// Decodes the object inside an answer's `Response` into the action's typed response and
/// encodes it again: what a program storing typed responses would keep of it.
///
/// Members this version does not know are dropped, `null` members are dropped, and scalars are
/// written in their documented type (`"AsyncRequestId": 4773` becomes `"4773"`).
pub fn reencode_response(action: &str, response_object: &[u8]) -> Result<Value, RequestError> {
    let info = find_action(action).ok_or_else(|| {
        RequestError::new(
            RequestErrorKind::UnknownAction,
            None,
            format!("unknown action `{action}`"),
        )
    })?;
    match reencode_response_by_name(info.name, response_object) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(RequestError::new(
            if e.classify() == serde_json::error::Category::Data {
                RequestErrorKind::InvalidType
            } else {
                RequestErrorKind::InvalidValue
            },
            None,
            format!("the answer of `{}` does not decode: {e}", info.name),
        )),
        None => Err(RequestError::new(
            RequestErrorKind::UnknownAction,
            None,
            format!("unknown action `{action}`"),
        )),
    }
}

/// A failure inside the typed decode, before the action's context is added.
pub(crate) struct RawError {
    kind: RequestErrorKind,
    /// Path segments down to the problem (member names and list indices).
    path: Vec<Segment>,
    /// The member named by the error itself (missing or unknown field).
    field: Option<String>,
    detail: String,
}

#[derive(Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

fn join(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        if !s.is_empty() {
            s.push('.');
        }
        match seg {
            Segment::Key(k) => s.push_str(k),
            Segment::Index(i) => s.push_str(&i.to_string()),
        }
    }
    s
}

fn backtick(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

impl RawError {
    fn with_context(self, info: &ActionInfo, params: &Value) -> RequestError {
        let mut path = self.path.clone();
        if let Some(f) = &self.field {
            path.push(Segment::Key(f.clone()));
        }
        let name = join(&path);
        let parameter = if name.is_empty() {
            None
        } else {
            Some(name.clone())
        };
        let message = match self.kind {
            RequestErrorKind::MissingParameter => match param_info(info, &path) {
                Some(p) => format!(
                    "missing required parameter `{name}` ({}) for `{}`",
                    p.describe(),
                    info.name
                ),
                None => format!("missing required parameter `{name}` for `{}`", info.name),
            },
            RequestErrorKind::UnknownParameter => {
                let container = join(&self.path);
                let known: Vec<&str> = container_params(info, &self.path)
                    .map(|ps| ps.iter().map(|p| p.name).collect())
                    .unwrap_or_default();
                let place = if container.is_empty() {
                    format!("`{}`", info.name)
                } else {
                    format!("`{container}` of `{}`", info.name)
                };
                if known.is_empty() {
                    format!("unknown parameter `{name}` for {place}")
                } else {
                    format!(
                        "unknown parameter `{name}` for {place} (known: {})",
                        known.join(", ")
                    )
                }
            }
            RequestErrorKind::InvalidType | RequestErrorKind::InvalidValue => {
                let got = value_at(params, &self.path)
                    .map(|v| {
                        let text = v.to_string();
                        if text.len() > 80 {
                            format!(
                                "{}…",
                                &text[..text.char_indices().nth(77).map_or(text.len(), |(i, _)| i)]
                            )
                        } else {
                            text
                        }
                    })
                    .unwrap_or_else(|| self.detail.clone());
                match (param_info(info, &path), name.is_empty()) {
                    (_, true) => format!("the parameters of `{}` {}", info.name, self.detail),
                    (Some(p), false) => {
                        let expects = if matches!(path.last(), Some(Segment::Index(_))) {
                            let elem = p.type_name.trim_start_matches("Array of ");
                            let mut q = p;
                            q.type_name = elem;
                            q.describe()
                        } else {
                            p.describe()
                        };
                        format!("parameter `{name}` expects {expects}, got {got}")
                    }
                    (None, false) => format!("parameter `{name}`: {}", self.detail),
                }
            }
            RequestErrorKind::UnknownAction => self.detail.clone(),
        };
        RequestError::new(self.kind, parameter, message)
    }
}

fn container_params(info: &ActionInfo, path: &[Segment]) -> Option<&'static [ParamInfo]> {
    let mut params = info.params;
    for seg in path {
        if let Segment::Key(k) = seg {
            let p = params.iter().find(|p| p.name == k)?;
            params = structure_params(p.structure?)?;
        }
    }
    Some(params)
}

fn param_info(info: &ActionInfo, path: &[Segment]) -> Option<ParamInfo> {
    let keys: Vec<&Segment> = path.iter().collect();
    let last_key = keys.iter().rposition(|s| matches!(s, Segment::Key(_)))?;
    let container = container_params(info, &path[..last_key])?;
    match &path[last_key] {
        Segment::Key(k) => container.iter().find(|p| p.name == k).copied(),
        Segment::Index(_) => None,
    }
}

fn value_at<'a>(v: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Segment::Key(k) => cur.get(k)?,
            Segment::Index(i) => cur.get(i)?,
        };
    }
    Some(cur)
}

/// Decodes `params` into `R`, re-encodes it, and reports unknown members that were dropped.
pub(crate) fn check_typed<R: Action>(params: &Value) -> Result<Value, RawError> {
    if !params.is_object() {
        return Err(RawError {
            kind: RequestErrorKind::InvalidType,
            path: Vec::new(),
            field: None,
            detail: format!("must be a JSON object, got {}", kind_of(params)),
        });
    }
    let req: R = serde_path_to_error::deserialize(params).map_err(|e| {
        let path: Vec<Segment> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    Some(Segment::Key(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let msg = match msg.find(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        if let Some(field) = backtick(&msg, "missing field ") {
            RawError {
                kind: RequestErrorKind::MissingParameter,
                path,
                field: Some(field),
                detail: msg,
            }
        } else if let Some(field) = backtick(&msg, "unknown field ") {
            // The path may already end with the unknown key.
            let mut path = path;
            if matches!(path.last(), Some(Segment::Key(k)) if *k == field) {
                path.pop();
            }
            RawError {
                kind: RequestErrorKind::UnknownParameter,
                path,
                field: Some(field),
                detail: msg,
            }
        } else if msg.starts_with("invalid value") || msg.starts_with("invalid length") {
            RawError {
                kind: RequestErrorKind::InvalidValue,
                path,
                field: None,
                detail: msg,
            }
        } else {
            RawError {
                kind: RequestErrorKind::InvalidType,
                path,
                field: None,
                detail: msg,
            }
        }
    })?;
    let out = serde_json::to_value(&req).map_err(|e| RawError {
        kind: RequestErrorKind::InvalidValue,
        path: Vec::new(),
        field: None,
        detail: e.to_string(),
    })?;
    // Structures shared with responses ignore unknown members when decoding; find any here.
    let mut path = Vec::new();
    if let Some((path, field)) = dropped_member(params, &out, &mut path) {
        return Err(RawError {
            kind: RequestErrorKind::UnknownParameter,
            path,
            field: Some(field),
            detail: String::new(),
        });
    }
    Ok(out)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first non-null member of `input` with no counterpart in `output`.
fn dropped_member(
    input: &Value,
    output: &Value,
    path: &mut Vec<Segment>,
) -> Option<(Vec<Segment>, String)> {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    None if !v.is_null() => return Some((path.clone(), k.clone())),
                    None => {}
                    Some(w) => {
                        path.push(Segment::Key(k.clone()));
                        if let Some(found) = dropped_member(v, w, path) {
                            return Some(found);
                        }
                        path.pop();
                    }
                }
            }
            None
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                path.push(Segment::Index(i));
                if let Some(found) = dropped_member(v, w, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        _ => None,
    }
}

/// Decodes a response object into `T` and encodes it again.
pub(crate) fn reencode_typed<T: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<Value, serde_json::Error> {
    let v: T = serde_json::from_slice(body)?;
    serde_json::to_value(&v)
}
