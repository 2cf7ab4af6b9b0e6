//! [`SeenRequest`] and the bounded log of them behind
//! [`EmulatorHandle::requests`](crate::EmulatorHandle::requests) and `GET /_emulator/requests`.
//!
//! Entries are built from what is safe to show: never a secret key, a session token, the
//! `Authorization` signature, a legacy `Signature` parameter or a download URL's query string.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// How many requests the log keeps; older ones are dropped first.
pub(crate) const LOG_CAPACITY: usize = 1000;

/// What kind of request the emulator saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequestKind {
    /// A call of the API (`POST /` or `GET /?…`).
    Api,
    /// A download of a backup file through a pre-signed URL.
    Download,
}

/// One request the emulator saw, with its secrets left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeenRequest {
    /// When it arrived, RFC 3339 in UTC on the emulator's clock.
    pub time: String,
    /// The same instant in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// API call or file download.
    pub kind: RequestKind,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query string (a download URL's query is a credential).
    pub path: String,
    /// The action (`X-TC-Action` or the `Action` parameter); `None` for downloads.
    pub action: Option<String>,
    /// `X-TC-Region` or the `Region` parameter.
    pub region: Option<String>,
    /// The secret id the request was signed with (from `Authorization` or `SecretId`).
    pub secret_id: Option<String>,
    /// `TC3-HMAC-SHA256`, `HmacSHA256` or `HmacSHA1`, as the request says.
    pub signature_method: Option<String>,
    /// `X-TC-RequestClient` or the `RequestClient` parameter (the SDK's name and version).
    pub request_client: Option<String>,
    /// The HTTP status answered, when the emulator knows it (`None` for downloads and for
    /// faults that close the connection).
    pub status: Option<u16>,
    /// The API error code answered, if the answer was an error.
    pub error_code: Option<String>,
    /// The `RequestId` of the API answer.
    pub request_id: Option<String>,
    /// The kind of injected fault applied to this request, as in the control plane's JSON
    /// (`"disconnect"`, `"error"`, …).
    pub fault: Option<String>,
}

/// The last [`LOG_CAPACITY`] requests.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<SeenRequest>>,
}

impl RequestLog {
    pub(crate) fn push(&self, seen: SeenRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == LOG_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(seen);
    }

    /// The logged requests, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<SeenRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(n: i64) -> SeenRequest {
        SeenRequest {
            time: String::new(),
            time_ms: n,
            kind: RequestKind::Api,
            method: "POST".into(),
            path: "/".into(),
            action: None,
            region: None,
            secret_id: None,
            signature_method: None,
            request_client: None,
            status: None,
            error_code: None,
            request_id: None,
            fault: None,
        }
    }

    #[test]
    fn keeps_the_newest_entries() {
        let log = RequestLog::default();
        for n in 0..(LOG_CAPACITY as i64 + 5) {
            log.push(seen(n));
        }
        let all = log.snapshot();
        assert_eq!(all.len(), LOG_CAPACITY);
        assert_eq!(all[0].time_ms, 5);
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
