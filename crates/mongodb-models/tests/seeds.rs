//! The two seed pages' examples, verbatim, plus the envelope's behaviour.

use mongodb_errors::{Error, ErrorCode};
use mongodb_models::{
    check_request, decode_response, decode_response_value, encode_request, form, Action,
    BackupDownloadTaskState, BackupMethod, CreateBackupDBInstanceRequest,
    CreateBackupDBInstanceResponse, CreateBackupDownloadTaskRequest,
    CreateBackupDownloadTaskResponse, ReplicaSetInfo,
};
use serde_json::json;

/// The seed's GET input example, without the `<Common request parameters>` placeholder.
const BACKUP_QUERY: &str = "Action=CreateBackupDBInstance\
&InstanceId=cmgo-ayxpky6l\
&BackupRemark=remarkInfo\
&BackupMethod=0";

const BACKUP_OUTPUT: &str = r#"{
    "Response": {
        "AsyncRequestId": 4773,
        "RequestId": "e600a8d0-9014-11ea-84c1-01cccde830c6"
    }
}"#;

const DOWNLOAD_QUERY: &str = "Action=CreateBackupDownloadTask\
&InstanceId=cmgo-dygv1rnp\
&BackupName=cmgo-dygv1rnp_2021-03-26 10:44\
&BackupSets.0.ReplicaSetId=cmgo-dygv1rnp_0";

const DOWNLOAD_OUTPUT: &str = r#"{
    "Response": {
        "RequestId": "6ed8d110-67be-4650-83b0-5df5a897e9e6",
        "Tasks": [
            {
                "ReplicaSetId": "cmgo-dygv1rnp_0",
                "Status": 2
            }
        ]
    }
}"#;

/// Decodes a seed query into the parameters object (common parameters removed).
fn params_of(query: &str) -> serde_json::Value {
    let mut v = form::decode(query).expect("seed query decodes");
    let obj = v.as_object_mut().unwrap();
    obj.remove("Action");
    v
}

#[test]
fn create_backup_db_instance_input() {
    let params = params_of(BACKUP_QUERY);
    let canonical = check_request("CreateBackupDBInstance", &params).unwrap();
    assert_eq!(
        canonical,
        json!({"InstanceId": "cmgo-ayxpky6l", "BackupRemark": "remarkInfo", "BackupMethod": 0})
    );
    let req: CreateBackupDBInstanceRequest = serde_json::from_value(params).unwrap();
    assert_eq!(req.instance_id, "cmgo-ayxpky6l");
    assert_eq!(req.backup_method, BackupMethod::Logical);
    assert_eq!(req.backup_remark.as_deref(), Some("remarkInfo"));
    assert_eq!(
        req,
        CreateBackupDBInstanceRequest::new("cmgo-ayxpky6l", BackupMethod::Logical)
            .with_backup_remark("remarkInfo")
    );
    assert_eq!(
        CreateBackupDBInstanceRequest::NAME,
        "CreateBackupDBInstance"
    );
    const { assert!(!CreateBackupDBInstanceRequest::IDEMPOTENT) };
    // Form encoding gives the same pairs back (in name order).
    assert_eq!(
        form::encode(&req),
        "BackupMethod=0&BackupRemark=remarkInfo&InstanceId=cmgo-ayxpky6l"
    );
}

#[test]
fn create_backup_db_instance_output() {
    let env = decode_response::<CreateBackupDBInstanceResponse>(BACKUP_OUTPUT.as_bytes()).unwrap();
    assert_eq!(env.response.async_request_id.as_deref(), Some("4773"));
    assert_eq!(
        env.response.request_id,
        "e600a8d0-9014-11ea-84c1-01cccde830c6"
    );
    assert_eq!(
        env.request_id.as_deref(),
        Some("e600a8d0-9014-11ea-84c1-01cccde830c6")
    );
    assert!(env.deprecated_warning.is_none());
    // Re-encoding uses the documented type (a string).
    assert_eq!(
        serde_json::to_value(&env.response).unwrap(),
        json!({"AsyncRequestId": "4773", "RequestId": "e600a8d0-9014-11ea-84c1-01cccde830c6"})
    );
}

#[test]
fn create_backup_download_task_input() {
    let params = params_of(DOWNLOAD_QUERY);
    let req: CreateBackupDownloadTaskRequest = serde_json::from_value(params.clone()).unwrap();
    assert_eq!(req.instance_id, "cmgo-dygv1rnp");
    assert_eq!(req.backup_name, "cmgo-dygv1rnp_2021-03-26 10:44");
    assert_eq!(
        req.backup_sets,
        vec![ReplicaSetInfo::new("cmgo-dygv1rnp_0")]
    );
    assert_eq!(req.backup_sets[0].replica_set_id, "cmgo-dygv1rnp_0");
    assert_eq!(
        check_request("CreateBackupDownloadTask", &params).unwrap(),
        params
    );

    let built = CreateBackupDownloadTaskRequest::new(
        "cmgo-dygv1rnp",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        vec![ReplicaSetInfo::new("cmgo-dygv1rnp_0")],
    );
    assert_eq!(built, req);
    let query = form::encode(&built);
    assert_eq!(
        query,
        "BackupName=cmgo-dygv1rnp_2021-03-26%2010%3A44\
         &BackupSets.0.ReplicaSetId=cmgo-dygv1rnp_0\
         &InstanceId=cmgo-dygv1rnp"
    );
    assert!(query.contains("BackupSets.0.ReplicaSetId=cmgo-dygv1rnp_0"));
    assert_eq!(form::decode(&query).unwrap(), params);
    assert_eq!(
        encode_request(&built),
        br#"{"InstanceId":"cmgo-dygv1rnp","BackupName":"cmgo-dygv1rnp_2021-03-26 10:44","BackupSets":[{"ReplicaSetId":"cmgo-dygv1rnp_0"}]}"#
    );
}

#[test]
fn create_backup_download_task_output() {
    let env =
        decode_response::<CreateBackupDownloadTaskResponse>(DOWNLOAD_OUTPUT.as_bytes()).unwrap();
    let tasks = env.response.tasks.as_ref().unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].replica_set_id.as_deref(), Some("cmgo-dygv1rnp_0"));
    assert_eq!(tasks[0].status, Some(BackupDownloadTaskState::Completed));
    assert_eq!(
        env.request_id.as_deref(),
        Some("6ed8d110-67be-4650-83b0-5df5a897e9e6")
    );
    let original: serde_json::Value = serde_json::from_str(DOWNLOAD_OUTPUT).unwrap();
    assert_eq!(
        serde_json::to_value(&env.response).unwrap(),
        original["Response"]
    );
}

#[test]
fn error_envelope_becomes_service_error() {
    let body = br#"{"Response": {"Error": {"Code": "InvalidParameterValue.NotFoundInstance",
        "Message": "instance not found"}, "RequestId": "req-1"}}"#;
    let err = decode_response::<CreateBackupDBInstanceResponse>(body).unwrap_err();
    let service = err.service_error().expect("a service error");
    assert_eq!(
        service.code.as_str(),
        "InvalidParameterValue.NotFoundInstance"
    );
    assert_eq!(service.message, "instance not found");
    assert_eq!(service.request_id.as_deref(), Some("req-1"));
    assert_eq!(err.request_id(), Some("req-1"));
    assert!(matches!(err, Error::Service(_)));

    // Unknown codes are kept verbatim.
    let body = br#"{"Response": {"Error": {"Code": "FailedOperation.Brand.New", "Message": "m"}, "RequestId": "r"}}"#;
    let err = decode_response_value(body).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::from("FailedOperation.Brand.New"))
    );
}

#[test]
fn deprecated_warning_is_surfaced_and_unknown_fields_ignored() {
    let body = br#"{"Response": {"AsyncRequestId": "12", "SomethingNew": {"a": [1, 2]},
        "DeprecatedWarning": {"Message": "use something else"}, "RequestId": "r-9"}}"#;
    let env = decode_response::<CreateBackupDBInstanceResponse>(body).unwrap();
    assert_eq!(env.response.async_request_id.as_deref(), Some("12"));
    assert_eq!(
        env.deprecated_warning,
        Some(json!({"Message": "use something else"}))
    );
    let env = decode_response_value(body).unwrap();
    assert_eq!(env.response["SomethingNew"]["a"][1], 2);
    assert_eq!(env.request_id.as_deref(), Some("r-9"));
}

#[test]
fn malformed_answers() {
    for (body, has_id) in [
        (&b"<html>502 Bad Gateway</html>"[..], false),
        (&b"{\"NotResponse\": {}}"[..], false),
        (&b"{\"Response\": 12}"[..], false),
        (&b"{\"Response\": null}"[..], false),
        (
            &br#"{"Response": {"Tasks": "not a list", "RequestId": "r-5"}}"#[..],
            true,
        ),
    ] {
        let err = decode_response::<CreateBackupDownloadTaskResponse>(body).unwrap_err();
        match &err {
            Error::MalformedResponse {
                snippet,
                request_id,
                ..
            } => {
                assert!(!snippet.is_empty());
                assert_eq!(request_id.is_some(), has_id, "{err:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(matches!(
        decode_response_value(b"{\"Response\": [1]}"),
        Err(Error::MalformedResponse { .. })
    ));
}
