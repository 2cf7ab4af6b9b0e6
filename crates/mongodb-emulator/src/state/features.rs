//! What an instance has switched on or configured beyond its size (family:
//! instance configuration): SSL, transparent data encryption, audit, changed
//! parameters (and changes waiting for the maintenance window), security
//! groups, the SRV connection URL; and the region's own parameter templates.
//! Every member defaults, so state files written before a member existed
//! still load.
//!
//! Parameter values are kept as the service writes them (`"1000"`,
//! `"snappy"`); which parameters exist, their defaults and ranges are the
//! family's table (`actions::config::table`), not state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The configuration an instance carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceFeatures {
    pub(crate) ssl: Ssl,
    pub(crate) tde: Tde,
    pub(crate) audit: Audit,
    /// Parameters set away from their defaults: name → value as the service
    /// writes it (`"1000"`, `"snappy"`).
    pub(crate) params: BTreeMap<String, String>,
    /// Changes asked for with `ModifyType` `DELAY`: each takes effect at the
    /// start of the maintenance window that followed the request.
    pub(crate) pending_params: Vec<PendingParam>,
    /// Security group ids bound to the instance (`sg-…`), in the order given.
    pub(crate) security_groups: Vec<String>,
    pub(crate) srv: Srv,
    /// When transparent data encryption was switched on (ms since the
    /// epoch); 0 when it was on from the purchase (the instance's creation).
    pub(crate) tde_opened_ms: i64,
}

/// A parameter change waiting for the maintenance window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct PendingParam {
    pub(crate) name: String,
    pub(crate) value: String,
    /// When it takes effect (ms since the epoch).
    pub(crate) due_ms: i64,
}

/// SSL on the instance's connections.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Ssl {
    pub(crate) enabled: bool,
    /// When the certificate expires (ms since the epoch); 0 when never issued.
    pub(crate) expires_ms: i64,
}

/// Transparent data encryption.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Tde {
    pub(crate) enabled: bool,
    pub(crate) kms_region: String,
    pub(crate) key_id: String,
}

/// The audit service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Audit {
    pub(crate) enabled: bool,
    pub(crate) audit_all: bool,
    pub(crate) log_expire_days: u64,
    /// When it was switched on (ms since the epoch).
    pub(crate) opened_ms: i64,
}

/// The SRV connection URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Srv {
    pub(crate) enabled: bool,
    /// A custom domain, when one was set.
    pub(crate) custom_domain: Option<String>,
}

/// A change of an instance's configuration that shows only when the work
/// making it succeeds (the payload of `Effect::Features`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FeatureChange {
    /// Transparent data encryption goes on with this key (it never goes off).
    OpenTde { kms_region: String, key_id: String },
}

impl InstanceFeatures {
    /// The value parameter `name` was given and whether it is in effect at
    /// `now_ms` (`false`: it waits for the maintenance window); `None` when it
    /// was never changed (its default applies).
    pub(crate) fn param_value(&self, name: &str, now_ms: i64) -> Option<(&str, bool)> {
        if let Some(p) = self.pending_params.iter().rev().find(|p| p.name == name) {
            return Some((p.value.as_str(), p.due_ms <= now_ms));
        }
        self.params.get(name).map(|v| (v.as_str(), true))
    }

    /// Moves the waiting changes whose time has come into `params`.
    pub(crate) fn settle_params(&mut self, now_ms: i64) {
        let (due, waiting): (Vec<PendingParam>, Vec<PendingParam>) =
            std::mem::take(&mut self.pending_params)
                .into_iter()
                .partition(|p| p.due_ms <= now_ms);
        for p in due {
            self.params.insert(p.name, p.value);
        }
        self.pending_params = waiting;
    }

    /// Sets `name` at once (a change waiting for it is dropped).
    pub(crate) fn set_param(&mut self, name: &str, value: &str) {
        self.pending_params.retain(|p| p.name != name);
        self.params.insert(name.to_owned(), value.to_owned());
    }

    /// Sets `name` from `due_ms` on (replacing a change waiting for it).
    pub(crate) fn delay_param(&mut self, name: &str, value: &str, due_ms: i64) {
        self.pending_params.retain(|p| p.name != name);
        self.pending_params.push(PendingParam {
            name: name.to_owned(),
            value: value.to_owned(),
            due_ms,
        });
    }

    /// Applies a change whose work succeeded at `at_ms`.
    pub(crate) fn apply(&mut self, change: &FeatureChange, at_ms: i64) {
        match change {
            FeatureChange::OpenTde { kms_region, key_id } => {
                self.tde = Tde {
                    enabled: true,
                    kms_region: kms_region.clone(),
                    key_id: key_id.clone(),
                };
                self.tde_opened_ms = at_ms;
            }
        }
    }
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The service's clock is UTC+8.
const ZONE_MS: i64 = 8 * HOUR_MS;
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The start of the first maintenance window after `now_ms`: windows open
/// at `start` (`HH:MM[:SS]`, UTC+8) on `days` (`Monday`, …; every day when
/// empty). A start that doesn't parse counts as midnight.
pub(crate) fn next_window_start(now_ms: i64, start: &str, days: &[String]) -> i64 {
    let mut parts = start.trim().split(':').map(|p| p.parse::<i64>().ok());
    let mut field = |max: i64| match parts.next() {
        Some(Some(v)) if (0..max).contains(&v) => v,
        _ => 0,
    };
    let offset = (field(24) * 3600 + field(60) * 60 + field(60)) * 1000;
    let local = now_ms + ZONE_MS;
    let today = local.div_euclid(DAY_MS);
    let open_on = |day: i64| {
        // 1970-01-01 was a Thursday.
        let name = WEEKDAYS[(day + 3).rem_euclid(7) as usize];
        days.is_empty() || days.iter().any(|d| d.eq_ignore_ascii_case(name))
    };
    (0..=8)
        .map(|k| today + k)
        .filter(|&day| open_on(day))
        .map(|day| day * DAY_MS + offset)
        .find(|&at| at > local)
        .map_or(now_ms + DAY_MS, |at| at - ZONE_MS)
}

/// What a region holds for this family.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RegionFeatures {
    /// The account's own (custom) parameter templates; the service's default
    /// templates come from the family's table and are not stored.
    pub(crate) templates: Vec<ParamTemplate>,
}

/// A parameter template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ParamTemplate {
    /// `tpl-…`.
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) mongo_version: String,
    /// `REPLSET` or `SHARD`.
    pub(crate) cluster_type: String,
    /// Whether the service provides it (it cannot be changed or dropped).
    pub(crate) built_in: bool,
    /// Values set away from the defaults: name → value.
    pub(crate) params: BTreeMap<String, String>,
    /// When it was created (ms since the epoch).
    pub(crate) created_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-01 (a Monday) 12:00:00 UTC+8.
    const MONDAY_NOON: i64 = 1_704_081_600_000;

    #[test]
    fn the_next_window_follows_the_start_time_and_the_days() {
        let every_day = next_window_start(MONDAY_NOON, "04:00:00", &[]);
        assert_eq!(every_day - MONDAY_NOON, 16 * HOUR_MS, "Tuesday 04:00");
        let later_today = next_window_start(MONDAY_NOON, "13:30", &[]);
        assert_eq!(later_today - MONDAY_NOON, 90 * 60_000);
        let friday = next_window_start(MONDAY_NOON, "04:00:00", &["friday".to_owned()]);
        assert_eq!(friday - MONDAY_NOON, 3 * DAY_MS + 16 * HOUR_MS);
        let monday = next_window_start(MONDAY_NOON, "04:00:00", &["Monday".to_owned()]);
        assert_eq!(monday - MONDAY_NOON, 7 * DAY_MS - 8 * HOUR_MS, "next week");
        let nonsense = next_window_start(MONDAY_NOON, "late", &["Someday".to_owned()]);
        assert_eq!(
            nonsense - MONDAY_NOON,
            DAY_MS,
            "a day later when no day matches"
        );
    }

    #[test]
    fn delayed_values_wait_for_their_time() {
        let mut f = InstanceFeatures::default();
        assert_eq!(f.param_value("a", 0), None);
        f.set_param("a", "1");
        f.delay_param("a", "2", 100);
        assert_eq!(f.param_value("a", 99), Some(("2", false)));
        assert_eq!(f.param_value("a", 100), Some(("2", true)));
        f.settle_params(99);
        assert_eq!(f.params["a"], "1", "not before its time");
        f.settle_params(100);
        assert_eq!((f.params["a"].as_str(), f.pending_params.len()), ("2", 0));
        f.delay_param("b", "x", 10);
        f.set_param("b", "y");
        assert_eq!(f.param_value("b", 50), Some(("y", true)), "at once wins");
    }

    #[test]
    fn tde_opens_with_its_key_and_old_states_load() {
        let mut f = InstanceFeatures::default();
        let change = FeatureChange::OpenTde {
            kms_region: "ap-shanghai".into(),
            key_id: "k-1".into(),
        };
        f.apply(&change, 42);
        assert!(f.tde.enabled);
        assert_eq!((f.tde.key_id.as_str(), f.tde_opened_ms), ("k-1", 42));
        let old: InstanceFeatures =
            serde_json::from_str(r#"{"ssl": {"enabled": true}, "params": {"a": "1"}}"#).unwrap();
        assert!(old.ssl.enabled && old.pending_params.is_empty());
        let tpl: ParamTemplate = serde_json::from_str(r#"{"id": "tpl-1"}"#).unwrap();
        assert_eq!(tpl.created_ms, 0);
    }
}
