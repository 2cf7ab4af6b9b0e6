//! Instance configuration through the Rust client's typed methods, against an in-process
//! emulator: a changed parameter shows in the instance's parameter list; a template made from
//! the instance's values is listed, holds those values, and is gone once dropped; security
//! groups and SSL read back as written; an isolated instance takes no change.

mod common;

use mongodb_client_blocking::Client;
use mongodb_emulator::EmulatorHandle;
use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateDBInstanceParamTplRequest, DescribeDBInstanceParamTplDetailRequest,
    DescribeDBInstanceParamTplRequest, DescribeInstanceParamsRequest,
    DescribeInstanceParamsResponse, DescribeInstanceSSLRequest, DescribeSecurityGroupRequest,
    DropDBInstanceParamTplRequest, InstanceEnableSSLRequest, ModifyDBInstanceSecurityGroupRequest,
    ModifyInstanceParamsRequest, ModifyMongoDBParamType, ParamType,
};

const DEMO: &str = "cmgo-demo0001";
const SLOW_MS: &str = "operation.profiling.slowOpThresholdMs";

fn client(emu: &EmulatorHandle) -> Client {
    common::client_for(emu).build().expect("client")
}

/// Every (name, current value) of an instance's parameter list.
fn values(r: &DescribeInstanceParamsResponse) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in r.instance_enum_param.iter().flatten() {
        out.push((p.param_name.clone(), p.current_value.clone()));
    }
    for p in r.instance_integer_param.iter().flatten() {
        out.push((p.param_name.clone(), p.current_value.clone()));
    }
    for p in r.instance_multi_param.iter().flatten() {
        out.push((p.param_name.clone(), p.current_value.clone()));
    }
    for p in r.instance_text_param.iter().flatten() {
        out.push((p.param_name.clone(), p.current_value.clone()));
    }
    out.into_iter()
        .map(|(n, v)| (n.unwrap_or_default(), v.unwrap_or_default()))
        .collect()
}

fn params(c: &Client) -> DescribeInstanceParamsResponse {
    c.describe_instance_params(&DescribeInstanceParamsRequest::new(DEMO))
        .expect("DescribeInstanceParams")
}

fn custom_template_ids(c: &Client) -> Vec<String> {
    let req = DescribeDBInstanceParamTplRequest::new().with_tpl_type("CUSTOMIZE");
    c.describe_db_instance_param_tpl(&req)
        .expect("DescribeDBInstanceParamTpl")
        .param_tpls
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| t.tpl_id)
        .collect()
}

#[test]
fn a_parameter_change_becomes_a_template_that_is_listed_and_dropped() {
    let emu = common::emulator();
    let c = client(&emu);

    // A changed parameter shows in the instance's list.
    let before = params(&c);
    assert!(values(&before).contains(&(SLOW_MS.to_owned(), "100".to_owned())));
    let req =
        ModifyInstanceParamsRequest::new(DEMO, vec![ModifyMongoDBParamType::new(SLOW_MS, "250")]);
    let changed = c
        .modify_instance_params(&req)
        .expect("ModifyInstanceParams");
    assert_eq!(changed.changed, Some(true));
    let after = params(&c);
    assert!(values(&after).contains(&(SLOW_MS.to_owned(), "250".to_owned())));
    assert_eq!(after.total_count, before.total_count);

    // A template made from the instance's values.
    let current: Vec<ParamType> = values(&after)
        .into_iter()
        .map(|(name, value)| ParamType::new(name, value))
        .collect();
    let create = CreateDBInstanceParamTplRequest::new("from demo0001")
        .with_mongo_version("MONGO_40_WT")
        .with_cluster_type("REPLSET")
        .with_tpl_desc("the values of cmgo-demo0001")
        .with_params(current);
    let id = c
        .create_db_instance_param_tpl(&create)
        .expect("CreateDBInstanceParamTpl")
        .tpl_id
        .expect("TplId");
    assert_eq!(custom_template_ids(&c), std::slice::from_ref(&id));
    let detail = c
        .describe_db_instance_param_tpl_detail(
            &DescribeDBInstanceParamTplDetailRequest::new(id.as_str()).with_param_name(SLOW_MS),
        )
        .expect("DescribeDBInstanceParamTplDetail");
    let slow = &detail.instance_integer_params.expect("integer parameters")[0];
    assert_eq!(slow.current_value.as_deref(), Some("250"));
    assert_eq!(detail.tpl_name.as_deref(), Some("from demo0001"));

    // Dropped: gone from the list and from reads.
    c.drop_db_instance_param_tpl(&DropDBInstanceParamTplRequest::new(id.as_str()))
        .expect("DropDBInstanceParamTpl");
    assert!(custom_template_ids(&c).is_empty());
    let err = c
        .describe_db_instance_param_tpl_detail(&DescribeDBInstanceParamTplDetailRequest::new(
            id.as_str(),
        ))
        .expect_err("a dropped template");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidParameterValue));
}

#[test]
fn security_groups_and_ssl_read_back_and_an_isolated_instance_takes_no_change() {
    let emu = common::emulator();
    let c = client(&emu);
    let sg = vec!["sg-app00001".to_owned(), "sg-ops00002".to_owned()];
    c.modify_db_instance_security_group(&ModifyDBInstanceSecurityGroupRequest::new(
        DEMO,
        sg.clone(),
    ))
    .expect("ModifyDBInstanceSecurityGroup");
    let groups = c
        .describe_security_group(&DescribeSecurityGroupRequest::new(DEMO))
        .expect("DescribeSecurityGroup")
        .groups
        .unwrap_or_default();
    let ids: Vec<String> = groups
        .iter()
        .filter_map(|g| g.security_group_id.clone())
        .collect();
    assert_eq!(ids, sg);
    assert!(groups
        .iter()
        .all(|g| !g.inbound.clone().unwrap_or_default().is_empty()));

    let on = c
        .instance_enable_ssl(&InstanceEnableSSLRequest::new(DEMO, true))
        .expect("InstanceEnableSSL");
    let read = c
        .describe_instance_ssl(&DescribeInstanceSSLRequest::new(DEMO))
        .expect("DescribeInstanceSSL");
    assert_eq!(read.status, Some(1));
    assert_eq!(read.expired_time, on.expired_time);
    assert!(read.cert_url.is_some_and(|u| u.contains(DEMO)));

    assert!(emu.set_instance_status(DEMO, -3), "isolated");
    let req =
        ModifyInstanceParamsRequest::new(DEMO, vec![ModifyMongoDBParamType::new(SLOW_MS, "300")]);
    let err = c
        .modify_instance_params(&req)
        .expect_err("an isolated instance");
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus)
    );
    let err = c
        .instance_enable_ssl(&InstanceEnableSSLRequest::new(DEMO, false))
        .expect_err("an isolated instance");
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus)
    );
    // Nothing changed, and reads still answer.
    assert!(values(&params(&c)).contains(&(SLOW_MS.to_owned(), "100".to_owned())));
}
