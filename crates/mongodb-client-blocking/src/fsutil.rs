//! Durable file replacement, shared by the download records, the export manifest and the
//! tccli profile files. A leaf: it knows nothing of its users.
//!
//! [`write_atomic`] writes a temporary file beside the target under a name no other writer
//! uses (process id and a counter), syncs it, renames it over the target and syncs the
//! directory, so a reader or a crash sees the old content or the new, never a mix, and two
//! writers never write into each other's temporary file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who may read the file written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// The process's usual permissions (umask).
    Default,
    /// The owner only (mode `0600` on Unix): for files that hold secrets.
    Private,
}

/// Tells apart the temporary files of the writers of one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Replace `path` with `bytes` durably (see the module docs). On failure the temporary file
/// is removed and `path`, if it existed, is left as it was.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], access: Access) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = write_then_rename(&tmp, path, bytes, access);
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8], access: Access) -> io::Result<()> {
    let mut options = OpenOptions::new();
    // A name of our own: nobody else writes it, and a stale one (a crashed writer whose
    // process id came round again) is not appended to.
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match access {
            Access::Private => 0o600,
            Access::Default => 0o666,
        });
    }
    let mut file = options.open(tmp)?;
    #[cfg(unix)]
    if access == Access::Private {
        // The mode above applies to a new file only; a stale one keeps its own.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp, fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = access;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(tmp, path)?;
    sync_dir(parent_of(path))
}

/// `.<name>.<pid>.<n>.tmp` beside `path`: hidden, and unique among this process's writers
/// and other processes'.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// The directory holding `path` (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Make a rename or a new file in `dir` durable. Directories can't be opened for syncing on
/// Windows, where the rename itself is journaled; there this does nothing.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        write_atomic(&p, b"one", Access::Default).unwrap();
        write_atomic(&p, b"two", Access::Default).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["m.json"]);
        sync_dir(dir.path()).unwrap();
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_its_temporary() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("m.json"), b"old", Access::Default).unwrap();
        // The target is a non-empty directory: the rename fails after the temporary is written.
        let blocked = dir.path().join("d");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write_atomic(&blocked, b"new", Access::Default).is_err());
        assert_eq!(names(dir.path()), ["d", "m.json"]);
        assert_eq!(fs::read(dir.path().join("m.json")).unwrap(), b"old");
    }

    #[test]
    fn every_writer_has_a_temporary_name_of_its_own() {
        let p = Path::new("dir/m.json");
        let (a, b) = (temp_path(p), temp_path(p));
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("dir")));
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".m.json.") && name.ends_with(".tmp"),
            "{name}"
        );
        assert!(name.contains(&std::process::id().to_string()), "{name}");
        assert_eq!(parent_of(Path::new("m.json")), Path::new("."));
    }

    #[test]
    fn concurrent_writers_of_one_file_never_fail_or_mix() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        let bodies: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 10_000]).collect();
        let (p, bodies) = (&p, &bodies);
        std::thread::scope(|s| {
            for body in bodies {
                s.spawn(move || {
                    for _ in 0..50 {
                        write_atomic(p, body, Access::Default).unwrap();
                        let now = fs::read(p).unwrap();
                        assert!(bodies.contains(&now), "a mix of writers");
                    }
                });
            }
        });
        assert_eq!(names(dir.path()), ["m.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.credential");
        write_atomic(&p, b"{}", Access::Private).unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
