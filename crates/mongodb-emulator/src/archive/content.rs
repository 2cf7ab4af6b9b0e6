//! What the planners of an archive describe: entries (files and directories)
//! and what each holds before the space left is shared out, plus the small
//! deterministic generator their choices come from.

use super::docs::DocParams;
use crate::util::splitmix64;

/// The tar block size.
pub(crate) const BLOCK: u64 = 512;

/// What an entry holds before the space is shared out.
pub(super) enum Content {
    Dir,
    Bytes(Vec<u8>),
    /// Pseudo-random bytes of a fixed length.
    Noise {
        seed: u64,
        len: u64,
    },
    /// Grows to a share (by `weight`) of the space left: BSON documents.
    DocsShare {
        weight: u64,
        docs: DocParams,
    },
    /// Grows to a share (by `weight`) of the space left: pseudo-random bytes.
    NoiseShare {
        weight: u64,
        seed: u64,
    },
}

/// One file or directory of the archive, as a planner describes it.
pub(super) struct Entry {
    pub(super) path: String,
    pub(super) content: Content,
}

impl Entry {
    pub(super) fn dir(path: impl Into<String>) -> Entry {
        Entry {
            path: path.into(),
            content: Content::Dir,
        }
    }

    pub(super) fn bytes(path: impl Into<String>, bytes: Vec<u8>) -> Entry {
        Entry {
            path: path.into(),
            content: Content::Bytes(bytes),
        }
    }
}

/// A small deterministic generator for layout choices.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix64(self.0)
    }

    /// A number in `0..n` (`n` > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
