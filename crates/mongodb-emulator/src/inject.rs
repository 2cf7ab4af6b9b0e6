//! Applying a fault: the part of each [`Fault`] that happens before (or
//! instead of) the normal answer, on the raw connection.

use std::io::Write;
use std::net::TcpStream;

use mongodb_errors::ErrorCode;

use crate::faults::Fault;
use crate::http::{html_page, write_head, write_response};
use crate::shared::Shared;
use crate::util::{self, error_body, ApiError};

/// The body length [`Fault::HugeContentLength`] announces.
const HUGE_LENGTH: u64 = 1 << 30;

/// What a fault leaves to do once it has been applied before the request is handled.
pub(crate) enum Applied {
    /// Handle the request normally, then deliver the answer as given.
    Continue(Option<Fault>),
    /// The fault answered; keep the connection if `true`.
    Done(bool),
}

/// Applies the part of `fault` that happens before the request is handled.
pub(crate) fn apply_fault(
    shared: &Shared,
    fault: Fault,
    out: &mut TcpStream,
    close: bool,
) -> Applied {
    shared.count_fault();
    log::debug!("applying fault {fault:?}");
    match fault {
        Fault::Latency(d) => {
            if shared.pause(d) {
                Applied::Continue(None)
            } else {
                Applied::Done(false)
            }
        }
        Fault::Hang => {
            if shared.hang() {
                Applied::Continue(None)
            } else {
                Applied::Done(false)
            }
        }
        Fault::Disconnect => Applied::Done(false),
        Fault::BadGateway => Applied::Done(
            write_response(out, 502, "text/html", &[], &html_page(502), close).is_ok(),
        ),
        Fault::HttpStatus(status) => Applied::Done(
            write_response(out, status, "text/html", &[], &html_page(status), close).is_ok(),
        ),
        Fault::NonJson => {
            let page = b"<html><body>Service is being upgraded, please try again.</body></html>";
            Applied::Done(write_response(out, 200, "text/html", &[], page, close).is_ok())
        }
        Fault::MissingResponse => {
            let body = serde_json::json!({
                "Result": { "RequestId": util::request_id() },
                "Note": "this answer has no Response member"
            });
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            Applied::Done(write_response(out, 200, "application/json", &[], &bytes, close).is_ok())
        }
        Fault::HugeContentLength => {
            let _ = write_head(out, 200, "application/json", &[], HUGE_LENGTH, true)
                .and_then(|_| out.write_all(b"{\"Response\": {\"RequestId\": \""))
                .and_then(|_| out.flush());
            Applied::Done(false)
        }
        Fault::Error { code, message } => {
            let err = ApiError::new(ErrorCode::from(code.as_str()), message);
            Applied::Done(
                write_response(out, 200, "application/json", &[], &error_body(&err), close).is_ok(),
            )
        }
        Fault::TruncatedBody | Fault::DropAfterBytes(_) => Applied::Continue(Some(fault)),
    }
}
