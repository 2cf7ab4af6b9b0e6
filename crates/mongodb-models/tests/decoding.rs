//! Lenient scalars, open enums, strict request names and `check_request` errors.

use mongodb_models::{
    actions, check_request, find_action, is_idempotent, Action, AsyncRequestStatus,
    BackupDownloadTask, BackupInfo, BackupMethod, BackupStatus, BackupType, ClusterType,
    CreateBackupDBInstanceRequest, DescribeAsyncRequestInfoResponse, DescribeDBBackupsResponse,
    InstanceDetail, InstanceStatus, RequestErrorKind,
};
use serde_json::json;

#[test]
fn lenient_scalars_in_responses() {
    let task: BackupDownloadTask = serde_json::from_value(json!({
        "BackupSize": "102400", "Percent": 20.0, "Status": "1", "Url": null,
        "ReplicaSetId": 7, "BackupMethod": "3", "Unheard": true
    }))
    .unwrap();
    assert_eq!(task.backup_size, Some(102400));
    assert_eq!(task.percent, Some(20));
    assert_eq!(
        task.status,
        Some(mongodb_models::BackupDownloadTaskState::Downloading)
    );
    assert_eq!(task.url, None);
    assert_eq!(task.replica_set_id.as_deref(), Some("7"));
    assert_eq!(task.backup_method, Some(BackupMethod::Snapshot));
    // A member the models don't know is kept and written back, so nothing is lost.
    assert_eq!(task.unknown_fields.get("Unheard"), Some(&json!(true)));
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        json!({"BackupSize": 102400, "Percent": 20, "Status": 1, "ReplicaSetId": "7", "BackupMethod": 3, "Unheard": true})
    );

    // Floats accept integers and strings; booleans accept text and 0/1.
    let d: InstanceDetail = serde_json::from_value(json!({
        "Memory": "4096", "Volume": 100, "AutoRenewFlag": "1", "ClusterType": 1, "Status": -2,
        "Vip": 10
    }))
    .unwrap();
    assert_eq!(d.memory, Some(4096));
    assert_eq!(d.cluster_type, Some(ClusterType::Sharded));
    assert_eq!(d.status, Some(InstanceStatus::IsolatedPrepaid));
    assert_eq!(d.vip.as_deref(), Some("10"));

    // Lists of scalars are lenient too.
    let r: mongodb_models::AssignProjectResponse =
        serde_json::from_value(json!({"FlowIds": ["1081", 1082], "RequestId": null})).unwrap();
    assert_eq!(r.flow_ids, Some(vec![1081, 1082]));
    assert_eq!(r.request_id, "");
}

#[test]
fn lenient_bools_and_floats() {
    let v: mongodb_models::CheckDBInstanceElasticCpuScalableResponse =
        serde_json::from_value(json!({"Scalable": "true", "IsScaled": 0})).unwrap();
    assert_eq!(v.scalable, Some(true));
    assert_eq!(v.is_scaled, Some(false));
    let p: mongodb_models::DBInstancePrice = serde_json::from_value(
        json!({"UnitPrice": 1, "OriginalPrice": "210.5", "DiscountPrice": null}),
    )
    .unwrap();
    assert_eq!(p.unit_price, Some(1.0));
    assert_eq!(p.original_price, Some(210.5));
    assert_eq!(p.discount_price, None);
    assert!(serde_json::from_value::<mongodb_models::DBInstancePrice>(
        json!({"UnitPrice": "cheap"})
    )
    .is_err());
}

#[test]
fn unknown_enum_values_round_trip() {
    let info: BackupInfo = serde_json::from_value(json!({
        "BackupMethod": 9, "Status": 5, "BackupType": "7"
    }))
    .unwrap();
    assert_eq!(info.backup_method, Some(BackupMethod::Unknown(9)));
    assert_eq!(info.status, Some(BackupStatus::Unknown(5)));
    assert_eq!(info.backup_type, Some(BackupType::Unknown(7)));
    assert_eq!(
        serde_json::to_value(&info).unwrap(),
        json!({"BackupMethod": 9, "Status": 5, "BackupType": 7})
    );

    let r: DescribeAsyncRequestInfoResponse =
        serde_json::from_value(json!({"Status": "queued-somewhere", "RequestId": "x"})).unwrap();
    assert_eq!(
        r.status,
        Some(AsyncRequestStatus::Unknown("queued-somewhere".into()))
    );
    assert_eq!(
        serde_json::to_value(&r).unwrap()["Status"],
        "queued-somewhere"
    );
    let r: DescribeAsyncRequestInfoResponse =
        serde_json::from_value(json!({"Status": "success"})).unwrap();
    assert_eq!(r.status, Some(AsyncRequestStatus::Success));

    assert_eq!(BackupMethod::from(3), BackupMethod::Snapshot);
    assert_eq!(i64::from(BackupMethod::Physical), 1);
    assert_eq!(
        AsyncRequestStatus::from("undoed"),
        AsyncRequestStatus::Undoed
    );
    assert_eq!(AsyncRequestStatus::Paused.to_string(), "paused");
    assert!(!BackupMethod::Unknown(2).is_known());
    assert_eq!(BackupMethod::KNOWN.len(), 3);
}

#[test]
fn describe_db_backups_response() {
    let r: DescribeDBBackupsResponse = serde_json::from_value(json!({
        "BackupList": [{"InstanceId": "cmgo-1", "BackupName": "cmgo-1_2021-12-13 02:02",
                        "BackupType": 1, "Status": 2, "BackupMethod": 0, "BackupSize": 326594030}],
        "TotalCount": 1, "RequestId": "r"
    }))
    .unwrap();
    let b = &r.backup_list.as_ref().unwrap()[0];
    assert_eq!(b.backup_type, Some(BackupType::Manual));
    assert_eq!(b.status, Some(BackupStatus::Succeeded));
    assert_eq!(b.backup_method, Some(BackupMethod::Logical));
    assert_eq!(r.total_count, Some(1));
}

#[test]
fn requests_reject_unknown_fields_by_name() {
    let err = serde_json::from_value::<CreateBackupDBInstanceRequest>(json!({
        "InstanceId": "cmgo-1", "BackupMethod": 0, "BackupRemak": "typo"
    }))
    .unwrap_err();
    assert!(err.to_string().contains("BackupRemak"), "{err}");

    let err = check_request(
        "CreateBackupDownloadTask",
        &json!({"InstanceId": "i", "BackupName": "b", "BackupSets": [{"ReplicaSetId": "x", "Shard": 1}]}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::UnknownParameter);
    assert_eq!(err.parameter.as_deref(), Some("BackupSets.0.Shard"));
    assert!(err.message.contains("ReplicaSetId"), "{}", err.message);

    // A structure shared with responses (Auth) is checked where it sits in a request.
    let err = check_request(
        "CreateAccountUser",
        &json!({"InstanceId": "i", "UserName": "u", "Password": "p", "MongoUserPassword": "m",
                "AuthRole": [{"Mask": 1, "NameSpace": "*", "Extra": 1}]}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::UnknownParameter);
    assert_eq!(err.parameter.as_deref(), Some("AuthRole.0.Extra"));
}

#[test]
fn check_request_errors() {
    let err = check_request("CreateBackupDBInstance", &json!({"InstanceId": "i"})).unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::MissingParameter);
    assert_eq!(err.parameter.as_deref(), Some("BackupMethod"));
    assert!(err.message.contains("BackupMethod"), "{}", err.message);

    let err = check_request(
        "CreateBackupDBInstance",
        &json!({"InstanceId": "i", "BackupMethod": "abc"}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::InvalidType);
    assert_eq!(err.parameter.as_deref(), Some("BackupMethod"));
    assert_eq!(
        err.message,
        "parameter `BackupMethod` expects an Integer (0 logical, 1 physical, 3 snapshot), got \"abc\""
    );

    let err = check_request(
        "CreateBackupDownloadTask",
        &json!({"InstanceId": "i", "BackupName": "b", "BackupSets": [{}]}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::MissingParameter);
    assert_eq!(err.parameter.as_deref(), Some("BackupSets.0.ReplicaSetId"));

    let err = check_request(
        "DescribeDBBackups",
        &json!({"InstanceId": "i", "Limit": "ten"}),
    )
    .unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::InvalidType);
    assert_eq!(err.parameter.as_deref(), Some("Limit"));
    assert!(err.message.contains("Integer"), "{}", err.message);

    let err = check_request("DescribeDBInstances", &json!({"ProjectIds": [1, -2]})).unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::InvalidValue);
    assert_eq!(err.parameter.as_deref(), Some("ProjectIds.1"));

    let err = check_request("NoSuchAction", &json!({})).unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::UnknownAction);

    let err = check_request("DescribeDBBackups", &json!([1])).unwrap_err();
    assert_eq!(err.kind, RequestErrorKind::InvalidType);
    assert_eq!(err.parameter, None);

    // Lenient scalars, canonical output.
    let ok = check_request(
        "describe-db-backups",
        &json!({"InstanceId": "i", "Limit": "10", "BackupMethod": null}),
    )
    .unwrap();
    assert_eq!(ok, json!({"InstanceId": "i", "Limit": 10}));

    let e: mongodb_errors::Error = err.into();
    assert!(matches!(e, mongodb_errors::Error::InvalidInput { .. }));
}

#[test]
fn registry() {
    let all = actions();
    assert_eq!(all.len(), 97);
    assert!(all.windows(2).all(|w| w[0].name < w[1].name));
    assert_eq!(all.iter().filter(|a| a.intl).count(), 69);
    let a = find_action("create-backup-db-instance").unwrap();
    assert_eq!(a.name, "CreateBackupDBInstance");
    assert_eq!(a.snake_name, "create_backup_db_instance");
    assert!(!a.idempotent);
    assert!(a.doc_url.ends_with("Action=CreateBackupDBInstance"));
    assert_eq!(
        find_action("CREATE_BACKUP_DB_INSTANCE").unwrap().name,
        a.name
    );
    assert!(find_action("describedbbackups").unwrap().idempotent);
    assert!(find_action("Nope").is_none());
    let sets = find_action("CreateBackupDownloadTask")
        .unwrap()
        .params
        .iter()
        .find(|p| p.name == "BackupSets")
        .unwrap();
    assert_eq!(sets.type_name, "Array of ReplicaSetInfo");
    assert!(sets.required);
    let method = a.params.iter().find(|p| p.name == "BackupMethod").unwrap();
    assert_eq!(method.type_name, "Integer");
    assert_eq!(method.values, &["0 logical", "1 physical", "3 snapshot"]);
    for info in all {
        let read_only = ["Describe", "Inquire", "Check"]
            .iter()
            .any(|p| info.name.starts_with(p));
        assert_eq!(info.idempotent, read_only, "{}", info.name);
        // One rule: the table, the function (by any spelling of the name) and the trait agree.
        assert_eq!(is_idempotent(info.name), info.idempotent, "{}", info.name);
        assert_eq!(
            is_idempotent(info.snake_name),
            info.idempotent,
            "{}",
            info.name
        );
    }
    assert_eq!(
        <CreateBackupDBInstanceRequest as Action>::IDEMPOTENT,
        is_idempotent("CreateBackupDBInstance")
    );
    assert_eq!(
        <mongodb_models::DescribeDBBackupsRequest as Action>::IDEMPOTENT,
        find_action("DescribeDBBackups").unwrap().idempotent
    );
    // Names the models don't know follow the same verbs.
    for (name, expected) in [
        ("DescribeNewThing", true),
        ("InquirePriceOfNewThing", true),
        ("ListNewThings", true),
        ("GetNewThing", true),
        ("QueryNewThing", true),
        ("CheckNewThing", true),
        ("CreateNewThing", false),
        ("ModifyNewThing", false),
        ("describeNewThing", false),
    ] {
        assert_eq!(is_idempotent(name), expected, "{name}");
    }
}
