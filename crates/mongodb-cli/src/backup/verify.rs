//! `backup verify DIR`: re-read an export against its `manifest.json`.
//!
//! `DIR` is one export (it holds `manifest.json`), or the `--out` of a run of several, whose
//! subdirectories each hold one: then every such subdirectory is verified, in name order.
//! Each file prints one line (`FILE: ok`, `FILE: missing (…)`, `FILE: sha256 is …, the
//! manifest says …`), prefixed by its subdirectory when there are several.
//!
//! Exit codes: 0 every file matches; 1 a file differs or is missing (named above); 2 no
//! manifest in `DIR` nor in its subdirectories, or a manifest that is not one; 3 a file or
//! manifest could not be read.

use std::io;
use std::path::{Path, PathBuf};

use mongodb_client_blocking::{
    Error, FileStatus, Manifest, VerifyOutcome, VerifyReport, MANIFEST_FILE,
};
use serde_json::{json, Value};

use crate::exit::{self, Failure};
use crate::output::{print_stdout, render_json, render_text, Format};
use crate::progress::Reporter;

/// Runs `backup verify`.
pub fn run(dir: &Path, format: Format, reporter: &Reporter) -> Result<(), Failure> {
    let exports = find_exports(dir)?;
    let mut checked: Vec<(String, PathBuf, VerifyReport)> = Vec::new();
    for (label, path) in exports {
        let manifest = Manifest::load(&path).map_err(manifest_failure)?;
        let report = manifest.verify(&path);
        if !report.export_finished {
            reporter.line(&format!(
                "note: {} records an export that did not finish; only the files it lists were checked",
                path.join(MANIFEST_FILE).display()
            ));
        }
        checked.push((label, path, report));
    }
    let text = match format {
        Format::Table => lines(&checked),
        Format::Json => render_json(&to_json(&checked)),
        Format::Text => render_text(&to_json(&checked)),
    };
    print_stdout(&text)?;

    let files: usize = checked.iter().map(|(_, _, r)| r.files.len()).sum();
    let outcomes: Vec<VerifyOutcome> = checked.iter().map(|(_, _, r)| r.outcome()).collect();
    let problems: usize = checked.iter().map(|(_, _, r)| r.problems().count()).sum();
    if outcomes.contains(&VerifyOutcome::Mismatch) {
        Err(Failure::Other {
            code: exit::SERVICE,
            message: format!("{problems} of {files} files do not match the manifest"),
        })
    } else if outcomes.contains(&VerifyOutcome::Unreadable) {
        Err(Failure::Other {
            code: exit::NETWORK,
            message: format!("{problems} of {files} files could not be read"),
        })
    } else {
        Ok(())
    }
}

/// The exports under `dir`: itself when it holds a manifest, else its subdirectories that
/// do, each with the label its lines get (empty for `dir` itself).
fn find_exports(dir: &Path) -> Result<Vec<(String, PathBuf)>, Failure> {
    if dir.join(MANIFEST_FILE).exists() {
        return Ok(vec![(String::new(), dir.to_path_buf())]);
    }
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory: give the directory an export was written to",
            dir.display()
        )));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Failure::usage(format!("{} does not exist", dir.display())),
        _ => Failure::Other {
            code: exit::NETWORK,
            message: format!("cannot read {}: {e}", dir.display()),
        },
    })?;
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.join(MANIFEST_FILE).exists())
        .map(|p| {
            let label = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (label, p)
        })
        .collect();
    if found.is_empty() {
        return Err(Failure::usage(format!(
            "no {MANIFEST_FILE} in {} nor in its subdirectories: give the directory an export \
             was written to (the --out of backup run or backup download)",
            dir.display()
        )));
    }
    found.sort();
    Ok(found)
}

/// A manifest that can't be loaded: not a manifest (2) or not readable (3).
fn manifest_failure(e: Error) -> Failure {
    let code = match &e {
        Error::Io { source, .. } if source.kind() == io::ErrorKind::InvalidData => exit::USAGE,
        _ => exit::NETWORK,
    };
    Failure::Other {
        code,
        message: e.to_string(),
    }
}

/// One line per file, prefixed by the export's label when there is one.
fn lines(checked: &[(String, PathBuf, VerifyReport)]) -> String {
    let mut out = String::new();
    for (label, _, report) in checked {
        for verdict in &report.files {
            if !label.is_empty() {
                out.push_str(label);
                out.push('/');
            }
            out.push_str(&verdict.to_string());
            out.push('\n');
        }
    }
    out
}

fn to_json(checked: &[(String, PathBuf, VerifyReport)]) -> Value {
    let exports: Vec<Value> = checked
        .iter()
        .map(|(_, dir, report)| {
            let files: Vec<Value> = report
                .files
                .iter()
                .map(|v| {
                    let (status, detail) = match &v.status {
                        FileStatus::Ok => ("ok", None),
                        FileStatus::Missing => ("missing", None),
                        FileStatus::Unreadable { message, .. } => {
                            ("unreadable", Some(message.clone()))
                        }
                        FileStatus::Mismatch(list) => (
                            "mismatch",
                            Some(
                                list.iter()
                                    .map(ToString::to_string)
                                    .collect::<Vec<_>>()
                                    .join("; "),
                            ),
                        ),
                        _ => ("unknown", None),
                    };
                    json!({
                        "File": v.file,
                        "ReplicaSetId": v.replica_set_id,
                        "Path": v.path.display().to_string(),
                        "Status": status,
                        "Detail": detail,
                    })
                })
                .collect();
            json!({
                "Directory": dir.display().to_string(),
                "Finished": report.export_finished,
                "Outcome": match report.outcome() {
                    VerifyOutcome::AllMatch => "ok",
                    VerifyOutcome::Mismatch => "mismatch",
                    _ => "unreadable",
                },
                "Files": files,
            })
        })
        .collect();
    json!({ "Exports": exports })
}
