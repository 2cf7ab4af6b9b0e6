//! The accounts of the first API: `CreateAccountUser`, `DeleteAccountUser`,
//! `SetAccountUserPrivilege` (flows), `ResetDBInstancePassword` (an async
//! request) and `DescribeAccountUsers`. These accounts live in `admin` and
//! carry their permissions in the `AuthRole` form (mask per database).
//! Every change shows when its work succeeds.

use mongodb_models::{
    CreateAccountUserRequest, CreateAccountUserResponse, DeleteAccountUserRequest,
    DeleteAccountUserResponse, DescribeAccountUsersRequest, DescribeAccountUsersResponse,
    ResetDBInstancePasswordRequest, ResetDBInstancePasswordResponse,
    SetAccountUserPrivilegeRequest, SetAccountUserPrivilegeResponse, UserInfo,
};

use super::rules::{
    auth_entries, check_default_password, check_description, check_name, check_password,
    default_user_denied, read, ready, start, to_auth, user_not_found,
};
use crate::actions::ctx::Ctx;
use crate::actions::errors;
use crate::state::accounts::{digest, roles_from_auth, AccountChange, User, ADMIN_DB};
use crate::state::tasks::TaskKind;
use crate::util::{format_time, ApiError};

pub(super) fn create_account_user(
    ctx: &mut Ctx<'_>,
    req: CreateAccountUserRequest,
) -> Result<CreateAccountUserResponse, ApiError> {
    let id = req.instance_id;
    check_name("UserName", &req.user_name)?;
    check_password("Password", &req.password)?;
    let description = req.user_desc.unwrap_or_default();
    check_description("UserDesc", &description)?;
    let auth = auth_entries("AuthRole", req.auth_role.as_deref().unwrap_or_default())?;
    let accounts = ready(ctx, &id)?;
    check_default_password(accounts, req.mongo_user_password.as_deref())?;
    if accounts.user(&req.user_name, ADMIN_DB).is_some() {
        return Err(errors::invalid(format!(
            "UserName `{}` already exists in instance `{id}`; choose another name, or change its permissions with SetAccountUserPrivilege.",
            req.user_name
        )));
    }
    let user = User {
        name: req.user_name,
        database: ADMIN_DB.to_owned(),
        password_sha256: digest(&req.password),
        roles: roles_from_auth(&auth),
        auth,
        description,
        ..User::default()
    };
    let change = AccountChange::PutUser {
        user,
        password_changed: true,
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(CreateAccountUserResponse::default().with_flow_id(flow))
}

pub(super) fn delete_account_user(
    ctx: &mut Ctx<'_>,
    req: DeleteAccountUserRequest,
) -> Result<DeleteAccountUserResponse, ApiError> {
    let id = req.instance_id;
    let accounts = ready(ctx, &id)?;
    check_default_password(accounts, req.mongo_user_password.as_deref())?;
    let user = accounts
        .user(&req.user_name, ADMIN_DB)
        .ok_or_else(|| user_not_found(&id, &req.user_name, ADMIN_DB))?;
    if user.is_default() {
        return Err(default_user_denied("deleted"));
    }
    let change = AccountChange::DropUser {
        name: req.user_name,
        database: ADMIN_DB.to_owned(),
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(DeleteAccountUserResponse::default().with_flow_id(flow as i64))
}

pub(super) fn set_account_user_privilege(
    ctx: &mut Ctx<'_>,
    req: SetAccountUserPrivilegeRequest,
) -> Result<SetAccountUserPrivilegeResponse, ApiError> {
    let id = req.instance_id;
    let auth = auth_entries("AuthRole", &req.auth_role)?;
    let accounts = ready(ctx, &id)?;
    let mut user = accounts
        .user(&req.user_name, ADMIN_DB)
        .ok_or_else(|| user_not_found(&id, &req.user_name, ADMIN_DB))?
        .clone();
    if user.is_default() {
        return Err(default_user_denied("given other permissions"));
    }
    user.roles = roles_from_auth(&auth);
    user.auth = auth;
    let change = AccountChange::PutUser {
        user,
        password_changed: false,
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(SetAccountUserPrivilegeResponse::default().with_flow_id(flow))
}

/// Sets the password of an account of `admin` (`mongouser` too) when its
/// async request succeeds.
pub(super) fn reset_db_instance_password(
    ctx: &mut Ctx<'_>,
    req: ResetDBInstancePasswordRequest,
) -> Result<ResetDBInstancePasswordResponse, ApiError> {
    let id = req.instance_id;
    check_password("Password", &req.password)?;
    let accounts = ready(ctx, &id)?;
    let mut user = accounts
        .user(&req.user_name, ADMIN_DB)
        .ok_or_else(|| user_not_found(&id, &req.user_name, ADMIN_DB))?
        .clone();
    user.password_sha256 = digest(&req.password);
    let change = AccountChange::PutUser {
        user,
        password_changed: true,
    };
    let task = start(ctx, TaskKind::AsyncRequest, &id, change);
    Ok(ResetDBInstancePasswordResponse::default().with_async_request_id(task.to_string()))
}

/// The accounts of `admin`, in the order they were made.
pub(super) fn describe_account_users(
    ctx: &mut Ctx<'_>,
    req: DescribeAccountUsersRequest,
) -> Result<DescribeAccountUsersResponse, ApiError> {
    let accounts = read(ctx, &req.instance_id)?;
    let users = accounts
        .users
        .iter()
        .filter(|u| u.database == ADMIN_DB)
        .map(|u| {
            UserInfo::default()
                .with_user_name(u.name.as_str())
                .with_auth_role(to_auth(&u.auth_role()))
                .with_create_time(format_time(u.created_ms))
                .with_update_time(format_time(u.updated_ms))
                .with_user_desc(u.description.as_str())
                .with_console_pass_update_time(format_time(u.password_set_ms()))
        })
        .collect();
    Ok(DescribeAccountUsersResponse::default().with_users(users))
}
