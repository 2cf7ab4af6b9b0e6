//! The single-stream pipeline: this thread reads the network, a writer thread writes to disk,
//! a hasher thread computes CRC-64 and SHA-256; filled buffers travel between them through
//! bounded channels and come back to a small pool, so network reads, disk writes and hashing
//! overlap and memory stays bounded.

use std::fs::File;
use std::io::{self, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::fileio;
use super::hash::Hashes;

/// Size of one buffer.
const BUFFER: usize = 256 * 1024;
/// Buffers in flight (memory: `BUFFERS * BUFFER`).
const BUFFERS: usize = 8;
/// A buffer is handed on when full or when it has been filling this long, so that on a slow
/// connection the bytes still reach the disk (and the progress of ranges) several times a
/// second.
pub(super) const HAND_ON_AFTER: Duration = Duration::from_millis(250);

/// Why streaming stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The body ended.
    Eof,
    /// The body went past `limit`; only bytes up to it were kept.
    TooLong,
    /// Reading the network failed.
    Read(io::Error),
    /// The watcher asked to stop (stall, deadline).
    Watcher,
}

/// What streaming did.
pub(crate) struct Streamed {
    pub(crate) stop: Stop,
    /// Offset after the last byte written (and hashed).
    pub(crate) end: u64,
    pub(crate) hashes: Hashes,
    /// A local write or re-read failure, which ends the download.
    pub(crate) io_error: Option<io::Error>,
}

/// Stream `reader` into `file` from `offset`, hashing it on after `hashes`, which must cover
/// `[0, offset)` already (the caller hashes a prefix on disk before it opens the connection,
/// so the buffers here only ever wait for the network, the disk and the hashing of new
/// bytes). `watch(bytes_received_end)` runs after each read; `false` stops. Nothing past
/// `limit` is written.
pub(crate) fn stream(
    file: &File,
    offset: u64,
    limit: Option<u64>,
    mut hashes: Hashes,
    reader: &mut dyn Read,
    watch: &mut dyn FnMut(u64) -> bool,
) -> Streamed {
    debug_assert_eq!(hashes.covered(), offset, "the prefix is hashed first");
    std::thread::scope(|s| {
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..BUFFERS {
            let _ = free_tx.send(vec![0u8; BUFFER]);
        }
        let (write_tx, write_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
        let (hash_tx, hash_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);

        let writer = s.spawn(move || -> (u64, io::Result<()>) {
            let mut at = offset;
            for (buf, n) in write_rx {
                if let Err(e) = fileio::write_all_at(file, &buf[..n], at) {
                    return (at, Err(e));
                }
                at += n as u64;
                if hash_tx.send((buf, n)).is_err() {
                    break;
                }
            }
            (at, Ok(()))
        });
        let hasher = s.spawn(move || -> (Hashes, io::Result<()>) {
            for (buf, n) in hash_rx {
                hashes.update(&buf[..n]);
                let _ = free_tx.send(buf);
            }
            (hashes, Ok(()))
        });

        let mut received = offset;
        let stop = loop {
            let Ok(mut buf) = free_rx.recv() else {
                // The hasher is gone: its error is reported below.
                break Stop::Eof;
            };
            // Fill the whole buffer before handing it on: a network read returns what one
            // segment brought, and a hand-off per small read would cost more than the copy.
            let (filled, stop) = fill(&mut buf, reader, limit, &mut received, watch);
            if filled > 0 && write_tx.send((buf, filled)).is_err() {
                break Stop::Eof; // the writer failed: its error is reported below
            }
            if let Some(stop) = stop {
                break stop;
            }
        };
        drop(write_tx);
        let (end, write_result) = writer
            .join()
            .unwrap_or_else(|_| (offset, Err(io::Error::other("the writing thread panicked"))));
        let (hashes, hash_result) = hasher.join().unwrap_or_else(|_| {
            (
                Hashes::new(),
                Err(io::Error::other("the hashing thread panicked")),
            )
        });
        Streamed {
            stop,
            end,
            hashes,
            io_error: write_result.and(hash_result).err(),
        }
    })
}

/// Reads into `buf` until it is full, has been filling for [`HAND_ON_AFTER`], or streaming
/// stops (the reason is returned with how many bytes `buf` holds). `received` counts the bytes
/// kept; `watch` hears of each read.
fn fill(
    buf: &mut [u8],
    reader: &mut dyn Read,
    limit: Option<u64>,
    received: &mut u64,
    watch: &mut dyn FnMut(u64) -> bool,
) -> (usize, Option<Stop>) {
    let mut filled = 0;
    let started = Instant::now();
    while filled < buf.len() && (filled == 0 || started.elapsed() < HAND_ON_AFTER) {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return (filled, Some(Stop::Eof)),
            Ok(n) => {
                let keep = limit.map_or(n as u64, |l| l.saturating_sub(*received).min(n as u64));
                *received += keep;
                filled += keep as usize;
                if keep < n as u64 {
                    return (filled, Some(Stop::TooLong));
                }
                if !watch(*received) {
                    return (filled, Some(Stop::Watcher));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(Stop::Read(e))),
        }
    }
    (filled, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file() -> (tempfile::TempDir, File) {
        let dir = tempfile::tempdir().unwrap();
        let f = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir.path().join("f"))
            .unwrap();
        (dir, f)
    }

    #[test]
    fn streams_after_a_prefix_and_hashes_everything() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let (_dir, file) = temp_file();
        fileio::write_all_at(&file, &data[..12_345], 0).unwrap();
        let mut body = &data[12_345..];
        let mut seen = Vec::new();
        let mut prefix = Hashes::new();
        prefix.update(&data[..12_345]);
        let out = stream(&file, 12_345, None, prefix, &mut body, &mut |at| {
            seen.push(at);
            true
        });
        assert!(matches!(out.stop, Stop::Eof));
        assert!(out.io_error.is_none());
        assert_eq!(out.end, data.len() as u64);
        assert_eq!(seen.last(), Some(&(data.len() as u64)));
        let mut whole = Hashes::new();
        whole.update(&data);
        assert_eq!(out.hashes.finish(), whole.finish());
    }

    /// Gives `chunk` bytes per read, then fails with `ConnectionReset` after `fail_at`.
    struct Dribble<'a> {
        data: &'a [u8],
        chunk: usize,
        fail_at: usize,
        at: usize,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at >= self.fail_at {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            let n = buf.len().min(self.chunk).min(self.fail_at - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn small_reads_fill_buffers_and_bytes_before_a_failure_are_kept() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let (_dir, file) = temp_file();
        let fail_at = 3 * BUFFER + 1234; // mid-buffer
        let mut body = Dribble {
            data: &data,
            chunk: 1000,
            fail_at,
            at: 0,
        };
        let mut reads = 0;
        let out = stream(&file, 0, None, Hashes::new(), &mut body, &mut |_| {
            reads += 1;
            true
        });
        assert!(
            matches!(out.stop, Stop::Read(ref e) if e.kind() == io::ErrorKind::ConnectionReset)
        );
        // One call per read: a read that reaches a buffer's end is split in two.
        let buffers = fail_at.div_ceil(BUFFER);
        assert_eq!(reads, fail_at.div_ceil(1000) + buffers - 1);
        assert_eq!(
            out.end, fail_at as u64,
            "the partly filled buffer is written"
        );
        let mut on_disk = vec![0u8; fail_at];
        fileio::read_at(&file, &mut on_disk, 0).unwrap();
        assert_eq!(on_disk, data[..fail_at]);
        let mut expected = Hashes::new();
        expected.update(&data[..fail_at]);
        assert_eq!(out.hashes.finish(), expected.finish());
    }

    #[test]
    fn stops_at_the_limit_and_when_told() {
        let data = vec![7u8; 1_000_000];
        let (_dir, file) = temp_file();
        let out = stream(
            &file,
            0,
            Some(1000),
            Hashes::new(),
            &mut &data[..],
            &mut |_| true,
        );
        assert!(matches!(out.stop, Stop::TooLong));
        assert_eq!(out.end, 1000);
        assert_eq!(out.hashes.covered(), 1000);

        let (_dir, file) = temp_file();
        let out = stream(&file, 0, None, Hashes::new(), &mut &data[..], &mut |_| {
            false
        });
        assert!(matches!(out.stop, Stop::Watcher));
        assert_eq!(out.end, out.hashes.covered());
    }
}
