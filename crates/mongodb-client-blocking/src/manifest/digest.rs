//! Size, SHA-256 and CRC-64/XZ of a file, computed in one pass.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use mongodb_errors::Error;

use crate::download::Hashes;

/// Bytes read at a time when hashing a file.
const CHUNK: usize = 1 << 20;

/// What a file's content hashes to: its length, SHA-256 and CRC-64/XZ.
///
/// CRC-64/XZ (also called CRC-64/GO-ECMA) is the checksum Tencent COS sends as
/// `x-cos-hash-crc64ecma`, in decimal; its check value (the CRC of the ASCII string
/// `123456789`) is `0x995DC9BBDF1939FA`.
///
/// ```
/// use mongodb_client_blocking::FileDigest;
///
/// let d = FileDigest::of_bytes(b"123456789");
/// assert_eq!(d.crc64, 0x995D_C9BB_DF19_39FA);
/// assert_eq!(d.bytes, 9);
/// assert_eq!(
///     d.sha256,
///     "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileDigest {
    /// Length in bytes.
    pub bytes: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// CRC-64/XZ.
    pub crc64: u64,
}

impl FileDigest {
    /// The digest of `data`.
    pub fn of_bytes(data: &[u8]) -> Self {
        let mut h = FileHasher::new();
        h.update(data);
        h.finish()
    }

    /// Reads the file at `path` to its end and returns its digest.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file when it can't be opened or read.
    pub fn of_file(path: &Path) -> Result<Self, Error> {
        Self::read(path).map_err(|source| Error::Io {
            context: format!("reading {}", path.display()),
            source,
        })
    }

    /// [`of_file`](Self::of_file) with the raw I/O error, so callers can tell a missing file
    /// from an unreadable one.
    pub(crate) fn read(path: &Path) -> io::Result<Self> {
        let mut file = File::open(path)?;
        let mut h = FileHasher::new();
        let mut buf = vec![0u8; CHUNK];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => h.update(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(h.finish())
    }
}

/// Computes a [`FileDigest`] over bytes fed in pieces, e.g. while they are written. The
/// same hashing as a download's (one implementation of CRC-64/XZ and SHA-256 in this crate).
///
/// ```
/// use mongodb_client_blocking::{FileDigest, FileHasher};
///
/// let mut h = FileHasher::new();
/// h.update(b"1234");
/// h.update(b"56789");
/// assert_eq!(h.finish(), FileDigest::of_bytes(b"123456789"));
/// ```
pub struct FileHasher {
    inner: Hashes,
}

impl std::fmt::Debug for FileHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileHasher")
            .field("bytes", &self.inner.covered())
            .finish_non_exhaustive()
    }
}

impl Default for FileHasher {
    fn default() -> Self {
        FileHasher {
            inner: Hashes::new(),
        }
    }
}

impl FileHasher {
    /// A hasher that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> FileDigest {
        let bytes = self.inner.covered();
        let (crc64, sha256) = self.inner.finish();
        FileDigest {
            bytes,
            sha256,
            crc64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_xz_check_value() {
        // The catalogue's check value for CRC-64/XZ, and the empty input.
        assert_eq!(
            FileDigest::of_bytes(b"123456789").crc64,
            0x995D_C9BB_DF19_39FA
        );
        assert_eq!(FileDigest::of_bytes(b"").crc64, 0);
        assert_eq!(
            FileDigest::of_bytes(b"").sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_file_hashes_like_its_bytes_across_chunk_boundaries() {
        let data: Vec<u8> = (0..CHUNK * 2 + 12_345)
            .map(|i| (i * 7 % 253) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, &data).unwrap();
        let d = FileDigest::of_file(&path).unwrap();
        assert_eq!(d, FileDigest::of_bytes(&data));
        assert_eq!(d.bytes, data.len() as u64);
        let missing = FileDigest::of_file(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
