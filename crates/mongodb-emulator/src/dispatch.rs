//! What to do with one request: `/_emulator/…` goes to the control plane (never counted,
//! rate-limited or faulted), a backup or log file download to the file store, anything else to the
//! API pipeline; faults registered for the request are applied around the last two, and
//! both are written to the request log.

use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mongodb_errors::ErrorCode;

use crate::config::DOWNLOAD_FAULT_KEY;
use crate::faults::Fault;
use crate::http::{write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, send_body, Applied, Delivery};
use crate::observe::{fault_outcome, seen};
use crate::reqlog::RequestKind;
use crate::shared::Shared;
use crate::util::{self, error_envelope, ApiError};
use crate::{api, control, download, logfile};

/// Answers one request; returns whether the connection can be kept open.
pub(crate) fn dispatch(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    close: bool,
) -> bool {
    if control::is_control_path(&req.path) {
        return control::serve(shared, req, out, close);
    }
    let log_file = req.path.starts_with(logfile::PREFIX);
    if req.path.starts_with("/download/") || log_file {
        let fault = shared.faults.take(DOWNLOAD_FAULT_KEY, false);
        let mut entry = seen(req, RequestKind::Download, shared.now_ms());
        entry.fault = fault.as_ref().map(|f| control::fault_kind(f).to_owned());
        shared.requests.push(entry);
        if log_file {
            return logfile::serve(shared, req, out, fault, close);
        }
        return download::serve(shared, req, out, fault, close);
    }

    // API 3.0's legacy signing sends the action as a parameter, in the query or a form body.
    let action = req
        .header("x-tc-action")
        .map(str::to_owned)
        .or_else(|| req.param("Action"))
        .unwrap_or_default();
    shared.count_request(&action);
    let mut entry = seen(req, RequestKind::Api, shared.now_ms());

    let mut post = None;
    if let Some(fault) = shared.faults.take(&action, true) {
        entry.fault = Some(control::fault_kind(&fault).to_owned());
        let (status, code) = fault_outcome(&fault);
        match apply_fault(shared, fault, out, close) {
            Applied::Done(keep) => {
                (entry.status, entry.error_code) = (status, code);
                shared.requests.push(entry);
                return keep;
            }
            Applied::Continue(p) => post = p,
        }
    }

    let end_as = match post {
        Some(Fault::EndAs(end)) => Some(end),
        _ => None,
    };
    let request_id = util::request_id();
    let answer = catch_unwind(AssertUnwindSafe(|| {
        api::handle(shared, req, &action, &request_id, end_as)
    }))
    .unwrap_or_else(|_| {
        log::error!("the handler of {action} panicked");
        error_envelope(
            &ApiError::new(
                ErrorCode::InternalError,
                "The emulator failed to handle the request.",
            ),
            &request_id,
        )
    });
    entry.status = Some(200);
    entry.error_code = answer["Response"]["Error"]["Code"]
        .as_str()
        .map(str::to_owned);
    entry.request_id = answer["Response"]["RequestId"].as_str().map(str::to_owned);
    shared.requests.push(entry);
    let bytes = serde_json::to_vec(&answer).unwrap_or_default();
    // Like the real service, every API answer carries the server's clock in `Date`, which is
    // what a client reads to correct its own clock after `AuthFailure.SignatureExpire`.
    let date = [("Date", util::http_date(shared.now_ms()))];
    let delivery = Delivery::for_fault(post.as_ref(), bytes.len() as u64);
    if delivery == Delivery::default() {
        return write_response(out, 200, "application/json", &date, &bytes, close).is_ok();
    }
    let close = close || delivery.cuts();
    let sent = write_head(
        out,
        200,
        "application/json",
        &date,
        bytes.len() as u64,
        close,
    )
    .and_then(|_| {
        send_body(shared, out, 0, bytes.len() as u64, &delivery, |at, buf| {
            let at = at as usize;
            buf.copy_from_slice(&bytes[at..at + buf.len()]);
        })
    });
    matches!(sent, Ok(true)) && !close
}
