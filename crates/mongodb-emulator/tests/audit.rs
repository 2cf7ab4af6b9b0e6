//! The audit service and log shipping over the wire: opening, changing and
//! closing the audit service show in `DescribeAuditConfig` and
//! `DescribeAuditInstanceList`; shipping settings show in
//! `DescribeDBInstanceLogToCLS`; the documented errors come with their codes.

mod common;

use common::{builder, Api};
use mongodb_emulator::InstanceSpec;
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";

fn audit_list(api: &Api, params: Value) -> (u64, Vec<String>) {
    let r = api.ok("DescribeAuditInstanceList", params);
    let ids = r["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_owned())
        .collect();
    (r["TotalCount"].as_u64().unwrap(), ids)
}

#[test]
fn opening_changing_and_closing_the_audit_show_in_its_reads() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let (code, msg) = api.err("DescribeAuditConfig", json!({ "InstanceId": DEMO }));
    assert_eq!(code, "FailedOperation.AuditConfigNotExist", "{msg}");
    let (total, off) = audit_list(&api, json!({ "AuditSwitch": 0 }));
    assert_eq!((total, off.len()), (2, 2));

    api.ok(
        "OpenAuditService",
        json!({"InstanceId": DEMO, "LogExpireDay": 30, "AuditAll": false,
               "RuleFilters": [{"Type": "SqlType", "Compare": "EQ", "Value": ["insert", "delete"]},
                               {"Type": "DB", "Compare": "EQ", "Value": ["shop"]}]}),
    );
    let config = api.ok("DescribeAuditConfig", json!({ "InstanceId": DEMO }));
    assert_eq!(config["InstanceId"], DEMO);
    assert_eq!(config["InstanceName"], "demo-replica-set");
    assert_eq!(config["AuditAll"], false);
    assert_eq!(config["LogExpireDay"], 30);
    assert_eq!(config["LogType"], "storage");
    assert_eq!(
        (config["IsOpening"].clone(), config["IsClosing"].clone()),
        (json!("false"), json!("false"))
    );
    assert_eq!(config["CreateTime"].as_str().unwrap().len(), 19, "{config}");

    let r = api.ok("DescribeAuditInstanceList", json!({ "AuditSwitch": 1 }));
    assert_eq!(r["TotalCount"], 1);
    let item = &r["Items"][0];
    assert_eq!(item["InstanceId"], DEMO);
    assert_eq!(item["AuditStatus"], "ON");
    assert_eq!(item["AuditAll"], false);
    assert_eq!(item["LogExpireDay"], 30);
    assert_eq!(
        item["HighLogExpireDay"].as_i64().unwrap() + item["LowLogExpireDay"].as_i64().unwrap(),
        30
    );
    assert_eq!(item["CreateAt"], config["CreateTime"]);
    let info = &item["InstanceInfo"];
    assert_eq!(
        (
            info["AuditStatus"].clone(),
            info["AuditLogExpireDay"].clone()
        ),
        (json!("ON"), json!(30))
    );
    assert_eq!(info["InstanceType"], "REPLICATE");
    assert_eq!(info["Status"], "running");
    assert_eq!(info["SupportAudit"], true);
    assert_eq!(
        audit_list(&api, json!({"AuditSwitch": 0})).1,
        ["cmgo-demo0002"]
    );
    assert_eq!(audit_list(&api, json!({"AuditMode": 1})).1, [DEMO]);
    assert!(audit_list(&api, json!({"AuditMode": 0})).1.is_empty());

    // A second opening is refused; changes show.
    let (code, _) = api.err(
        "OpenAuditService",
        json!({"InstanceId": DEMO, "LogExpireDay": 7}),
    );
    assert_eq!(code, "OperationDenied.AuditStatusError");
    api.ok(
        "ModifyAuditService",
        json!({"InstanceId": DEMO, "LogExpireDay": 365, "AuditAll": true}),
    );
    let config = api.ok("DescribeAuditConfig", json!({ "InstanceId": DEMO }));
    assert_eq!(
        (config["LogExpireDay"].clone(), config["AuditAll"].clone()),
        (json!(365), json!(true))
    );
    assert_eq!(audit_list(&api, json!({"AuditMode": 0})).1, [DEMO]);
    // Back to rules needs rules.
    let (code, msg) = api.err(
        "ModifyAuditService",
        json!({"InstanceId": DEMO, "AuditAll": false}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("RuleFilters"), "{msg}");

    api.ok("CloseAuditService", json!({ "InstanceId": DEMO }));
    let (code, _) = api.err("DescribeAuditConfig", json!({ "InstanceId": DEMO }));
    assert_eq!(code, "FailedOperation.AuditConfigNotExist");
    for action in ["CloseAuditService", "ModifyAuditService"] {
        let (code, msg) = api.err(action, json!({ "InstanceId": DEMO }));
        assert_eq!(code, "FailedOperation.AuditConfigNotExist", "{action}");
        assert!(msg.contains("OpenAuditService"), "{msg}");
    }
    let (total, _) = audit_list(&api, json!({ "AuditSwitch": 1 }));
    assert_eq!(total, 0);
    // Without rules, opening audits everything.
    api.ok(
        "OpenAuditService",
        json!({"InstanceId": DEMO, "LogExpireDay": 7}),
    );
    let config = api.ok("DescribeAuditConfig", json!({ "InstanceId": DEMO }));
    assert_eq!(config["AuditAll"], true);
}

#[test]
fn audit_settings_outside_the_documented_values_are_refused() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let rule = |t: &str, c: &str, v: Value| json!([{"Type": t, "Compare": c, "Value": v}]);
    let cases = [
        (json!({"LogExpireDay": 31}), "LogExpireDay"),
        (
            json!({"LogExpireDay": 30, "AuditAll": false}),
            "RuleFilters",
        ),
        (
            json!({"LogExpireDay": 30, "RuleFilters": rule("Host", "EQ", json!(["a"]))}),
            "RuleFilters.0.Type",
        ),
        (
            json!({"LogExpireDay": 30, "RuleFilters": rule("DB", "NE", json!(["a"]))}),
            "RuleFilters.0.Compare",
        ),
        (
            json!({"LogExpireDay": 30, "RuleFilters": rule("DB", "EQ", json!([]))}),
            "RuleFilters.0.Value",
        ),
        (
            json!({"LogExpireDay": 30, "RuleFilters": rule("SqlType", "EQ", json!(["drop"]))}),
            "drop",
        ),
    ];
    for (extra, named) in cases {
        let mut p = extra.clone();
        p["InstanceId"] = json!(DEMO);
        let (code, msg) = api.err("OpenAuditService", p);
        assert_eq!(code, "InvalidParameterValue", "{extra}: {msg}");
        assert!(msg.contains(named), "{extra}: {msg}");
    }
    assert_eq!(
        audit_list(&api, json!({ "AuditSwitch": 1 })).0,
        0,
        "nothing opened"
    );
    for bad in [
        json!({"AuditSwitch": 2}),
        json!({"AuditMode": 3}),
        json!({"Filters": [{"Name": "Zone", "Values": ["x"]}]}),
        json!({"Limit": 0}),
    ] {
        let (code, _) = api.err("DescribeAuditInstanceList", bad.clone());
        assert_eq!(code, "InvalidParameterValue", "{bad}");
    }

    // Filters and paging.
    let by = |name: &str, value: &str| {
        audit_list(
            &api,
            json!({"Filters": [{"Name": name, "Values": [value]}]}),
        )
        .1
    };
    assert_eq!(by("InstanceId", "cmgo-demo0002"), ["cmgo-demo0002"]);
    assert_eq!(by("ClusterId", DEMO), [DEMO]);
    assert_eq!(by("InstanceName", "sharded"), ["cmgo-demo0002"]);
    let (total, page) = audit_list(&api, json!({"Limit": 1, "Offset": 1}));
    assert_eq!((total, page), (2, vec!["cmgo-demo0002".to_owned()]));

    let (code, _) = api.err(
        "OpenAuditService",
        json!({"InstanceId": "cmgo-nope0000", "LogExpireDay": 7}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    assert!(h.set_instance_status(DEMO, -3));
    let (code, _) = api.err(
        "OpenAuditService",
        json!({"InstanceId": DEMO, "LogExpireDay": 7}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");

    h.add_instance(InstanceSpec::replica_set("cmgo-old00036").with_mongo_version("MONGO_36_WT"))
        .unwrap();
    let (code, msg) = api.err(
        "OpenAuditService",
        json!({"InstanceId": "cmgo-old00036", "LogExpireDay": 7}),
    );
    assert_eq!(code, "OperationDenied.UnsupportOpenAuditError", "{msg}");
    let old = &by("InstanceId", "cmgo-old00036");
    assert_eq!(old, &["cmgo-old00036"]);
    let r = api.ok(
        "DescribeAuditInstanceList",
        json!({"Filters": [{"Name": "InstanceId", "Values": ["cmgo-old00036"]}]}),
    );
    assert_eq!(r["Items"][0]["InstanceInfo"]["SupportAudit"], false);
}

fn shipping(api: &Api, params: Value) -> Value {
    api.ok("DescribeDBInstanceLogToCLS", params)
}

#[test]
fn log_shipping_settings_show_after_they_are_changed() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let before = shipping(&api, json!({ "InstanceId": DEMO }));
    for kind in ["ErrorLog", "SlowLog", "OperationLog"] {
        assert_eq!(before[kind]["Status"], "OFF", "{before}");
        assert_eq!(before[kind]["CLSRegion"], "ap-guangzhou");
    }

    // Existing ids are taken as given.
    api.ok(
        "ModifyDBInstanceLogToCLS",
        json!({"InstanceId": DEMO, "LogType": "MongoDB-SlowLog", "Status": "ON",
               "Logset": "64ae0139-0621-4e59-aba7-f60cd2264ab6",
               "LogTopic": "6af6a321-879e-415b-b612-64dad8a3c571"}),
    );
    let after = shipping(&api, json!({ "InstanceId": DEMO }));
    assert_eq!(
        after["SlowLog"],
        json!({"CLSRegion": "ap-guangzhou", "Status": "ON",
               "LogSetId": "64ae0139-0621-4e59-aba7-f60cd2264ab6",
               "LogTopicId": "6af6a321-879e-415b-b612-64dad8a3c571"})
    );
    assert_eq!(
        after["ErrorLog"]["Status"], "OFF",
        "other logs are untouched"
    );

    // New ones get ids of the service's form; the same name gives the same id.
    let create = json!({"InstanceId": DEMO, "LogType": "MongoDB-ErrorLog", "Status": "ON",
        "CreateLogset": true, "Logset": "my_logs", "CreateLogTopic": true,
        "LogTopic": "errors", "CLSRegion": "ap-shanghai"});
    api.ok("ModifyDBInstanceLogToCLS", create.clone());
    let first = shipping(&api, json!({ "InstanceId": DEMO }))["ErrorLog"].clone();
    assert_eq!(first["CLSRegion"], "ap-shanghai");
    let logset = first["LogSetId"].as_str().unwrap();
    let shape: Vec<usize> = logset.split('-').map(str::len).collect();
    assert_eq!(shape, [8, 4, 4, 4, 12], "{logset}");
    assert_ne!(first["LogTopicId"], first["LogSetId"]);
    api.ok("ModifyDBInstanceLogToCLS", create);
    assert_eq!(
        shipping(&api, json!({ "InstanceId": DEMO }))["ErrorLog"],
        first
    );
    // Asked about another region: nothing of it goes there.
    let elsewhere = shipping(
        &api,
        json!({"InstanceId": DEMO, "CLSRegion": "ap-guangzhou"}),
    );
    assert_eq!(elsewhere["ErrorLog"]["Status"], "OFF");
    assert_eq!(elsewhere["SlowLog"]["Status"], "ON");

    // Off keeps the ids; on again without naming them reuses them.
    let off = json!({"InstanceId": DEMO, "LogType": "MongoDB-ErrorLog", "Status": "OFF"});
    api.ok("ModifyDBInstanceLogToCLS", off);
    let now = shipping(&api, json!({ "InstanceId": DEMO }))["ErrorLog"].clone();
    assert_eq!(now["Status"], "OFF");
    assert_eq!(now["LogSetId"], first["LogSetId"]);
    api.ok(
        "ModifyDBInstanceLogToCLS",
        json!({"InstanceId": DEMO, "LogType": "MongoDB-ErrorLog", "Status": "ON",
               "CLSRegion": "ap-shanghai"}),
    );
    assert_eq!(
        shipping(&api, json!({ "InstanceId": DEMO }))["ErrorLog"],
        first
    );
}

#[test]
fn log_shipping_changes_outside_the_documented_values_are_refused() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let base = |extra: Value| {
        let mut p = json!({"InstanceId": DEMO, "LogType": "MongoDB-SlowLog", "Status": "ON",
                           "Logset": "ls-1"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let cases = [
        (
            base(json!({"LogType": "MongoDB-AuditLog"})),
            "InvalidParameterValue",
            "LogType",
        ),
        (
            base(json!({"Status": "on"})),
            "InvalidParameterValue",
            "Status",
        ),
        (
            base(json!({"Logset": "", "LogTopic": ""})),
            "InvalidParameterValue",
            "Logset or LogTopic",
        ),
        (
            base(json!({"CreateLogTopic": true})),
            "InvalidParameterValue",
            "LogTopic",
        ),
        (
            base(json!({"CLSRegion": "mars-north-1"})),
            "InvalidParameterValue.RegionError",
            "CLSRegion",
        ),
        (
            base(json!({"InstanceId": "cmgo-nope0000"})),
            "InvalidParameterValue.NotFoundInstance",
            "cmgo-nope0000",
        ),
    ];
    for (params, want, named) in cases {
        let (code, msg) = api.err("ModifyDBInstanceLogToCLS", params.clone());
        assert_eq!(code, want, "{params}: {msg}");
        assert!(msg.contains(named), "{params}: {msg}");
    }
    let r = shipping(&api, json!({ "InstanceId": DEMO }));
    assert_eq!(r["SlowLog"]["Status"], "OFF", "nothing changed");

    assert!(h.set_instance_status(DEMO, -2));
    let (code, _) = api.err("ModifyDBInstanceLogToCLS", base(json!({})));
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    shipping(&api, json!({ "InstanceId": DEMO }));
}
