//! A logical backup: the tree mongodump writes, `<db>/<collection>.bson` (the
//! collection's documents, one BSON document after another) beside
//! `<db>/<collection>.metadata.json` (options, indexes, uuid).
//!
//! Documents of a collection all have one length (a padding string evens them
//! out), and the last one takes what is left, so that document `j` starts at a
//! known offset and any range of the file can be produced without the ones
//! before it (the documents themselves are made in `docs`).

use serde_json::json;

use super::content::{Content, Entry, Rng};
use super::docs::DocParams;
use crate::util::{fnv1a, splitmix64};

/// Databases and their collections; an archive holds a few of them.
const DATABASES: &[(&str, &[&str])] = &[
    ("shop", &["orders", "customers", "products"]),
    ("crm", &["contacts", "deals"]),
    ("analytics", &["events", "sessions", "daily_totals"]),
    ("inventory", &["items", "warehouses"]),
    ("app", &["users", "settings", "audit_log"]),
];

/// The entries of a logical backup with seed `seed`, documents created in the
/// days before `mtime` (seconds).
pub(super) fn entries(seed: u64, mtime: u64) -> Vec<Entry> {
    let mut rng = Rng(seed);
    let dbs = 2 + rng.below(2);
    let first = rng.below(DATABASES.len() as u64) as usize;
    let created_ms = (mtime as i64 - 30 * 86_400) * 1000;
    let mut out = Vec::new();
    for d in 0..dbs as usize {
        let (db, collections) = DATABASES[(first + d) % DATABASES.len()];
        out.push(Entry::dir(format!("{db}/")));
        let count = 1 + rng.below(collections.len() as u64) as usize;
        for coll in &collections[..count] {
            let coll_seed = splitmix64(seed ^ fnv1a(&[db, coll]));
            let docs = DocParams::new(coll_seed, 384 + rng.below(3712), created_ms, coll);
            out.push(Entry {
                path: format!("{db}/{coll}.bson"),
                content: Content::DocsShare {
                    weight: 1 + rng.below(8),
                    docs,
                },
            });
            let indexed = rng.below(2) == 1;
            out.push(Entry::bytes(
                format!("{db}/{coll}.metadata.json"),
                metadata(coll, coll_seed, indexed),
            ));
        }
    }
    out
}

/// A collection's `.metadata.json`, as mongodump writes it (extended JSON).
fn metadata(collection: &str, seed: u64, indexed: bool) -> Vec<u8> {
    let mut indexes = vec![json!({
        "v": { "$numberInt": "2" },
        "key": { "_id": { "$numberInt": "1" } },
        "name": "_id_",
    })];
    if indexed {
        indexes.push(json!({
            "v": { "$numberInt": "2" },
            "key": { "createdAt": { "$numberInt": "-1" } },
            "name": "createdAt_-1",
        }));
    }
    let uuid = format!("{:016x}{:016x}", splitmix64(seed), splitmix64(seed ^ 1));
    let meta = json!({
        "options": {},
        "indexes": indexes,
        "uuid": uuid,
        "collectionName": collection,
        "type": "collection",
    });
    serde_json::to_vec(&meta).unwrap_or_default()
}
