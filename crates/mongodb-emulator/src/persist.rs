//! The optional state file: read at start, replaced atomically (temporary file
//! in the same directory, fsync, rename) after every change.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::state::State;

/// Writes snapshots of the state to one file, never an older one over a newer one.
#[derive(Debug)]
pub(crate) struct Persister {
    path: PathBuf,
    /// Generation of the last snapshot written.
    written: Mutex<u64>,
    /// Source of generation numbers, taken while the state lock is held.
    next: AtomicU64,
}

impl Persister {
    pub(crate) fn new(path: PathBuf) -> Self {
        Persister {
            path,
            written: Mutex::new(0),
            next: AtomicU64::new(1),
        }
    }

    /// Reads the state file; `Ok(None)` when it does not exist.
    pub(crate) fn load(&self) -> io::Result<Option<State>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let state = State::from_json(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("state file {} is not valid: {e}", self.path.display()),
            )
        })?;
        Ok(Some(state))
    }

    /// Serialises `state` and returns the snapshot with its generation. Call with
    /// the state lock held, then [`write`](Self::write) after releasing it.
    pub(crate) fn snapshot(&self, state: &State) -> (u64, Vec<u8>) {
        let generation = self.next.fetch_add(1, Ordering::SeqCst);
        let bytes = state.to_json();
        (generation, bytes)
    }

    /// Writes a snapshot unless a newer one is already on disk.
    pub(crate) fn write(&self, generation: u64, bytes: &[u8]) -> io::Result<()> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if generation <= *written {
            return Ok(());
        }
        write_atomically(&self.path, bytes)?;
        *written = generation;
        Ok(())
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state.json".to_owned());
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_and_reject_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let p = Persister::new(path.clone());
        assert!(p.load().unwrap().is_none());
        let state = State::seeded(1_700_000_000_000, (10, 20));
        let (g, bytes) = p.snapshot(&state);
        p.write(g, &bytes).unwrap();
        // An older snapshot never replaces a newer one.
        let (g2, _) = p.snapshot(&State::empty());
        let (g3, newest) = p.snapshot(&state);
        p.write(g3, &newest).unwrap();
        p.write(g2, b"{}").unwrap();
        let back = p.load().unwrap().unwrap();
        let region = back.region("ap-guangzhou").unwrap();
        assert_eq!(region.instances.len(), 2);
        assert_eq!(region.backups.len(), 2);
        // Only the state file is left in the directory.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        fs::write(&path, b"not json").unwrap();
        assert_eq!(p.load().unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
