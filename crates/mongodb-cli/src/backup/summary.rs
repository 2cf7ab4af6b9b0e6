//! What `backup run` and `backup download` print on stdout when they end, in the three
//! output formats, and the exit code of a run of several exports.
//!
//! * `table` (the default): one line per file (`PATH  N bytes  verified crc64+size`), then a
//!   summary table with a row per instance: instance, backup, files, bytes, elapsed, result,
//!   manifest.
//! * `json`: `{"Exports": [{"InstanceId", "Directory", "BackupName", "BackupMethod",
//!   "Manifest", "Files": [{"ReplicaSetId", "Path", "Bytes", "Sha256", "Crc64", "Verified",
//!   "Downloaded", "ResumedFrom", "Attempts", "Refreshes", "Parts"}], "FileCount", "Bytes",
//!   "ElapsedSecs", "Result", "Error", "ExitCode"}]}`; a file already complete has
//!   `"Downloaded": false` and zeros for the download's figures.
//! * `text`: the same object in tccli's tab-separated form.

use mongodb_client_blocking::{ExportedFile, InstanceExport, MANIFEST_FILE};
use serde_json::{json, Value};

use crate::exit;
use crate::output::{render_json, render_table, render_text, Format};

/// Columns of the summary table.
const COLUMNS: &[&str] = &[
    "Instance", "Backup", "Files", "Bytes", "Elapsed", "Result", "Manifest",
];

/// The results in `format`.
pub fn render(results: &[InstanceExport], format: Format) -> String {
    match format {
        Format::Json => render_json(&to_json(results)),
        Format::Text => render_text(&to_json(results)),
        Format::Table => table(results),
    }
}

/// The exit code of a run: 0 when every export succeeded, else the highest code among the
/// failures (by the table in [`crate::exit`]).
pub fn exit_code(results: &[InstanceExport]) -> u8 {
    results
        .iter()
        .filter_map(|r| r.result.as_ref().err())
        .map(exit::exit_code)
        .max()
        .unwrap_or(exit::SUCCESS)
}

fn table(results: &[InstanceExport]) -> String {
    let mut out = String::new();
    for file in results
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .flat_map(|r| &r.files)
    {
        out.push_str(&file_line(file));
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let rows: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "Instance": r.instance_id,
                "Backup": r.backup_name.as_deref().unwrap_or("-"),
                "Files": r.files,
                "Bytes": indicatif::BinaryBytes(r.bytes).to_string(),
                "Elapsed": format!("{:.1}s", r.elapsed.as_secs_f64()),
                "Result": match &r.result {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("failed (exit {})", exit::exit_code(e)),
                },
                "Manifest": manifest_path(r).unwrap_or_else(|| "-".into()),
            })
        })
        .collect();
    out.push_str(&render_table(&Value::Array(rows), Some(COLUMNS)));
    out
}

/// `PATH  N bytes  verified crc64+size[  (already complete)]`.
fn file_line(f: &ExportedFile) -> String {
    let how = match &f.download {
        None => "  (already complete)".to_owned(),
        Some(d) if d.resumed_from > 0 => format!("  (resumed from byte {})", d.resumed_from),
        Some(_) => String::new(),
    };
    format!(
        "{}  {} bytes  verified {}{how}",
        f.path.display(),
        f.bytes,
        f.verified
    )
}

/// The manifest of an export, when there is one (a failed export may have written one).
fn manifest_path(r: &InstanceExport) -> Option<String> {
    let path = match &r.result {
        Ok(report) => report.manifest.clone(),
        Err(_) => r.dir.join(MANIFEST_FILE),
    };
    (r.result.is_ok() || path.is_file()).then(|| path.display().to_string())
}

fn to_json(results: &[InstanceExport]) -> Value {
    let exports: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut o = json!({
                "InstanceId": r.instance_id,
                "Directory": r.dir.display().to_string(),
                "BackupName": r.backup_name,
                "Manifest": manifest_path(r),
                "FileCount": r.files,
                "Bytes": r.bytes,
                "ElapsedSecs": (r.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            });
            match &r.result {
                Ok(report) => {
                    o["BackupMethod"] = json!(report.backup_method.value());
                    o["Files"] = report.files.iter().map(file_json).collect();
                    o["Result"] = json!("ok");
                }
                Err(e) => {
                    o["Files"] = json!([]);
                    o["Result"] = json!("failed");
                    o["Error"] = json!(e.to_string());
                    o["ExitCode"] = json!(exit::exit_code(e));
                }
            }
            o
        })
        .collect();
    json!({ "Exports": exports })
}

fn file_json(f: &ExportedFile) -> Value {
    json!({
        "ReplicaSetId": f.replica_set_id,
        "Path": f.path.display().to_string(),
        "Bytes": f.bytes,
        "Sha256": f.sha256,
        "Crc64": f.crc64.map(|c| c.to_string()),
        "Verified": f.verified.as_str(),
        "Downloaded": f.download.is_some(),
        "ResumedFrom": f.download.as_ref().map_or(0, |d| d.resumed_from),
        "Attempts": f.download.as_ref().map_or(0, |d| d.attempts),
        "Refreshes": f.download.as_ref().map_or(0, |d| d.refreshes),
        "Parts": f.download.as_ref().map_or(0, |d| d.parts),
    })
}
