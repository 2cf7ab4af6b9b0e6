//! Instance configuration over the wire, access and encryption: security
//! groups, SSL and transparent data encryption; each write shows in the
//! reads, each refusal has its documented code.

mod common;

use common::{builder, Api};
use mongodb_emulator::{EndAs, Fault, InstanceSpec};
use serde_json::{json, Value};

const RS: &str = "cmgo-demo0001"; // MONGO_40_WT replica set
const SHARDED: &str = "cmgo-demo0002"; // MONGO_42_WT sharded cluster

fn groups(api: &Api, id: &str) -> Vec<Value> {
    let r = api.ok("DescribeSecurityGroup", json!({ "InstanceId": id }));
    r["Groups"].as_array().unwrap().clone()
}

fn group_ids(api: &Api, id: &str) -> Vec<String> {
    groups(api, id)
        .iter()
        .map(|g| g["SecurityGroupId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn security_groups_are_replaced_and_shown_with_their_rules() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    assert!(groups(&api, RS).is_empty());
    let bind = |ids: Value| json!({"InstanceId": RS, "SecurityGroupIds": ids});
    api.ok(
        "ModifyDBInstanceSecurityGroup",
        bind(json!(["sg-aaaa1111", "sg-bbbb2222", "sg-aaaa1111"])),
    );
    assert_eq!(group_ids(&api, RS), ["sg-aaaa1111", "sg-bbbb2222"]);
    let first = groups(&api, RS)[0].clone();
    assert!(first["CreateTime"].as_str().unwrap().len() == 19);
    let inbound = first["Inbound"].as_array().unwrap();
    assert!(inbound
        .iter()
        .any(|b| b["Action"] == "ACCEPT" && b["PortRange"] == "27017"));
    assert!(inbound.iter().all(|b| b["Id"] == "sg-aaaa1111"));
    assert!(!first["Outbound"].as_array().unwrap().is_empty());
    assert!(
        group_ids(&api, SHARDED).is_empty(),
        "one instance's groups only"
    );

    // The whole set is replaced; a group reads the same wherever it is bound.
    api.ok(
        "ModifyDBInstanceSecurityGroup",
        bind(json!(["sg-bbbb2222"])),
    );
    assert_eq!(group_ids(&api, RS), ["sg-bbbb2222"]);
    api.ok(
        "ModifyDBInstanceSecurityGroup",
        json!({"InstanceId": SHARDED, "SecurityGroupIds": ["sg-bbbb2222"]}),
    );
    assert_eq!(groups(&api, SHARDED), groups(&api, RS));

    for bad in [
        json!(["sg-a"]),
        json!(["sg-bbbb2222", "SG-CCCC3333"]),
        json!([]),
    ] {
        let (code, _) = api.err("ModifyDBInstanceSecurityGroup", bind(bad.clone()));
        assert_eq!(code, "InvalidParameterValue.SecurityGroupId", "{bad}");
    }
    assert_eq!(
        group_ids(&api, RS),
        ["sg-bbbb2222"],
        "unchanged by refusals"
    );
    let (code, _) = api.err(
        "ModifyDBInstanceSecurityGroup",
        json!({"InstanceId": "cmgo-none0000", "SecurityGroupIds": ["sg-bbbb2222"]}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    assert!(h.set_instance_status(RS, -2));
    let (code, _) = api.err(
        "ModifyDBInstanceSecurityGroup",
        bind(json!(["sg-aaaa1111"])),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn ssl_goes_on_and_off_with_its_certificate() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let off = api.ok("DescribeInstanceSSL", json!({ "InstanceId": RS }));
    assert_eq!((&off["Status"], &off["CertUrl"]), (&json!(0), &json!("")));
    let on = api.ok(
        "InstanceEnableSSL",
        json!({"InstanceId": RS, "Enable": true}),
    );
    assert_eq!(on["Status"], 1);
    let expiry = on["ExpiredTime"].as_str().unwrap().to_owned();
    let year: i32 = expiry[..4].parse().unwrap();
    let this_year: i32 = common::now().div_euclid(31_556_952) as i32 + 1970;
    assert!((this_year + 2..=this_year + 3).contains(&year), "{expiry}");
    let url = on["CertUrl"].as_str().unwrap();
    assert!(url.starts_with("http") && url.contains(RS), "{url}");
    let flow = on["FlowId"].as_i64().unwrap();
    assert_eq!(
        common::wait_async(&api, &flow.to_string()).last().unwrap(),
        "success"
    );
    let read = api.ok("DescribeInstanceSSL", json!({ "InstanceId": RS }));
    assert_eq!(
        (&read["Status"], &read["ExpiredTime"], &read["CertUrl"]),
        (&json!(1), &on["ExpiredTime"], &on["CertUrl"])
    );
    let other = api.ok("DescribeInstanceSSL", json!({ "InstanceId": SHARDED }));
    assert_eq!(other["Status"], 0);

    let off = api.ok(
        "InstanceEnableSSL",
        json!({"InstanceId": RS, "Enable": false}),
    );
    assert_eq!(off["Status"], 0);
    let read = api.ok("DescribeInstanceSSL", json!({ "InstanceId": RS }));
    assert_eq!(
        (&read["Status"], &read["ExpiredTime"]),
        (&json!(0), &json!(""))
    );
    // Switched on again, the certificate still valid is kept.
    let again = api.ok(
        "InstanceEnableSSL",
        json!({"InstanceId": RS, "Enable": true}),
    );
    assert_eq!(again["ExpiredTime"], expiry.as_str());

    assert!(h.set_instance_status(RS, -3));
    let (code, _) = api.err(
        "InstanceEnableSSL",
        json!({"InstanceId": RS, "Enable": false}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    let (code, _) = api.err(
        "DescribeInstanceSSL",
        json!({ "InstanceId": "cmgo-none0000" }),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
}

/// Polls an async request or flow until it leaves initial/running; returns the statuses seen.
fn wait_end(api: &Api, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }));
        let status = r["Status"].as_str().unwrap().to_owned();
        seen.push(status.clone());
        if status != "initial" && status != "running" {
            return seen;
        }
    }
    panic!("{id} never ended: {seen:?}");
}

fn tde(api: &Api, id: &str) -> Value {
    api.ok(
        "DescribeTransparentDataEncryptionStatus",
        json!({ "InstanceId": id }),
    )
}

#[test]
fn tde_goes_on_once_through_its_flow() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let id = "cmgo-tde00044";
    h.add_instance(InstanceSpec::replica_set(id).with_mongo_version("MONGO_44_WT"))
        .unwrap();
    let before = tde(&api, id);
    assert_eq!(before["TransparentDataEncryptionStatus"], "close");
    assert!(before.get("KeyInfoList").is_none_or(Value::is_null));

    let enable = json!({"InstanceId": id, "KmsRegion": "ap-shanghai", "KeyId": "key-of-mine-1"});
    let flow = api.ok("EnableTransparentDataEncryption", enable.clone())["FlowId"]
        .as_i64()
        .unwrap();
    let (code, msg) = api.err("EnableTransparentDataEncryption", enable.clone());
    assert_eq!(
        code, "FailedOperation.TransparentDataEncryptionAlreadyOpen",
        "while its flow runs"
    );
    assert!(msg.contains(&flow.to_string()), "{msg}");
    // Reading the status polls the flow: closed until it succeeds.
    let seen: Vec<Value> = (0..4)
        .map(|_| tde(&api, id)["TransparentDataEncryptionStatus"].clone())
        .collect();
    assert_eq!(seen[0], "close", "{seen:?}");
    assert_eq!(seen[3], "open", "{seen:?}");
    let open = tde(&api, id);
    let key = &open["KeyInfoList"][0];
    assert_eq!(
        (&key["KeyId"], &key["KmsRegion"], &key["Status"]),
        (
            &json!("key-of-mine-1"),
            &json!("ap-shanghai"),
            &json!("Enabled")
        )
    );
    assert_eq!(
        common::wait_async(&api, &flow.to_string()).last().unwrap(),
        "success"
    );
    let (code, _) = api.err("EnableTransparentDataEncryption", enable);
    assert_eq!(
        code, "FailedOperation.TransparentDataEncryptionAlreadyOpen",
        "it can't go on twice"
    );
    assert_eq!(tde(&api, id)["TransparentDataEncryptionStatus"], "open");

    // Refusals: too old a version, an unknown KMS region, an isolated instance.
    let (code, msg) = api.err(
        "EnableTransparentDataEncryption",
        json!({"InstanceId": RS, "KmsRegion": "ap-guangzhou"}),
    );
    assert_eq!(code, "UnsupportedOperation.VersionNotSupport");
    assert!(msg.contains("MONGO_40_WT"), "{msg}");
    h.add_instance(InstanceSpec::replica_set("cmgo-tde00050").with_mongo_version("MONGO_50_WT"))
        .unwrap();
    let (code, _) = api.err(
        "EnableTransparentDataEncryption",
        json!({"InstanceId": "cmgo-tde00050", "KmsRegion": "mars-north-1"}),
    );
    assert_eq!(code, "InvalidParameterValue.RegionError");
    assert!(h.set_instance_status("cmgo-tde00050", -3));
    let (code, _) = api.err(
        "EnableTransparentDataEncryption",
        json!({"InstanceId": "cmgo-tde00050", "KmsRegion": "ap-guangzhou"}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn a_failed_tde_flow_leaves_encryption_off() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let id = "cmgo-tde00060";
    h.add_instance(InstanceSpec::replica_set(id).with_mongo_version("MONGO_60_WT"))
        .unwrap();
    h.inject_times(
        "EnableTransparentDataEncryption",
        Fault::EndAs(EndAs::Failed),
        1,
    );
    let enable = json!({"InstanceId": id, "KmsRegion": "ap-guangzhou"});
    let flow = api.ok("EnableTransparentDataEncryption", enable.clone())["FlowId"].clone();
    let statuses = wait_end(&api, &flow.to_string());
    assert_eq!(statuses.last().unwrap(), "failed", "{statuses:?}");
    assert_eq!(tde(&api, id)["TransparentDataEncryptionStatus"], "close");
    // Tried again, it goes on, with a key made for it.
    let flow = api.ok("EnableTransparentDataEncryption", enable)["FlowId"].clone();
    common::wait_async(&api, &flow.to_string());
    let open = tde(&api, id);
    assert_eq!(open["TransparentDataEncryptionStatus"], "open");
    let key = open["KeyInfoList"][0]["KeyId"].as_str().unwrap();
    assert_eq!(key.split('-').count(), 5, "{key}");
}
