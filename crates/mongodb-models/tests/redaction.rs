//! `Debug` of answers that carry download links: a pre-signed link's query string is its
//! signature, so it never prints; the value and its wire form are unchanged.

use mongodb_models::{
    decode_response, AuditLogFile, BackupDownloadTask, DescribeBackupDownloadTaskResponse,
    DescribeInstanceSSLResponse, Task,
};
use serde_json::json;

const LINK: &str = "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/cmgo-1/bk_0.tar?q-sign-algorithm=sha1&q-ak=AKIDcos&q-signature=SECRET";
const SHOWN: &str =
    "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/cmgo-1/bk_0.tar?** redacted **";

#[test]
fn a_download_tasks_debug_never_shows_the_links_signature() {
    let body = serde_json::to_vec(&json!({"Response": {
        "Tasks": [{"BackupName": "bk", "ReplicaSetId": "cmgo-1_0", "Status": 2, "Url": LINK}],
        "RequestId": "r"
    }}))
    .unwrap();
    let resp = decode_response::<DescribeBackupDownloadTaskResponse>(&body)
        .unwrap()
        .response;
    let task: &BackupDownloadTask = &resp.tasks.as_ref().unwrap()[0];
    for shown in [
        format!("{task:?}"),
        format!("{task:#?}"),
        format!("{resp:?}"),
    ] {
        assert!(
            !shown.contains("SECRET") && !shown.contains("AKIDcos"),
            "{shown}"
        );
        assert!(shown.contains(SHOWN), "{shown}");
        assert!(
            shown.contains("cmgo-1_0"),
            "other members still show: {shown}"
        );
    }
    // The value and the wire form keep the whole link.
    assert_eq!(task.url.as_deref(), Some(LINK));
    assert_eq!(serde_json::to_value(task).unwrap()["Url"], LINK);
}

#[test]
fn every_other_download_link_is_redacted_too() {
    let log_task: Task = serde_json::from_value(json!({"TaskId": "t", "Url": LINK})).unwrap();
    let audit: AuditLogFile =
        serde_json::from_value(json!({"FileName": "a.log", "DownloadUrl": LINK})).unwrap();
    let ssl: DescribeInstanceSSLResponse =
        serde_json::from_value(json!({"Status": 1, "CertUrl": LINK})).unwrap();
    for shown in [
        format!("{log_task:?}"),
        format!("{audit:?}"),
        format!("{ssl:?}"),
    ] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains(SHOWN), "{shown}");
    }
    // No link: shown as absent.
    let empty = BackupDownloadTask::default();
    assert!(format!("{empty:?}").contains("url: None"));
}
