//! Database accounts and roles of an instance (family: accounts). Passwords are
//! never kept: only a SHA-256 digest, so a dumped state holds no secret.
//! Every member defaults, so state files written before a member existed still
//! load.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The accounts and roles of one instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceAccounts {
    pub(crate) users: Vec<User>,
    pub(crate) roles: Vec<Role>,
}

impl InstanceAccounts {
    /// The accounts a new instance has: `mongouser` in `admin`, with the
    /// password given at purchase (if any).
    pub(crate) fn initial(password: Option<&str>, now_ms: i64) -> Self {
        InstanceAccounts {
            users: vec![User {
                name: "mongouser".to_owned(),
                database: "admin".to_owned(),
                password_sha256: password.map(digest).unwrap_or_default(),
                roles: vec![("root".to_owned(), "admin".to_owned())],
                description: "default account".to_owned(),
                created_ms: now_ms,
                updated_ms: now_ms,
            }],
            roles: Vec::new(),
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
    pub(crate) description: String,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}

/// A custom role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Role {
    pub(crate) name: String,
    pub(crate) database: String,
    /// Privileges as (resource namespace, actions).
    pub(crate) privileges: Vec<(String, Vec<String>)>,
    /// Inherited roles as (role, database).
    pub(crate) inherited: Vec<(String, String)>,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}
