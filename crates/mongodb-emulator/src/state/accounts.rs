//! Database accounts and custom roles of an instance (family: accounts).
//! Passwords are never kept: only a SHA-256 digest, so a dumped state holds no
//! secret. Every member defaults, so state files written before a member
//! existed still load.
//!
//! A user's permissions are kept in the two forms the API speaks: granted
//! roles (role, database), and the older `AuthRole` form (mask, namespace).
//! Whichever form a request sets, the other is derived from it
//! ([`roles_from_auth`], [`auth_from_roles`]), so both reads agree.
//!
//! Changes are applied by the task that makes them ([`AccountChange`], carried
//! by `Effect::Account` and applied in `settle`), so they show when the work
//! succeeds.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The account every instance is bought with.
pub(crate) const DEFAULT_USER: &str = "mongouser";
/// The database accounts are defined in unless a request names another.
pub(crate) const ADMIN_DB: &str = "admin";

/// `Mask` of the `AuthRole` form: no access, read only, read and write.
pub(crate) const MASK_NONE: i64 = 0;
pub(crate) const MASK_READ: i64 = 1;
pub(crate) const MASK_READ_WRITE: i64 = 3;
/// The `NameSpace` that stands for every database.
pub(crate) const ALL_DATABASES: &str = "*";

/// The accounts and roles of one instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceAccounts {
    pub(crate) users: Vec<User>,
    pub(crate) roles: Vec<Role>,
}

impl InstanceAccounts {
    /// The accounts a new instance has: `mongouser` in `admin`, with the
    /// password given at purchase (if any), `root` on the instance.
    pub(crate) fn initial(password: Option<&str>, now_ms: i64) -> Self {
        InstanceAccounts {
            users: vec![User {
                name: DEFAULT_USER.to_owned(),
                database: ADMIN_DB.to_owned(),
                password_sha256: password.map(digest).unwrap_or_default(),
                roles: vec![("root".to_owned(), ADMIN_DB.to_owned())],
                auth: vec![(MASK_READ_WRITE, ALL_DATABASES.to_owned())],
                description: "default account".to_owned(),
                created_ms: now_ms,
                updated_ms: now_ms,
                password_ms: now_ms,
                password_rotation: false,
            }],
            roles: Vec::new(),
        }
    }

    /// The user `name` defined in `database`.
    pub(crate) fn user(&self, name: &str, database: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.name == name && u.database == database)
    }

    /// The custom role `name` defined in `database`.
    pub(crate) fn role(&self, name: &str, database: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.name == name && r.database == database)
    }

    /// Who uses role `name` of `database`: the users granted it
    /// (`user@db`) and the custom roles inheriting it (`role@db`).
    pub(crate) fn holders_of(&self, name: &str, database: &str) -> Vec<String> {
        let is_it = |(r, d): &(String, String)| r == name && d == database;
        let users = self
            .users
            .iter()
            .filter(|u| u.roles.iter().any(is_it))
            .map(|u| format!("user {}@{}", u.name, u.database));
        let roles = self
            .roles
            .iter()
            .filter(|r| r.inherited.iter().any(is_it))
            .map(|r| format!("role {}@{}", r.name, r.database));
        users.chain(roles).collect()
    }

    /// Applies `change`, made by work that ended at `at_ms`.
    pub(crate) fn apply(&mut self, change: &AccountChange, at_ms: i64) {
        match change {
            AccountChange::PutUser {
                user,
                password_changed,
            } => {
                let mut user = user.clone();
                user.updated_ms = at_ms;
                if *password_changed {
                    user.password_ms = at_ms;
                }
                let pos = self
                    .users
                    .iter()
                    .position(|u| u.name == user.name && u.database == user.database);
                match pos {
                    Some(p) => {
                        user.created_ms = self.users[p].created_ms;
                        self.users[p] = user;
                    }
                    None => {
                        user.created_ms = at_ms;
                        user.password_ms = at_ms;
                        self.users.push(user);
                    }
                }
            }
            AccountChange::DropUser { name, database } => {
                self.users
                    .retain(|u| !(&u.name == name && &u.database == database));
            }
            AccountChange::PutRole(role) => {
                let mut role = role.clone();
                role.updated_ms = at_ms;
                let pos = self
                    .roles
                    .iter()
                    .position(|r| r.name == role.name && r.database == role.database);
                match pos {
                    Some(p) => {
                        role.created_ms = self.roles[p].created_ms;
                        self.roles[p] = role;
                    }
                    None => {
                        role.created_ms = at_ms;
                        self.roles.push(role);
                    }
                }
            }
            AccountChange::DropRole { name, database } => {
                self.roles
                    .retain(|r| !(&r.name == name && &r.database == database));
            }
        }
    }
}

/// The hex SHA-256 of a password, as the state keeps it.
pub(crate) fn digest(password: &str) -> String {
    hex::encode(Sha256::digest(password.as_bytes()))
}

/// A database account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct User {
    pub(crate) name: String,
    /// The database the account is defined in (`admin` by default).
    pub(crate) database: String,
    /// Hex SHA-256 of the password; empty when none was set.
    pub(crate) password_sha256: String,
    /// Granted roles as (role, database).
    pub(crate) roles: Vec<(String, String)>,
    /// The `AuthRole` form as (mask, namespace); empty in state files
    /// written before it existed (then derived from `roles`).
    pub(crate) auth: Vec<(i64, String)>,
    pub(crate) description: String,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
    /// When the password was last set (`ConsolePassUpdateTime`); 0 when
    /// unknown (then the creation time).
    pub(crate) password_ms: i64,
    /// `EnablePasswordRotation`.
    pub(crate) password_rotation: bool,
}

impl User {
    /// The account every instance has, which can't be deleted and whose
    /// permissions can't be changed.
    pub(crate) fn is_default(&self) -> bool {
        self.name == DEFAULT_USER && self.database == ADMIN_DB
    }

    /// The `AuthRole` form of the user's permissions.
    pub(crate) fn auth_role(&self) -> Vec<(i64, String)> {
        if self.auth.is_empty() {
            auth_from_roles(&self.roles)
        } else {
            self.auth.clone()
        }
    }

    /// When the password was last set.
    pub(crate) fn password_set_ms(&self) -> i64 {
        if self.password_ms == 0 {
            self.created_ms
        } else {
            self.password_ms
        }
    }
}

/// One privilege of a custom role: actions on a resource (the cluster, or a
/// collection of a database; empty names stand for every one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Privilege {
    pub(crate) cluster: bool,
    pub(crate) database: String,
    pub(crate) collection: String,
    pub(crate) actions: Vec<String>,
}

/// A custom role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Role {
    pub(crate) name: String,
    pub(crate) database: String,
    pub(crate) privileges: Vec<Privilege>,
    /// Inherited roles as (role, database).
    pub(crate) inherited: Vec<(String, String)>,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}

/// A change to the accounts of an instance, applied when the work that
/// makes it succeeds. Records are complete: built from the state when the
/// request was accepted (no other account work runs on the instance then).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccountChange {
    /// Creates or replaces a user (its creation time is kept).
    PutUser {
        user: User,
        password_changed: bool,
    },
    DropUser {
        name: String,
        database: String,
    },
    /// Creates or replaces a custom role (its creation time is kept).
    PutRole(Role),
    DropRole {
        name: String,
        database: String,
    },
}

/// The built-in roles the `AuthRole` form stands for: read only is `read`,
/// read and write is `readWrite` (their `AnyDatabase` forms in `admin` for
/// `*`); no access grants nothing. One role per namespace, the last mask
/// given for it winning.
pub(crate) fn roles_from_auth(auth: &[(i64, String)]) -> Vec<(String, String)> {
    // (namespace, role, database), so that a later mask replaces an earlier one.
    let mut out: Vec<(&str, &str, &str)> = Vec::new();
    for (mask, ns) in auth {
        out.retain(|(n, _, _)| n != ns);
        let (role, db) = match (*mask, ns.as_str()) {
            (MASK_READ, ALL_DATABASES) => ("readAnyDatabase", ADMIN_DB),
            (MASK_READ_WRITE, ALL_DATABASES) => ("readWriteAnyDatabase", ADMIN_DB),
            (MASK_READ, db) => ("read", db),
            (MASK_READ_WRITE, db) => ("readWrite", db),
            _ => continue,
        };
        out.push((ns, role, db));
    }
    out.into_iter()
        .map(|(_, role, db)| (role.to_owned(), db.to_owned()))
        .collect()
}

/// The `AuthRole` form of granted roles: the built-in roles that read or
/// write data map to a mask on their database (or `*`); other roles have no
/// such form. The widest mask per namespace is kept.
pub(crate) fn auth_from_roles(roles: &[(String, String)]) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for (role, db) in roles {
        let entry = match (role.as_str(), db.as_str()) {
            ("read", db) => (MASK_READ, db),
            ("readWrite" | "dbOwner", db) => (MASK_READ_WRITE, db),
            ("readAnyDatabase", ADMIN_DB) => (MASK_READ, ALL_DATABASES),
            ("readWriteAnyDatabase" | "root", ADMIN_DB) => (MASK_READ_WRITE, ALL_DATABASES),
            _ => continue,
        };
        match out.iter_mut().find(|(_, ns)| ns == entry.1) {
            Some(existing) => existing.0 = existing.0.max(entry.0),
            None => out.push((entry.0, entry.1.to_owned())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn the_two_forms_of_permissions_agree() {
        let auth = vec![
            (MASK_READ, "sales".to_owned()),
            (MASK_READ_WRITE, ALL_DATABASES.to_owned()),
            (MASK_NONE, "hr".to_owned()),
        ];
        let roles = roles_from_auth(&auth);
        assert_eq!(
            roles,
            [pair("read", "sales"), pair("readWriteAnyDatabase", "admin")]
        );
        assert_eq!(auth_from_roles(&roles), auth[..2]);
        // The last mask for a namespace wins; no access takes a grant away.
        let again = [
            (MASK_READ, "a".to_owned()),
            (MASK_READ_WRITE, "a".to_owned()),
        ];
        assert_eq!(roles_from_auth(&again), [pair("readWrite", "a")]);
        let revoked = [(MASK_READ, "a".to_owned()), (MASK_NONE, "a".to_owned())];
        assert!(roles_from_auth(&revoked).is_empty());
        // Roles without a mask form are left out; the widest mask is kept.
        let mixed = [
            pair("dbAdmin", "a"),
            pair("read", "a"),
            pair("dbOwner", "a"),
            pair("root", "admin"),
        ];
        assert_eq!(
            auth_from_roles(&mixed),
            [
                (MASK_READ_WRITE, "a".to_owned()),
                (MASK_READ_WRITE, "*".to_owned())
            ]
        );
    }

    #[test]
    fn changes_keep_creation_times_and_hold_no_password() {
        let mut a = InstanceAccounts::initial(Some("Secret-123"), 10);
        let default = &a.users[0];
        assert!(default.is_default());
        assert_eq!(default.password_sha256, digest("Secret-123"));
        assert!(!format!("{a:?}").contains("Secret-123"));
        assert_eq!(default.auth_role(), [(MASK_READ_WRITE, "*".to_owned())]);

        let user = User {
            name: "app".into(),
            database: "admin".into(),
            auth: vec![(MASK_READ, "db1".into())],
            ..User::default()
        };
        let put = |user: &User, changed| AccountChange::PutUser {
            user: user.clone(),
            password_changed: changed,
        };
        a.apply(&put(&user, true), 20);
        let got = a.user("app", "admin").unwrap();
        assert_eq!(
            (got.created_ms, got.updated_ms, got.password_set_ms()),
            (20, 20, 20)
        );
        a.apply(&put(&user, false), 30);
        let got = a.user("app", "admin").unwrap();
        assert_eq!(
            (got.created_ms, got.updated_ms, got.password_set_ms()),
            (20, 30, 20)
        );
        a.apply(&put(&user, true), 40);
        assert_eq!(a.user("app", "admin").unwrap().password_set_ms(), 40);
        assert!(a.user("app", "other").is_none());

        let role = Role {
            name: "r".into(),
            database: "admin".into(),
            inherited: vec![pair("read", "db1")],
            ..Role::default()
        };
        a.apply(&AccountChange::PutRole(role.clone()), 50);
        a.apply(&AccountChange::PutRole(role), 60);
        let r = a.role("r", "admin").unwrap();
        assert_eq!((r.created_ms, r.updated_ms), (50, 60));
        assert_eq!(a.holders_of("read", "db1"), ["role r@admin"]);
        assert_eq!(a.holders_of("root", "admin"), ["user mongouser@admin"]);

        a.apply(
            &AccountChange::DropUser {
                name: "app".into(),
                database: "admin".into(),
            },
            70,
        );
        a.apply(
            &AccountChange::DropRole {
                name: "r".into(),
                database: "admin".into(),
            },
            70,
        );
        assert_eq!(a.users.len(), 1);
        assert!(a.roles.is_empty());
    }

    #[test]
    fn users_of_older_state_files_derive_what_they_lack() {
        let old: User =
            serde_json::from_str(r#"{"name":"u","roles":[["read","db"]],"created_ms":5}"#).unwrap();
        assert_eq!(old.auth_role(), [(MASK_READ, "db".to_owned())]);
        assert_eq!(old.password_set_ms(), 5);
    }
}
