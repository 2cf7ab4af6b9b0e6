//! `cargo xtask spec import [--from DIR]`: merge the two published API descriptions into the
//! facts-only spec committed at `crates/mongodb-models/spec/mongodb-2019-07-25.json`.
//!
//! What is kept per action: its input and output structure names, its status, and whether the
//! international site publishes it. Per structure: its members in published order with name, type,
//! element type, the required flags, nullability and the published example values (they are data
//! and serve as test fixtures). Prose (`document`, `name`, `api_brief`) is never copied.
//!
//! A member is `required` only when every site that publishes it says so. The output is a
//! `serde_json::Value` whose maps are sorted, so importing twice gives identical bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::{workspace_root, Result};

/// File name of the China-site description inside the spec folder.
const CN_FILE: &str = "mongodb-2019-07-25.cn-site.api.json";
/// File name of the international-site description inside the spec folder.
const INTL_FILE: &str = "mongodb-2019-07-25.intl-site.api.json";

/// Where the merged spec is written, relative to the workspace root.
pub(crate) const SPEC_PATH: &str = "crates/mongodb-models/spec/mongodb-2019-07-25.json";

const USAGE: &str = "usage: cargo xtask spec import [--from DIR]";

pub(crate) fn run(args: &[String]) -> Result {
    match args.first().map(String::as_str) {
        Some("import") => {}
        Some(other) => return Err(format!("unknown `spec` subcommand `{other}`\n{USAGE}")),
        None => return Err(USAGE.to_string()),
    }
    let mut from: Option<PathBuf> = None;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--from" => {
                let dir = rest.next().ok_or("`--from` needs a directory")?;
                from = Some(PathBuf::from(dir));
            }
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let from = from.unwrap_or_else(default_source_dir);
    let merged = import(&from)?;
    let out = workspace_root().join(SPEC_PATH);
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let old = std::fs::read_to_string(&out).ok();
    if old.as_deref() == Some(merged.as_str()) {
        eprintln!("spec import: {} is up to date", out.display());
    } else {
        std::fs::write(&out, &merged)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!("spec import: wrote {}", out.display());
    }
    Ok(())
}

/// `<workspace root>/../shared/spec`.
fn default_source_dir() -> PathBuf {
    let root = workspace_root();
    root.parent().unwrap_or(&root).join("shared").join("spec")
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Reads both site descriptions from `dir` and returns the merged spec as pretty JSON text.
pub(crate) fn import(dir: &Path) -> Result<String> {
    let cn = read_json(&dir.join(CN_FILE))?;
    let intl = read_json(&dir.join(INTL_FILE))?;
    let merged = merge(&cn, &intl)?;
    let mut text = serde_json::to_string_pretty(&merged).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| format!("{what} is not an object"))
}

fn str_field<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} has no string `{key}`"))
}

fn merge(cn: &Value, intl: &Value) -> Result<Value> {
    let cn_actions = obj(&cn["actions"], "cn actions")?;
    let intl_actions = obj(&intl["actions"], "intl actions")?;
    let cn_objects = obj(&cn["objects"], "cn objects")?;
    let intl_objects = obj(&intl["objects"], "intl objects")?;

    // Every action either site publishes; the China site is the superset in practice.
    let mut actions = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> =
        cn_actions.keys().chain(intl_actions.keys()).collect();
    for name in names {
        let a = cn_actions
            .get(name)
            .or_else(|| intl_actions.get(name))
            .expect("name comes from one of the maps");
        let what = format!("action {name}");
        if let (Some(c), Some(i)) = (cn_actions.get(name), intl_actions.get(name)) {
            if c["input"] != i["input"] || c["output"] != i["output"] {
                return Err(format!("{what}: the sites disagree on its structures"));
            }
        }
        actions.insert(
            name.clone(),
            json!({
                "input": str_field(a, "input", &what)?,
                "output": str_field(a, "output", &what)?,
                "status": str_field(a, "status", &what)?,
                "cn": cn_actions.contains_key(name),
                "intl": intl_actions.contains_key(name),
            }),
        );
    }

    let mut structures = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> =
        cn_objects.keys().chain(intl_objects.keys()).collect();
    for name in names {
        let c = cn_objects.get(name);
        let i = intl_objects.get(name);
        structures.insert(name.clone(), merge_structure(name, c, i)?);
    }

    Ok(json!({
        "service": "mongodb",
        "version": "2019-07-25",
        "sources": {
            "cn": CN_FILE,
            "intl": INTL_FILE,
        },
        "actions": actions,
        "structures": structures,
    }))
}

fn members(v: Option<&Value>, what: &str) -> Result<Vec<Value>> {
    match v {
        None => Ok(Vec::new()),
        Some(s) => s
            .get("members")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| format!("{what} has no members array")),
    }
}

fn merge_structure(name: &str, cn: Option<&Value>, intl: Option<&Value>) -> Result<Value> {
    let cn_members = members(cn, &format!("cn structure {name}"))?;
    let intl_members = members(intl, &format!("intl structure {name}"))?;
    let find = |list: &[Value], n: &str| -> Option<Value> {
        list.iter().find(|m| m["name"].as_str() == Some(n)).cloned()
    };
    // Published order: China-site order, then members only the international site has.
    let mut order: Vec<String> = Vec::new();
    for m in cn_members.iter().chain(intl_members.iter()) {
        let n = str_field(m, "name", &format!("member of {name}"))?.to_string();
        if !order.contains(&n) {
            order.push(n);
        }
    }
    let mut out = Vec::new();
    for n in order {
        let what = format!("{name}.{n}");
        let c = find(&cn_members, &n);
        let i = find(&intl_members, &n);
        let sites: Vec<&Value> = c.iter().chain(i.iter()).collect();
        let first = sites[0];
        let ty = str_field(first, "type", &what)?;
        let member = str_field(first, "member", &what)?;
        for s in &sites {
            if s["type"].as_str() != Some(ty) || s["member"].as_str() != Some(member) {
                return Err(format!("{what}: the sites disagree on its type"));
            }
        }
        let mut m = Map::new();
        m.insert("name".into(), json!(n));
        m.insert("type".into(), json!(ty));
        m.insert("member".into(), json!(member));
        m.insert(
            "required".into(),
            json!(sites
                .iter()
                .all(|s| s.get("required").and_then(Value::as_bool) == Some(true))),
        );
        let flag = |key: &str| -> Option<bool> {
            let vals: Vec<bool> = sites
                .iter()
                .filter_map(|s| s.get(key).and_then(Value::as_bool))
                .collect();
            if vals.is_empty() {
                None
            } else {
                Some(vals.iter().all(|v| *v))
            }
        };
        if let Some(v) = flag("output_required") {
            m.insert("output_required".into(), json!(v));
        }
        // Nullable if any site says a null may come back.
        let nullable: Vec<bool> = sites
            .iter()
            .filter_map(|s| s.get("value_allowed_null").and_then(Value::as_bool))
            .collect();
        if !nullable.is_empty() {
            m.insert("nullable".into(), json!(nullable.iter().any(|v| *v)));
        }
        if sites
            .iter()
            .any(|s| s.get("disabled").and_then(Value::as_bool) == Some(true))
        {
            m.insert("disabled".into(), json!(true));
        }
        let ex_cn = c.as_ref().and_then(|s| s.get("example")).cloned();
        let ex_intl = i.as_ref().and_then(|s| s.get("example")).cloned();
        match (ex_cn, ex_intl) {
            (Some(a), Some(b)) if a != b => {
                m.insert("example".into(), a);
                m.insert("example_intl".into(), b);
            }
            (Some(a), _) => {
                m.insert("example".into(), a);
            }
            (None, Some(b)) => {
                m.insert("example".into(), b);
            }
            (None, None) => {}
        }
        m.insert("cn".into(), json!(c.is_some()));
        m.insert("intl".into(), json!(i.is_some()));
        out.push(Value::Object(m));
    }
    Ok(json!({
        "cn": cn.is_some(),
        "intl": intl.is_some(),
        "members": out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Importing the shared spec again reproduces the committed spec byte for byte.
    #[test]
    fn committed_spec_matches_import() {
        let shared = default_source_dir();
        if !shared.is_dir() {
            return; // the shared reference data is not beside this checkout
        }
        let text = import(&shared).expect("import runs");
        let committed = std::fs::read_to_string(workspace_root().join(SPEC_PATH))
            .expect("committed spec exists");
        assert!(
            text == committed,
            "committed spec is stale; run `cargo xtask spec import`"
        );
    }
}
