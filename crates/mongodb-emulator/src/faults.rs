//! Fault injection: what can go wrong on purpose, and the per-action table of
//! registered faults.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::config::ANY_ACTION;

/// A misbehaviour to inject, see [`EmulatorHandle::inject`](crate::EmulatorHandle::inject).
///
/// Faults are matched on the action name (`X-TC-Action`) after the request has
/// been read, before any other check; download requests use the key
/// [`DOWNLOAD_FAULT_KEY`](crate::DOWNLOAD_FAULT_KEY).
///
/// Some faults answer in place of the request ([`Disconnect`](Fault::Disconnect),
/// [`HttpStatus`](Fault::HttpStatus), [`AccessDenied`](Fault::AccessDenied), …);
/// some let it be handled and then act on how its answer's body travels
/// ([`TruncatedBody`](Fault::TruncatedBody), [`DropAfterBytes`](Fault::DropAfterBytes),
/// [`CorruptByte`](Fault::CorruptByte), [`Trickle`](Fault::Trickle),
/// [`Stall`](Fault::Stall)); [`EndAs`](Fault::EndAs) lets it be handled and
/// changes how the work it starts ends.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then handle the request normally.
    Latency(Duration),
    /// Close the connection without answering.
    Disconnect,
    /// Answer HTTP 502 with an HTML page, as a failing gateway would.
    BadGateway,
    /// Answer this HTTP status with an HTML page.
    HttpStatus(u16),
    /// Announce the full length of a normal-looking answer, send only part of it,
    /// then close the connection.
    TruncatedBody,
    /// Answer HTTP 200 with an HTML body instead of JSON.
    NonJson,
    /// Answer HTTP 200 with JSON that has no `Response` member.
    MissingResponse,
    /// Announce a 1 GiB body, send a few bytes, then close the connection.
    HugeContentLength,
    /// Hold the request without answering until
    /// [`release_hung`](crate::EmulatorHandle::release_hung) (then it is answered
    /// normally) or until the emulator stops (then the connection is closed).
    Hang,
    /// Answer with this API error (HTTP 200, the usual error envelope).
    Error {
        /// Error code, e.g. `InternalError` or `RequestLimitExceeded`.
        code: String,
        /// Error message.
        message: String,
    },
    /// Send the answer's headers and only this many bytes of its body, then close
    /// the connection (meant for downloads, to exercise resuming).
    DropAfterBytes(u64),
    /// Send the answer with the byte at `offset` changed (its bits inverted);
    /// the headers are those of the true answer, so a download's
    /// `x-cos-hash-crc64ecma` no longer matches the bytes that arrive. The
    /// offset counts from the start of the whole object, so a range answer
    /// (206) that does not cover it arrives intact; on an API action it counts
    /// in the JSON body. The connection stays usable.
    CorruptByte {
        /// Offset of the changed byte within the object.
        offset: u64,
    },
    /// Send the headers and the first `after_bytes` bytes of the body at full
    /// speed, then one byte every `interval` until the body is complete, the
    /// client goes away or the emulator stops. A client without a
    /// minimum-throughput rule waits for a very long time.
    Trickle {
        /// Bytes of the body sent at full speed first.
        after_bytes: u64,
        /// The wait before each following byte.
        interval: Duration,
    },
    /// Send the headers and the first `after_bytes` bytes of the body, then
    /// nothing for `pause` (the connection open and silent), then the rest.
    /// Stopping the emulator ends the pause.
    Stall {
        /// Bytes of the body sent before the silence.
        after_bytes: u64,
        /// How long the connection stays silent.
        pause: Duration,
    },
    /// Expire every download URL handed out so far (as
    /// [`EmulatorHandle::expire_download_urls`](crate::EmulatorHandle::expire_download_urls)
    /// does), then handle the request normally: on the download key the request
    /// itself is then refused with 403, since its URL is one of them. URLs
    /// handed out later (by the next `DescribeBackupDownloadTask`) work.
    ExpireDownloadUrls,
    /// Answer HTTP 403 with a COS-style XML error body (`Code` `AccessDenied`),
    /// exactly as an expired download URL is answered.
    AccessDenied,
    /// Handle the request normally, and make the work it starts end as `EndAs`
    /// says instead of succeeding. It acts on every action that starts
    /// asynchronous work (an async request, flow, task id or deal: e.g.
    /// `CreateBackupDBInstance`, `IsolateDBInstance`, `CreateDBInstanceHour`),
    /// whose work then ends paused, failed or undone without its effect (no
    /// backup recorded, the instance not isolated, the bought instances not
    /// delivered), and on `CreateBackupDownloadTask` (the tasks the call
    /// creates; tasks that already existed are reused unchanged); see
    /// [`EndAs`] for each. On other actions, or with an [`EndAs`] that does
    /// not apply to the action, the request is handled normally.
    EndAs(EndAs),
}

/// How work started under [`Fault::EndAs`] ends.
///
/// The stages before the end move as usual ([`Progress`](crate::Progress)):
/// per poll, or by elapsed phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndAs {
    /// The work goes `initial` → `running` → `paused` and stays there (a deal:
    /// 2 → 3 and stays delivering); nothing it would change is changed (for
    /// `CreateBackupDBInstance`: no backup is recorded).
    Paused,
    /// The work goes `initial` → `running` → `failed` (a deal: 2 → 3 → 5,
    /// delivery failed, and the bought instances are removed); no backup is
    /// recorded. The tasks of `CreateBackupDownloadTask` go 0 → 1 → 3 (failed)
    /// and never get a `Url`.
    Failed,
    /// The work goes `initial` → `running` → `undoed` (a deal: 2 → 3 → 6,
    /// refunded, and the bought instances are removed); nothing is changed.
    Undoed,
    /// The tasks of `CreateBackupDownloadTask` go 0 → 1 → 4 (waiting for retry)
    /// → 2 (done, with a `Url`): one stage longer than usual.
    RetryThenComplete,
}

impl Fault {
    /// An [`Fault::Error`] with a generic message.
    pub fn error(code: impl Into<String>) -> Self {
        let code = code.into();
        Fault::Error {
            message: format!("injected fault: {code}"),
            code,
        }
    }
}

#[derive(Debug)]
struct Entry {
    fault: Fault,
    remaining: Option<u32>,
}

/// Registered faults by key.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    entries: Mutex<HashMap<String, Entry>>,
}

impl FaultTable {
    pub(crate) fn set(&self, key: &str, fault: Fault, times: Option<u32>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if times == Some(0) {
            map.remove(key);
            return;
        }
        map.insert(
            key.to_owned(),
            Entry {
                fault,
                remaining: times,
            },
        );
    }

    pub(crate) fn clear(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    pub(crate) fn clear_all(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The fault to apply to one request for `key` (consuming one use of a
    /// counted fault). API actions fall back to [`ANY_ACTION`].
    pub(crate) fn take(&self, key: &str, is_api: bool) -> Option<Fault> {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let key = if map.contains_key(key) {
            key
        } else if is_api && map.contains_key(ANY_ACTION) {
            ANY_ACTION
        } else {
            return None;
        };
        let entry = map.get_mut(key)?;
        let fault = entry.fault.clone();
        if let Some(n) = entry.remaining.as_mut() {
            *n -= 1;
            if *n == 0 {
                map.remove(key);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_and_wildcard_applies_to_api_only() {
        let t = FaultTable::default();
        t.inject_for_test("A", Fault::error("InternalError"), Some(2));
        assert!(t.take("A", true).is_some());
        assert!(t.take("A", true).is_some());
        assert!(t.take("A", true).is_none());
        t.inject_for_test(ANY_ACTION, Fault::Disconnect, None);
        assert_eq!(t.take("B", true), Some(Fault::Disconnect));
        assert_eq!(t.take("download", false), None);
        t.clear_all();
        assert_eq!(t.take("B", true), None);
    }

    impl FaultTable {
        fn inject_for_test(&self, key: &str, fault: Fault, times: Option<u32>) {
            self.set(key, fault, times);
        }
    }
}
