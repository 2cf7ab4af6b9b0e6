//! The record kept beside a `.part` file (`<dest>.part.meta`, JSON): what the partial file
//! belongs to, the store's validators, and which byte ranges are complete. A `.part` is only
//! continued when its record proves it holds the start of the same object.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil::{self, Access};

/// Bumped when the record's meaning changes; records of another format are not trusted.
const FORMAT: u32 = 1;

/// `<dest>.part`, the name a download is written under until it is complete and verified.
pub fn part_path(dest: &Path) -> PathBuf {
    with_suffix(dest, ".part")
}

/// `<dest>.part.meta`, the record beside the `.part`.
pub(crate) fn record_path(dest: &Path) -> PathBuf {
    with_suffix(dest, ".part.meta")
}

fn with_suffix(dest: &Path, suffix: &str) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    dest.with_file_name(name)
}

/// What a download is of. See [`Identity::matches`] for when two are of the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) instance_id: Option<String>,
    pub(crate) backup_name: Option<String>,
    pub(crate) replica_set_id: Option<String>,
    /// `host/path` of the URL, only when nothing above names the file.
    pub(crate) object: Option<String>,
    /// `BackupSize`, or the size the caller expects.
    pub(crate) size: Option<u64>,
}

impl Identity {
    /// Whether a `.part` recorded as `self` is of the file `other` describes: every field
    /// equal, except that an instance id only one of them knows is no reason to refuse.
    /// `download_backup` gets a task, which doesn't name its instance, while
    /// `download_backup_file` is told it; a `.part` one of them left is continued by the other
    /// when the backup name, replica set and size agree (and then the store's ETag or
    /// Last-Modified, through `If-Range`). Two different known instance ids never match.
    pub(crate) fn matches(&self, other: &Identity) -> bool {
        let instance = match (&self.instance_id, &other.instance_id) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        instance
            && self.backup_name == other.backup_name
            && self.replica_set_id == other.replica_set_id
            && self.object == other.object
            && self.size == other.size
    }
}

/// A byte range `[start, end)` of the file, of which `[start, start + done)` is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seg {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) done: u64,
}

impl Seg {
    /// The next byte to fetch.
    pub(crate) fn next(&self) -> u64 {
        self.start + self.done
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.next() >= self.end
    }
}

/// `[0, total)` cut into `n` ranges of nearly equal size.
pub(crate) fn split(total: u64, n: u32) -> Vec<Seg> {
    let n = u64::from(n.max(1)).min(total.max(1));
    let len = total.div_ceil(n).max(1);
    let mut segs = Vec::new();
    let mut start = 0;
    while start < total {
        let end = (start + len).min(total);
        segs.push(Seg {
            start,
            end,
            done: 0,
        });
        start = end;
    }
    segs
}

/// The record of one `.part`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    format: u32,
    #[serde(flatten)]
    pub(crate) identity: Identity,
    /// The store's `ETag` from its first answer.
    pub(crate) etag: Option<String>,
    /// The store's `Last-Modified` from its first answer.
    pub(crate) last_modified: Option<String>,
    /// The store's CRC-64 of the whole object, when it sent one.
    pub(crate) crc64: Option<u64>,
    /// Ranges fetched in parts; `None` for a single stream, where the `.part`'s length is
    /// what is done.
    pub(crate) ranges: Option<Vec<Seg>>,
}

impl Record {
    pub(crate) fn new(identity: Identity) -> Record {
        Record {
            format: FORMAT,
            identity,
            etag: None,
            last_modified: None,
            crc64: None,
            ranges: None,
        }
    }

    /// The `If-Range` value: the ETag, else the Last-Modified date.
    pub(crate) fn validator(&self) -> Option<&str> {
        self.etag.as_deref().or(self.last_modified.as_deref())
    }

    /// Bytes on disk according to the ranges.
    pub(crate) fn ranges_done(&self) -> u64 {
        self.ranges.iter().flatten().map(|s| s.done).sum()
    }

    /// Why a `.part` of `part_len` bytes with this record can't be continued for `identity`,
    /// or `None` when it can.
    pub(crate) fn refuse_reason(&self, identity: &Identity, part_len: u64) -> Option<String> {
        if self.format != FORMAT {
            return Some(format!("its record is of format {}", self.format));
        }
        if !self.identity.matches(identity) {
            return Some(format!(
                "its record is of another file ({})",
                describe(&self.identity)
            ));
        }
        if self.validator().is_none() {
            return Some("the store gave no ETag or Last-Modified to resume with".into());
        }
        if let (Some(size), None) = (identity.size, &self.ranges) {
            if part_len > size {
                return Some(format!("it is longer than the {size}-byte file"));
            }
        }
        if let Some(ranges) = &self.ranges {
            let consistent = ranges.iter().all(|s| s.start + s.done <= s.end)
                && ranges.last().is_some_and(|s| s.end == part_len);
            if !consistent {
                return Some("its record's ranges don't fit the file".into());
            }
        }
        None
    }
}

fn describe(id: &Identity) -> String {
    let mut parts = Vec::new();
    for v in [
        &id.instance_id,
        &id.backup_name,
        &id.replica_set_id,
        &id.object,
    ]
    .into_iter()
    .flatten()
    {
        parts.push(v.clone());
    }
    if let Some(size) = id.size {
        parts.push(format!("{size} bytes"));
    }
    parts.join(", ")
}

/// Read a record; `Err` holds why it can't be used.
pub(crate) fn load(path: &Path) -> Result<Option<Record>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("its record is unreadable ({e})")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("its record can't be read ({e})")),
    }
}

/// Write a record durably through a synced temporary file and a rename, so it is never seen
/// half written, and the directory synced, so it survives a power loss.
pub(crate) fn save(path: &Path, record: &Record) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    fsutil::write_atomic(path, &bytes, Access::Default)
}

/// Remove a record (a missing one is fine).
pub(crate) fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Identity {
        Identity {
            instance_id: Some("cmgo-1".into()),
            backup_name: Some("b".into()),
            replica_set_id: Some("cmgo-1_0".into()),
            object: None,
            size: Some(100),
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            part_path(Path::new("/tmp/a/backup.tar")),
            PathBuf::from("/tmp/a/backup.tar.part")
        );
        assert_eq!(
            record_path(Path::new("/tmp/a/backup.tar")),
            PathBuf::from("/tmp/a/backup.tar.part.meta")
        );
    }

    #[test]
    fn a_record_proves_only_its_own_file() {
        let mut r = Record::new(id());
        assert!(r.refuse_reason(&id(), 10).unwrap().contains("no ETag"));
        r.etag = Some("\"e\"".into());
        assert_eq!(r.refuse_reason(&id(), 10), None);
        assert!(r.refuse_reason(&id(), 101).unwrap().contains("longer"));
        let other = Identity {
            replica_set_id: Some("cmgo-1_1".into()),
            ..id()
        };
        assert!(r
            .refuse_reason(&other, 10)
            .unwrap()
            .contains("another file"));
        r.ranges = Some(split(100, 3));
        assert_eq!(r.refuse_reason(&id(), 100), None);
        assert!(r.refuse_reason(&id(), 50).is_some());
    }

    #[test]
    fn an_instance_id_only_one_side_knows_is_no_reason_to_refuse() {
        let unknown = Identity {
            instance_id: None,
            ..id()
        };
        let other = Identity {
            instance_id: Some("cmgo-2".into()),
            ..id()
        };
        assert!(unknown.matches(&id()) && id().matches(&unknown));
        assert!(unknown.matches(&unknown) && id().matches(&id()));
        assert!(!other.matches(&id()) && !id().matches(&other));
        let mut r = Record::new(unknown.clone());
        r.etag = Some("\"e\"".into());
        assert_eq!(r.refuse_reason(&id(), 10), None);
        let smaller = Identity {
            size: Some(99),
            ..unknown
        };
        assert!(!smaller.matches(&id()));
    }

    #[test]
    fn records_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.part.meta");
        assert_eq!(load(&p), Ok(None));
        let mut r = Record::new(id());
        r.last_modified = Some("Tue, 02 Jan 2024 03:04:05 GMT".into());
        r.ranges = Some(split(100, 2));
        save(&p, &r).unwrap();
        assert_eq!(load(&p), Ok(Some(r)));
        std::fs::write(&p, b"{not json").unwrap();
        assert!(load(&p).is_err());
        remove(&p).unwrap();
        remove(&p).unwrap();
    }

    #[test]
    fn splits_cover_the_file() {
        for (total, n) in [
            (0, 4),
            (1, 4),
            (10, 3),
            (100 << 20, 4),
            ((100 << 20) + 7, 3),
        ] {
            let segs = split(total, n);
            assert!(segs.len() <= n as usize);
            let mut at = 0;
            for s in &segs {
                assert_eq!(s.start, at);
                assert!(s.end > s.start);
                at = s.end;
            }
            assert_eq!(at, total);
        }
    }
}
