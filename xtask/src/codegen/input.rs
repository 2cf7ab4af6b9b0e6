//! The generator's inputs as read from disk: the committed spec (facts imported by
//! `cargo xtask spec import`), the hand-written overlay (enums and fuller docs) and the help
//! lines (`help.json`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::Result;

#[derive(Deserialize)]
pub(super) struct Spec {
    pub(super) actions: BTreeMap<String, ActionSpec>,
    pub(super) structures: BTreeMap<String, StructSpec>,
}

#[derive(Deserialize)]
pub(super) struct ActionSpec {
    pub(super) input: String,
    pub(super) output: String,
    pub(super) intl: bool,
}

#[derive(Deserialize)]
pub(super) struct StructSpec {
    pub(super) members: Vec<MemberSpec>,
}

#[derive(Deserialize)]
pub(super) struct MemberSpec {
    pub(super) name: String,
    #[serde(rename = "type")]
    pub(super) ty: String,
    pub(super) member: String,
    pub(super) required: bool,
    /// Whether every answer carries the member (answer-side structures only).
    #[serde(default)]
    pub(super) output_required: Option<bool>,
    #[serde(default)]
    pub(super) nullable: Option<bool>,
    #[serde(default)]
    pub(super) disabled: bool,
}

#[derive(Deserialize)]
pub(super) struct Overlay {
    pub(super) enums: BTreeMap<String, EnumSpec>,
    #[serde(default)]
    pub(super) docs: Docs,
}

#[derive(Deserialize)]
pub(super) struct EnumSpec {
    pub(super) repr: String,
    pub(super) doc: String,
    pub(super) values: Vec<EnumValue>,
    pub(super) used_by: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub(super) struct EnumValue {
    pub(super) value: Value,
    pub(super) name: String,
    pub(super) doc: String,
}

#[derive(Deserialize, Default)]
pub(super) struct Docs {
    #[serde(default)]
    pub(super) actions: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) structures: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) members: BTreeMap<String, String>,
}

/// `help.json`: one line per action, request parameter, response member and structure member.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct HelpFile {
    pub(super) actions: BTreeMap<String, ActionHelp>,
    pub(super) structures: BTreeMap<String, BTreeMap<String, String>>,
}

/// The help of one action.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ActionHelp {
    pub(super) summary: String,
    pub(super) params: BTreeMap<String, String>,
    pub(super) output: BTreeMap<String, String>,
}

pub(super) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
