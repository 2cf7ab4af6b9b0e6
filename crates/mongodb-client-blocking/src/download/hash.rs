//! The two checksums every downloaded file gets in one pass: CRC-64/XZ (what COS announces as
//! `x-cos-hash-crc64ecma`, compared) and SHA-256 (reported, for manifests).
//! This is the crate's one implementation of the two; the public `FileHasher` wraps it.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use sha2::{Digest as _, Sha256};

use super::fileio;

/// Bytes read from disk at once when re-reading a file.
const READ_CHUNK: usize = 1 << 20;
/// Bytes [`Hashes::follow`] hashes between two looks at its marks and its stop flag.
const FOLLOW_STEP: u64 = 16 << 20;

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

impl Hashes {
    /// Hash `file` as its complete prefix grows, while the rest is still being written: each
    /// value received from `marks` says the first that many bytes are on disk (the newest one
    /// counts). Returns once `marks` is closed and every byte it announced is hashed, or soon
    /// after `stop` is set (the hashes are then of no use). Memory stays that of
    /// [`catch_up`](Self::catch_up).
    pub(crate) fn follow(
        mut self,
        file: &File,
        marks: mpsc::Receiver<u64>,
        stop: &AtomicBool,
    ) -> io::Result<Hashes> {
        let mut target = self.covered;
        loop {
            if self.covered >= target {
                match marks.recv() {
                    Ok(mark) => target = target.max(mark),
                    Err(_) => return Ok(self),
                }
            }
            while let Ok(mark) = marks.try_recv() {
                target = target.max(mark);
            }
            if stop.load(Ordering::SeqCst) {
                return Ok(self);
            }
            let to = target.min(self.covered.saturating_add(FOLLOW_STEP));
            self.catch_up(file, to)?;
        }
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

    #[test]
    fn following_a_growing_prefix_hashes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..5 * READ_CHUNK + 3).map(|i| (i % 241) as u8).collect();
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        file.set_len(data.len() as u64).unwrap();
        let stop = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel();
        let whole = std::thread::scope(|s| {
            let follower = s.spawn(|| Hashes::new().follow(&file, rx, &stop));
            // Write the file back to front in pieces; announce the complete prefix as it grows.
            let pieces: Vec<(usize, usize)> = (0..data.len())
                .step_by(700_001)
                .map(|at| (at, (at + 700_001).min(data.len())))
                .collect();
            let mut written = vec![false; pieces.len()];
            for (i, &(from, to)) in pieces.iter().enumerate().rev() {
                fileio::write_all_at(&file, &data[from..to], from as u64).unwrap();
                written[i] = true;
                let prefix = written.iter().take_while(|w| **w).count();
                if prefix > 0 {
                    tx.send(pieces[prefix - 1].1 as u64).unwrap();
                }
            }
            drop(tx);
            follower.join().unwrap().unwrap()
        });
        let mut want = Hashes::new();
        want.update(&data);
        assert_eq!(whole.covered(), data.len() as u64);
        assert_eq!(whole.finish(), want.finish());
    }

    #[test]
    fn a_follower_told_to_stop_returns_without_waiting_for_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![1u8; 1000]).unwrap();
        let file = File::open(&path).unwrap();
        let stop = AtomicBool::new(true);
        let (tx, rx) = mpsc::channel();
        tx.send(1000).unwrap();
        // The sender stays open: only the stop flag ends it.
        let h = Hashes::new().follow(&file, rx, &stop).unwrap();
        assert!(h.covered() < 1000);
        drop(tx);
    }
}
