//! The two checksums every downloaded file gets in one pass: CRC-64/XZ (what COS announces as
//! `x-cos-hash-crc64ecma`, compared) and SHA-256 (reported, for manifests).

use std::fs::File;
use std::io;
use std::sync::mpsc;

use sha2::{Digest as _, Sha256};

use super::fileio;

/// Bytes read from disk at once when re-reading a file.
const READ_CHUNK: usize = 1 << 20;

/// Running CRC-64 and SHA-256 of the first [`covered`](Hashes::covered) bytes of a file.
pub(crate) struct Hashes {
    crc: crc_fast::Digest,
    sha: Sha256,
    covered: u64,
}

impl Hashes {
    pub(crate) fn new() -> Hashes {
        Hashes {
            crc: crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Xz),
            sha: Sha256::new(),
            covered: 0,
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.crc.update(data);
        self.sha.update(data);
        self.covered += data.len() as u64;
    }

    /// Bytes hashed so far.
    pub(crate) fn covered(&self) -> u64 {
        self.covered
    }

    /// The CRC-64/XZ and the lowercase hex SHA-256 of what was hashed.
    pub(crate) fn finish(self) -> (u64, String) {
        (self.crc.finalize(), hex::encode(self.sha.finalize()))
    }

    /// Hash `file` from `covered` up to `to`, re-reading it from disk. A reader thread keeps
    /// the next chunk coming while this one is hashed.
    pub(crate) fn catch_up(&mut self, file: &File, to: u64) -> io::Result<()> {
        if self.covered >= to {
            return Ok(());
        }
        let from = self.covered;
        std::thread::scope(|s| {
            let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(2);
            let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
            for _ in 0..3 {
                let _ = free_tx.send(vec![0u8; READ_CHUNK]);
            }
            let reader = s.spawn(move || -> io::Result<()> {
                let mut at = from;
                while at < to {
                    let Ok(mut buf) = free_rx.recv() else {
                        return Ok(());
                    };
                    let want = (to - at).min(buf.len() as u64) as usize;
                    let n = fileio::read_at(file, &mut buf[..want], at)?;
                    if n == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("the file ends at byte {at}, before {to}"),
                        ));
                    }
                    at += n as u64;
                    if full_tx.send((buf, n)).is_err() {
                        return Ok(());
                    }
                }
                Ok(())
            });
            for (buf, n) in full_rx {
                self.update(&buf[..n]);
                let _ = free_tx.send(buf);
            }
            reader
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the reading thread panicked")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_xz_check_value() {
        let mut h = Hashes::new();
        h.update(b"123456789");
        let (crc, sha) = h.finish();
        assert_eq!(crc, 0x995D_C9BB_DF19_39FA);
        assert_eq!(
            sha,
            "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
        );
    }

    #[test]
    fn catching_up_from_disk_equals_hashing_in_one_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..3 * READ_CHUNK + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let file = File::open(&path).unwrap();

        let mut whole = Hashes::new();
        whole.update(&data);

        let mut split = Hashes::new();
        split.update(&data[..1000]);
        split.catch_up(&file, 2 * READ_CHUNK as u64 + 5).unwrap();
        split.catch_up(&file, 10).unwrap(); // nothing to do
        split.update(&data[2 * READ_CHUNK + 5..]);
        assert_eq!(split.covered(), data.len() as u64);
        assert_eq!(split.finish(), whole.finish());

        let mut past_end = Hashes::new();
        let err = past_end.catch_up(&file, data.len() as u64 + 1).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
