//! What an instance has switched on or configured beyond its size (family:
//! instance configuration): SSL, transparent data encryption, audit, changed
//! parameters, security groups, the SRV connection URL; and the region's
//! parameter templates. Every member defaults, so state files written before a
//! member existed still load.

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
    /// Security group ids bound to the instance (`sg-…`).
    pub(crate) security_groups: Vec<String>,
    pub(crate) srv: Srv,
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

/// What a region holds for this family.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RegionFeatures {
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
    pub(crate) params: BTreeMap<String, String>,
}
