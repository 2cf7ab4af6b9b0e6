//! Every modelled action answers with every member the published spec marks as
//! always present (`output_required`), at every depth. Each action is sent on a
//! fresh emulator with its fixture below, or else with the published example
//! parameters (instance ids mapped to `cmgo-demo0001`), and must succeed: a
//! family that adds a handler gets this check without writing a test, and adds
//! a fixture only when the published example can't succeed.
//!
//! The spec is read from the committed spec file, independently of the
//! models' tables the emulator fills answers from.

mod common;

use common::{builder, Api};
use mongodb_emulator::EmulatorHandle;
use serde_json::{json, Map, Value};

const SPEC: &str = include_str!("../../mongodb-models/spec/mongodb-2019-07-25.json");

/// Parameters for an action whose published example can't succeed as is; the
/// closure may prepare the emulator first.
fn fixture(action: &str, api: &Api, h: &EmulatorHandle) -> Option<Value> {
    let demo = "cmgo-demo0001";
    let hourly = || {
        api.ok(
            "CreateDBInstanceHour",
            json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1, "NodeNum": 3,
                   "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
                   "ClusterType": "REPLSET", "Zone": "ap-guangzhou-3"}),
        )
    };
    let prepaid = || {
        let r = api.ok(
            "CreateDBInstance",
            json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1, "NodeNum": 3,
                   "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
                   "ClusterType": "REPLSET", "Zone": "ap-guangzhou-3", "Period": 1}),
        );
        r["InstanceIds"][0].as_str().unwrap().to_owned()
    };
    Some(match action {
        "DescribeDBInstances" => json!({}),
        "DescribeAsyncRequestInfo" => {
            let id = api.ok(
                "CreateBackupDBInstance",
                json!({"InstanceId": demo, "BackupMethod": 0}),
            )["AsyncRequestId"]
                .clone();
            json!({ "AsyncRequestId": id })
        }
        "DescribeDBInstanceDeal" => json!({ "DealId": hourly()["DealId"] }),
        // The published example asks for 2 nodes; DescribeSpecInfo offers 3 to 7.
        "CreateDBInstanceHour" => json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1,
            "NodeNum": 3, "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
            "ClusterType": "REPLSET", "Zone": "ap-guangzhou-3", "Password": "Secret_123"}),
        "CreateBackupDownloadTask" => {
            let name = common::backup_names(api, demo)[0].clone();
            json!({"InstanceId": demo, "BackupName": name,
                   "BackupSets": [{"ReplicaSetId": "cmgo-demo0001_0"}]})
        }
        "DescribeBackupDownloadTask" => {
            let name = common::backup_names(api, demo)[0].clone();
            api.ok(
                "CreateBackupDownloadTask",
                json!({"InstanceId": demo, "BackupName": name,
                       "BackupSets": [{"ReplicaSetId": "cmgo-demo0001_0"}]}),
            );
            json!({ "InstanceId": demo })
        }
        "OfflineIsolatedDBInstance" => {
            assert!(h.set_instance_status(demo, -3));
            json!({ "InstanceId": demo })
        }
        "RenewDBInstances" | "InquirePriceRenewDBInstances" => {
            json!({"InstanceIds": [prepaid()], "InstanceChargePrepaid": {"Period": 2}})
        }
        "InquirePriceModifyDBInstanceSpec" => {
            json!({"InstanceId": demo, "Memory": 8, "Cpu": 4, "Volume": 200})
        }
        // Accounts: the published examples use one-kind passwords, both
        // password forms at once, quoted namespaces, a cluster resource with a
        // database, `rwuser` (3.2 instances only) and users or roles a fresh
        // emulator lacks.
        "CreateAccountUser" => json!({"InstanceId": demo, "UserName": "test_user",
            "Password": "Abc@123...", "UserDesc": "测试用户",
            "AuthRole": [{"Mask": 0, "NameSpace": "collection"}]}),
        "DeleteAccountUser" | "SetAccountUserPrivilege" => {
            let made = api.ok(
                "CreateAccountUser",
                json!({"InstanceId": demo, "UserName": "test_user", "Password": "Abc@123..."}),
            );
            common::wait_async(api, &made["FlowId"].to_string());
            if action == "DeleteAccountUser" {
                json!({"InstanceId": demo, "UserName": "test_user", "MongoUserPassword": "Abc@123"})
            } else {
                json!({"InstanceId": demo, "UserName": "test_user",
                       "AuthRole": [{"Mask": 1, "NameSpace": "db_test"}]})
            }
        }
        "ResetDBInstancePassword" => {
            json!({"InstanceId": demo, "UserName": "mongouser", "Password": "test_123***"})
        }
        "CreateInstanceUser" => json!({"InstanceId": demo, "UserName": "testuser1",
            "Password": "Test_123456", "Database": "admin", "Description": "测试用",
            "Roles": [{"RoleName": "readWrite", "Database": "test_db"}],
            "AuthRole": [{"Mask": 1, "NameSpace": "db_test"}], "EnablePasswordRotation": 0}),
        "DeleteInstanceUser" => {
            let made = api.ok(
                "CreateInstanceUser",
                json!({"InstanceId": demo, "UserName": "testuser1", "Password": "Test_123456"}),
            );
            common::wait_async(api, &made["FlowId"].to_string());
            json!({"InstanceId": demo, "UserName": "testuser1", "Database": "admin"})
        }
        "UpdateInstanceUser" => json!({"InstanceId": demo, "UserName": "mongouser",
            "Database": "admin", "Password": "Test_123456", "Description": "测试用"}),
        "CreateInstanceRole" | "UpdateInstanceRole" | "DeleteInstanceRole" => {
            let role = json!({"InstanceId": demo, "RoleName": "trole11", "Database": "admin",
                "Privileges": [{"Resource": {"Cluster": false, "Database": "local",
                    "Collection": "system.users"}, "Actions": ["find"]}],
                "InheritedRoles": [{"RoleName": "readWrite", "Database": "test_db"}]});
            if action == "CreateInstanceRole" {
                return Some(role);
            }
            let made = api.ok("CreateInstanceRole", role);
            common::wait_async(api, &made["TaskId"].to_string());
            if action == "DeleteInstanceRole" {
                json!({"InstanceId": demo, "RoleName": "trole11", "Database": "admin"})
            } else {
                json!({"InstanceId": demo, "RoleName": "trole11", "Database": "admin",
                       "InheritedRoles": [{"RoleName": "read", "Database": "test_db"}]})
            }
        }
        // Audit: the published rule names no SqlType operation; the service
        // must be open to be read, changed or closed.
        "OpenAuditService" => json!({"InstanceId": demo, "LogExpireDay": 30, "AuditAll": false,
            "RuleFilters": [{"Type": "SqlType", "Compare": "EQ", "Value": ["insert", "delete"]}]}),
        "ModifyAuditService" | "CloseAuditService" | "DescribeAuditConfig" => {
            api.ok(
                "OpenAuditService",
                json!({"InstanceId": demo, "LogExpireDay": 7}),
            );
            match action {
                "ModifyAuditService" => json!({"InstanceId": demo, "LogExpireDay": 30}),
                _ => json!({ "InstanceId": demo }),
            }
        }
        // Backups: the published ids and times are not the demo's; the seeded
        // backup (which ended a day ago) is.
        "DeleteDBBackups" => {
            json!({"InstanceId": demo, "BackupIds": [seeded_backup(api)["BackId"]]})
        }
        "ModifyBackupExpireTime" => json!({"InstanceId": demo, "ExpireTime": "2099-01-01 00:00:00",
            "BackupIds": [seeded_backup(api)["BackId"]]}),
        "RestoreDBInstance" => {
            json!({"InstanceId": demo, "RestoreTime": seeded_backup(api)["EndTime"],
            "Databases": [{"Db": "db_a", "Collections": [{"OldCollection": "orders", "NewCollection": "orders_bak"}]}]})
        }
        "FlashBackDBInstance" => json!({"InstanceId": demo,
            "TargetFlashbackTime": seeded_backup(api)["EndTime"],
            "TargetDatabases": [{"DBName": "my-db", "Collections": [{"CollectionName": "c",
                "TargetResultCollectionName": "c_re", "FilterKey": "_id"}]}]}),
        // The published example asks for a backup every 2 hours; 12 or 24 are on offer.
        "SetBackupRules" => json!({"InstanceId": demo, "BackupMethod": 1, "BackupTime": 2,
            "BackupFrequency": 24, "Notify": true, "BackupRetentionPeriod": 7,
            "ActiveWeekdays": "0,1,2,3,4,5,6", "LongTermInterval": "monthly",
            "LongTermActiveDays": "1,2", "LongTermExpiredDays": 30, "OplogExpiredDays": 7,
            "BackupVersion": 1, "AlertThreshold": 100}),
        // Family: instance configuration.
        "ModifyInstanceParams" => json!({"InstanceId": demo, "ModifyType": "IMMEDIATELY",
            "InstanceParams": [{"Key": "operationProfiling.mode", "Value": "slowOp"}]}),
        // The published example copies a template that doesn't exist here.
        "CreateDBInstanceParamTpl" => {
            json!({"TplName": "load tests", "MongoVersion": "MONGO_42_WT",
            "ClusterType": "SHARD", "TplDesc": "for load tests",
            "Params": [{"Key": "balance.window", "Value": "01:00-05:00"}]})
        }
        "DescribeDBInstanceParamTplDetail"
        | "ModifyDBInstanceParamTpl"
        | "DropDBInstanceParamTpl" => {
            let id = api.ok(
                "CreateDBInstanceParamTpl",
                json!({"TplName": "mine", "MongoVersion": "MONGO_50_WT", "ClusterType": "SHARD"}),
            )["TplId"]
                .clone();
            match action {
                "DescribeDBInstanceParamTplDetail" => json!({ "TplId": id }),
                "ModifyDBInstanceParamTpl" => json!({"TplId": id, "TplName": "renamed",
                    "TplDesc": "changed", "Params": [{"Key": "operationProfiling.mode", "Value": "all"}]}),
                _ => json!({ "TplId": id }),
            }
        }
        // Well-formed ids, and a group bound first so that its members are checked.
        "ModifyDBInstanceSecurityGroup" | "DescribeSecurityGroup" => {
            let bind =
                json!({"InstanceId": demo, "SecurityGroupIds": ["sg-a1b2c3d4", "sg-5e6f7g8h"]});
            if action == "ModifyDBInstanceSecurityGroup" {
                bind
            } else {
                api.ok("ModifyDBInstanceSecurityGroup", bind);
                json!({ "InstanceId": demo })
            }
        }
        // Transparent data encryption needs MongoDB 4.4 or later.
        "EnableTransparentDataEncryption" | "DescribeTransparentDataEncryptionStatus" => {
            let spec = mongodb_emulator::InstanceSpec::replica_set("cmgo-tde00001")
                .with_mongo_version("MONGO_44_WT");
            h.add_instance(spec).expect("a 4.4 instance");
            let enable = json!({"InstanceId": "cmgo-tde00001", "KmsRegion": "ap-shanghai"});
            if action == "EnableTransparentDataEncryption" {
                enable
            } else {
                let flow = api.ok("EnableTransparentDataEncryption", enable)["FlowId"].clone();
                common::wait_async(api, &flow.to_string());
                json!({ "InstanceId": "cmgo-tde00001" })
            }
        }
        // Logs: the published periods are years old (logs are kept 7 days), or
        // empty, or unreadable; audit logs need the audit switched on.
        "DescribeSlowLogs"
        | "DescribeSlowLogPatterns"
        | "DescribeDetailedSlowLogs"
        | "DescribeMongodbLogs"
        | "CreateLogDownloadTask"
        | "CreateSlowLogPatternDownloadTask"
        | "DescribeAuditLogs"
        | "CreateAuditLogFile"
        | "DeleteAuditLogFile"
        | "DeleteLogDownloadTask" => {
            let at = |hours_ago: i64| {
                let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
                    - time::Duration::hours(hours_ago);
                t.format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                ))
                .unwrap()
            };
            let period = json!({"InstanceId": demo, "StartTime": at(5), "EndTime": at(1)});
            if action.contains("Audit") {
                let mut state = h.dump_state();
                let instances = state["regions"]["ap-guangzhou"]["instances"]
                    .as_array_mut()
                    .unwrap();
                let demo_instance = instances.iter_mut().find(|i| i["id"] == demo).unwrap();
                demo_instance["features"]["audit"]["enabled"] = json!(true);
                h.load_state(state).unwrap();
            }
            let with = |extra: Value| {
                let mut p = period.clone();
                for (k, v) in extra.as_object().unwrap() {
                    p[k] = v.clone();
                }
                p
            };
            match action {
                // The demo runs 4.0: JSON lines need 4.4.
                "DescribeSlowLogs" => with(json!({"SlowMS": 100, "Limit": 100})),
                "DescribeSlowLogPatterns" => {
                    with(json!({"SlowMS": 100, "Format": "json", "Limit": 100}))
                }
                "DescribeDetailedSlowLogs" => with(json!({"ExecTime": 100,
                    "NodeNames": ["cmgo-demo0001_0-node-primary"], "OrderBy": "ExecTime",
                    "OrderByType": "desc", "Limit": 10})),
                "DescribeMongodbLogs" | "CreateLogDownloadTask" => with(json!({
                    "NodeNames": ["cmgo-demo0001_0-node-primary"], "LogLevels": ["WARNING"]})),
                "DeleteLogDownloadTask" => {
                    api.ok("CreateLogDownloadTask", period.clone());
                    let r = api.ok("DescribeLogDownloadTasks", json!({"InstanceId": demo}));
                    json!({"InstanceId": demo, "TaskId": r["Tasks"][0]["TaskId"]})
                }
                "DeleteAuditLogFile" => {
                    let r = api.ok("CreateAuditLogFile", period.clone());
                    json!({"InstanceId": demo, "FileName": r["FileName"]})
                }
                _ => period,
            }
        }
        "KillOps" => {
            let r = api.ok("DescribeCurrentOp", json!({"InstanceId": demo}));
            let op = &r["CurrentOps"][0];
            json!({"InstanceId": demo, "Operations": [{"ReplicaSetName": op["ReplicaSetName"],
                   "NodeName": op["NodeName"], "OpId": op["OpId"]}]})
        }
        // The published instance id is quoted, and `dba` is no database of the demo.
        "DescribeDBInstanceNamespace" => json!({ "InstanceId": demo }),
        // Instance operations: the published examples name nodes, addresses and
        // zones of another instance, or need a state the fresh emulator lacks.
        "ModifyDBInstanceSpec" => json!({"InstanceId": demo, "Memory": 8, "Volume": 200}),
        "ModifyInstanceAz" => json!({"InstanceId": demo, "PrimaryNodeZone": "ap-guangzhou-2",
            "SecondaryNodeZone": ["ap-guangzhou-3", "ap-guangzhou-4"]}),
        "RestartNodes" => json!({"InstanceId": demo,
            "NodeIds": ["cmgo-demo0001_0-node-slave0", "cmgo-demo0001_0-node-slave1"]}),
        "DescribeDBInstanceNodeProperty" => {
            json!({"InstanceId": demo, "NodeIds": ["cmgo-demo0001_0-node-primary"]})
        }
        "FlushInstanceRouterConfig" => json!({"InstanceId": "cmgo-demo0002"}),
        "ModifyDBInstanceNetworkAddress" | "EnableWanService" => {
            let r = api.ok("DescribeDBInstances", json!({"InstanceIds": [demo]}));
            let vip = r["InstanceDetails"][0]["Vip"].as_str().unwrap().to_owned();
            if action == "EnableWanService" {
                json!({"InstanceId": demo, "LoadBalancerId": "lb-dabkt44i",
                       "NodeList": [{"VipVport": format!("{vip}:27017"), "ListenerPort": "9000"}]})
            } else {
                json!({"InstanceId": demo, "OldIpExpiredTime": 60, "NewUniqVpcId": "vpc-k8s00001",
                       "NewUniqSubnetId": "subnet-k8s00001", "NetworkAddresses": [
                           {"NewIPAddress": "172.16.0.10", "OldIpAddress": vip, "NodeType": "PRIMARY"}]})
            }
        }
        "ScaleDownDBInstanceCpu" => {
            let up = api.ok(
                "ScaleUpDBInstanceCpu",
                json!({"InstanceId": demo, "ExtraCpu": 2}),
            );
            common::wait_async(api, &up["FlowId"].to_string());
            json!({"InstanceId": demo})
        }
        "DisableSRVConnectionUrl" | "ModifySRVConnectionUrl" => {
            let on = api.ok("EnableSRVConnectionUrl", json!({"InstanceId": demo}));
            common::wait_async(api, &on["FlowId"].to_string());
            if action == "ModifySRVConnectionUrl" {
                json!({"InstanceId": demo, "CustomDomain": "mydomain001"})
            } else {
                json!({"InstanceId": demo})
            }
        }
        "PromoteDBInstanceToActive" => {
            // No action buys a read-only or disaster-recovery instance: mark one
            // in the state, as a loaded state file may.
            let mut state = h.dump_state();
            let instances = state["regions"]["ap-guangzhou"]["instances"]
                .as_array_mut()
                .unwrap();
            let standby = instances.iter_mut().find(|i| i["id"] == demo).unwrap();
            standby["ops"]["standby_of"] = json!("cmgo-demo0002");
            h.load_state(state).unwrap();
            json!({"InstanceId": demo, "MasterId": "cmgo-demo0002"})
        }
        _ => return None,
    })
}

/// The demo instance's seeded backup, as `DescribeDBBackups` lists it.
fn seeded_backup(api: &Api) -> Value {
    api.ok(
        "DescribeDBBackups",
        json!({ "InstanceId": "cmgo-demo0001" }),
    )["BackupList"][0]
        .clone()
}

/// A scalar of the member's type from its example text.
fn scalar(kind: &str, example: Option<&Value>) -> Value {
    let text = match example {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    match kind {
        "int64" | "uint64" | "int" => {
            json!(text.trim().parse::<f64>().map(|f| f as i64).unwrap_or(1))
        }
        "float" => json!(text.trim().parse::<f64>().unwrap_or(1.0)),
        "bool" => json!(matches!(text.trim(), "true" | "1")),
        _ if text.starts_with("cmgo-") && text.contains('_') => json!("cmgo-demo0001_0"),
        _ if text.starts_with("cmgo-") => json!("cmgo-demo0001"),
        _ if text.is_empty() => json!("x"),
        _ => json!(text),
    }
}

/// The published example parameters of structure `name`, every member set.
fn example(structures: &Map<String, Value>, name: &str) -> Value {
    let mut out = Map::new();
    for m in structures[name]["members"].as_array().expect("members") {
        let kind = m["type"].as_str().unwrap_or("string");
        let elem = m["member"].as_str().unwrap_or("string");
        let ex = m.get("example");
        let value = match kind {
            "object" => example(structures, elem),
            "list" if structures.contains_key(elem) => json!([example(structures, elem)]),
            "list" => {
                let items: Vec<Value> = match ex {
                    Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                        serde_json::from_str(s).unwrap_or_default()
                    }
                    Some(v) => vec![v.clone()],
                    None => Vec::new(),
                };
                let k = match elem {
                    "int64" | "uint64" | "float" | "bool" => elem,
                    _ => "string",
                };
                items
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(|v| scalar(k, Some(v)))
                    .collect()
            }
            "int" | "float" | "bool" => scalar(kind, ex),
            _ => scalar("string", ex),
        };
        out.insert(m["name"].as_str().expect("name").to_owned(), value);
    }
    Value::Object(out)
}

/// Dotted paths of the always-present members missing from `value`.
fn missing(
    structures: &Map<String, Value>,
    name: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    let (Some(s), Some(map)) = (structures.get(name), value.as_object()) else {
        return;
    };
    for m in s["members"].as_array().expect("members") {
        let member = m["name"].as_str().expect("name");
        let here = if path.is_empty() {
            member.to_owned()
        } else {
            format!("{path}.{member}")
        };
        let elem = m["member"].as_str().unwrap_or("");
        match map.get(member) {
            None | Some(Value::Null) if m["output_required"] == json!(true) => out.push(here),
            Some(Value::Array(items)) if structures.contains_key(elem) => {
                for (n, item) in items.iter().enumerate() {
                    missing(structures, elem, item, &format!("{here}.{n}"), out);
                }
            }
            Some(v @ Value::Object(_)) if structures.contains_key(elem) => {
                missing(structures, elem, v, &here, out)
            }
            _ => {}
        }
    }
}

#[test]
fn every_modelled_action_answers_every_always_present_member() {
    let spec: Value = serde_json::from_str(SPEC).expect("the committed spec is JSON");
    let actions = spec["actions"].as_object().expect("actions");
    let structures = spec["structures"].as_object().expect("structures");
    let modelled = mongodb_emulator::modelled_actions();
    assert!(modelled.len() >= 20, "{modelled:?}");
    let mut failures = Vec::new();
    let mut members_seen = 0;
    for action in &modelled {
        let info = &actions[*action];
        let h = builder().start().unwrap();
        let api = Api::new(&h);
        let params = fixture(action, &api, &h)
            .unwrap_or_else(|| example(structures, info["input"].as_str().expect("input")));
        let a = api.post(action, params.clone());
        let r = a.response();
        if r.get("Error").is_some() {
            failures.push(format!(
                "{action} failed with {params}: {r}\n  (add a fixture in tests/answers.rs)"
            ));
            continue;
        }
        let mut gaps = Vec::new();
        missing(
            structures,
            info["output"].as_str().expect("output"),
            &r,
            "",
            &mut gaps,
        );
        if !gaps.is_empty() {
            failures.push(format!("{action} lacks {gaps:?}"));
        }
        members_seen += r.as_object().map_or(0, Map::len);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(members_seen > modelled.len(), "answers were read");
}

#[test]
fn the_checker_sees_a_missing_member() {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let structures = spec["structures"].as_object().unwrap();
    let mut gaps = Vec::new();
    let answer = json!({"TotalCount": 1, "InstanceDetails": [{"InstanceId": "x"}]});
    missing(
        structures,
        "DescribeDBInstancesResponse",
        &answer,
        "",
        &mut gaps,
    );
    assert!(
        gaps.contains(&"InstanceDetails.0.InstanceName".to_owned()),
        "{gaps:?}"
    );
    assert!(!gaps.contains(&"TotalCount".to_owned()));
}
