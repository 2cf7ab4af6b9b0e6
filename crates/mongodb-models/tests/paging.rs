//! The generated `PagedAction` impls: how each request sets its page and where each answer keeps
//! its items and total, whatever integer types and names the spec gives them.

use mongodb_models::{
    Action, DescribeBackupDownloadTaskRequest, DescribeBackupDownloadTaskResponse,
    DescribeDBBackupsRequest, DescribeInstanceUsersRequest, DescribeInstanceUsersResponse,
    DescribeSlowLogsRequest, DescribeSlowLogsResponse, PagedAction,
};
use serde_json::json;

#[test]
fn unsigned_offset_and_limit_are_read_and_set_as_they_are() {
    let mut req = DescribeDBBackupsRequest::new("cmgo-1").with_offset(5);
    assert_eq!(req.page_offset(), Some(5));
    assert_eq!(req.page_limit(), None);
    // A zero limit means "not chosen": the paginator uses its default page size.
    assert_eq!(req.clone().with_limit(0).page_limit(), None);
    req.set_page(100, 50);
    assert_eq!((req.offset, req.limit), (Some(100), Some(50)));
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"InstanceId": "cmgo-1", "Limit": 50, "Offset": 100})
    );
}

#[test]
fn signed_offset_and_limit_convert_without_wrapping() {
    let mut req = DescribeBackupDownloadTaskRequest::new("cmgo-1").with_offset(-3);
    assert_eq!(req.page_offset(), None, "a negative offset is not a page");
    req.set_page(20, 10);
    assert_eq!((req.offset, req.limit), (Some(20), Some(10)));
    req.set_page(u64::MAX, 10);
    assert_eq!(req.offset, Some(i64::MAX), "saturates rather than wraps");

    let answer: DescribeBackupDownloadTaskResponse =
        serde_json::from_value(json!({"Tasks": [{"ReplicaSetId": "s_0"}], "TotalCount": 7}))
            .unwrap();
    assert_eq!(
        DescribeBackupDownloadTaskRequest::total_count(&answer),
        Some(7)
    );
    let negative: DescribeBackupDownloadTaskResponse =
        serde_json::from_value(json!({"TotalCount": -1})).unwrap();
    assert_eq!(
        DescribeBackupDownloadTaskRequest::total_count(&negative),
        None
    );
    assert!(DescribeBackupDownloadTaskRequest::into_items(negative).is_empty());
    assert_eq!(
        DescribeBackupDownloadTaskRequest::into_items(answer).len(),
        1
    );
}

#[test]
fn totals_named_total_or_count_are_found() {
    let users: DescribeInstanceUsersResponse = serde_json::from_value(
        json!({"Users": [{"UserName": "a"}, {"UserName": "b"}], "Total": 2}),
    )
    .unwrap();
    assert_eq!(DescribeInstanceUsersRequest::total_count(&users), Some(2));
    assert_eq!(DescribeInstanceUsersRequest::into_items(users).len(), 2);

    let logs: DescribeSlowLogsResponse =
        serde_json::from_value(json!({"SlowLogs": ["l1", null, "l2"], "Count": 2})).unwrap();
    assert_eq!(DescribeSlowLogsRequest::total_count(&logs), Some(2));
    assert_eq!(
        DescribeSlowLogsRequest::into_items(logs),
        vec!["l1".to_string(), "l2".to_string()]
    );
    // Paged actions only read.
    const { assert!(DescribeSlowLogsRequest::IDEMPOTENT) };
}
