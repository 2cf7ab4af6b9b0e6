//! The API pipeline (action, version, signature, rate limit, parameters) and the
//! modelled actions.

mod backups;
mod download_tasks;
mod instances;

use std::time::Instant;

use mongodb_errors::ErrorCode;
use mongodb_models::RequestErrorKind;
use serde_json::{Map, Value};

use crate::server::{HttpRequest, Shared};
use crate::util::{envelope, error_envelope, ApiError};
use crate::{Progress, API_VERSION};

/// Query parameters that belong to the protocol rather than to an action (they
/// appear in GET query strings of older signing styles); they are not passed on
/// to the parameter check.
const COMMON_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "Language",
    "RequestClient",
];

/// What an action handler sees.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    /// `host[:port]` the client used to reach us, for download URLs.
    pub(crate) host: String,
    pub(crate) now_ms: i64,
    pub(crate) progress: Progress,
}

/// The decoded value of query parameter `name`, if present.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = mongodb_models::form::percent_decode(k).ok()?;
        (k == name).then(|| mongodb_models::form::percent_decode(v).unwrap_or_default())
    })
}

/// Handles one API request and returns the complete answer envelope.
pub(crate) fn handle(shared: &Shared, req: &HttpRequest, action: &str, request_id: &str) -> Value {
    match run(shared, req, action) {
        Ok(fields) => envelope(fields, request_id),
        Err(err) => {
            log::debug!("{action}: {} {}", err.code, err.message);
            error_envelope(&err, request_id)
        }
    }
}

fn run(shared: &Shared, req: &HttpRequest, action: &str) -> Result<Value, ApiError> {
    if req.method != "POST" && req.method != "GET" {
        return Err(ApiError::new(
            ErrorCode::UnsupportedProtocol,
            format!(
                "HTTP method {} is not supported; use POST or GET.",
                req.method
            ),
        ));
    }
    if req.path != "/" {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!(
                "The path `{}` is not an API endpoint; send API requests to `/`.",
                req.path
            ),
        ));
    }
    if action.is_empty() {
        return Err(ApiError::new(
            ErrorCode::MissingParameter,
            "The request is missing the required parameter `Action` (header X-TC-Action).",
        ));
    }
    if !mongodb_models::actions().iter().any(|a| a.name == action) {
        return Err(ApiError::new(
            ErrorCode::InvalidAction,
            format!(
                "The action `{action}` does not exist in {} version {API_VERSION}.",
                mongodb_models::SERVICE
            ),
        ));
    }
    let version = req
        .header("x-tc-version")
        .map(str::to_owned)
        .or_else(|| query_param(&req.query, "Version"));
    match version.as_deref() {
        None | Some("") => {
            return Err(ApiError::new(
                ErrorCode::MissingParameter,
                "The request is missing the required parameter `Version` (header X-TC-Version).",
            ))
        }
        Some(API_VERSION) => {}
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::NoSuchVersion,
                format!(
                    "The API version `{other}` does not exist; this service speaks {API_VERSION}."
                ),
            ))
        }
    }

    crate::auth::authenticate(shared, req)?;

    if let Err(limit) = shared.limiter.admit(action, Instant::now()) {
        shared.count_rate_limited();
        return Err(ApiError::new(
            ErrorCode::RequestLimitExceeded,
            format!("Too many requests: `{action}` accepts at most {limit} requests per rate-limit window."),
        ));
    }

    let params = parameters(req)?;
    let params = mongodb_models::check_request(action, &params).map_err(|e| {
        let code = match e.kind {
            RequestErrorKind::MissingParameter => ErrorCode::MissingParameter,
            RequestErrorKind::UnknownParameter => ErrorCode::UnknownParameter,
            RequestErrorKind::InvalidType => ErrorCode::InvalidParameter,
            RequestErrorKind::UnknownAction => ErrorCode::InvalidAction,
            _ => ErrorCode::InvalidParameterValue,
        };
        ApiError::new(code, e.message)
    })?;

    let host = req
        .header("host")
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '?', '#', '@']))
        .map(str::to_owned)
        .unwrap_or_else(|| shared.addr.to_string());
    let ctx = Ctx {
        shared,
        host,
        now_ms: shared.now_ms(),
        progress: shared.progress(),
    };
    let fields = match action {
        "CreateBackupDBInstance" => backups::create_backup_db_instance(&ctx, &params)?,
        "DescribeDBBackups" => backups::describe_db_backups(&ctx, &params)?,
        "DescribeAsyncRequestInfo" => backups::describe_async_request_info(&ctx, &params)?,
        "CreateBackupDownloadTask" => download_tasks::create_backup_download_task(&ctx, &params)?,
        "DescribeBackupDownloadTask" => download_tasks::describe_backup_download_task(&ctx, &params)?,
        "DescribeDBInstances" => instances::describe_db_instances(&ctx, &params)?,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedOperation,
                format!(
                    "The emulator does not model `{action}` yet; its request was well-formed but nothing was done."
                ),
            ))
        }
    };
    Ok(typed(action, fields))
}

/// The action's parameters as JSON, from the query (GET) or the body (POST).
fn parameters(req: &HttpRequest) -> Result<Value, ApiError> {
    let content_type = req
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = |text: &str| -> Result<Value, ApiError> {
        let mut v = mongodb_models::form::decode(text).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Cannot decode the parameters: {e}."),
            )
        })?;
        if let Value::Object(map) = &mut v {
            for name in COMMON_PARAMS {
                map.remove(*name);
            }
        }
        Ok(v)
    };
    if req.method == "GET" {
        return form(&req.query);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = std::str::from_utf8(&req.body).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                "The request body is not UTF-8.",
            )
        })?;
        return form(text);
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "Content-Type `{content_type}` is not supported; send JSON (application/json) or use GET."
            ),
        ));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(&req.body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "The request body must be a JSON object of parameters.",
        ));
    }
    Ok(value)
}

/// Passes an answer through the models' typed response, so the emulator speaks
/// exactly the shape the SDK's models describe.
fn typed(action: &str, fields: Value) -> Value {
    let bytes = serde_json::to_vec(&fields).unwrap_or_default();
    match mongodb_models::reencode_response(action, &bytes) {
        Ok(v) if v.is_object() => v,
        Ok(_) => fields,
        Err(e) => {
            log::warn!("answer of {action} does not match the models: {e}");
            fields
        }
    }
}

// ----- parameter helpers for the handlers (parameters are already checked) -----

pub(crate) fn str_param<'v>(p: &'v Value, name: &str) -> Option<&'v str> {
    p.get(name).and_then(Value::as_str)
}

pub(crate) fn int_param(p: &Value, name: &str) -> Option<i64> {
    match p.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|u| u as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn int_list(p: &Value, name: &str) -> Option<Vec<i64>> {
    let list = p.get(name)?.as_array()?;
    Some(
        list.iter()
            .filter_map(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .collect(),
    )
}

pub(crate) fn str_list(p: &Value, name: &str) -> Option<Vec<String>> {
    let list = p.get(name)?.as_array()?;
    Some(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
}

/// `Limit` within `1..=max` (default `default`), and `Offset` (default 0).
pub(crate) fn paging(
    p: &Value,
    default: Option<u64>,
    max: u64,
) -> Result<(Option<u64>, u64), ApiError> {
    let limit = match int_param(p, "Limit") {
        None => default,
        Some(l) if l >= 1 && l as u64 <= max => Some(l as u64),
        Some(l) => {
            return Err(ApiError::invalid_value(format!(
                "Limit must be between 1 and {max}; got {l}."
            )))
        }
    };
    let offset = match int_param(p, "Offset") {
        None => 0,
        Some(o) if o >= 0 => o as u64,
        Some(o) => {
            return Err(ApiError::invalid_value(format!(
                "Offset must not be negative; got {o}."
            )))
        }
    };
    Ok((limit, offset))
}

/// Applies paging to an already filtered and sorted list.
pub(crate) fn page<T>(items: Vec<T>, limit: Option<u64>, offset: u64) -> Vec<T> {
    let it = items
        .into_iter()
        .skip(offset.min(usize::MAX as u64) as usize);
    match limit {
        Some(l) => it.take(l as usize).collect(),
        None => it.collect(),
    }
}
