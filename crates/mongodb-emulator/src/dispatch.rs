//! What to do with one request: a backup file download goes to the file
//! store, anything else to the API pipeline; faults registered for the request
//! are applied around them.

use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mongodb_errors::ErrorCode;

use crate::config::DOWNLOAD_FAULT_KEY;
use crate::faults::Fault;
use crate::http::{query_param, write_head, write_response, HttpRequest};
use crate::inject::{apply_fault, send_body, Applied, Delivery};
use crate::shared::Shared;
use crate::util::{self, error_envelope, ApiError};
use crate::{api, download};

/// Answers one request; returns whether the connection can be kept open.
pub(crate) fn dispatch(
    shared: &Shared,
    req: &HttpRequest,
    out: &mut TcpStream,
    close: bool,
) -> bool {
    if req.path.starts_with("/download/") {
        let fault = shared.faults.take(DOWNLOAD_FAULT_KEY, false);
        return download::serve(shared, req, out, fault, close);
    }

    let action = req
        .header("x-tc-action")
        .map(str::to_owned)
        .or_else(|| query_param(&req.query, "Action"))
        .unwrap_or_default();
    shared.count_request(&action);

    let mut post = None;
    if let Some(fault) = shared.faults.take(&action, true) {
        match apply_fault(shared, fault, out, close) {
            Applied::Done(keep) => return keep,
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
