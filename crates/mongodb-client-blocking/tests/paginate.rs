//! The generic paginator through the client, against a scripted server.

mod common;

use common::{client_for, Mock, Reply};
use mongodb_client_blocking::models::DescribeDBBackupsRequest;
use serde_json::json;

/// A service that lists `have` backups, reports `total`, and answers at most 40 per page
/// whatever `Limit` asks for.
fn capped_service(total: u64, have: u64) -> Mock {
    Mock::start(move |req, _| {
        let b: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        let offset = b["Offset"].as_u64().unwrap();
        assert_eq!(b["Limit"], 100, "the page size asked for is kept");
        let end = (offset + 40).min(have);
        let list: Vec<_> = (offset.min(end)..end)
            .map(|i| json!({"BackupName": format!("b{i}")}))
            .collect();
        Reply::ok(json!({"BackupList": list, "TotalCount": total}), "p")
    })
}

#[test]
fn pages_capped_below_the_limit_still_list_every_item_up_to_the_total() {
    let mock = capped_service(250, 250);
    let client = client_for(&mock).build().unwrap();
    let mut pages = client.describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-1"));
    let names: Vec<String> = pages
        .by_ref()
        .map(|b| b.unwrap().backup_name.unwrap())
        .collect();
    assert_eq!(names.len(), 250);
    assert_eq!(names[249], "b249");
    assert_eq!(pages.pages_fetched(), 7, "ceil(250 / 40), no extra page");
    let offsets: Vec<u64> = mock
        .requests()
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["Offset"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(offsets, [0, 40, 80, 120, 160, 200, 240]);
}

#[test]
fn a_total_the_service_never_reaches_ends_at_the_first_empty_page() {
    let mock = capped_service(300, 250);
    let client = client_for(&mock).build().unwrap();
    let n = client
        .describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-1"))
        .map(Result::unwrap)
        .count();
    assert_eq!(n, 250);
    assert_eq!(mock.count(), 8, "7 pages of items, then one empty page");
}
