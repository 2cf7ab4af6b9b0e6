//! Database accounts and roles over the wire: the default account, changes
//! that show when their work succeeds (and not when it fails), the documented
//! errors, passwords never kept or answered in clear, roles that must exist
//! and can't be deleted while in use.

mod common;

use common::{builder, wait_async, Api};
use mongodb_emulator::{EndAs, Fault};
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";
const PASSWORD: &str = "Abc@123...";

/// The accounts `DescribeAccountUsers` lists, by name.
fn account_users(api: &Api) -> Vec<Value> {
    let r = api.ok("DescribeAccountUsers", json!({ "InstanceId": DEMO }));
    r["Users"].as_array().unwrap().clone()
}

fn names(users: &[Value]) -> Vec<&str> {
    users
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect()
}

/// Sends a change and waits for its flow, task or async request.
fn change(api: &Api, action: &str, params: Value) -> Value {
    let r = api.ok(action, params);
    let id = ["FlowId", "TaskId", "AsyncRequestId"]
        .iter()
        .find_map(|k| r.get(*k))
        .unwrap_or_else(|| panic!("{action} answered no work id: {r}"));
    let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
    assert_eq!(wait_async(api, &id).last().unwrap(), "success");
    r
}

fn create_user(api: &Api, name: &str, auth: Value) {
    change(
        api,
        "CreateAccountUser",
        json!({"InstanceId": DEMO, "UserName": name, "Password": PASSWORD,
               "UserDesc": "reports", "AuthRole": auth}),
    );
}

#[test]
fn every_instance_has_its_default_account_which_is_protected() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let users = account_users(&api);
    assert_eq!(names(&users), ["mongouser"]);
    assert_eq!(users[0]["AuthRole"], json!([{"Mask": 3, "NameSpace": "*"}]));
    assert!(users[0]["CreateTime"].as_str().unwrap().len() == 19);

    let r = api.ok("DescribeInstanceUsers", json!({ "InstanceId": DEMO }));
    assert_eq!(r["Total"], 1);
    assert_eq!(
        r["Users"][0]["Roles"],
        json!([{"RoleName": "root", "Database": "admin"}])
    );

    let denied = [
        (
            "DeleteAccountUser",
            json!({"InstanceId": DEMO, "UserName": "mongouser"}),
        ),
        (
            "SetAccountUserPrivilege",
            json!({"InstanceId": DEMO, "UserName": "mongouser",
                   "AuthRole": [{"Mask": 1, "NameSpace": "*"}]}),
        ),
        (
            "DeleteInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "mongouser"}),
        ),
        (
            "UpdateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "mongouser",
                   "Roles": [{"RoleName": "read", "Database": "admin"}]}),
        ),
    ];
    for (action, params) in denied {
        let (code, msg) = api.err(action, params);
        assert_eq!(code, "OperationDenied.AccountOperationDenied", "{action}");
        assert!(msg.contains("mongouser"), "{msg}");
    }
    // A new password is fine, and shows as ConsolePassUpdateTime.
    h.advance_clock_secs(120);
    change(
        &api,
        "ResetDBInstancePassword",
        json!({"InstanceId": DEMO, "UserName": "mongouser", "Password": "Other_pw1"}),
    );
    let after = &account_users(&api)[0];
    assert_ne!(
        after["ConsolePassUpdateTime"],
        users[0]["ConsolePassUpdateTime"]
    );
}

#[test]
fn a_new_account_shows_when_its_flow_succeeds() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let r = api.ok(
        "CreateAccountUser",
        json!({"InstanceId": DEMO, "UserName": "reporter", "Password": PASSWORD,
               "UserDesc": "reports", "AuthRole": [{"Mask": 1, "NameSpace": "sales"}]}),
    );
    assert!(r["FlowId"].as_u64().unwrap() > 0);
    // Each read polls the flow: initial, running, then done (and applied).
    let seen: Vec<usize> = (0..3).map(|_| account_users(&api).len()).collect();
    assert_eq!(seen, [1, 1, 2]);
    let users = account_users(&api);
    let u = users.iter().find(|u| u["UserName"] == "reporter").unwrap();
    assert_eq!(u["AuthRole"], json!([{"Mask": 1, "NameSpace": "sales"}]));
    assert_eq!(u["UserDesc"], "reports");
    assert_eq!(u["CreateTime"], u["ConsolePassUpdateTime"]);
    let status = api.ok(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": r["FlowId"].to_string() }),
    );
    assert_eq!(status["Status"], "success");

    // The second API sees the same account, with the role the mask stands for.
    let r = api.ok(
        "DescribeInstanceUsers",
        json!({"InstanceId": DEMO, "UserName": "reporter"}),
    );
    assert_eq!(r["Total"], 1);
    assert_eq!(
        r["Users"][0]["Roles"],
        json!([{"RoleName": "read", "Database": "sales"}])
    );
    assert_eq!(r["Users"][0]["Database"], "admin");

    // No password in any answer, nor in the state.
    let everything = format!("{users:?}{r}{}", h.dump_state());
    assert!(!everything.contains(PASSWORD));
}

#[test]
fn privileges_and_passwords_change_when_their_work_succeeds() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    create_user(&api, "app", json!([{"Mask": 1, "NameSpace": "sales"}]));
    let before = account_users(&api)[1].clone();

    h.advance_clock_secs(60);
    let r = api.ok(
        "SetAccountUserPrivilege",
        json!({"InstanceId": DEMO, "UserName": "app",
               "AuthRole": [{"Mask": 3, "NameSpace": "sales"}, {"Mask": 0, "NameSpace": "hr"}]}),
    );
    let flow = r["FlowId"].to_string();
    assert_eq!(account_users(&api)[1]["AuthRole"], before["AuthRole"]);
    wait_async(&api, &flow);
    let after = account_users(&api)[1].clone();
    assert_eq!(
        after["AuthRole"],
        json!([{"Mask": 3, "NameSpace": "sales"}, {"Mask": 0, "NameSpace": "hr"}])
    );
    assert_ne!(after["UpdateTime"], before["UpdateTime"]);
    assert_eq!(after["CreateTime"], before["CreateTime"]);
    assert_eq!(
        after["ConsolePassUpdateTime"],
        before["ConsolePassUpdateTime"]
    );

    // The password of mongouser guards changes that give MongoUserPassword.
    let r = change(
        &api,
        "ResetDBInstancePassword",
        json!({"InstanceId": DEMO, "UserName": "mongouser", "Password": "New_pass1"}),
    );
    assert!(r["AsyncRequestId"].is_string());
    let (code, msg) = api.err(
        "CreateAccountUser",
        json!({"InstanceId": DEMO, "UserName": "other", "Password": PASSWORD,
               "MongoUserPassword": "Wrong_pass1"}),
    );
    assert_eq!(code, "InternalError.PasswordError");
    assert!(msg.contains("MongoUserPassword") && !msg.contains("Wrong_pass1"));
    change(
        &api,
        "CreateAccountUser",
        json!({"InstanceId": DEMO, "UserName": "other", "Password": PASSWORD,
               "MongoUserPassword": "New_pass1"}),
    );
    assert_eq!(names(&account_users(&api)), ["mongouser", "app", "other"]);
    assert!(!h.dump_state().to_string().contains("New_pass1"));
}

#[test]
fn a_deleted_account_is_gone() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    create_user(&api, "app", json!([]));
    let r = change(
        &api,
        "DeleteAccountUser",
        json!({"InstanceId": DEMO, "UserName": "app"}),
    );
    assert!(r["FlowId"].as_i64().unwrap() > 0);
    assert_eq!(names(&account_users(&api)), ["mongouser"]);
    let (code, msg) = api.err(
        "DeleteAccountUser",
        json!({"InstanceId": DEMO, "UserName": "app"}),
    );
    assert_eq!(code, "InvalidParameterValue.UserNotFound");
    assert!(msg.contains("app") && msg.contains(DEMO), "{msg}");
}

#[test]
fn account_errors_have_the_documented_codes() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    create_user(&api, "app", json!([]));
    let create = |name: &str, password: &str| json!({"InstanceId": DEMO, "UserName": name, "Password": password});
    let cases = [
        (
            create("app", PASSWORD),
            "InvalidParameterValue",
            "already exists",
        ),
        (
            create("fresh", "onlyletters"),
            "InvalidParameterValue.PasswordRuleFailed",
            "Password",
        ),
        (
            create("fresh", "Ab1!"),
            "InvalidParameterValue.PasswordRuleFailed",
            "8 to 32",
        ),
        (create("1st", PASSWORD), "InvalidParameterValue", "UserName"),
        (
            json!({"InstanceId": DEMO, "UserName": "fresh", "Password": PASSWORD,
                   "AuthRole": [{"Mask": 2, "NameSpace": "db"}]}),
            "InvalidParameterValue",
            "AuthRole.0.Mask",
        ),
        (
            json!({"InstanceId": "cmgo-nothere1", "UserName": "fresh", "Password": PASSWORD}),
            "InvalidParameterValue.NotFoundInstance",
            "cmgo-nothere1",
        ),
    ];
    for (params, want, part) in cases {
        let (code, msg) = api.err("CreateAccountUser", params.clone());
        assert_eq!(code, want, "{params}: {msg}");
        assert!(msg.contains(part), "{msg}");
        if let Some(p) = params["Password"].as_str() {
            assert!(!msg.contains(p), "the password is echoed: {msg}");
        }
    }
    let (code, msg) = api.err(
        "ResetDBInstancePassword",
        json!({"InstanceId": DEMO, "UserName": "rwuser", "Password": PASSWORD}),
    );
    assert_eq!(code, "InvalidParameterValue.UserNotFound", "{msg}");

    // One account change at a time per instance.
    api.ok("CreateAccountUser", create("first", PASSWORD));
    let (code, msg) = api.err("CreateAccountUser", create("second", PASSWORD));
    assert_eq!(code, "InvalidParameterValue.LockFailed");
    assert!(msg.contains("DescribeAsyncRequestInfo"), "{msg}");
}

#[test]
fn an_isolated_instance_takes_no_account_change() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    assert!(h.set_instance_status(DEMO, -2));
    let changes = [
        (
            "CreateAccountUser",
            json!({"InstanceId": DEMO, "UserName": "app", "Password": PASSWORD}),
        ),
        (
            "ResetDBInstancePassword",
            json!({"InstanceId": DEMO, "UserName": "mongouser", "Password": PASSWORD}),
        ),
        (
            "CreateInstanceRole",
            json!({"InstanceId": DEMO, "RoleName": "r",
                   "InheritedRoles": [{"RoleName": "read", "Database": "db"}]}),
        ),
    ];
    for (action, params) in changes {
        let (code, msg) = api.err(action, params);
        assert_eq!(
            code, "InvalidParameterValue.IllegalInstanceStatus",
            "{action}"
        );
        assert!(msg.contains(DEMO), "{msg}");
    }
    // Reads still answer.
    assert_eq!(names(&account_users(&api)), ["mongouser"]);
}

#[test]
fn a_failed_change_leaves_the_accounts_and_frees_the_instance() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    h.inject_times("CreateAccountUser", Fault::EndAs(EndAs::Failed), 1);
    let r = api.ok(
        "CreateAccountUser",
        json!({"InstanceId": DEMO, "UserName": "app", "Password": PASSWORD}),
    );
    let flow = r["FlowId"].to_string();
    let mut last = String::new();
    for _ in 0..5 {
        let s = api.ok(
            "DescribeAsyncRequestInfo",
            json!({ "AsyncRequestId": flow }),
        );
        last = s["Status"].as_str().unwrap().to_owned();
    }
    assert_eq!(last, "failed");
    assert_eq!(names(&account_users(&api)), ["mongouser"]);
    create_user(&api, "app", json!([]));
    assert_eq!(names(&account_users(&api)), ["mongouser", "app"]);
}

/// The roles `DescribeInstanceRoles` answers for `params` (instance added).
fn roles(api: &Api, mut params: Value) -> (i64, Vec<(String, String, String)>) {
    params["InstanceId"] = json!(DEMO);
    let r = api.ok("DescribeInstanceRoles", params);
    let list = r["Roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let s = |k: &str| x[k].as_str().unwrap().to_owned();
            (s("RoleName"), s("Database"), s("RoleType"))
        })
        .collect();
    (r["Total"].as_i64().unwrap(), list)
}

#[test]
fn built_in_roles_are_listed_and_filtered() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let (total, first) = roles(&api, json!({}));
    assert_eq!(total, 16);
    assert_eq!(first.len(), 16);
    assert!(first.windows(2).all(|w| w[0].0 <= w[1].0), "by name");

    let (n, cluster) = roles(&api, json!({"RoleType": ["builtin_cluster"]}));
    assert_eq!(n, 11);
    assert!(cluster
        .iter()
        .all(|(_, db, t)| db == "admin" && t == "builtin_cluster"));
    let (n, in_sales) = roles(&api, json!({"Database": "sales"}));
    assert_eq!(n, 5, "{in_sales:?}");
    assert!(in_sales.iter().all(|(_, db, _)| db == "sales"));

    let (n, paged) = roles(
        &api,
        json!({"OrderType": "desc", "Offset": 1, "Limit": 2, "RoleType": ["builtin_database"]}),
    );
    assert_eq!(n, 5);
    let got: Vec<&str> = paged.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(got, ["readWrite", "read"]);
    let (_, by_action) = roles(&api, json!({"SearchKey": "SHUTDOWN"}));
    let got: Vec<&str> = by_action.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(got, ["hostManager"]);

    let r = api.ok(
        "DescribeInstanceRoles",
        json!({"InstanceId": DEMO, "RoleName": "dbOwner", "Database": "sales"}),
    );
    assert_eq!(
        r["Roles"][0]["InheritedRoles"][0],
        json!({"RoleName": "readWrite", "Database": "sales"})
    );

    for (params, part) in [
        (json!({"RoleType": ["system"]}), "RoleType.0"),
        (json!({"OrderBy": "Database"}), "OrderBy"),
        (json!({"Limit": 101}), "Limit"),
    ] {
        let mut p = params.clone();
        p["InstanceId"] = json!(DEMO);
        let (code, msg) = api.err("DescribeInstanceRoles", p);
        assert_eq!(code, "InvalidParameterValue", "{params}");
        assert!(msg.contains(part), "{msg}");
    }
}

#[test]
fn custom_roles_are_granted_to_users_and_guarded_while_in_use() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let role = json!({"InstanceId": DEMO, "RoleName": "auditor", "Database": "admin",
        "Privileges": [{"Resource": {"Database": "sales", "Collection": "orders"},
                        "Actions": ["find", "listIndexes"]}],
        "InheritedRoles": [{"RoleName": "clusterMonitor", "Database": "admin"}]});
    let r = change(&api, "CreateInstanceRole", role.clone());
    assert!(r["TaskId"].as_i64().unwrap() > 0);
    let (code, _) = api.err("CreateInstanceRole", role);
    assert_eq!(code, "InvalidParameterValue", "a duplicate role");

    let r = api.ok(
        "DescribeInstanceRoles",
        json!({"InstanceId": DEMO, "RoleType": ["custom"]}),
    );
    assert_eq!(r["Total"], 1);
    let got = &r["Roles"][0];
    assert_eq!(
        got["Privileges"][0],
        json!({"Resource": {"Cluster": false, "Database": "sales", "Collection": "orders"},
               "Actions": ["find", "listIndexes"]})
    );

    // A user may hold it, with a role that does not exist refused.
    let (code, msg) = api.err(
        "CreateInstanceUser",
        json!({"InstanceId": DEMO, "UserName": "ann", "Password": PASSWORD,
               "Roles": [{"RoleName": "ghost", "Database": "admin"}]}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("Roles.0") && msg.contains("ghost"), "{msg}");
    change(
        &api,
        "CreateInstanceUser",
        json!({"InstanceId": DEMO, "UserName": "ann", "Password": PASSWORD,
               "Database": "sales", "Description": "audits", "EnablePasswordRotation": 1,
               "Roles": [{"RoleName": "auditor", "Database": "admin"},
                         {"RoleName": "read", "Database": "sales"}]}),
    );
    let r = api.ok(
        "DescribeInstanceUsers",
        json!({"InstanceId": DEMO, "Database": "sales"}),
    );
    assert_eq!(r["Total"], 1);
    let ann = &r["Users"][0];
    assert_eq!(
        (ann["UserName"].as_str(), ann["Database"].as_str()),
        (Some("ann"), Some("sales"))
    );
    assert_eq!(ann["AuthRole"], json!([{"Mask": 1, "NameSpace": "sales"}]));
    assert_eq!(ann["EnablePasswordRotation"], 1);
    // Accounts of other databases are not the first API's.
    assert_eq!(names(&account_users(&api)), ["mongouser"]);

    let (code, msg) = api.err(
        "DeleteInstanceRole",
        json!({"InstanceId": DEMO, "RoleName": "auditor"}),
    );
    assert_eq!(code, "ResourceInUse");
    assert!(msg.contains("ann@sales"), "{msg}");
    let (code, _) = api.err(
        "DeleteInstanceRole",
        json!({"InstanceId": DEMO, "RoleName": "read"}),
    );
    assert_eq!(code, "OperationDenied.AccountOperationDenied", "built-in");

    // Take the role away, then it can go.
    change(
        &api,
        "UpdateInstanceUser",
        json!({"InstanceId": DEMO, "UserName": "ann", "Database": "sales",
               "Roles": [{"RoleName": "readWrite", "Database": "sales"}]}),
    );
    let r = api.ok(
        "DescribeInstanceUsers",
        json!({"InstanceId": DEMO, "UserName": "ann"}),
    );
    assert_eq!(
        r["Users"][0]["Roles"],
        json!([{"RoleName": "readWrite", "Database": "sales"}])
    );
    assert_eq!(r["Users"][0]["Description"], "audits", "kept");
    change(
        &api,
        "UpdateInstanceRole",
        json!({"InstanceId": DEMO, "RoleName": "auditor",
               "InheritedRoles": [{"RoleName": "read", "Database": "hr"}]}),
    );
    let (_, custom) = roles(&api, json!({"RoleType": ["custom"], "SearchKey": "hr"}));
    assert_eq!(custom.len(), 1, "the new inherited role is searchable");
    change(
        &api,
        "DeleteInstanceRole",
        json!({"InstanceId": DEMO, "RoleName": "auditor", "Database": "admin"}),
    );
    let (n, _) = roles(&api, json!({"RoleType": ["custom"]}));
    assert_eq!(n, 0);
    change(
        &api,
        "DeleteInstanceUser",
        json!({"InstanceId": DEMO, "UserName": "ann", "Database": "sales"}),
    );
    let r = api.ok("DescribeInstanceUsers", json!({ "InstanceId": DEMO }));
    assert_eq!(r["Total"], 1);
}

#[test]
fn instance_user_requests_are_checked() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let cases = [
        (
            "CreateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "u"}),
            "InvalidParameterValue",
            "Password",
        ),
        (
            "CreateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "u", "Password": PASSWORD,
                   "EncryptedPassword": "ZW5j"}),
            "InvalidParameterValue",
            "EncryptedPassword",
        ),
        (
            "CreateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "u", "Password": "short1"}),
            "InvalidParameterValue.PasswordRuleFailed",
            "Password",
        ),
        (
            "CreateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "u", "Password": PASSWORD,
                   "Database": "local"}),
            "InvalidParameterValue",
            "local",
        ),
        (
            "UpdateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "mongouser"}),
            "InvalidParameterValue",
            "changes nothing",
        ),
        (
            "UpdateInstanceUser",
            json!({"InstanceId": DEMO, "UserName": "nobody", "Description": "x"}),
            "InvalidParameterValue.UserNotFound",
            "nobody",
        ),
        (
            "CreateInstanceRole",
            json!({"InstanceId": DEMO, "RoleName": "r", "Database": "sales",
                   "Privileges": [{"Resource": {"Database": "hr"}, "Actions": ["find"]}]}),
            "InvalidParameterValue",
            "Privileges.0.Resource",
        ),
        (
            "CreateInstanceRole",
            json!({"InstanceId": DEMO, "RoleName": "r",
                   "Privileges": [{"Resource": {"Cluster": true}, "Actions": ["teleport"]}]}),
            "InvalidParameterValue",
            "teleport",
        ),
        (
            "CreateInstanceRole",
            json!({"InstanceId": DEMO, "RoleName": "read", "Database": "sales",
                   "InheritedRoles": [{"RoleName": "read", "Database": "sales"}]}),
            "InvalidParameterValue",
            "already exists",
        ),
        (
            "UpdateInstanceRole",
            json!({"InstanceId": DEMO, "RoleName": "nope",
                   "InheritedRoles": [{"RoleName": "read", "Database": "sales"}]}),
            "InvalidParameterValue",
            "nope",
        ),
        (
            "DescribeInstanceUsers",
            json!({"InstanceId": DEMO, "OrderType": "sideways"}),
            "InvalidParameterValue",
            "OrderType",
        ),
    ];
    for (action, params, want, part) in cases {
        let (code, msg) = api.err(action, params.clone());
        assert_eq!(code, want, "{action} {params}: {msg}");
        assert!(msg.contains(part), "{action}: {msg}");
    }
    // A password change of the default account through the second API.
    change(
        &api,
        "UpdateInstanceUser",
        json!({"InstanceId": DEMO, "UserName": "mongouser", "Password": "Fresh_pw1"}),
    );
    let (code, _) = api.err(
        "DeleteAccountUser",
        json!({"InstanceId": DEMO, "UserName": "nobody", "MongoUserPassword": "Stale_pw1"}),
    );
    assert_eq!(code, "InternalError.PasswordError");
}
