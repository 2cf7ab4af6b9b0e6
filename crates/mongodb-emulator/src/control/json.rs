//! The control plane's JSON: `serde` for [`Fault`], [`EndAs`], [`InstanceSpec`] and
//! [`Progress`] (through private mirror types, so that durations read as milliseconds and
//! every variant is a plain object), and the bodies of the control requests.
//!
//! ```json
//! {"kind": "error", "code": "InternalError", "message": "optional"}
//! {"kind": "latency", "ms": 250}
//! {"kind": "end_as", "end": "failed"}
//! {"instance_id": "cmgo-test0001", "sharded": true, "shards": 3, "status": 2}
//! {"mode": "per_poll"}    {"mode": "elapsed", "phase_ms": 1500}
//! ```

use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::Progress;
use crate::control::ops::ClockChange;
use crate::faults::{EndAs, Fault};
use crate::spec::InstanceSpec;

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// [`Fault`] on the wire: an object whose `kind` names the variant.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FaultJson {
    Latency {
        ms: u64,
    },
    Disconnect,
    BadGateway,
    HttpStatus {
        status: u16,
    },
    TruncatedBody,
    NonJson,
    MissingResponse,
    HugeContentLength,
    Hang,
    Error {
        code: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    DropAfterBytes {
        bytes: u64,
    },
    CorruptByte {
        offset: u64,
    },
    Trickle {
        after_bytes: u64,
        interval_ms: u64,
    },
    Stall {
        after_bytes: u64,
        pause_ms: u64,
    },
    ExpireDownloadUrls,
    AccessDenied,
    EndAs {
        end: EndAs,
    },
}

impl From<&Fault> for FaultJson {
    fn from(f: &Fault) -> Self {
        match f {
            Fault::Latency(d) => FaultJson::Latency { ms: millis(*d) },
            Fault::Disconnect => FaultJson::Disconnect,
            Fault::BadGateway => FaultJson::BadGateway,
            Fault::HttpStatus(status) => FaultJson::HttpStatus { status: *status },
            Fault::TruncatedBody => FaultJson::TruncatedBody,
            Fault::NonJson => FaultJson::NonJson,
            Fault::MissingResponse => FaultJson::MissingResponse,
            Fault::HugeContentLength => FaultJson::HugeContentLength,
            Fault::Hang => FaultJson::Hang,
            Fault::Error { code, message } => FaultJson::Error {
                code: code.clone(),
                message: Some(message.clone()),
            },
            Fault::DropAfterBytes(bytes) => FaultJson::DropAfterBytes { bytes: *bytes },
            Fault::CorruptByte { offset } => FaultJson::CorruptByte { offset: *offset },
            Fault::Trickle {
                after_bytes,
                interval,
            } => FaultJson::Trickle {
                after_bytes: *after_bytes,
                interval_ms: millis(*interval),
            },
            Fault::Stall { after_bytes, pause } => FaultJson::Stall {
                after_bytes: *after_bytes,
                pause_ms: millis(*pause),
            },
            Fault::ExpireDownloadUrls => FaultJson::ExpireDownloadUrls,
            Fault::AccessDenied => FaultJson::AccessDenied,
            Fault::EndAs(end) => FaultJson::EndAs { end: *end },
        }
    }
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(f: FaultJson) -> Result<Fault, String> {
        Ok(match f {
            FaultJson::Latency { ms } => Fault::Latency(Duration::from_millis(ms)),
            FaultJson::Disconnect => Fault::Disconnect,
            FaultJson::BadGateway => Fault::BadGateway,
            FaultJson::HttpStatus { status } if (200..=599).contains(&status) => {
                Fault::HttpStatus(status)
            }
            FaultJson::HttpStatus { status } => {
                return Err(format!(
                    "`status` {status} is not an HTTP status between 200 and 599"
                ))
            }
            FaultJson::TruncatedBody => Fault::TruncatedBody,
            FaultJson::NonJson => Fault::NonJson,
            FaultJson::MissingResponse => Fault::MissingResponse,
            FaultJson::HugeContentLength => Fault::HugeContentLength,
            FaultJson::Hang => Fault::Hang,
            FaultJson::Error { code, .. } if code.trim().is_empty() => {
                return Err("`code` of an `error` fault is empty".to_owned())
            }
            FaultJson::Error {
                code,
                message: None,
            } => Fault::error(code),
            FaultJson::Error {
                code,
                message: Some(message),
            } => Fault::Error { code, message },
            FaultJson::DropAfterBytes { bytes } => Fault::DropAfterBytes(bytes),
            FaultJson::CorruptByte { offset } => Fault::CorruptByte { offset },
            FaultJson::Trickle {
                after_bytes,
                interval_ms,
            } => Fault::Trickle {
                after_bytes,
                interval: Duration::from_millis(interval_ms),
            },
            FaultJson::Stall {
                after_bytes,
                pause_ms,
            } => Fault::Stall {
                after_bytes,
                pause: Duration::from_millis(pause_ms),
            },
            FaultJson::ExpireDownloadUrls => Fault::ExpireDownloadUrls,
            FaultJson::AccessDenied => Fault::AccessDenied,
            FaultJson::EndAs { end } => Fault::EndAs(end),
        })
    }
}

/// The `kind` of `fault` in its JSON form (also what the request log shows).
pub(crate) fn fault_kind(fault: &Fault) -> &'static str {
    match fault {
        Fault::Latency(_) => "latency",
        Fault::Disconnect => "disconnect",
        Fault::BadGateway => "bad_gateway",
        Fault::HttpStatus(_) => "http_status",
        Fault::TruncatedBody => "truncated_body",
        Fault::NonJson => "non_json",
        Fault::MissingResponse => "missing_response",
        Fault::HugeContentLength => "huge_content_length",
        Fault::Hang => "hang",
        Fault::Error { .. } => "error",
        Fault::DropAfterBytes(_) => "drop_after_bytes",
        Fault::CorruptByte { .. } => "corrupt_byte",
        Fault::Trickle { .. } => "trickle",
        Fault::Stall { .. } => "stall",
        Fault::ExpireDownloadUrls => "expire_download_urls",
        Fault::AccessDenied => "access_denied",
        Fault::EndAs(_) => "end_as",
    }
}

/// `{"kind": "…", …}`; durations in milliseconds (`ms`, `interval_ms`, `pause_ms`).
impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FaultJson::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Fault::try_from(FaultJson::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// [`EndAs`] on the wire: `"paused"`, `"failed"`, `"undoed"`, `"retry_then_complete"`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EndAsJson {
    Paused,
    Failed,
    Undoed,
    RetryThenComplete,
}

/// `"paused"`, `"failed"`, `"undoed"` or `"retry_then_complete"`.
impl Serialize for EndAs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EndAs::Paused => EndAsJson::Paused,
            EndAs::Failed => EndAsJson::Failed,
            EndAs::Undoed => EndAsJson::Undoed,
            EndAs::RetryThenComplete => EndAsJson::RetryThenComplete,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EndAs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match EndAsJson::deserialize(d)? {
            EndAsJson::Paused => EndAs::Paused,
            EndAsJson::Failed => EndAs::Failed,
            EndAsJson::Undoed => EndAs::Undoed,
            EndAsJson::RetryThenComplete => EndAs::RetryThenComplete,
        })
    }
}

/// [`InstanceSpec`] on the wire: only `instance_id` is required; the rest defaults as
/// [`InstanceSpec::replica_set`] (or [`InstanceSpec::sharded`] with `"sharded": true`) does.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpecJson {
    instance_id: String,
    #[serde(default)]
    sharded: bool,
    shards: Option<u32>,
    name: Option<String>,
    status: Option<i64>,
    region: Option<String>,
    zone: Option<String>,
    mongo_version: Option<String>,
    memory_mb: Option<u64>,
    volume_mb: Option<u64>,
    cpu: Option<u64>,
}

/// Every field, e.g. `{"instance_id": "cmgo-…", "sharded": false, "shards": 1, …}`.
impl Serialize for InstanceSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        InstanceSpecJson {
            instance_id: self.id.clone(),
            sharded: self.sharded,
            shards: Some(self.shards),
            name: Some(self.name.clone()),
            status: Some(self.status),
            region: Some(self.region.clone()),
            zone: Some(self.zone.clone()),
            mongo_version: Some(self.mongo_version.clone()),
            memory_mb: Some(self.memory_mb),
            volume_mb: Some(self.volume_mb),
            cpu: Some(self.cpu),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for InstanceSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = InstanceSpecJson::deserialize(d)?;
        if j.instance_id.trim().is_empty() {
            return Err(D::Error::custom("`instance_id` is empty"));
        }
        if !j.sharded && j.shards.is_some_and(|n| n != 1) {
            return Err(D::Error::custom(
                "`shards` other than 1 needs `\"sharded\": true`",
            ));
        }
        let base = if j.sharded {
            InstanceSpec::sharded(j.instance_id, j.shards.unwrap_or(2))
        } else {
            InstanceSpec::replica_set(j.instance_id)
        };
        Ok(InstanceSpec {
            name: j.name.unwrap_or(base.name),
            status: j.status.unwrap_or(base.status),
            region: j.region.unwrap_or(base.region),
            zone: j.zone.unwrap_or(base.zone),
            mongo_version: j.mongo_version.unwrap_or(base.mongo_version),
            memory_mb: j.memory_mb.unwrap_or(base.memory_mb),
            volume_mb: j.volume_mb.unwrap_or(base.volume_mb),
            cpu: j.cpu.unwrap_or(base.cpu),
            ..base
        })
    }
}

/// [`Progress`] on the wire.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressJson {
    mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phase_ms: Option<u64>,
}

fn progress_from(mode: &str, phase_ms: Option<u64>) -> Result<Progress, String> {
    match (mode, phase_ms) {
        ("per_poll", None) => Ok(Progress::PerPoll),
        ("elapsed", Some(ms)) => Ok(Progress::Elapsed(Duration::from_millis(ms))),
        ("per_poll", Some(_)) => Err("`phase_ms` goes with mode `elapsed` only".to_owned()),
        ("elapsed", None) => Err(
            "mode `elapsed` needs `phase_ms` (milliseconds per phase; 0 finishes work at once)"
                .to_owned(),
        ),
        (other, _) => Err(format!(
            "unknown progress mode `{other}`; use `per_poll` or `elapsed`"
        )),
    }
}

/// `{"mode": "per_poll"}` or `{"mode": "elapsed", "phase_ms": 1500}`.
impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let json = match self {
            Progress::PerPoll => ProgressJson {
                mode: "per_poll".to_owned(),
                phase_ms: None,
            },
            Progress::Elapsed(d) => ProgressJson {
                mode: "elapsed".to_owned(),
                phase_ms: Some(millis(*d)),
            },
        };
        json.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Progress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = ProgressJson::deserialize(d)?;
        progress_from(&j.mode, j.phase_ms).map_err(D::Error::custom)
    }
}

/// `POST /_emulator/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRequest {
    /// An action name, `*` or `download`.
    #[serde(alias = "action")]
    pub(crate) key: String,
    pub(crate) fault: Fault,
    /// How many requests it applies to; absent: until cleared.
    #[serde(default)]
    pub(crate) times: Option<u32>,
}

/// `POST /_emulator/clock`: exactly one of the two.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockRequest {
    offset_secs: Option<i64>,
    advance_secs: Option<i64>,
}

impl ClockRequest {
    pub(crate) fn change(&self) -> Result<ClockChange, String> {
        match (self.offset_secs, self.advance_secs) {
            (Some(secs), None) => Ok(ClockChange::SetOffset(secs)),
            (None, Some(secs)) => Ok(ClockChange::Advance(secs)),
            _ => Err("give exactly one of `offset_secs` and `advance_secs`".to_owned()),
        }
    }
}

/// `POST /_emulator/progress`: a mode, an advance, or both (the mode first).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgressRequest {
    mode: Option<String>,
    phase_ms: Option<u64>,
    advance: Option<u32>,
}

impl ProgressRequest {
    /// The new mode (if any) and the steps to advance (if any).
    pub(crate) fn parts(&self) -> Result<(Option<Progress>, Option<u32>), String> {
        let mode = match (&self.mode, self.phase_ms) {
            (None, None) => None,
            (None, Some(_)) => return Err("`phase_ms` needs `\"mode\": \"elapsed\"`".to_owned()),
            (Some(mode), ms) => Some(progress_from(mode, ms)?),
        };
        if mode.is_none() && self.advance.is_none() {
            return Err(
                "give `mode` (with `phase_ms` for `elapsed`), `advance`, or both".to_owned(),
            );
        }
        Ok((mode, self.advance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every variant; a new variant fails to compile in `FaultJson::from` and
    /// `fault_kind` until it has a JSON form, and must be added here.
    fn every_fault() -> Vec<Fault> {
        vec![
            Fault::Latency(Duration::from_millis(250)),
            Fault::Disconnect,
            Fault::BadGateway,
            Fault::HttpStatus(503),
            Fault::TruncatedBody,
            Fault::NonJson,
            Fault::MissingResponse,
            Fault::HugeContentLength,
            Fault::Hang,
            Fault::error("InternalError"),
            Fault::DropAfterBytes(1000),
            Fault::CorruptByte { offset: 7 },
            Fault::Trickle {
                after_bytes: 10,
                interval: Duration::from_millis(5),
            },
            Fault::Stall {
                after_bytes: 20,
                pause: Duration::from_secs(2),
            },
            Fault::ExpireDownloadUrls,
            Fault::AccessDenied,
            Fault::EndAs(EndAs::Paused),
            Fault::EndAs(EndAs::Failed),
            Fault::EndAs(EndAs::Undoed),
            Fault::EndAs(EndAs::RetryThenComplete),
        ]
    }

    #[test]
    fn every_fault_round_trips_and_names_its_kind() {
        for fault in every_fault() {
            let json = serde_json::to_value(&fault).unwrap();
            assert_eq!(json["kind"], fault_kind(&fault), "{json}");
            let back: Fault = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, fault, "{json}");
        }
    }

    #[test]
    fn fault_json_reads_as_documented() {
        let f: Fault = serde_json::from_str(r#"{"kind":"latency","ms":1500}"#).unwrap();
        assert_eq!(f, Fault::Latency(Duration::from_millis(1500)));
        let f: Fault = serde_json::from_str(r#"{"kind":"error","code":"InternalError"}"#).unwrap();
        assert_eq!(f, Fault::error("InternalError"));
        let f: Fault =
            serde_json::from_str(r#"{"kind":"end_as","end":"retry_then_complete"}"#).unwrap();
        assert_eq!(f, Fault::EndAs(EndAs::RetryThenComplete));
        for bad in [
            r#"{"kind":"latency"}"#,
            r#"{"kind":"latency","ms":1,"extra":2}"#,
            r#"{"kind":"explode"}"#,
            r#"{"kind":"http_status","status":99}"#,
            r#"{"kind":"error","code":" "}"#,
        ] {
            assert!(serde_json::from_str::<Fault>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instance_specs_default_like_the_constructors() {
        let spec: InstanceSpec = serde_json::from_str(r#"{"instance_id":"cmgo-x"}"#).unwrap();
        assert_eq!(spec, InstanceSpec::replica_set("cmgo-x"));
        let spec: InstanceSpec = serde_json::from_str(
            r#"{"instance_id":"cmgo-y","sharded":true,"shards":3,"status":-2}"#,
        )
        .unwrap();
        assert_eq!(spec, InstanceSpec::sharded("cmgo-y", 3).with_status(-2));
        let full = InstanceSpec::sharded("cmgo-z", 4)
            .with_name("n")
            .with_location("ap-shanghai", "ap-shanghai-2");
        let back: InstanceSpec =
            serde_json::from_value(serde_json::to_value(&full).unwrap()).unwrap();
        assert_eq!(back, full);
        for bad in [
            r#"{"instance_id":""}"#,
            r#"{"id":"cmgo-x"}"#,
            r#"{"instance_id":"cmgo-x","shards":2}"#,
        ] {
            assert!(serde_json::from_str::<InstanceSpec>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn progress_reads_both_modes() {
        let p: Progress = serde_json::from_str(r#"{"mode":"per_poll"}"#).unwrap();
        assert_eq!(p, Progress::PerPoll);
        let p: Progress = serde_json::from_str(r#"{"mode":"elapsed","phase_ms":0}"#).unwrap();
        assert_eq!(p, Progress::Elapsed(Duration::ZERO));
        assert_eq!(
            serde_json::to_value(Progress::Elapsed(Duration::from_millis(1500))).unwrap(),
            serde_json::json!({"mode": "elapsed", "phase_ms": 1500})
        );
        for bad in [
            r#"{"mode":"elapsed"}"#,
            r#"{"mode":"per_poll","phase_ms":3}"#,
            r#"{"mode":"fast"}"#,
        ] {
            assert!(serde_json::from_str::<Progress>(bad).is_err(), "{bad}");
        }
        let r: ProgressRequest = serde_json::from_str(r#"{"advance":2}"#).unwrap();
        assert_eq!(r.parts().unwrap(), (None, Some(2)));
        let r: ProgressRequest = serde_json::from_str(r#"{}"#).unwrap();
        assert!(r.parts().is_err());
    }
}
