//! What an instance keeps about its audit service and about shipping its logs
//! to the Cloud Log Service (family: audit). Plain data; every member
//! defaults, so state files written before a member existed still load.
//!
//! Other families read whether auditing is on with [`InstanceAudit::enabled`]
//! (`instance.audit.enabled()`).

use serde::{Deserialize, Serialize};

/// Audit and log shipping of one instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceAudit {
    /// The audit service while it is open; `None` when it was never opened or
    /// has been closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<AuditService>,
    /// Where each kind of log is shipped.
    pub(crate) cls: LogShipping,
}

impl InstanceAudit {
    /// Whether the audit service is open on the instance.
    pub(crate) fn enabled(&self) -> bool {
        self.service.is_some()
    }
}

/// The settings of an open audit service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AuditService {
    /// Every operation is audited (`AuditAll`), rather than those the rules
    /// pick.
    pub(crate) audit_all: bool,
    /// Days audit logs are kept (`LogExpireDay`).
    pub(crate) log_expire_days: u64,
    /// The rules of a rule-based audit.
    pub(crate) rules: Vec<AuditRule>,
    /// When the service was opened (ms since the epoch).
    pub(crate) opened_ms: i64,
}

/// One audit rule (`LogFilter`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AuditRule {
    /// `SrcIp`, `DB`, `Collection`, `User` or `SqlType`.
    pub(crate) kind: String,
    /// `EQ`.
    pub(crate) compare: String,
    pub(crate) values: Vec<String>,
}

/// The kinds of log that can be shipped (`LogType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShippedLog {
    Error,
    Slow,
    Operation,
}

impl ShippedLog {
    /// Every kind, with its `LogType` value.
    pub(crate) const ALL: [(ShippedLog, &'static str); 3] = [
        (ShippedLog::Error, "MongoDB-ErrorLog"),
        (ShippedLog::Slow, "MongoDB-SlowLog"),
        (ShippedLog::Operation, "MongoDB-OperationLog"),
    ];

    /// From a `LogType` value.
    pub(crate) fn from_wire(value: &str) -> Option<ShippedLog> {
        Self::ALL
            .iter()
            .find(|(_, name)| *name == value)
            .map(|(kind, _)| *kind)
    }
}

/// Where each kind of log goes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LogShipping {
    pub(crate) error_log: ClsTarget,
    pub(crate) slow_log: ClsTarget,
    pub(crate) operation_log: ClsTarget,
}

impl LogShipping {
    pub(crate) fn target(&self, kind: ShippedLog) -> &ClsTarget {
        match kind {
            ShippedLog::Error => &self.error_log,
            ShippedLog::Slow => &self.slow_log,
            ShippedLog::Operation => &self.operation_log,
        }
    }

    pub(crate) fn target_mut(&mut self, kind: ShippedLog) -> &mut ClsTarget {
        match kind {
            ShippedLog::Error => &mut self.error_log,
            ShippedLog::Slow => &mut self.slow_log,
            ShippedLog::Operation => &mut self.operation_log,
        }
    }
}

/// Shipping of one kind of log to a log set and topic of the Cloud Log
/// Service. The ids stay when shipping is turned off, so turning it on again
/// without naming them reuses them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClsTarget {
    pub(crate) on: bool,
    /// The Cloud Log Service's region; empty until shipping is first set up.
    pub(crate) cls_region: String,
    pub(crate) logset_id: String,
    pub(crate) topic_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_types_and_targets_match() {
        let mut shipping = LogShipping::default();
        for (kind, name) in ShippedLog::ALL {
            assert_eq!(ShippedLog::from_wire(name), Some(kind));
            shipping.target_mut(kind).logset_id = name.to_owned();
        }
        assert_eq!(ShippedLog::from_wire("MongoDB-AuditLog"), None);
        assert_eq!(
            shipping.target(ShippedLog::Slow).logset_id,
            "MongoDB-SlowLog"
        );
        assert_eq!(shipping.operation_log.logset_id, "MongoDB-OperationLog");

        let mut audit = InstanceAudit::default();
        assert!(!audit.enabled());
        audit.service = Some(AuditService::default());
        assert!(audit.enabled());
        let old: InstanceAudit = serde_json::from_str("{}").unwrap();
        assert_eq!(old, InstanceAudit::default(), "an older state file loads");
    }
}
