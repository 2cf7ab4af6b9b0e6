//! The HTTP door of the control plane: `/_emulator/…` requests, who may send them, and their
//! JSON in and out. Each route decodes its body and calls the operation in `ops`.

use std::net::{IpAddr, TcpStream};

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::control::json::{ClockRequest, FaultRequest, ProgressRequest};
use crate::control::ops::{self, ControlError};
use crate::http::{query_param, write_response, HttpRequest};
use crate::shared::Shared;
use crate::spec::InstanceSpec;

/// Where the control plane lives on the emulator's own address.
pub(crate) const PREFIX: &str = "/_emulator";

/// The operations, as `(method, name)`: the path is `/_emulator/<name>`.
pub(crate) const OPERATIONS: &[(&str, &str)] = &[
    ("POST", "reset"),
    ("GET", "state"),
    ("PUT", "state"),
    ("POST", "instances"),
    ("POST", "faults"),
    ("DELETE", "faults"),
    ("POST", "clock"),
    ("POST", "progress"),
    ("GET", "requests"),
];

/// Whether `path` belongs to the control plane.
pub(crate) fn is_control_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/_emulator/")
}

/// Whether an address is on this machine only.
pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Answers one control request; returns whether the connection can be kept open.
pub(crate) fn serve(shared: &Shared, req: &HttpRequest, out: &mut TcpStream, close: bool) -> bool {
    let (status, extra, body) = match admit(shared, req).and_then(|()| route(shared, req)) {
        Ok(value) => (200, Vec::new(), value),
        Err(e) => {
            let mut extra = Vec::new();
            if e.status == 401 {
                extra.push((
                    "WWW-Authenticate",
                    "Bearer realm=\"mongodb-emulator control plane\"".to_owned(),
                ));
            }
            if e.status == 405 {
                extra.push(("Allow", allowed_methods(operation(req))));
            }
            let body = json!({"error": {"code": e.code, "message": e.message}});
            (e.status, extra, body)
        }
    };
    let mut bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    bytes.push(b'\n');
    write_response(out, status, "application/json", &extra, &bytes, close).is_ok()
}

/// Lets a request through when no token is needed (the emulator listens on loopback only and
/// none was given) or when it carries `Authorization: Bearer <token>`.
fn admit(shared: &Shared, req: &HttpRequest) -> Result<(), ControlError> {
    match &shared.control_token {
        Some(token) if token.admits(req.header("authorization")) => Ok(()),
        Some(_) => Err(ControlError::new(
            401,
            "Unauthorized",
            "The control plane needs `Authorization: Bearer <token>` with the token the emulator was started with (--control-token).",
        )),
        // The builder refuses to start beyond loopback without a token; never open up anyway.
        None if !is_loopback(shared.addr.ip()) => Err(ControlError::new(
            403,
            "Forbidden",
            "The control plane is closed: the emulator listens beyond loopback without a control token.",
        )),
        None => Ok(()),
    }
}

/// The operation name in the path (`reset`, `state`, …).
fn operation(req: &HttpRequest) -> &str {
    req.path[PREFIX.len()..].trim_matches('/')
}

fn allowed_methods(op: &str) -> String {
    let methods: Vec<&str> = OPERATIONS
        .iter()
        .filter(|(_, name)| *name == op)
        .map(|(method, _)| *method)
        .collect();
    methods.join(", ")
}

/// The request body as `T`; an empty body reads as `{}`.
fn body<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ControlError> {
    let bytes: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(bytes).map_err(|e| {
        ControlError::invalid(format!(
            "The body of {} {} is not valid: {e}.",
            req.method, req.path
        ))
    })
}

fn route(shared: &Shared, req: &HttpRequest) -> Result<Value, ControlError> {
    let op = operation(req);
    match (req.method.as_str(), op) {
        ("GET", "") => {
            let list: Vec<String> = OPERATIONS
                .iter()
                .map(|(method, name)| format!("{method} {PREFIX}/{name}"))
                .collect();
            Ok(json!({ "operations": list }))
        }
        ("POST", "reset") => Ok(json!({ "instances": ops::reset(shared) })),
        ("GET", "state") => Ok(ops::dump_state(shared)),
        ("PUT", "state") => {
            let state: Value = body(req)?;
            Ok(json!({ "instances": ops::load_state(shared, state)? }))
        }
        ("POST", "instances") => {
            let spec: InstanceSpec = body(req)?;
            let id = spec.instance_id().to_owned();
            ops::add_instance(shared, spec)?;
            Ok(json!({ "instance_id": id }))
        }
        ("POST", "faults") => {
            let r: FaultRequest = body(req)?;
            ops::inject(shared, &r.key, r.fault.clone(), r.times)?;
            Ok(json!({ "key": r.key, "fault": r.fault, "times": r.times }))
        }
        ("DELETE", "faults") => {
            let key = query_param(&req.query, "key");
            ops::clear_faults(shared, key.as_deref());
            Ok(json!({ "cleared": key.unwrap_or_else(|| "all".to_owned()) }))
        }
        ("POST", "clock") => {
            let r: ClockRequest = body(req)?;
            let change = r.change().map_err(ControlError::invalid)?;
            Ok(json!({ "offset_secs": ops::change_clock(shared, change) }))
        }
        ("POST", "progress") => {
            let r: ProgressRequest = body(req)?;
            let (mode, advance) = r.parts().map_err(ControlError::invalid)?;
            if let Some(mode) = mode {
                ops::set_progress(shared, mode);
            }
            let advanced = advance.map_or(0, |steps| ops::advance_work(shared, steps));
            Ok(json!({ "progress": ops::progress(shared), "advanced": advanced }))
        }
        ("GET", "requests") => Ok(json!({ "requests": ops::requests(shared) })),
        (method, op) if OPERATIONS.iter().any(|(_, name)| *name == op) => Err(ControlError::new(
            405,
            "MethodNotAllowed",
            format!(
                "{PREFIX}/{op} does not take {method}; it takes {}.",
                allowed_methods(op)
            ),
        )),
        (_, op) => Err(ControlError::new(
            404,
            "UnknownOperation",
            format!("There is no control operation `{op}`; GET {PREFIX}/ lists them."),
        )),
    }
}
