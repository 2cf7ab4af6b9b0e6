//! Database accounts through the Rust client's typed methods, against an in-process emulator
//! whose work moves one step per poll (waits poll without sleeping): an account created shows
//! with its permissions once its flow succeeds; its privileges change; a password reset is an
//! async request that reaches success; a deleted account is gone; an isolated instance takes
//! no change. Custom roles granted to accounts of other databases list through the paginator.

mod common;

use mongodb_client_blocking::{Client, WaitOptions};
use mongodb_emulator::{EmulatorHandle, Progress};
use mongodb_errors::ErrorCode;
use mongodb_models::{
    AsyncRequestStatus, Auth, CreateAccountUserRequest, CreateInstanceRoleRequest,
    CreateInstanceUserRequest, DeleteAccountUserRequest, DeleteInstanceRoleRequest,
    DescribeAccountUsersRequest, DescribeInstanceRolesRequest, DescribeInstanceUsersRequest,
    ResetDBInstancePasswordRequest, Role, RolePrivilege, RoleResource,
    SetAccountUserPrivilegeRequest, UserInfo,
};

const DEMO: &str = "cmgo-demo0001";

fn emulator() -> EmulatorHandle {
    common::emulator_builder()
        .progress(Progress::PerPoll)
        .start()
        .expect("the emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    common::client_for(emu).build().expect("client")
}

/// Waits for a flow, task or async request without sleeping; returns its last status.
fn wait(c: &Client, id: impl ToString) -> AsyncRequestStatus {
    let opts = WaitOptions::new().sleeper(|_| {});
    c.wait_async_request(&id.to_string(), &opts)
        .expect("the work succeeds")
        .status
        .expect("Status")
}

fn users(c: &Client) -> Vec<UserInfo> {
    c.describe_account_users(&DescribeAccountUsersRequest::new(DEMO))
        .expect("DescribeAccountUsers")
        .users
        .unwrap_or_default()
}

fn user(c: &Client, name: &str) -> Option<UserInfo> {
    users(c)
        .into_iter()
        .find(|u| u.user_name.as_deref() == Some(name))
}

#[test]
fn an_account_is_created_changed_and_deleted() {
    let emu = emulator();
    let c = client(&emu);
    let defaults: Vec<Option<String>> = users(&c).into_iter().map(|u| u.user_name).collect();
    assert_eq!(defaults, [Some("mongouser".to_owned())]);

    let create = CreateAccountUserRequest::new(DEMO, "reporter", "Report_2024")
        .with_user_desc("monthly reports")
        .with_auth_role(vec![Auth::new(1, "sales")]);
    let flow = c
        .create_account_user(&create)
        .expect("CreateAccountUser")
        .flow_id
        .expect("FlowId");
    assert_eq!(wait(&c, flow), AsyncRequestStatus::Success);
    let made = user(&c, "reporter").expect("listed once its flow succeeded");
    assert_eq!(made.auth_role, Some(vec![Auth::new(1, "sales")]));
    assert_eq!(made.user_desc.as_deref(), Some("monthly reports"));

    let set = SetAccountUserPrivilegeRequest::new(
        DEMO,
        "reporter",
        vec![Auth::new(3, "sales"), Auth::new(1, "*")],
    );
    let flow = c
        .set_account_user_privilege(&set)
        .expect("SetAccountUserPrivilege")
        .flow_id
        .expect("FlowId");
    wait(&c, flow);
    assert_eq!(
        user(&c, "reporter").unwrap().auth_role,
        Some(vec![Auth::new(3, "sales"), Auth::new(1, "*")])
    );

    let reset = ResetDBInstancePasswordRequest::new(DEMO, "reporter", "Another_2024");
    let id = c
        .reset_db_instance_password(&reset)
        .expect("ResetDBInstancePassword")
        .async_request_id
        .expect("AsyncRequestId");
    assert_eq!(wait(&c, &id), AsyncRequestStatus::Success);
    let state = emu.dump_state().to_string();
    assert!(!state.contains("Another_2024") && !state.contains("Report_2024"));

    let short = ResetDBInstancePasswordRequest::new(DEMO, "reporter", "short");
    let err = c.reset_db_instance_password(&short).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValuePasswordRuleFailed)
    );

    let delete = DeleteAccountUserRequest::new(DEMO, "reporter");
    let flow = c
        .delete_account_user(&delete)
        .expect("DeleteAccountUser")
        .flow_id
        .expect("FlowId");
    wait(&c, flow);
    assert!(user(&c, "reporter").is_none(), "gone");
    let err = c.delete_account_user(&delete).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueUserNotFound)
    );

    let err = c
        .delete_account_user(&DeleteAccountUserRequest::new(DEMO, "mongouser"))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::OperationDeniedAccountOperationDenied)
    );

    assert!(emu.set_instance_status(DEMO, -3));
    let again = CreateAccountUserRequest::new(DEMO, "late", "Report_2024");
    let err = c.create_account_user(&again).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus)
    );
    assert!(err.request_id().is_some());
}

#[test]
fn custom_roles_are_held_by_accounts_of_any_database() {
    let emu = emulator();
    let c = client(&emu);
    let privilege = RolePrivilege::new(
        RoleResource::default()
            .with_database("sales")
            .with_collection("orders"),
        vec!["find".to_owned(), "insert".to_owned()],
    );
    let role = CreateInstanceRoleRequest::new(DEMO, "orders_clerk")
        .with_privileges(vec![privilege])
        .with_inherited_roles(vec![Role::new("read", "catalog")]);
    let task = c
        .create_instance_role(&role)
        .expect("CreateInstanceRole")
        .task_id
        .expect("TaskId");
    wait(&c, task);
    let custom = c
        .describe_instance_roles(
            &DescribeInstanceRolesRequest::new(DEMO).with_role_type(vec!["custom".to_owned()]),
        )
        .expect("DescribeInstanceRoles");
    assert_eq!(custom.total, Some(1));

    for n in 0..3 {
        let u = CreateInstanceUserRequest::new(DEMO, format!("clerk{n}"))
            .with_password("Clerk_2024")
            .with_database("sales")
            .with_roles(vec![Role::new("orders_clerk", "admin")]);
        let flow = c
            .create_instance_user(&u)
            .expect("CreateInstanceUser")
            .flow_id;
        wait(&c, flow.expect("FlowId"));
    }
    let req = DescribeInstanceUsersRequest::new(DEMO)
        .with_database("sales")
        .with_limit(2);
    let listed: Vec<String> = c
        .describe_instance_users_iter(req)
        .map(|u| u.expect("a page").user_name.unwrap_or_default())
        .collect();
    assert_eq!(listed, ["clerk0", "clerk1", "clerk2"]);
    assert_eq!(emu.request_count("DescribeInstanceUsers"), 2, "two pages");

    let err = c
        .delete_instance_role(&DeleteInstanceRoleRequest::new(DEMO, "orders_clerk"))
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::ResourceInUse));
    assert!(err.to_string().contains("clerk0@sales"), "{err}");
}
