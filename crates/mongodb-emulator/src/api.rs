//! The API pipeline, in the order the service applies it: method and path,
//! action, version, signature, rate limit, the parameters checked against the
//! models, the region; then the action's handler runs with the state locked
//! (work whose time has come settled first), and its answer is passed back
//! through the models' typed response.

use std::time::Instant;

use mongodb_errors::ErrorCode;
use mongodb_models::RequestErrorKind;
use serde_json::{Map, Value};

use crate::actions::{self, ctx::Ctx};
use crate::auth;
use crate::catalog::{self, DEFAULT_REGION};
use crate::config::API_VERSION;
use crate::faults::EndAs;
use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::state::tasks::Pace;
use crate::util::{envelope, error_envelope, ApiError};

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

/// Handles one API request and returns the complete answer envelope; `end_as`
/// (from a fault) changes how the work the request starts ends.
pub(crate) fn handle(
    shared: &Shared,
    req: &HttpRequest,
    action: &str,
    request_id: &str,
    end_as: Option<EndAs>,
) -> Value {
    match run(shared, req, action, end_as) {
        Ok(fields) => envelope(fields, request_id),
        Err(err) => {
            log::debug!("{action}: {} {}", err.code, err.message);
            error_envelope(&err, request_id)
        }
    }
}

fn run(
    shared: &Shared,
    req: &HttpRequest,
    action: &str,
    end_as: Option<EndAs>,
) -> Result<Value, ApiError> {
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
        .or_else(|| req.param("Version"));
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

    auth::authenticate(shared, req)?;

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
    let region = region(req);
    let pace = Pace {
        progress: shared.progress(),
        now_ms: shared.now_ms(),
        sizes: shared.sizes,
    };
    let fields = shared.with_state(|state| {
        if !catalog::has_region(&region) && state.region(&region).is_none() {
            let err = ApiError::new(
                ErrorCode::UnsupportedRegion,
                format!("The region `{region}` is not served; use one such as {DEFAULT_REGION}."),
            );
            return (Err(err), false);
        }
        let mut ctx = Ctx::new(shared, state, &region, host, pace, end_as);
        ctx.settle_due();
        let result = actions::run(&mut ctx, action, params);
        let changed = ctx.changed();
        (result, changed)
    })?;
    Ok(typed(action, fields))
}

/// The request's region: `X-TC-Region`, else the `Region` query parameter of
/// older signing styles, else the region of the demo instances (a guess at
/// leniency: the service asks regional actions for a region).
fn region(req: &HttpRequest) -> String {
    req.header("x-tc-region")
        .map(str::to_owned)
        .or_else(|| req.param("Region"))
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| DEFAULT_REGION.to_owned())
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
