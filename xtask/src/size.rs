//! `cargo xtask size`: fails when a hand-written `.rs` file is over 600 lines.
//!
//! Every `.rs` file below the workspace root counts (crates, xtask, the workspace tests and
//! benches, the fuzz targets), except what is not written by hand: directories named
//! `generated` (the models' generated code), `target`, and hidden directories. A long file is
//! split by concern, the way the rest of the code is.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{workspace_root, Result};

/// The most lines a hand-written source file may have.
pub(crate) const MAX_LINES: usize = 600;

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`size` takes no arguments (got `{extra}`)"));
    }
    check_workspace()
}

/// Checks every hand-written `.rs` file of the workspace; lists the long ones and fails.
pub(crate) fn check_workspace() -> Result {
    let root = workspace_root();
    let files = rust_files(&root)?;
    let long = oversized(&files)?;
    if long.is_empty() {
        eprintln!(
            "file size: all {} hand-written .rs files have at most {MAX_LINES} lines",
            files.len()
        );
        return Ok(());
    }
    let list: Vec<String> = long
        .iter()
        .map(|(path, n)| {
            let shown = path.strip_prefix(&root).unwrap_or(path);
            format!("  {} ({n} lines)", shown.display())
        })
        .collect();
    Err(format!(
        "{} hand-written .rs file(s) over {MAX_LINES} lines; split each by concern:\n{}",
        long.len(),
        list.join("\n")
    ))
}

/// Whether a directory holds no hand-written source.
fn skipped(name: &str) -> bool {
    name == "target" || name == "generated" || name.starts_with('.')
}

/// Every `.rs` file below `dir`, outside skipped directories, sorted.
pub(crate) fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let file_type = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if file_type.is_dir() {
                if !skipped(&name.to_string_lossy()) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The files of `files` longer than [`MAX_LINES`], with their line counts.
pub(crate) fn oversized(files: &[PathBuf]) -> Result<Vec<(PathBuf, usize)>> {
    let mut long = Vec::new();
    for path in files {
        let text =
            fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        let n = text.lines().count();
        if n > MAX_LINES {
            long.push((path.clone(), n));
        }
    }
    Ok(long)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_lines(path: &Path, n: usize) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "// line\n".repeat(n)).unwrap();
    }

    #[test]
    fn long_hand_written_files_are_listed_and_generated_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_lines(&root.join("crates/a/src/lib.rs"), MAX_LINES);
        write_lines(&root.join("crates/a/src/long.rs"), MAX_LINES + 1);
        write_lines(&root.join("crates/a/tests/long_test.rs"), 2 * MAX_LINES);
        write_lines(&root.join("crates/b/src/generated/models.rs"), 5000);
        write_lines(&root.join("target/debug/build/out.rs"), 5000);
        write_lines(&root.join(".git/hooks/x.rs"), 5000);
        write_lines(&root.join("crates/a/README.md"), 5000);

        let files = rust_files(root).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "crates/a/src/lib.rs",
                "crates/a/src/long.rs",
                "crates/a/tests/long_test.rs"
            ]
        );
        let long = oversized(&files).unwrap();
        assert_eq!(
            long,
            [
                (root.join("crates/a/src/long.rs"), MAX_LINES + 1),
                (root.join("crates/a/tests/long_test.rs"), 2 * MAX_LINES),
            ]
        );
    }

    #[test]
    fn the_workspace_itself_passes() {
        check_workspace().unwrap();
    }
}
