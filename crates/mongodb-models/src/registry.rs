//! Name-based access to the actions: the table of actions and their parameters, lookup by a
//! loosely written name, the idempotency rule, and validation of JSON parameters against the
//! typed requests.
//!
//! The tables and the per-action dispatch are generated (`generated::registry`); this module
//! sits above them and words their failures.

use serde_json::Value;

use crate::generated::registry::{
    check_by_name, reencode_response_by_name, ACTIONS, READ_ONLY_VERBS, STRUCTURES,
};
use crate::info::{ActionInfo, ParamInfo, RequestError, RequestErrorKind};
use crate::typed::{join, RawError, Segment};

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
///
/// ```
/// let answer = mongodb_models::structure_params("DescribeDBInstancesResponse").unwrap();
/// let total = answer.iter().find(|m| m.name == "TotalCount").unwrap();
/// assert!(total.output_required, "every answer carries TotalCount");
/// let request = mongodb_models::structure_params("DescribeDBInstancesRequest").unwrap();
/// assert!(request.iter().all(|m| !m.output_required));
/// ```
pub fn structure_params(name: &str) -> Option<&'static [ParamInfo]> {
    STRUCTURES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| STRUCTURES[i].1)
}

/// Whether resending `action` after an ambiguous failure is safe (it only reads).
///
/// One rule, decided by the generator from the spec: an action is idempotent when its name
/// starts with a read-only verb (`Describe`, `Inquire`, `Check`, …). For an action this version
/// knows (matched like [`find_action`]) the answer is its [`ActionInfo::idempotent`], the same
/// value as its request's [`Action::IDEMPOTENT`](crate::Action::IDEMPOTENT); for any other name
/// (an action newer than the models) the same verb rule applies to the name as written.
///
/// ```
/// use mongodb_models::{is_idempotent, Action, DescribeDBBackupsRequest};
///
/// assert!(is_idempotent("DescribeDBBackups"));
/// assert_eq!(is_idempotent("describe-db-backups"), DescribeDBBackupsRequest::IDEMPOTENT);
/// assert!(!is_idempotent("CreateBackupDBInstance"));
/// assert!(is_idempotent("DescribeSomethingNewer"));
/// assert!(!is_idempotent("CreateSomethingNewer"));
/// ```
pub fn is_idempotent(action: &str) -> bool {
    match find_action(action) {
        Some(info) => info.idempotent,
        None => READ_ONLY_VERBS.iter().any(|verb| action.starts_with(verb)),
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
        Some(result) => result.map_err(|e| with_context(e, info, params)),
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
/// Members this version does not know are kept (they are written back as they came), `null`
/// members are dropped, and scalars are written in their documented type
/// (`"AsyncRequestId": 4773` becomes `"4773"`). A failure names the member at fault.
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
            if e.error.classify() == serde_json::error::Category::Data {
                RequestErrorKind::InvalidType
            } else {
                RequestErrorKind::InvalidValue
            },
            (!e.member.is_empty()).then(|| e.member.clone()),
            format!("the answer of `{}` does not decode: {e}", info.name),
        )),
        None => Err(RequestError::new(
            RequestErrorKind::UnknownAction,
            None,
            format!("unknown action `{action}`"),
        )),
    }
}

/// Words a typed-decode failure for people, with the action's tables.
fn with_context(raw: RawError, info: &ActionInfo, params: &Value) -> RequestError {
    let mut path = raw.path.clone();
    if let Some(f) = &raw.field {
        path.push(Segment::Key(f.clone()));
    }
    let name = join(&path);
    let parameter = if name.is_empty() {
        None
    } else {
        Some(name.clone())
    };
    let message = match raw.kind {
        RequestErrorKind::MissingParameter => match param_info(info, &path) {
            Some(p) => format!(
                "missing required parameter `{name}` ({}) for `{}`",
                p.describe(),
                info.name
            ),
            None => format!("missing required parameter `{name}` for `{}`", info.name),
        },
        RequestErrorKind::UnknownParameter => {
            let container = join(&raw.path);
            let known: Vec<&str> = container_params(info, &raw.path)
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
            let got = value_at(params, &raw.path)
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
                .unwrap_or_else(|| raw.detail.clone());
            match (param_info(info, &path), name.is_empty()) {
                (_, true) => format!("the parameters of `{}` {}", info.name, raw.detail),
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
                (None, false) => format!("parameter `{name}`: {}", raw.detail),
            }
        }
        RequestErrorKind::UnknownAction => raw.detail.clone(),
    };
    RequestError::new(raw.kind, parameter, message)
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
