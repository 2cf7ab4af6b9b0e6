//! `deps`: how many crates each library pulls in as normal dependencies
//! (`cargo tree -p <crate> -e normal --prefix none | sort -u | wc -l`), with an upper bound where
//! we keep one.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::util::{capture_cmd, cargo, Result};

/// Library crates whose normal dependency count is reported, with an upper bound where we have one.
const LIBRARIES: &[(&str, Option<usize>)] = &[
    ("tc-sign", Some(15)),
    ("mongodb-errors", None),
    ("mongodb-models", None),
    ("mongodb-client-blocking", None),
    ("mongodb-emulator", None),
];

pub(crate) fn run() -> Result<Value> {
    let mut out = Map::new();
    for (krate, limit) in LIBRARIES {
        let tree = capture_cmd(
            &cargo(),
            &["tree", "-p", krate, "-e", "normal", "--prefix", "none"],
        )?;
        let unique: BTreeSet<&str> = tree.lines().collect();
        // The measure counts `sort -u` lines, where a repeated crate's `(*)` line is
        // distinct; `crates` is the number of distinct crates, the crate itself included.
        let crates: BTreeSet<&str> = unique.iter().map(|l| l.trim_end_matches(" (*)")).collect();
        let mut v = json!({ "ours": unique.len(), "crates": crates.len(), "unit": "lines" });
        if let Some(limit) = limit {
            v["limit"] = json!(limit);
            v["met"] = json!(unique.len() <= *limit);
        }
        out.insert(krate.to_string(), v);
    }
    Ok(Value::Object(out))
}
