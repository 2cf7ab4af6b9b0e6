use std::io::Read;

use super::*;

fn spec(method: i64, len: u64, rs: &str) -> ArchiveSpec {
    ArchiveSpec {
        instance_id: "cmgo-demo0001".to_owned(),
        backup_name: "cmgo-demo0001_2024-01-02 03:04".to_owned(),
        replica_set_id: rs.to_owned(),
        method,
        len,
        mtime_secs: 1_704_135_840,
    }
}

fn whole(layout: &Layout) -> Vec<u8> {
    let mut buf = vec![0u8; layout.len() as usize];
    layout.read_at(0, &mut buf);
    buf
}

/// Every entry of the tar in `bytes`: (path, contents).
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .expect("a tar archive")
        .map(|e| {
            let mut e = e.expect("a valid entry");
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, data)
        })
        .collect()
}

#[test]
fn crc64_is_the_xz_variant() {
    assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    assert_eq!(crc64(b""), 0);
}

#[test]
fn lengths_are_whole_blocks_above_the_minimum_and_within_a_range() {
    assert_eq!(fit_len(1), MIN_LEN);
    assert_eq!(fit_len(MIN_LEN + 1), MIN_LEN + BLOCK);
    assert_eq!(fit_len(300_000), 300_032);
    // Inside the range when a block boundary is there.
    assert_eq!(fit_len_in(299_999, 100_000, 300_000), 299_520);
    assert_eq!(fit_len_in(100_001, 100_000, 300_000), 100_352);
    // A range too narrow (or too small) for an archive gets the nearest length.
    assert_eq!(fit_len_in(10, 10, 10), MIN_LEN);
}

#[test]
fn logical_archives_hold_bson_documents_and_metadata() {
    for len in [MIN_LEN, 100_352, 1 << 20] {
        for rs in ["cmgo-a_0", "cmgo-a_1", "cmgo-b_0", "cmgo-c_7"] {
            let layout = Layout::plan(&spec(0, len, rs));
            assert_eq!(layout.len(), len, "{rs} {len}");
            let bytes = whole(&layout);
            let list = entries(&bytes);
            let bson_files: Vec<_> = list.iter().filter(|(p, _)| p.ends_with(".bson")).collect();
            assert!(bson_files.len() >= 2, "{rs}: {:?}", list.len());
            let mut documents = 0;
            for (path, data) in &bson_files {
                let mut cursor = std::io::Cursor::new(&data[..]);
                while (cursor.position() as usize) < data.len() {
                    let doc = bson::Document::from_reader(&mut cursor)
                        .unwrap_or_else(|e| panic!("{path}: {e}"));
                    assert!(doc.get_object_id("_id").is_ok());
                    assert!(doc.get_str("note").is_ok());
                    documents += 1;
                }
                let (db, file) = path.split_once('/').unwrap();
                let coll = file.trim_end_matches(".bson");
                let meta_path = format!("{db}/{coll}.metadata.json");
                let (_, meta) = list.iter().find(|(p, _)| *p == meta_path).unwrap();
                let meta: serde_json::Value = serde_json::from_slice(meta).unwrap();
                assert_eq!(meta["collectionName"], coll);
                assert_eq!(meta["indexes"][0]["name"], "_id_");
            }
            assert!(documents > bson_files.len(), "{rs} {len}: {documents}");
        }
    }
}

#[test]
fn physical_archives_look_like_a_data_directory() {
    for len in [MIN_LEN, 2 << 20] {
        let layout = Layout::plan(&spec(1, len, "cmgo-a_0"));
        assert_eq!(layout.len(), len);
        let list = entries(&whole(&layout));
        let names: Vec<&str> = list.iter().map(|(p, _)| p.as_str()).collect();
        for expected in ["WiredTiger", "WiredTiger.wt", "storage.bson", "journal/"] {
            assert!(names.contains(&expected), "{names:?}");
        }
        let (_, storage) = list.iter().find(|(p, _)| p == "storage.bson").unwrap();
        let doc = bson::Document::from_reader(&storage[..]).unwrap();
        let engine = doc.get_document("storage").unwrap().get_str("engine");
        assert_eq!(engine.ok(), Some("wiredTiger"));
        assert!(names.iter().any(|n| n.starts_with("collection-")));
    }
}

#[test]
fn every_seed_fits_the_smallest_archive() {
    for i in 0..300 {
        for method in [0, 1] {
            let s = spec(method, MIN_LEN, &format!("cmgo-x{i}_0"));
            assert_eq!(Layout::plan(&s).len(), MIN_LEN, "{s:?}");
        }
    }
}

#[test]
fn any_range_reads_as_the_same_bytes_as_the_whole() {
    for method in [0, 1] {
        let layout = Layout::plan(&spec(method, 300_032, "cmgo-a_0"));
        let all = whole(&layout);
        for (start, n) in [
            (0, 1),
            (511, 2),
            (1000, 70_000),
            (299_000, 1032),
            (123_457, 3),
        ] {
            let mut part = vec![0u8; n];
            layout.read_at(start as u64, &mut part);
            assert_eq!(part, all[start..start + n], "{method} {start}+{n}");
        }
    }
}

#[test]
fn archives_are_deterministic_and_differ_per_replica_set() {
    let a = whole(&Layout::plan(&spec(0, 200_192, "cmgo-a_0")));
    let b = whole(&Layout::plan(&spec(0, 200_192, "cmgo-a_0")));
    let c = whole(&Layout::plan(&spec(0, 200_192, "cmgo-a_1")));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn objects_carry_the_checksum_of_their_bytes() {
    let cache = ObjectCache::default();
    let s = spec(0, 150_016, "cmgo-a_0");
    let o = cache.get(&s);
    assert_eq!(o.crc64, crc64(&whole(&o.layout)));
    assert!(o.etag.starts_with('"') && o.etag.ends_with('"') && o.etag.len() == 34);
    assert!(Arc::ptr_eq(&o, &cache.get(&s)), "built once");
}

#[test]
fn noise_is_offset_independent() {
    let mut whole = vec![0u8; 1000];
    fill(42, 0, &mut whole);
    let mut part = vec![0u8; 101];
    fill(42, 333, &mut part);
    assert_eq!(&whole[333..434], &part[..]);
}
