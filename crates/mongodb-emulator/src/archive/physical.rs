//! A physical backup: a data-directory-like tree of a WiredTiger `mongod`.
//! Only `storage.bson` and the small text files have meaningful contents; the
//! `.wt` files and the journal are pseudo-random bytes of plausible sizes.

use bson::raw::{cstr, RawDocumentBuf};

use super::content::{Content, Entry, Rng, BLOCK};
use crate::util::splitmix64;

const TURTLE: &str = "WiredTiger version string\nWiredTiger 3.3.0: (March 20, 2020)\n\
WiredTiger version\nmajor=3,minor=3,patch=0\nfile:WiredTiger.wt\n\
access_pattern_hint=none,allocation_size=4KB,block_allocation=best,checksum=uncompressed\n";

/// The entries of a physical backup with seed `seed`.
pub(super) fn entries(seed: u64) -> Vec<Entry> {
    let mut rng = Rng(seed);
    let noise = |path: &str, blocks: u64, n: u64| Entry {
        path: path.to_owned(),
        content: Content::Noise {
            seed: splitmix64(seed ^ n),
            len: blocks * BLOCK,
        },
    };
    let mut out = vec![
        Entry::bytes(
            "WiredTiger",
            b"WiredTiger\nWiredTiger 3.3.0: (March 20, 2020)\n".to_vec(),
        ),
        Entry::bytes("WiredTiger.lock", b"WiredTiger lock file\n".to_vec()),
        Entry::bytes("WiredTiger.turtle", TURTLE.as_bytes().to_vec()),
        noise("WiredTiger.wt", 8, 1),
        noise("_mdb_catalog.wt", 8, 2),
        noise("sizeStorer.wt", 4, 3),
        Entry::bytes("storage.bson", storage_bson()),
        Entry::bytes("mongod.lock", Vec::new()),
        Entry::dir("journal/"),
        noise("journal/WiredTigerLog.0000000001", 8, 4),
    ];
    let collections = 3 + rng.below(4);
    let tag = rng.next() % 10_000_000_000_000_000_000;
    for i in 0..collections {
        out.push(Entry {
            path: format!("collection-{}-{tag}.wt", 2 * i + 10),
            content: Content::NoiseShare {
                weight: 4 + rng.below(12),
                seed: splitmix64(seed ^ (100 + i)),
            },
        });
        out.push(Entry {
            path: format!("index-{}-{tag}.wt", 2 * i + 11),
            content: Content::NoiseShare {
                weight: 1 + rng.below(3),
                seed: splitmix64(seed ^ (200 + i)),
            },
        });
    }
    out
}

/// `storage.bson`: which storage engine wrote the directory.
fn storage_bson() -> Vec<u8> {
    let mut options = RawDocumentBuf::new();
    options.append(cstr!("directoryPerDB"), false);
    options.append(cstr!("directoryForIndexes"), false);
    let mut storage = RawDocumentBuf::new();
    storage.append(cstr!("engine"), "wiredTiger");
    storage.append(cstr!("options"), options);
    let mut doc = RawDocumentBuf::new();
    doc.append(cstr!("storage"), storage);
    doc.into_bytes()
}
