//! The accounts of the second API: `CreateInstanceUser`, `UpdateInstanceUser`,
//! `DeleteInstanceUser` (flows) and `DescribeInstanceUsers`. An account is
//! named by its name and the database it is defined in (`admin` by default),
//! and holds roles (built-in or custom, which must exist) and the older
//! `AuthRole` form, each derived from the other when only one is given.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateInstanceUserRequest, CreateInstanceUserResponse, DeleteInstanceUserRequest,
    DeleteInstanceUserResponse, DescribeInstanceUsersRequest, DescribeInstanceUsersResponse,
    InstanceUserInfo, Role as RoleRef, UpdateInstanceUserRequest, UpdateInstanceUserResponse,
};

use super::roles::{check_role_refs, to_role_refs};
use super::rules::{
    auth_entries, check_description, check_name, database, default_user_denied, password_digest,
    read, ready, start, to_auth, user_not_found,
};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, one_of};
use crate::actions::params::{descending, page, paging};
use crate::state::accounts::{
    auth_from_roles, roles_from_auth, AccountChange, InstanceAccounts, User,
};
use crate::state::tasks::TaskKind;
use crate::util::{format_time, ApiError};

/// Granted roles and `AuthRole` entries, as a user keeps them.
type Permissions = (Vec<(String, String)>, Vec<(i64, String)>);

/// The roles and `AuthRole` entries of a request, checked, as the user keeps
/// them; `None` when the request gives neither (an empty list counts as not
/// given). With both, the roles are those given plus those the entries stand
/// for.
fn permissions(
    accounts: &InstanceAccounts,
    roles: Option<&[RoleRef]>,
    auth: Option<&[mongodb_models::Auth]>,
) -> Result<Option<Permissions>, ApiError> {
    let roles = roles.filter(|r| !r.is_empty());
    let auth = auth.filter(|a| !a.is_empty());
    let roles = roles
        .map(|r| check_role_refs(accounts, "Roles", r))
        .transpose()?;
    let auth = auth.map(|a| auth_entries("AuthRole", a)).transpose()?;
    Ok(match (roles, auth) {
        (None, None) => None,
        (Some(roles), None) => {
            let auth = auth_from_roles(&roles);
            Some((roles, auth))
        }
        (None, Some(auth)) => Some((roles_from_auth(&auth), auth)),
        (Some(mut roles), Some(auth)) => {
            for r in roles_from_auth(&auth) {
                if !roles.contains(&r) {
                    roles.push(r);
                }
            }
            Some((roles, auth))
        }
    })
}

pub(super) fn create_instance_user(
    ctx: &mut Ctx<'_>,
    req: CreateInstanceUserRequest,
) -> Result<CreateInstanceUserResponse, ApiError> {
    let id = req.instance_id;
    check_name("UserName", &req.user_name)?;
    let db = database("Database", req.database.as_deref())?;
    let password = password_digest(
        req.password.as_deref(),
        req.encrypted_password.as_deref(),
        true,
    )?
    .unwrap_or_default();
    let description = req.description.unwrap_or_default();
    check_description("Description", &description)?;
    let rotation = req.enable_password_rotation.unwrap_or(0);
    one_of(
        ErrorCode::InvalidParameterValue,
        "EnablePasswordRotation",
        &rotation,
        &[0, 1],
    )?;
    let accounts = ready(ctx, &id)?;
    if accounts.user(&req.user_name, &db).is_some() {
        return Err(errors::invalid(format!(
            "UserName `{}` already exists in database {db} of instance `{id}`; choose another name, or change it with UpdateInstanceUser.",
            req.user_name
        )));
    }
    let (roles, auth) =
        permissions(accounts, req.roles.as_deref(), req.auth_role.as_deref())?.unwrap_or_default();
    let user = User {
        name: req.user_name,
        database: db,
        password_sha256: password,
        roles,
        auth,
        description,
        password_rotation: rotation == 1,
        ..User::default()
    };
    let change = AccountChange::PutUser {
        user,
        password_changed: true,
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(CreateInstanceUserResponse::default().with_flow_id(flow as i64))
}

/// Changes what is given (a password, roles, permissions, a description);
/// `mongouser` takes a new password or description, not other permissions.
pub(super) fn update_instance_user(
    ctx: &mut Ctx<'_>,
    req: UpdateInstanceUserRequest,
) -> Result<UpdateInstanceUserResponse, ApiError> {
    let id = req.instance_id;
    let db = database("Database", req.database.as_deref())?;
    let password = password_digest(
        req.password.as_deref(),
        req.encrypted_password.as_deref(),
        false,
    )?;
    let description = req.description.filter(|d| !d.is_empty());
    if let Some(d) = &description {
        check_description("Description", d)?;
    }
    let accounts = ready(ctx, &id)?;
    let mut user = accounts
        .user(&req.user_name, &db)
        .ok_or_else(|| user_not_found(&id, &req.user_name, &db))?
        .clone();
    let permissions = permissions(accounts, req.roles.as_deref(), req.auth_role.as_deref())?;
    if permissions.is_none() && password.is_none() && description.is_none() {
        return Err(errors::invalid(
            "UpdateInstanceUser changes nothing: give Password (or EncryptedPassword), Roles, AuthRole or Description.",
        ));
    }
    if let Some((roles, auth)) = permissions {
        if user.is_default() {
            return Err(default_user_denied("given other roles or permissions"));
        }
        user.roles = roles;
        user.auth = auth;
    }
    let password_changed = password.is_some();
    if let Some(p) = password {
        user.password_sha256 = p;
    }
    if let Some(d) = description {
        user.description = d;
    }
    let change = AccountChange::PutUser {
        user,
        password_changed,
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(UpdateInstanceUserResponse::default().with_flow_id(flow as i64))
}

pub(super) fn delete_instance_user(
    ctx: &mut Ctx<'_>,
    req: DeleteInstanceUserRequest,
) -> Result<DeleteInstanceUserResponse, ApiError> {
    let id = req.instance_id;
    let db = database("Database", req.database.as_deref())?;
    let accounts = ready(ctx, &id)?;
    let user = accounts
        .user(&req.user_name, &db)
        .ok_or_else(|| user_not_found(&id, &req.user_name, &db))?;
    if user.is_default() {
        return Err(default_user_denied("deleted"));
    }
    let change = AccountChange::DropUser {
        name: req.user_name,
        database: db,
    };
    let flow = start(ctx, TaskKind::Flow, &id, change);
    Ok(DeleteInstanceUserResponse::default().with_flow_id(flow as i64))
}

/// The accounts of every database (or of `Database`, or the one named
/// `UserName`), ordered by name (then database) and paged: 20 by default, at
/// most 100.
pub(super) fn describe_instance_users(
    ctx: &mut Ctx<'_>,
    req: DescribeInstanceUsersRequest,
) -> Result<DescribeInstanceUsersResponse, ApiError> {
    let order_by = req.order_by.as_deref().unwrap_or("UserName");
    if !order_by.is_empty() {
        one_of(
            ErrorCode::InvalidParameterValue,
            "OrderBy",
            &order_by,
            &["UserName"],
        )?;
    }
    let desc = descending(req.order_type.as_deref(), false).ok_or_else(|| {
        errors::invalid("OrderType must be `asc` or `desc` (the default is asc).")
    })?;
    let (limit, offset) = paging(req.limit, req.offset, Some(20), 100)?;
    let name = req.user_name.filter(|n| !n.is_empty());
    let db = req.database.filter(|d| !d.is_empty());
    let accounts = read(ctx, &req.instance_id)?;
    let mut users: Vec<&User> = accounts
        .users
        .iter()
        .filter(|u| name.as_ref().is_none_or(|n| &u.name == n))
        .filter(|u| db.as_ref().is_none_or(|d| &u.database == d))
        .collect();
    users.sort_by(|a, b| (&a.name, &a.database).cmp(&(&b.name, &b.database)));
    if desc {
        users.reverse();
    }
    let total = users.len() as i64;
    let items = page(users, limit, offset)
        .into_iter()
        .map(|u| {
            InstanceUserInfo::default()
                .with_user_name(u.name.as_str())
                .with_database(u.database.as_str())
                .with_roles(to_role_refs(&u.roles))
                .with_auth_role(to_auth(&u.auth_role()))
                .with_create_time(format_time(u.created_ms))
                .with_update_time(format_time(u.updated_ms))
                .with_console_pass_update_time(format_time(u.password_set_ms()))
                .with_enable_password_rotation(i64::from(u.password_rotation))
                .with_description(u.description.as_str())
        })
        .collect();
    Ok(DescribeInstanceUsersResponse::default()
        .with_users(items)
        .with_total(total))
}
