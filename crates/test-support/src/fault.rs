//! [`Fault`] and [`Trigger`]: the script of what goes wrong, request by request.

use std::time::Duration;

use crate::Object;

/// Something the file server does wrong on one request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Fault {
    /// Send the headers and this many body bytes, then close the connection.
    DropAfter(u64),
    /// Flip the bits of the byte at this offset of the object, if the answer covers it.
    CorruptAt(u64),
    /// Send this many body bytes at full speed, then one byte every `every`.
    Trickle {
        /// Bytes sent before trickling.
        after: u64,
        /// Pause between single bytes.
        every: Duration,
    },
    /// Send this many body bytes, then nothing, holding the connection open until the client
    /// goes (or a minute passes).
    Stall {
        /// Bytes sent before stalling.
        after: u64,
    },
    /// Answer with this status and a COS-style XML error body carrying `code`.
    Refuse {
        /// HTTP status (403, 404, 410, …).
        status: u16,
        /// The `<Code>` of the XML body, e.g. `AccessDenied`.
        code: String,
    },
    /// Replace the object with this one (new ETag), then answer normally.
    Replace(Object),
    /// Ignore the `Range` header: answer 200 with the whole object.
    IgnoreRange,
}

impl Fault {
    /// [`Fault::Refuse`] with the given status and XML `<Code>`.
    pub fn refuse(status: u16, code: &str) -> Fault {
        Fault::Refuse {
            status,
            code: code.to_owned(),
        }
    }
}

/// Which request a scripted [`Fault`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// The next request to arrive (scripts fire in the order they were added).
    Next,
    /// The first request whose range starts at this offset (a request without `Range` starts
    /// at 0).
    RangeFrom(u64),
    /// Every request from now on.
    Always,
}

#[derive(Debug, Clone)]
pub(crate) struct Scripted {
    pub(crate) trigger: Trigger,
    pub(crate) fault: Fault,
}

/// Take the first scripted fault that applies to a request starting at `start`.
pub(crate) fn take(script: &mut Vec<Scripted>, start: u64) -> Option<Fault> {
    let i = script.iter().position(|s| match s.trigger {
        Trigger::Next | Trigger::Always => true,
        Trigger::RangeFrom(at) => at == start,
    })?;
    if script[i].trigger == Trigger::Always {
        Some(script[i].fault.clone())
    } else {
        Some(script.remove(i).fault)
    }
}
