//! Roles: `CreateInstanceRole`, `UpdateInstanceRole`, `DeleteInstanceRole`
//! (tasks) and `DescribeInstanceRoles` (built-in and custom roles). A custom
//! role grants privileges (actions on the cluster or on a database's
//! collections) and inherits other roles, which must exist. As in MongoDB, a
//! role defined outside `admin` only reaches its own database. A role that a
//! user holds or another role inherits can't be deleted.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateInstanceRoleRequest, CreateInstanceRoleResponse, DeleteInstanceRoleRequest,
    DeleteInstanceRoleResponse, DescribeInstanceRolesRequest, DescribeInstanceRolesResponse,
    Role as RoleRef, RoleInfo, RolePrivilege, RoleResource, UpdateInstanceRoleRequest,
    UpdateInstanceRoleResponse,
};

use super::builtin::{builtin, is_builtin_name, known_action, BUILTINS, CUSTOM, ROLE_TYPES};
use super::rules::{check_database_name, check_name, database, read, ready, start};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, one_of};
use crate::actions::params::{descending, page, paging};
use crate::state::accounts::{AccountChange, InstanceAccounts, Privilege, Role, ADMIN_DB};
use crate::state::tasks::TaskKind;
use crate::util::ApiError;

/// Role references (`Roles`, `InheritedRoles`) as (role, database), each an
/// existing built-in or custom role; duplicates are dropped.
pub(super) fn check_role_refs(
    accounts: &InstanceAccounts,
    param: &str,
    refs: &[RoleRef],
) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, r) in refs.iter().enumerate() {
        let name = r.role_name.as_deref().map(str::trim).unwrap_or_default();
        let db = r.database.as_deref().map(str::trim).unwrap_or_default();
        check_database_name(&format!("{param}.{n}.Database"), db)?;
        if builtin(name, db).is_none() && accounts.role(name, db).is_none() {
            let hint = if is_builtin_name(name) {
                format!("`{name}` is a built-in role of `admin` only")
            } else {
                "create it first with CreateInstanceRole, or name a built-in role (DescribeInstanceRoles lists them)".to_owned()
            };
            return Err(errors::invalid(format!(
                "{param}.{n}: there is no role `{name}` in database `{db}`; {hint}."
            )));
        }
        let pair = (name.to_owned(), db.to_owned());
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    Ok(out)
}

/// The `Role` list of an answer.
pub(super) fn to_role_refs(roles: &[(String, String)]) -> Vec<RoleRef> {
    roles
        .iter()
        .map(|(name, db)| RoleRef::new(name.as_str(), db.as_str()))
        .collect()
}

/// The privileges of a request, checked: each names the cluster or a
/// database (and maybe a collection), and known MongoDB actions. A role of a
/// database other than `admin` reaches only that database.
fn privileges(role_db: &str, given: &[RolePrivilege]) -> Result<Vec<Privilege>, ApiError> {
    let mut out = Vec::new();
    for (n, p) in given.iter().enumerate() {
        let res = p.resource.clone().unwrap_or_default();
        let cluster = res.cluster.unwrap_or(false);
        let db = res.database.unwrap_or_default();
        let collection = res.collection.unwrap_or_default();
        let at = format!("Privileges.{n}.Resource");
        if cluster && !(db.is_empty() && collection.is_empty()) {
            return Err(errors::invalid(format!(
                "{at}: a cluster resource names no database or collection; set Cluster to false to grant on {db}.{collection}, or leave Database and Collection empty."
            )));
        }
        if !db.is_empty() {
            check_database_name(&format!("{at}.Database"), &db)?;
        }
        if role_db != ADMIN_DB && (cluster || db != role_db) {
            return Err(errors::invalid(format!(
                "{at}: a role of database `{role_db}` can only grant actions on `{role_db}`; define the role in `admin` to reach other databases or the cluster."
            )));
        }
        let actions = p.actions.clone().unwrap_or_default();
        if actions.is_empty() {
            return Err(errors::invalid(format!(
                "Privileges.{n}.Actions is empty: name at least one action (e.g. find, insert, update)."
            )));
        }
        if let Some(bad) = actions.iter().find(|a| !known_action(a)) {
            return Err(errors::invalid(format!(
                "Privileges.{n}.Actions: `{bad}` is not a MongoDB privilege action (e.g. find, insert, update, remove, createIndex, listCollections)."
            )));
        }
        out.push(Privilege {
            cluster,
            database: db,
            collection,
            actions,
        });
    }
    Ok(out)
}

/// Inherited roles, checked: they exist, a role outside `admin` inherits
/// only roles of its own database, and no role inherits itself (even
/// through others).
fn inherited(
    accounts: &InstanceAccounts,
    name: &str,
    db: &str,
    given: &[RoleRef],
) -> Result<Vec<(String, String)>, ApiError> {
    let refs = check_role_refs(accounts, "InheritedRoles", given)?;
    for (n, (r, d)) in refs.iter().enumerate() {
        if db != ADMIN_DB && d != db {
            return Err(errors::invalid(format!(
                "InheritedRoles.{n}: a role of database `{db}` can only inherit roles of `{db}`, not `{r}` of `{d}`."
            )));
        }
        if reaches(accounts, (r, d), (name, db), 0) {
            return Err(errors::invalid(format!(
                "InheritedRoles.{n}: `{r}` of `{d}` is `{name}` itself or inherits it; a role can't inherit itself."
            )));
        }
    }
    Ok(refs)
}

/// Whether custom role `from` is `target` or inherits it.
fn reaches(
    accounts: &InstanceAccounts,
    from: (&str, &str),
    target: (&str, &str),
    depth: usize,
) -> bool {
    if from == target {
        return true;
    }
    let Some(role) = accounts.role(from.0, from.1) else {
        return false;
    };
    depth < 32
        && role
            .inherited
            .iter()
            .any(|(r, d)| reaches(accounts, (r, d), target, depth + 1))
}

/// `InvalidParameterValue` for a role that is not a custom role of the instance.
fn no_custom_role(instance_id: &str, name: &str, db: &str) -> ApiError {
    if builtin(name, db).is_some() {
        return errors::error(
            ErrorCode::OperationDeniedAccountOperationDenied,
            format!(
                "RoleName `{name}` is a built-in role; built-in roles can't be changed or deleted."
            ),
        );
    }
    errors::invalid(format!(
        "RoleName `{name}` is not a custom role of database `{db}` of instance `{instance_id}`; DescribeInstanceRoles lists them."
    ))
}

pub(super) fn create_instance_role(
    ctx: &mut Ctx<'_>,
    req: CreateInstanceRoleRequest,
) -> Result<CreateInstanceRoleResponse, ApiError> {
    let id = req.instance_id;
    check_name("RoleName", &req.role_name)?;
    let db = database("Database", req.database.as_deref())?;
    let privileges = privileges(&db, req.privileges.as_deref().unwrap_or_default())?;
    let accounts = ready(ctx, &id)?;
    if builtin(&req.role_name, &db).is_some() || accounts.role(&req.role_name, &db).is_some() {
        return Err(errors::invalid(format!(
            "RoleName `{}` already exists in database `{db}` of instance `{id}`; choose another name, or change it with UpdateInstanceRole.",
            req.role_name
        )));
    }
    let inherited = inherited(
        accounts,
        &req.role_name,
        &db,
        req.inherited_roles.as_deref().unwrap_or_default(),
    )?;
    if privileges.is_empty() && inherited.is_empty() {
        return Err(errors::invalid(
            "A role grants something: give Privileges or InheritedRoles.",
        ));
    }
    let role = Role {
        name: req.role_name,
        database: db,
        privileges,
        inherited,
        ..Role::default()
    };
    let task = start(ctx, TaskKind::Task, &id, AccountChange::PutRole(role));
    Ok(CreateInstanceRoleResponse::default().with_task_id(task as i64))
}

/// Replaces the privileges and/or the inherited roles given (a list left
/// out is kept).
pub(super) fn update_instance_role(
    ctx: &mut Ctx<'_>,
    req: UpdateInstanceRoleRequest,
) -> Result<UpdateInstanceRoleResponse, ApiError> {
    let id = req.instance_id;
    let db = database("Database", req.database.as_deref())?;
    let accounts = ready(ctx, &id)?;
    let mut role = accounts
        .role(&req.role_name, &db)
        .ok_or_else(|| no_custom_role(&id, &req.role_name, &db))?
        .clone();
    if req.privileges.is_none() && req.inherited_roles.is_none() {
        return Err(errors::invalid(
            "UpdateInstanceRole changes nothing: give Privileges or InheritedRoles.",
        ));
    }
    if let Some(p) = &req.privileges {
        role.privileges = privileges(&db, p)?;
    }
    if let Some(r) = &req.inherited_roles {
        role.inherited = inherited(accounts, &role.name, &db, r)?;
    }
    if role.privileges.is_empty() && role.inherited.is_empty() {
        return Err(errors::invalid(
            "A role grants something: it can't be left without Privileges and InheritedRoles.",
        ));
    }
    let task = start(ctx, TaskKind::Task, &id, AccountChange::PutRole(role));
    Ok(UpdateInstanceRoleResponse::default().with_task_id(task as i64))
}

pub(super) fn delete_instance_role(
    ctx: &mut Ctx<'_>,
    req: DeleteInstanceRoleRequest,
) -> Result<DeleteInstanceRoleResponse, ApiError> {
    let id = req.instance_id;
    let db = database("Database", req.database.as_deref())?;
    let accounts = ready(ctx, &id)?;
    let role = accounts
        .role(&req.role_name, &db)
        .ok_or_else(|| no_custom_role(&id, &req.role_name, &db))?;
    let holders = accounts.holders_of(&role.name, &role.database);
    if !holders.is_empty() {
        return Err(errors::error(
            ErrorCode::ResourceInUse,
            format!(
                "RoleName `{}` of `{db}` is in use by {}; take it away from them first (UpdateInstanceUser, UpdateInstanceRole).",
                req.role_name,
                holders.join(", ")
            ),
        ));
    }
    let change = AccountChange::DropRole {
        name: req.role_name,
        database: db,
    };
    let task = start(ctx, TaskKind::Task, &id, change);
    Ok(DeleteInstanceRoleResponse::default().with_task_id(task as i64))
}

/// The `RolePrivilege` list of an answer.
fn to_privileges(privileges: &[Privilege]) -> Vec<RolePrivilege> {
    privileges
        .iter()
        .map(|p| {
            let resource = if p.cluster {
                RoleResource::default().with_cluster(true)
            } else {
                RoleResource::default()
                    .with_cluster(false)
                    .with_database(p.database.as_str())
                    .with_collection(p.collection.as_str())
            };
            RolePrivilege::new(resource, p.actions.clone())
        })
        .collect()
}

/// Whether `info` matches a search key: its name, its database, an inherited
/// role or its database, a privilege's database, collection or action
/// (case-insensitive, any part).
fn matches_key(info: &RoleInfo, key: &str) -> bool {
    let key = key.to_lowercase();
    let hit = |s: &str| s.to_lowercase().contains(&key);
    let text = |s: &Option<String>| s.as_deref().is_some_and(hit);
    text(&info.role_name)
        || text(&info.database)
        || info
            .inherited_roles
            .iter()
            .flatten()
            .any(|r| text(&r.role_name) || text(&r.database))
        || info.privileges.iter().flatten().any(|p| {
            let res = p.resource.as_ref();
            res.is_some_and(|r| text(&r.database) || text(&r.collection))
                || p.actions.iter().flatten().any(|a| hit(a))
        })
}

/// Built-in and custom roles, filtered (`Database`, `RoleType`, `RoleName`,
/// `SearchKey`), ordered by name (then database) and paged: 20 by default,
/// at most 100. Built-in database roles are listed for `Database` (for
/// `admin` when none is given), built-in cluster roles in `admin`.
pub(super) fn describe_instance_roles(
    ctx: &mut Ctx<'_>,
    req: DescribeInstanceRolesRequest,
) -> Result<DescribeInstanceRolesResponse, ApiError> {
    let order_by = req.order_by.as_deref().unwrap_or("RoleName");
    if !order_by.is_empty() {
        one_of(
            ErrorCode::InvalidParameterValue,
            "OrderBy",
            &order_by,
            &["RoleName"],
        )?;
    }
    let desc = descending(req.order_type.as_deref(), false).ok_or_else(|| {
        errors::invalid("OrderType must be `asc` or `desc` (the default is asc).")
    })?;
    let (limit, offset) = paging(req.limit, req.offset, Some(20), 100)?;
    let types = req.role_type.unwrap_or_default();
    for (n, t) in types.iter().enumerate() {
        one_of(
            ErrorCode::InvalidParameterValue,
            &format!("RoleType.{n}"),
            &t.as_str(),
            &ROLE_TYPES,
        )?;
    }
    let db = req.database.filter(|d| !d.is_empty());
    if let Some(d) = &db {
        check_database_name("Database", d)?;
    }
    let name = req.role_name.filter(|n| !n.is_empty());
    let key = req.search_key.filter(|k| !k.is_empty());
    let accounts = read(ctx, &req.instance_id)?;

    let builtin_db = db.as_deref().unwrap_or(ADMIN_DB);
    let builtins = BUILTINS
        .iter()
        .filter(|b| b.exists_in(builtin_db))
        .map(|b| {
            let inherits: Vec<(String, String)> = b
                .inherits
                .iter()
                .map(|r| ((*r).to_owned(), builtin_db.to_owned()))
                .collect();
            RoleInfo::default()
                .with_role_name(b.name)
                .with_database(builtin_db)
                .with_role_type(b.role_type)
                .with_privileges(to_privileges(&b.privileges(builtin_db)))
                .with_inherited_roles(to_role_refs(&inherits))
        });
    let custom = accounts
        .roles
        .iter()
        .filter(|r| db.as_ref().is_none_or(|d| &r.database == d))
        .map(|r| {
            RoleInfo::default()
                .with_role_name(r.name.as_str())
                .with_database(r.database.as_str())
                .with_role_type(CUSTOM)
                .with_privileges(to_privileges(&r.privileges))
                .with_inherited_roles(to_role_refs(&r.inherited))
        });
    let mut roles: Vec<RoleInfo> = builtins
        .chain(custom)
        .filter(|r| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| r.role_type.as_deref() == Some(t.as_str()))
        })
        .filter(|r| name.is_none() || r.role_name == name)
        .filter(|r| key.as_deref().is_none_or(|k| matches_key(r, k)))
        .collect();
    roles.sort_by(|a, b| (&a.role_name, &a.database).cmp(&(&b.role_name, &b.database)));
    if desc {
        roles.reverse();
    }
    let total = roles.len() as i64;
    Ok(DescribeInstanceRolesResponse::default()
        .with_total(total)
        .with_roles(page(roles, limit, offset)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn privilege(cluster: bool, db: &str, actions: &[&str]) -> RolePrivilege {
        let res = RoleResource::default()
            .with_cluster(cluster)
            .with_database(db);
        RolePrivilege::new(res, actions.iter().map(|a| (*a).to_owned()).collect())
    }

    #[test]
    fn privileges_are_checked_against_the_role_database() {
        let ok = privileges("admin", &[privilege(false, "sales", &["find", "insert"])]).unwrap();
        assert_eq!(ok[0].database, "sales");
        assert!(privileges("admin", &[privilege(true, "", &["serverStatus"])]).is_ok());
        let e = privileges("admin", &[privilege(true, "local", &["find"])]).unwrap_err();
        assert!(e.message.contains("Privileges.0.Resource"), "{}", e.message);
        let e = privileges("sales", &[privilege(false, "hr", &["find"])]).unwrap_err();
        assert!(
            e.message.contains("only grant actions on `sales`"),
            "{}",
            e.message
        );
        let e = privileges("admin", &[privilege(false, "a", &["find", "fnd"])]).unwrap_err();
        assert!(e.message.contains("`fnd`"), "{}", e.message);
        assert!(privileges("admin", &[privilege(false, "a", &[])]).is_err());
    }

    #[test]
    fn roles_must_exist_and_not_inherit_themselves() {
        let mut a = InstanceAccounts::initial(None, 0);
        let refs = [RoleRef::new("read", "sales"), RoleRef::new("read", "sales")];
        assert_eq!(check_role_refs(&a, "Roles", &refs).unwrap().len(), 1);
        let e = check_role_refs(&a, "Roles", &[RoleRef::new("root", "sales")]).unwrap_err();
        assert!(
            e.message.contains("built-in role of `admin` only"),
            "{}",
            e.message
        );
        assert!(check_role_refs(&a, "Roles", &[RoleRef::new("mine", "admin")]).is_err());
        a.roles.push(Role {
            name: "a".into(),
            database: "admin".into(),
            inherited: vec![("b".into(), "admin".into())],
            ..Role::default()
        });
        a.roles.push(Role {
            name: "b".into(),
            database: "admin".into(),
            ..Role::default()
        });
        // b inheriting a would close a loop (a inherits b).
        let e = inherited(&a, "b", "admin", &[RoleRef::new("a", "admin")]).unwrap_err();
        assert!(e.message.contains("can't inherit itself"), "{}", e.message);
        assert!(inherited(&a, "a", "admin", &[RoleRef::new("b", "admin")]).is_ok());
        let e = inherited(&a, "c", "sales", &[RoleRef::new("read", "hr")]).unwrap_err();
        assert!(
            e.message.contains("only inherit roles of `sales`"),
            "{}",
            e.message
        );
    }
}
