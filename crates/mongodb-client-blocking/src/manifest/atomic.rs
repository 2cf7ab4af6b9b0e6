//! Replacing a small file so that a reader (or a crash) sees the old content or the new, never
//! a mix: write a temporary file beside it, sync it, rename it over the target, sync the
//! directory.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `dir/name` atomically through `dir/name.tmp`. On failure the temporary
/// file is removed and the old `dir/name`, if any, is left as it was.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let target = dir.join(name);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename in `dir` durable. Directories can't be opened for syncing on Windows, where
/// the rename itself is durable once it returns.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
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

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "m.json", b"one").unwrap();
        write_atomically(dir.path(), "m.json", b"two").unwrap();
        assert_eq!(fs::read(dir.path().join("m.json")).unwrap(), b"two");
        assert!(!dir.path().join("m.json.tmp").exists());
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "m.json", b"old").unwrap();
        // The target is a non-empty directory: the rename fails after the temporary is written.
        let blocked = dir.path().join("d");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write_atomically(dir.path(), "d", b"new").is_err());
        assert!(!dir.path().join("d.tmp").exists());
        assert_eq!(fs::read(dir.path().join("m.json")).unwrap(), b"old");
    }
}
