//! Typed round trips behind the name-based API: JSON parameters through an action's request
//! type ([`check_typed`]), an answer through its response type ([`reencode_typed`]), and
//! decoding that names the member at fault ([`decode_named`]).
//!
//! The generated dispatch (`generated::registry`) calls these with the concrete types; the
//! failures come back raw ([`RawError`]) and `registry` words them with the action's tables.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::action::Action;
use crate::info::RequestErrorKind;

/// A failure inside the typed decode, before the action's context is added.
#[derive(Debug)]
pub(crate) struct RawError {
    pub(crate) kind: RequestErrorKind,
    /// Path segments down to the problem (member names and list indices).
    pub(crate) path: Vec<Segment>,
    /// The member named by the error itself (missing or unknown field).
    pub(crate) field: Option<String>,
    pub(crate) detail: String,
}

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// `BackupSets.0.ReplicaSetId`.
pub(crate) fn join(path: &[Segment]) -> String {
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

fn segments(path: &serde_path_to_error::Path) -> Vec<Segment> {
    path.iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => Some(Segment::Key(variant.clone())),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

fn backtick(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

/// Decodes `params` into `R` and encodes it again: the parameters in canonical form, or the
/// first problem with its path.
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
        let mut path = segments(e.path());
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
            if matches!(path.last(), Some(Segment::Key(k)) if *k == field) {
                path.pop();
            }
            // A structure shared with answers names an unknown member by its path inside the
            // structure (`Resource.Colection`); the leading steps belong to the path.
            let mut steps: Vec<&str> = field.split('.').collect();
            let field = steps.pop().unwrap_or_default().to_string();
            for step in steps {
                path.push(match step.parse() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Key(step.to_string()),
                });
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
    serde_json::to_value(&req).map_err(|e| RawError {
        kind: RequestErrorKind::InvalidValue,
        path: Vec::new(),
        field: None,
        detail: e.to_string(),
    })
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

/// A decode failure with the member it happened in.
#[derive(Debug)]
pub(crate) struct DecodeError {
    /// Dotted path of the member at fault (`InstanceDetails.0.Memory`); empty at the top.
    pub(crate) member: String,
    pub(crate) error: serde_json::Error,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.member.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "member `{}`: {}", self.member, self.error)
        }
    }
}

/// Decodes JSON text into `T`. On failure it decodes once more, tracking the path, so the error
/// names the member at fault; the fast path pays nothing for that.
pub(crate) fn decode_named<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    serde_json::from_str(text).map_err(|first| {
        let mut de = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => DecodeError {
                member: join(&segments(e.path())),
                error: e.into_inner(),
            },
            Ok(_) => DecodeError {
                member: String::new(),
                error: first,
            },
        }
    })
}

/// Decodes a response object into `T` and encodes it again.
pub(crate) fn reencode_typed<T: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<Value, DecodeError> {
    let text = std::str::from_utf8(body).map_err(|_| DecodeError {
        member: String::new(),
        error: serde::de::Error::custom("the answer is not UTF-8"),
    })?;
    let v: T = decode_named(text)?;
    serde_json::to_value(&v).map_err(|error| DecodeError {
        member: String::new(),
        error,
    })
}
