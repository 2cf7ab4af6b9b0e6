//! Applying a fault: the part of each [`Fault`] that happens before (or
//! instead of) the normal answer, on the raw connection, and the delivery of an
//! answer's body under the faults that act on it.

use std::io::{self, Write};
use std::net::TcpStream;
use std::time::Duration;

use mongodb_errors::ErrorCode;

use crate::cos;
use crate::faults::Fault;
use crate::http::{html_page, write_head, write_response};
use crate::shared::Shared;
use crate::util::{self, error_body, ApiError};

/// The body length [`Fault::HugeContentLength`] announces.
const HUGE_LENGTH: u64 = 1 << 30;

/// Bytes of a body produced and written per step.
const CHUNK: usize = 64 * 1024;

/// What a fault leaves to do once it has been applied before the request is handled.
pub(crate) enum Applied {
    /// Handle the request normally; the fault, if any, still acts on its answer
    /// ([`Delivery`]) or on the work it starts ([`Fault::EndAs`]).
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
        Fault::AccessDenied => Applied::Done(cos::write_error(
            out,
            403,
            "AccessDenied",
            "Access Denied.",
            "",
            close,
        )),
        Fault::ExpireDownloadUrls => {
            shared.expire_urls();
            Applied::Continue(None)
        }
        Fault::TruncatedBody
        | Fault::DropAfterBytes(_)
        | Fault::CorruptByte { .. }
        | Fault::Trickle { .. }
        | Fault::Stall { .. }
        | Fault::EndAs(_) => Applied::Continue(Some(fault)),
    }
}

/// A slow part of a body's delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slow {
    /// One byte every this long.
    Trickle(Duration),
    /// Silence this long, once.
    Stall(Duration),
}

/// How a body travels: whole and at once unless a fault says otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// Send only this many bytes, then close the connection.
    stop_after: Option<u64>,
    /// Invert the byte at this offset of the object.
    corrupt_at: Option<u64>,
    /// From this many bytes on, go slow.
    slow: Option<(u64, Slow)>,
}

impl Delivery {
    /// The delivery `fault` asks for, for a body of `len` bytes.
    pub(crate) fn for_fault(fault: Option<&Fault>, len: u64) -> Delivery {
        let mut d = Delivery::default();
        match fault {
            Some(Fault::TruncatedBody) => d.stop_after = Some(len / 2),
            Some(Fault::DropAfterBytes(k)) => d.stop_after = Some((*k).min(len)),
            Some(Fault::CorruptByte { offset }) => d.corrupt_at = Some(*offset),
            Some(Fault::Trickle {
                after_bytes,
                interval,
            }) => d.slow = Some((*after_bytes, Slow::Trickle(*interval))),
            Some(Fault::Stall { after_bytes, pause }) => {
                d.slow = Some((*after_bytes, Slow::Stall(*pause)));
            }
            _ => {}
        }
        d
    }

    /// Whether the connection is closed after the body (it was cut short).
    pub(crate) fn cuts(&self) -> bool {
        self.stop_after.is_some()
    }

    /// How many of `len` body bytes are sent.
    pub(crate) fn sent_of(&self, len: u64) -> u64 {
        self.stop_after.map_or(len, |k| k.min(len))
    }
}

/// Sends `len` bytes of a body that begins at `start` within its object, each
/// stretch produced by `fill(offset, buf)`, as `delivery` says. `Ok(true)` when
/// the whole body went out; `Ok(false)` when it was cut short or the emulator
/// stopped during a slow part.
pub(crate) fn send_body(
    shared: &Shared,
    out: &mut impl Write,
    start: u64,
    len: u64,
    delivery: &Delivery,
    mut fill: impl FnMut(u64, &mut [u8]),
) -> io::Result<bool> {
    let total = delivery.sent_of(len);
    let mut buf = vec![0u8; (total.min(CHUNK as u64) as usize).max(1)];
    let (slow_from, slow) = match delivery.slow {
        Some((from, slow)) if from < total => (from, Some(slow)),
        _ => (total, None),
    };
    let mut sent = 0u64;
    while sent < total {
        let mut n = (total - sent).min(CHUNK as u64);
        if sent < slow_from {
            n = n.min(slow_from - sent);
        } else {
            match slow {
                Some(Slow::Trickle(every)) => {
                    out.flush()?;
                    if !shared.pause(every) {
                        return Ok(false);
                    }
                    n = 1;
                }
                Some(Slow::Stall(pause)) if sent == slow_from => {
                    out.flush()?;
                    if !shared.pause(pause) {
                        return Ok(false);
                    }
                }
                _ => {}
            }
        }
        let chunk = &mut buf[..n as usize];
        let at = start + sent;
        fill(at, chunk);
        if let Some(c) = delivery.corrupt_at {
            if (at..at + n).contains(&c) {
                chunk[(c - at) as usize] ^= 0xff;
            }
        }
        out.write_all(chunk)?;
        sent += n;
    }
    out.flush()?;
    Ok(sent == len)
}
