//! The models' edge cases: structures shared by parameters and answers, blank and `null` values
//! in answers, numbers out of range, passwords in `Debug`, and numbers under
//! `serde_json/arbitrary_precision` (CI runs this file a second time with that feature on).

use mongodb_models::{
    check_request, decode_response, reencode_response, AssignProjectResponse, BackupDownloadTask,
    BackupInfo, CheckDBInstanceElasticCpuScalableResponse, CreateAccountUserRequest,
    CreateDBInstanceRequest, DBInstancePrice, DescribeDBBackupsResponse,
    DescribeDBInstancesResponse, DescribeInstanceRolesResponse, InstanceDetail, RequestErrorKind,
    ResetDBInstancePasswordRequest, TagInfo,
};
use serde_json::json;

/// The body of an answer around `response`.
fn answer(response: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "Response": response })).unwrap()
}

#[test]
fn a_misspelled_member_of_a_shared_structure_in_a_request_is_an_error_naming_its_path() {
    // Two levels down: RolePrivilege → RoleResource.
    let err = check_request(
        "CreateInstanceRole",
        &json!({"InstanceId": "cmgo-1", "RoleName": "r", "Privileges": [
            {"Resource": {"Database": "db", "Collection": "c"}, "Actions": ["find"]},
            {"Resource": {"Database": "db", "Colection": "c"}, "Actions": ["find"]}
        ]}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::UnknownParameter);
    assert_eq!(
        err.parameter.as_deref(),
        Some("Privileges.1.Resource.Colection")
    );
    assert_eq!(
        err.message,
        "unknown parameter `Privileges.1.Resource.Colection` for `Privileges.1.Resource` of \
         `CreateInstanceRole` (known: Cluster, Database, Collection)"
    );

    // One level down, TagInfo in CreateDBInstance's Tags.
    let params = json!({"NodeNum": 3, "Memory": 4, "Volume": 100, "MongoVersion": "MONGO_40_WT",
        "GoodsNum": 1, "Zone": "ap-guangzhou-3", "Period": 1, "MachineCode": "HIO10G",
        "ClusterType": "REPLSET", "ReplicateSetNum": 1,
        "Tags": [{"TagKey": "team", "TagValue": "db"}, {"TagKye": "env", "TagValue": "prod"}]});
    let err = check_request("CreateDBInstance", &params).unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::UnknownParameter);
    assert_eq!(err.parameter.as_deref(), Some("Tags.1.TagKye"));
    assert!(
        err.message.contains("(known: TagKey, TagValue)"),
        "{}",
        err.message
    );

    // Decoding the request type directly refuses it too, naming the member.
    let err = serde_json::from_value::<CreateDBInstanceRequest>(params).unwrap_err();
    assert!(
        err.to_string().starts_with("unknown field `TagKye`"),
        "{err}"
    );
}

#[test]
fn the_same_shared_structures_in_an_answer_keep_unknown_members() {
    let body = answer(json!({
        "InstanceDetails": [{"InstanceId": "cmgo-1",
            "Tags": [{"TagKey": "team", "TagValue": "db", "TagColor": "blue"}]}],
        "TotalCount": 1, "RequestId": "r"
    }));
    let env = decode_response::<DescribeDBInstancesResponse>(&body).unwrap();
    let tag = &env.response.instance_details.as_ref().unwrap()[0]
        .tags
        .as_ref()
        .unwrap()[0];
    assert_eq!(tag.tag_key.as_deref(), Some("team"));
    assert_eq!(tag.unknown_fields.get("TagColor"), Some(&json!("blue")));
    // Written back unchanged.
    let again = serde_json::to_value(&env.response).unwrap();
    assert_eq!(again["InstanceDetails"][0]["Tags"][0]["TagColor"], "blue");

    // Nested shared structures in an answer, too.
    let roles: DescribeInstanceRolesResponse = serde_json::from_value(json!({
        "Roles": [{"RoleName": "r", "Privileges": [
            {"Resource": {"Database": "db", "Shard": "s0"}, "Actions": ["find"]}]}]
    }))
    .unwrap();
    let roles = serde_json::to_value(&roles).unwrap();
    assert_eq!(
        roles["Roles"][0]["Privileges"][0]["Resource"]["Shard"],
        "s0"
    );

    // A value built in code has nothing unknown and encodes as before.
    assert_eq!(
        serde_json::to_value(TagInfo::new("team", "db")).unwrap(),
        json!({"TagKey": "team", "TagValue": "db"})
    );
}

#[test]
fn an_empty_string_in_an_optional_number_or_boolean_of_an_answer_is_absent() {
    let body = answer(json!({
        "InstanceDetails": [{"InstanceId": "cmgo-1", "Memory": "", "AutoRenewFlag": " ",
                             "Status": "", "Volume": "100"}],
        "TotalCount": "", "RequestId": "r"
    }));
    let env = decode_response::<DescribeDBInstancesResponse>(&body).unwrap();
    assert_eq!(env.response.total_count, None);
    let d: &InstanceDetail = &env.response.instance_details.as_ref().unwrap()[0];
    assert_eq!(d.memory, None); // u64
    assert_eq!(d.auto_renew_flag, None); // i64
    assert_eq!(d.status, None); // an integer enumeration
    assert_eq!(d.volume, Some(100));
    assert_eq!(d.instance_id.as_deref(), Some("cmgo-1"));

    let b: CheckDBInstanceElasticCpuScalableResponse =
        serde_json::from_value(json!({"Scalable": "", "IsScaled": 1})).unwrap();
    assert_eq!(b.scalable, None); // bool
    assert_eq!(b.is_scaled, Some(true));
    let p: DBInstancePrice = serde_json::from_value(json!({"UnitPrice": ""})).unwrap();
    assert_eq!(p.unit_price, None); // f64

    // A string member keeps the empty string: it is a value there.
    let d: InstanceDetail = serde_json::from_value(json!({"InstanceName": ""})).unwrap();
    assert_eq!(d.instance_name.as_deref(), Some(""));

    // In parameters an empty string is still not a number.
    let err = check_request(
        "DescribeDBBackups",
        &json!({"InstanceId": "i", "Limit": ""}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::InvalidType);
    assert_eq!(err.parameter.as_deref(), Some("Limit"));
}

#[test]
fn null_inside_a_list_of_an_answer_is_skipped() {
    let r: AssignProjectResponse =
        serde_json::from_value(json!({"FlowIds": [1081, null, "1082", ""]})).unwrap();
    assert_eq!(r.flow_ids, Some(vec![1081, 1082]));

    let body = answer(json!({
        "BackupList": [null, {"BackupName": "b1", "BackupMethod": 0}, null],
        "TotalCount": 1, "RequestId": "r"
    }));
    let env = decode_response::<DescribeDBBackupsResponse>(&body).unwrap();
    let list = env.response.backup_list.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].backup_name.as_deref(), Some("b1"));

    let d: InstanceDetail = serde_json::from_value(json!({"Tags": [null]})).unwrap();
    assert_eq!(d.tags, Some(vec![]));

    // In parameters a null item is an error naming it.
    let err = check_request(
        "DescribeDBInstances",
        &json!({"InstanceIds": ["cmgo-1", null]}),
    )
    .unwrap_err();
    assert_eq!(err.parameter.as_deref(), Some("InstanceIds.1"));
}

#[test]
fn numbers_out_of_range_are_errors_naming_the_member_never_clamped() {
    // -1 into an unsigned member, nested.
    let body = answer(
        json!({"InstanceDetails": [{"InstanceId": "a"}, {"Memory": -1}],
                             "RequestId": "rid-1"}),
    );
    let err = decode_response::<DescribeDBInstancesResponse>(&body).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`InstanceDetails.1.Memory`"), "{text}");
    assert!(text.contains("-1"), "{text}");
    assert_eq!(err.request_id(), Some("rid-1"));

    // 2^64 into an unsigned member (one past u64::MAX), and into a signed one.
    for (member, body) in [
        (
            "TotalCount",
            br#"{"Response": {"TotalCount": 18446744073709551616}}"#.to_vec(),
        ),
        (
            "TotalCount",
            br#"{"Response": {"TotalCount": "18446744073709551616"}}"#.to_vec(),
        ),
    ] {
        let err = decode_response::<DescribeDBInstancesResponse>(&body)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("`{member}`")), "{err}");
    }
    let big = br#"{"Response": {"BackupList": [{"BackupSize": 18446744073709551616}]}}"#;
    let err = decode_response::<DescribeDBBackupsResponse>(big)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`BackupList.0.BackupSize`"), "{err}");
    // 2^63 is one past i64::MAX (BackupDownloadTask.BackupSize is signed).
    let err =
        serde_json::from_value::<BackupDownloadTask>(json!({"BackupSize": 9223372036854775808u64}))
            .unwrap_err();
    assert!(err.to_string().contains("9223372036854775808"), "{err}");
    // The largest values that fit still decode exactly.
    let ok: BackupDownloadTask =
        serde_json::from_value(json!({"BackupSize": "9223372036854775807"})).unwrap();
    assert_eq!(ok.backup_size, Some(i64::MAX));
    let ok: BackupInfo = serde_json::from_value(json!({"BackupSize": u64::MAX})).unwrap();
    assert_eq!(ok.backup_size, Some(u64::MAX));

    // The name-based path names it too.
    let err = reencode_response("DescribeDBInstances", br#"{"TotalCount": -1}"#).unwrap_err();
    assert_eq!(err.parameter.as_deref(), Some("TotalCount"));
    assert!(err.message.contains("`TotalCount`"), "{}", err.message);
}

#[test]
fn debug_of_a_request_never_prints_a_password() {
    let create = CreateDBInstanceRequest::new(
        3,
        4,
        100,
        "MONGO_40_WT",
        1,
        "ap-guangzhou-3",
        1,
        "HIO10G",
        "REPLSET",
        1,
    )
    .with_password("Sup3r-s3cret!");
    let shown = format!("{create:?}");
    assert!(!shown.contains("Sup3r-s3cret!"), "{shown}");
    assert!(shown.contains("password: Some(** redacted **)"), "{shown}");
    assert!(shown.contains("memory: 4"), "{shown}");
    // The wire form is unchanged.
    assert_eq!(
        serde_json::to_value(&create).unwrap()["Password"],
        "Sup3r-s3cret!"
    );

    let reset = ResetDBInstancePasswordRequest::new("cmgo-1", "mongouser", "Another-s3cret");
    let shown = format!("{reset:#?}");
    assert!(!shown.contains("Another-s3cret"), "{shown}");
    assert!(shown.contains("** redacted **"), "{shown}");

    let user =
        CreateAccountUserRequest::new("cmgo-1", "u", "pw-one").with_mongo_user_password("pw-two");
    let shown = format!("{user:?}");
    assert!(
        !shown.contains("pw-one") && !shown.contains("pw-two"),
        "{shown}"
    );
    // An unset password shows as unset.
    let unset = format!("{:?}", create.clone().with_vpc_id("vpc-1"));
    assert!(unset.contains("vpc_id: Some(\"vpc-1\")"), "{unset}");
}

/// Floats, integers beyond 64 bits and numbers inside kept unknown members: the shapes
/// `arbitrary_precision` hands over differently (as a map holding the text).
#[test]
fn numbers_decode_whatever_serde_json_features_are_on() {
    let body = answer(json!({
        "InstanceDetails": [{"Memory": 4096, "Volume": 1.0e2, "InstanceName": 12.5,
            "ReplicaSets": [{"Memory": "2048", "Extra": 1.25}],
            "Tags": [{"TagKey": "k", "TagValue": 7, "Weight": 0.5}]}],
        "TotalCount": 1, "RequestId": "r"
    }));
    let env = decode_response::<DescribeDBInstancesResponse>(&body).unwrap();
    let d = &env.response.instance_details.as_ref().unwrap()[0];
    assert_eq!(d.memory, Some(4096));
    assert_eq!(d.volume, Some(100));
    assert_eq!(d.instance_name.as_deref(), Some("12.5"));
    let rs = &d.replica_sets.as_ref().unwrap()[0];
    assert_eq!(rs.memory, Some(2048));
    assert_eq!(rs.unknown_fields["Extra"].as_f64(), Some(1.25));
    let tag = &d.tags.as_ref().unwrap()[0];
    assert_eq!(tag.tag_value.as_deref(), Some("7"));
    assert_eq!(tag.unknown_fields["Weight"].as_f64(), Some(0.5));

    // The same through a `Value` (what check_request and tools do).
    let p: DBInstancePrice = serde_json::from_value(
        json!({"UnitPrice": 1.5, "OriginalPrice": 210, "DiscountPrice": "3.25"}),
    )
    .unwrap();
    assert_eq!(
        (p.unit_price, p.original_price, p.discount_price),
        (Some(1.5), Some(210.0), Some(3.25))
    );
    let task: BackupDownloadTask =
        serde_json::from_str(r#"{"Percent": 20.0, "BackupSize": 1e3}"#).unwrap();
    assert_eq!((task.percent, task.backup_size), (Some(20), Some(1000)));
    // Beyond 64 bits: an error for an integer, the digits for a string.
    assert!(serde_json::from_str::<BackupInfo>(r#"{"BackupSize": 1e30}"#).is_err());
    let info: BackupInfo =
        serde_json::from_str(r#"{"BackupName": 123456789012345678901234567890}"#).unwrap();
    assert!(info.backup_name.unwrap().starts_with("1234567890123456"));

    let ok = check_request(
        "DescribeDBBackups",
        &json!({"InstanceId": "cmgo-1", "Limit": 10.0, "Offset": "20"}),
    )
    .unwrap();
    assert_eq!(
        ok,
        json!({"InstanceId": "cmgo-1", "Limit": 10, "Offset": 20})
    );
}
