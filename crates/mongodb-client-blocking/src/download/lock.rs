//! The advisory lock that keeps two downloads from writing one `.part`.

use std::fs::{File, OpenOptions};
use std::path::Path;

use mongodb_errors::{DownloadError, Error};

/// Open (creating if needed) and lock `part` for this download. The lock is released when
/// the handle is dropped, also when the process dies.
///
/// Another download holding it gives [`DownloadError::Locked`] at once (no waiting). A
/// download that finished or gave up between our open and our lock may have renamed or
/// removed the file; then the path names another file than the one locked, and we start
/// again with whatever is at the path now. When that keeps happening (three times), other
/// downloads are busy with the path: [`DownloadError::Locked`] too, never a handle on a file
/// the path no longer names.
pub(crate) fn lock_part(part: &Path) -> Result<File, Error> {
    lock_with(part, &still_named)
}

fn lock_with(part: &Path, named: &dyn Fn(&File, &Path) -> bool) -> Result<File, Error> {
    for _ in 0..3 {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(part)
            .map_err(|source| Error::Io {
                context: format!("opening {}", part.display()),
                source,
            })?;
        // Called through the trait: newer standard libraries have a method of this name too.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => return Err(locked(part)),
            Err(fs4::TryLockError::Error(source)) => {
                return Err(Error::Io {
                    context: format!("locking {}", part.display()),
                    source,
                })
            }
        }
        if named(&file, part) {
            return Ok(file);
        }
    }
    log::warn!(
        "{} kept being replaced while it was being locked: another download is using it",
        part.display()
    );
    Err(locked(part))
}

fn locked(part: &Path) -> Error {
    DownloadError::Locked {
        path: part.to_path_buf(),
    }
    .into()
}

/// Whether `path` still names the file `file` has open.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the file `file` has open (not checkable without file ids;
/// Windows refuses to rename a file another handle has locked, which closes the gap there).
#[cfg(not(unix))]
fn still_named(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_part_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.part");
        let first = lock_part(&part).unwrap();
        let err = lock_part(&part).unwrap_err();
        match &err {
            Error::Download(DownloadError::Locked { path }) => assert_eq!(path, &part),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("x.part"), "{err}");
        drop(first);
        lock_part(&part).unwrap();
    }

    #[test]
    fn a_path_that_keeps_naming_another_file_is_refused_not_returned() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.part");
        let tries = std::cell::Cell::new(0);
        let err = lock_with(&part, &|_, _| {
            tries.set(tries.get() + 1);
            false
        })
        .unwrap_err();
        assert!(
            matches!(&err, Error::Download(DownloadError::Locked { path }) if path == &part),
            "{err:?}"
        );
        assert_eq!(tries.get(), 3);
        // Renamed away once, then named again: the second handle is returned.
        let again = std::cell::Cell::new(false);
        lock_with(&part, &|f, p| again.replace(true) && still_named(f, p)).unwrap();
    }
}
