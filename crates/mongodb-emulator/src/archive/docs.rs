//! The BSON documents of one collection in a logical backup: all of one
//! length (a padding string evens them out) but the last, which takes what is
//! left, so that document `j` starts at a known offset and any range of the
//! collection's file can be produced without the documents before it.

use std::sync::OnceLock;

use bson::oid::ObjectId;
use bson::raw::{cstr, RawArrayBuf, RawDocumentBuf};
use bson::DateTime;

use crate::util::splitmix64;

const TAGS: &[&str] = &[
    "new",
    "vip",
    "eu",
    "apac",
    "mobile",
    "web",
    "promo",
    "returning",
];

/// The smallest document; every document fits its fields in it.
const MIN_DOC: u64 = 256;

/// The documents of one collection, before their file's length is known.
#[derive(Clone, Debug)]
pub(super) struct DocParams {
    seed: u64,
    /// The length of every document but the last.
    size: u64,
    created_ms: i64,
    label: &'static str,
}

impl DocParams {
    /// Documents of about `size` bytes, seeded by `seed`, created after
    /// `created_ms`, named after `label`.
    pub(super) fn new(seed: u64, size: u64, created_ms: i64, label: &'static str) -> Self {
        DocParams {
            seed,
            size,
            created_ms,
            label,
        }
    }

    /// The stream of documents filling exactly `len` bytes (at least [`MIN_DOC`]).
    pub(super) fn sized(self, len: u64) -> DocStream {
        let size = self.size.max(MIN_DOC);
        let mut count = len / size;
        let mut tail = len - count * size;
        if tail > 0 && tail < MIN_DOC && count > 0 {
            count -= 1;
            tail += size;
        }
        DocStream {
            text: letters(self.seed, TEXT_LEN),
            params: DocParams { size, ..self },
            count,
            tail,
        }
    }
}

/// Characters of filler text per collection; each document's `note` is a slice.
const TEXT_LEN: usize = 8192;

/// `count` documents of `params.size` bytes, then one of `tail` bytes (if any).
#[derive(Debug)]
pub(crate) struct DocStream {
    params: DocParams,
    /// The collection's filler text.
    text: String,
    count: u64,
    tail: u64,
}

impl DocStream {
    pub(super) fn len(&self) -> u64 {
        self.count * self.params.size + self.tail
    }

    /// Fills `out` with the stream's bytes at `offset`.
    pub(super) fn read_at(&self, offset: u64, out: &mut [u8]) {
        let size = self.params.size;
        let mut done = 0usize;
        while done < out.len() {
            let pos = offset + done as u64;
            let (j, start) = if pos < self.count * size {
                (pos / size, pos / size * size)
            } else {
                (self.count, self.count * size)
            };
            let doc = self.render(j);
            let within = (pos - start) as usize;
            let n = (doc.len() - within).min(out.len() - done);
            out[done..done + n].copy_from_slice(&doc[within..within + n]);
            done += n;
        }
    }

    /// Document `j` of the stream, exactly its length.
    pub(super) fn render(&self, j: u64) -> Vec<u8> {
        let p = &self.params;
        let size = if j < self.count { p.size } else { self.tail };
        let h = splitmix64(p.seed ^ j.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let created = p.created_ms + (j as i64 % 2_592_000) * 1000;
        let mut oid = [0u8; 12];
        oid[..4].copy_from_slice(&((created / 1000) as u32).to_be_bytes());
        oid[4..].copy_from_slice(&h.to_be_bytes());

        let mut doc = RawDocumentBuf::new();
        doc.append(cstr!("_id"), ObjectId::from_bytes(oid));
        doc.append(cstr!("seq"), j as i64);
        doc.append(cstr!("name"), format!("{}-{j:06}", p.label).as_str());
        doc.append(cstr!("amount"), (h % 10_000_000) as f64 / 100.0);
        doc.append(cstr!("count"), ((h >> 24) & 0xffff) as i32);
        doc.append(cstr!("active"), h & 1 == 0);
        doc.append(cstr!("createdAt"), DateTime::from_millis(created));
        let mut tags = RawArrayBuf::new();
        tags.push(TAGS[(h >> 8) as usize % TAGS.len()]);
        tags.push(TAGS[(h >> 16) as usize % TAGS.len()]);
        doc.append(cstr!("tags"), tags);
        let used = doc.as_bytes().len() as u64 + note_overhead();
        let n = (size.saturating_sub(used) as usize).min(self.text.len());
        let from = (h >> 32) as usize % (self.text.len() - n + 1);
        doc.append(cstr!("note"), &self.text[from..from + n]);
        doc.into_bytes()
    }
}

/// What a `note` string member adds to a document besides its characters.
fn note_overhead() -> u64 {
    static OVERHEAD: OnceLock<u64> = OnceLock::new();
    *OVERHEAD.get_or_init(|| {
        let mut doc = RawDocumentBuf::new();
        let before = doc.as_bytes().len();
        doc.append(cstr!("note"), "");
        (doc.as_bytes().len() - before) as u64
    })
}

/// `n` lowercase letters and spaces derived from `seed`.
fn letters(seed: u64, n: usize) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz eaoin";
    let mut out = Vec::with_capacity(n);
    let mut word = 0u64;
    for i in 0..n {
        if i % 12 == 0 {
            word = splitmix64(seed.wrapping_add(i as u64));
        }
        out.push(ALPHABET[(word & 31) as usize]);
        word >>= 5;
    }
    String::from_utf8(out).unwrap_or_default()
}
