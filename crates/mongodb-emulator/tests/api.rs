//! Protocol behaviour: authentication, versions, actions, parameter checks,
//! GET and POST, read actions, and the typed models' view of the answers.

mod common;

use common::{builder, now, start, Api};
use mongodb_emulator::{Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY};
use serde_json::json;
use tc_sign::{Credentials, HttpMethod};

#[test]
fn demo_credentials_are_the_default() {
    let h = start();
    assert_eq!(h.secret_id(), DEMO_SECRET_ID);
    assert_eq!(h.secret_key(), DEMO_SECRET_KEY);
    assert!(h.url().starts_with("http://127.0.0.1:"));
    assert_eq!(h.url(), format!("http://{}", h.addr()));
    assert!(!format!("{h:?}").contains(DEMO_SECRET_KEY));
}

#[test]
fn post_and_get_both_work_and_request_ids_are_fresh() {
    let h = start();
    let api = Api::new(&h);
    let a = api.ok("DescribeDBInstances", json!({}));
    let b = api.get(
        "DescribeDBInstances",
        json!({ "InstanceIds": ["cmgo-demo0002"] }),
    );
    assert_eq!(b.status, 200);
    let b = b.response();
    assert_eq!(a["TotalCount"], 2);
    assert_eq!(b["TotalCount"], 1);
    assert_eq!(b["InstanceDetails"][0]["InstanceId"], "cmgo-demo0002");
    assert_ne!(a["RequestId"], b["RequestId"]);
    assert_eq!(h.request_count("DescribeDBInstances"), 2);
}

#[test]
fn get_with_nested_backup_sets_in_the_query() {
    let h = start();
    let api = Api::new(&h);
    let name = common::backup_names(&api, "cmgo-demo0002")[0].clone();
    let a = api.get(
        "CreateBackupDownloadTask",
        json!({ "InstanceId": "cmgo-demo0002", "BackupName": name,
                "BackupSets": [{ "ReplicaSetId": "cmgo-demo0002_1" }] }),
    );
    let r = a.response();
    assert!(r.get("Error").is_none(), "{r}");
    assert_eq!(r["Tasks"][0]["ReplicaSetId"], "cmgo-demo0002_1");
}

#[test]
fn auth_failures_have_their_codes() {
    let h = start();
    let api = Api::new(&h);
    let body = br#"{"InstanceIds":["cmgo-demo0001"]}"#.to_vec();
    let base = api.req(HttpMethod::Post, "DescribeDBInstances", body.clone());

    // Wrong secret key.
    let mut r = base.clone();
    r.creds = Credentials::new(DEMO_SECRET_ID, "not-the-key").unwrap();
    assert_eq!(
        api.send(&r).code().as_deref(),
        Some("AuthFailure.SignatureFailure")
    );

    // Unknown secret id.
    let mut r = base.clone();
    r.creds = Credentials::new("AKIDunknown", DEMO_SECRET_KEY).unwrap();
    assert_eq!(
        api.send(&r).code().as_deref(),
        Some("AuthFailure.SecretIdNotFound")
    );

    // Ten minutes in the past.
    let mut r = base.clone();
    r.timestamp = now() - 600;
    let a = api.send(&r);
    assert_eq!(a.code().as_deref(), Some("AuthFailure.SignatureExpire"));
    assert!(a.message().contains("seconds"));

    // Malformed Authorization header.
    let mut headers = api.sign(&base);
    for (k, v) in headers.iter_mut() {
        if k.eq_ignore_ascii_case("authorization") {
            *v = "Basic dXNlcjpwYXNz".to_owned();
        }
    }
    let a = api.send_with(&base, &headers);
    assert_eq!(
        a.code().as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );

    // Missing Authorization header.
    let headers: Vec<_> = api
        .sign(&base)
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .collect();
    let a = api.send_with(&base, &headers);
    assert_eq!(
        a.code().as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );

    // Body changed after signing.
    let headers = api.sign(&base);
    let mut tampered = base.clone();
    tampered.payload = br#"{"InstanceIds":["cmgo-demo0002"]}"#.to_vec();
    let a = api.send_with(&tampered, &headers);
    assert_eq!(a.code().as_deref(), Some("AuthFailure.SignatureFailure"));

    // Every failure still carries a request id and nothing was done.
    assert!(a.response()["RequestId"].as_str().is_some());
}

#[test]
fn skewed_server_clock_is_honoured() {
    // The server runs ten minutes ahead: a correct client clock looks stale.
    let h = builder().clock_offset_secs(600).start().unwrap();
    let api = Api::new(&h);
    let a = api.post("DescribeDBInstances", json!({}));
    assert_eq!(a.code().as_deref(), Some("AuthFailure.SignatureExpire"));
    // A client that follows the server clock gets through.
    let mut r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    r.timestamp = now() + 600;
    assert!(api.send(&r).code().is_none());
    // Four minutes of skew is tolerated.
    h.set_clock_offset_secs(240);
    assert!(api.post("DescribeDBInstances", json!({})).code().is_none());
}

#[test]
fn session_tokens_are_checked_when_configured() {
    let h = builder()
        .token(Some("session-token-1".into()))
        .start()
        .unwrap();
    let api = Api::new(&h);
    assert_eq!(h.token(), Some("session-token-1"));
    // The handle's credentials carry the token, so this works.
    api.ok("DescribeDBInstances", json!({}));
    // Without it, or with another one: TokenFailure.
    let mut r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    r.creds = Credentials::new(h.secret_id(), h.secret_key()).unwrap();
    assert_eq!(
        api.send(&r).code().as_deref(),
        Some("AuthFailure.TokenFailure")
    );
    r.creds = r.creds.clone().with_token("other").unwrap();
    assert_eq!(
        api.send(&r).code().as_deref(),
        Some("AuthFailure.TokenFailure")
    );
}

#[test]
fn custom_credentials() {
    let h = Emulator::builder()
        .credentials("AKIDcustom", "custom-key")
        .start()
        .unwrap();
    assert_eq!(h.secret_id(), "AKIDcustom");
    let api = Api::new(&h);
    api.ok("DescribeDBInstances", json!({}));
    assert!(Emulator::builder().credentials("", "x").start().is_err());
}

#[test]
fn version_and_action_checks() {
    let h = start();
    let api = Api::new(&h);
    let mut r = api.req(HttpMethod::Post, "DescribeDBInstances", b"{}".to_vec());
    r.version = "2017-03-12".into();
    let a = api.send(&r);
    assert_eq!(a.code().as_deref(), Some("NoSuchVersion"));

    let a = api.post("DescribeTheMoon", json!({}));
    assert_eq!(a.code().as_deref(), Some("InvalidAction"));
    assert!(a.message().contains("DescribeTheMoon"));

    // An action the emulator does not model (one that needs only `InstanceId`, while
    // families are still being added): checked, then refused plainly.
    let modelled = mongodb_emulator::modelled_actions();
    let unmodelled = mongodb_models::actions().iter().find(|a| {
        let required: Vec<&str> = a
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name)
            .collect();
        !modelled.contains(&a.name) && required == ["InstanceId"]
    });
    if let Some(action) = unmodelled.map(|a| a.name) {
        let (code, msg) = api.err(action, json!({ "InstanceId": "cmgo-demo0001" }));
        assert_eq!(code, "UnsupportedOperation");
        assert!(msg.contains(action));
        // ... but only once its parameters are right.
        let (code, _) = api.err(action, json!({}));
        assert_eq!(code, "MissingParameter");
    }
}

#[test]
fn parameter_errors_name_the_parameter() {
    let h = start();
    let api = Api::new(&h);
    let (code, msg) = api.err("CreateBackupDBInstance", json!({ "BackupMethod": 0 }));
    assert_eq!(code, "MissingParameter");
    assert!(msg.contains("InstanceId"), "{msg}");

    let (code, msg) = api.err(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 0, "Colour": "blue" }),
    );
    assert_eq!(code, "UnknownParameter");
    assert!(msg.contains("Colour"), "{msg}");

    let (code, msg) = api.err(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": "fast" }),
    );
    assert!(
        code == "InvalidParameter" || code == "InvalidParameterValue",
        "{code}"
    );
    assert!(msg.contains("BackupMethod"), "{msg}");

    let (code, msg) = api.err(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": 7 }),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("BackupMethod"), "{msg}");

    let (code, _) = api.err(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-nope", "BackupMethod": 1 }),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");

    let (code, msg) = api.err("DescribeDBInstances", json!({ "Limit": 0 }));
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("Limit"));

    // Lenient scalars, as the service: "1" for an integer is fine.
    api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-demo0001", "BackupMethod": "1" }),
    );
}

#[test]
fn describe_db_instances_filters_and_pages() {
    let h = builder()
        .instance(mongodb_emulator::InstanceSpec::replica_set("cmgo-extra001").with_status(-2))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 3);
    let d1 = &all["InstanceDetails"][0];
    assert_eq!(d1["InstanceId"], "cmgo-demo0001");
    assert_eq!(d1["Region"], "ap-guangzhou");
    assert_eq!(d1["Status"], 2);
    assert_eq!(d1["ClusterType"], 0);
    assert_eq!(d1["ReplicaSets"][0]["ReplicaSetId"], "cmgo-demo0001_0");

    let sharded = api.ok("DescribeDBInstances", json!({ "ClusterType": 1 }));
    assert_eq!(sharded["TotalCount"], 1);
    let d2 = &sharded["InstanceDetails"][0];
    assert_eq!(d2["InstanceId"], "cmgo-demo0002");
    let shard_ids: Vec<_> = d2["ReplicaSets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ReplicaSetId"].clone())
        .collect();
    assert_eq!(
        shard_ids,
        [json!("cmgo-demo0002_0"), json!("cmgo-demo0002_1")]
    );

    let running = api.ok("DescribeDBInstances", json!({ "Status": [2] }));
    assert_eq!(running["TotalCount"], 2);
    let isolated = api.ok("DescribeDBInstances", json!({ "Status": [-2] }));
    assert_eq!(
        isolated["InstanceDetails"][0]["InstanceId"],
        "cmgo-extra001"
    );

    let page = api.ok("DescribeDBInstances", json!({ "Limit": 1, "Offset": 1 }));
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(page["InstanceDetails"].as_array().unwrap().len(), 1);
    assert_eq!(page["InstanceDetails"][0]["InstanceId"], "cmgo-demo0002");

    let by_name = api.ok(
        "DescribeDBInstances",
        json!({ "OrderBy": "InstanceName", "OrderByType": "DESC", "SearchKey": "demo" }),
    );
    assert_eq!(by_name["TotalCount"], 2);
}

#[test]
fn answers_decode_with_the_typed_models() {
    let h = start();
    let api = Api::new(&h);
    let a = api.post("DescribeDBInstances", json!({}));
    let env =
        mongodb_models::decode_response::<mongodb_models::DescribeDBInstancesResponse>(&a.body)
            .expect("typed decode");
    assert!(env.request_id.is_some());
    let a = api.post(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0002" }),
    );
    mongodb_models::decode_response::<mongodb_models::DescribeDBBackupsResponse>(&a.body)
        .expect("typed decode");
    let a = api.post("DescribeDBBackups", json!({ "InstanceId": "cmgo-none" }));
    let err = mongodb_models::decode_response::<mongodb_models::DescribeDBBackupsResponse>(&a.body)
        .unwrap_err();
    assert_eq!(
        err.code().map(|c| c.as_str().to_owned()).as_deref(),
        Some("InvalidParameterValue.NotFoundInstance")
    );
    assert!(err.request_id().is_some());
}

#[test]
fn illegal_instance_status_refuses_backups() {
    let h = start();
    h.add_instance(mongodb_emulator::InstanceSpec::replica_set("cmgo-iso00001").with_status(-2))
        .unwrap();
    assert!(h
        .add_instance(mongodb_emulator::InstanceSpec::replica_set("cmgo-iso00001"))
        .is_err());
    let api = Api::new(&h);
    let (code, _) = api.err(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-iso00001", "BackupMethod": 0 }),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    assert!(h.set_instance_status("cmgo-iso00001", 2));
    api.ok(
        "CreateBackupDBInstance",
        json!({ "InstanceId": "cmgo-iso00001", "BackupMethod": 0 }),
    );
    assert!(!h.set_instance_status("cmgo-missing", 2));
}
