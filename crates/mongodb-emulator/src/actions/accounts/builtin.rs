//! MongoDB's built-in roles as `DescribeInstanceRoles` lists them, and the
//! privilege actions custom roles may grant (every action some built-in role
//! grants). Database roles exist in every database; cluster roles in `admin`
//! only. Privileges are a representative subset of what MongoDB grants.

use crate::state::accounts::{Privilege, ADMIN_DB};

/// `RoleType` of a built-in role that exists in every database.
pub(super) const BUILTIN_DATABASE: &str = "builtin_database";
/// `RoleType` of a built-in role of the whole instance (in `admin`).
pub(super) const BUILTIN_CLUSTER: &str = "builtin_cluster";
/// `RoleType` of a role made with `CreateInstanceRole`.
pub(super) const CUSTOM: &str = "custom";

/// Every `RoleType` value.
pub(super) const ROLE_TYPES: [&str; 3] = [BUILTIN_DATABASE, BUILTIN_CLUSTER, CUSTOM];

const READ: &[&str] = &[
    "changeStream",
    "collStats",
    "dbHash",
    "dbStats",
    "find",
    "killCursors",
    "listCollections",
    "listIndexes",
];
const WRITE: &[&str] = &[
    "convertToCapped",
    "createCollection",
    "createIndex",
    "dropCollection",
    "dropIndex",
    "insert",
    "remove",
    "renameCollectionSameDB",
    "update",
];
const DB_ADMIN: &[&str] = &[
    "bypassDocumentValidation",
    "collMod",
    "collStats",
    "compact",
    "convertToCapped",
    "createCollection",
    "createIndex",
    "dbStats",
    "dropCollection",
    "dropDatabase",
    "dropIndex",
    "enableProfiler",
    "listCollections",
    "listIndexes",
    "reIndex",
    "renameCollectionSameDB",
    "validate",
];
const USER_ADMIN: &[&str] = &[
    "changeCustomData",
    "changePassword",
    "createRole",
    "createUser",
    "dropRole",
    "dropUser",
    "grantRole",
    "revokeRole",
    "setAuthenticationRestriction",
    "viewRole",
    "viewUser",
];
const CLUSTER_MONITOR: &[&str] = &[
    "connPoolStats",
    "getCmdLineOpts",
    "getLog",
    "hostInfo",
    "inprog",
    "listDatabases",
    "listSessions",
    "replSetGetStatus",
    "serverStatus",
    "top",
];
const CLUSTER_MANAGER: &[&str] = &[
    "addShard",
    "cleanupOrphaned",
    "enableSharding",
    "flushRouterConfig",
    "listShards",
    "removeShard",
    "replSetConfigure",
    "replSetGetConfig",
    "replSetStateChange",
];
const HOST_MANAGER: &[&str] = &[
    "cpuProfiler",
    "fsync",
    "killAnyCursor",
    "killAnySession",
    "killop",
    "logRotate",
    "resync",
    "setParameter",
    "shutdown",
];
const CLUSTER_ADMIN: &[&str] = &["dropConnections", "getParameter"];
const BACKUP: &[&str] = &[
    "appendOplogNote",
    "getParameter",
    "listDatabases",
    "serverStatus",
];
const RESTORE: &[&str] = &[
    "bypassDocumentValidation",
    "collMod",
    "createCollection",
    "createIndex",
    "dropCollection",
    "insert",
    "update",
];
const USER_ADMIN_CLUSTER: &[&str] = &["authSchemaUpgrade", "invalidateUserCache", "listDatabases"];
const LIST_DATABASES: &[&str] = &["listDatabases"];

/// One built-in role.
pub(super) struct Builtin {
    pub(super) name: &'static str,
    /// [`BUILTIN_DATABASE`] or [`BUILTIN_CLUSTER`].
    pub(super) role_type: &'static str,
    /// Actions on the role's database (database roles) or on every database
    /// (cluster roles).
    data: &'static [&'static [&'static str]],
    /// Actions on the cluster.
    cluster: &'static [&'static str],
    /// Inherited built-in roles, in the same database.
    pub(super) inherits: &'static [&'static str],
}

const fn db_role(
    name: &'static str,
    data: &'static [&'static [&'static str]],
    inherits: &'static [&'static str],
) -> Builtin {
    Builtin {
        name,
        role_type: BUILTIN_DATABASE,
        data,
        cluster: &[],
        inherits,
    }
}

const fn cluster_role(
    name: &'static str,
    data: &'static [&'static [&'static str]],
    cluster: &'static [&'static str],
    inherits: &'static [&'static str],
) -> Builtin {
    Builtin {
        name,
        role_type: BUILTIN_CLUSTER,
        data,
        cluster,
        inherits,
    }
}

/// The built-in roles, database roles first.
pub(super) const BUILTINS: &[Builtin] = &[
    db_role("read", &[READ], &[]),
    db_role("readWrite", &[READ, WRITE], &[]),
    db_role("dbAdmin", &[DB_ADMIN], &[]),
    db_role("userAdmin", &[USER_ADMIN], &[]),
    db_role("dbOwner", &[], &["readWrite", "dbAdmin", "userAdmin"]),
    cluster_role("clusterMonitor", &[], CLUSTER_MONITOR, &[]),
    cluster_role("clusterManager", &[], CLUSTER_MANAGER, &[]),
    cluster_role("hostManager", &[], HOST_MANAGER, &[]),
    cluster_role(
        "clusterAdmin",
        &[],
        CLUSTER_ADMIN,
        &["clusterManager", "clusterMonitor", "hostManager"],
    ),
    cluster_role("backup", &[READ], BACKUP, &[]),
    cluster_role("restore", &[RESTORE], &[], &[]),
    cluster_role("readAnyDatabase", &[READ], LIST_DATABASES, &[]),
    cluster_role("readWriteAnyDatabase", &[READ, WRITE], LIST_DATABASES, &[]),
    cluster_role(
        "userAdminAnyDatabase",
        &[USER_ADMIN],
        USER_ADMIN_CLUSTER,
        &[],
    ),
    cluster_role("dbAdminAnyDatabase", &[DB_ADMIN], LIST_DATABASES, &[]),
    cluster_role(
        "root",
        &[],
        &[],
        &[
            "readWriteAnyDatabase",
            "dbAdminAnyDatabase",
            "userAdminAnyDatabase",
            "clusterAdmin",
            "restore",
            "backup",
        ],
    ),
];

impl Builtin {
    /// Whether the role exists in `database`.
    pub(super) fn exists_in(&self, database: &str) -> bool {
        self.role_type == BUILTIN_DATABASE || database == ADMIN_DB
    }

    /// Its privileges as listed for `database`.
    pub(super) fn privileges(&self, database: &str) -> Vec<Privilege> {
        let on = if self.role_type == BUILTIN_DATABASE {
            database
        } else {
            ""
        };
        let mut out = Vec::new();
        let mut data: Vec<String> = Vec::new();
        for group in self.data {
            for a in *group {
                if !data.iter().any(|d| d == a) {
                    data.push((*a).to_owned());
                }
            }
        }
        if !data.is_empty() {
            data.sort();
            out.push(Privilege {
                cluster: false,
                database: on.to_owned(),
                collection: String::new(),
                actions: data,
            });
        }
        if !self.cluster.is_empty() {
            out.push(Privilege {
                cluster: true,
                database: String::new(),
                collection: String::new(),
                actions: self.cluster.iter().map(|a| (*a).to_owned()).collect(),
            });
        }
        out
    }
}

/// The built-in role `name` if it exists in `database`.
pub(super) fn builtin(name: &str, database: &str) -> Option<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.name == name && b.exists_in(database))
}

/// Whether `name` is a built-in role's name (in any database).
pub(super) fn is_builtin_name(name: &str) -> bool {
    BUILTINS.iter().any(|b| b.name == name)
}

/// Whether a custom role may grant `action`.
pub(super) fn known_action(action: &str) -> bool {
    BUILTINS
        .iter()
        .any(|b| b.cluster.contains(&action) || b.data.iter().any(|group| group.contains(&action)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_consistent() {
        assert_eq!(BUILTINS.len(), 16);
        for b in BUILTINS {
            assert!(ROLE_TYPES.contains(&b.role_type));
            for parent in b.inherits {
                let p = builtin(parent, ADMIN_DB).expect("inherited roles are built in");
                assert!(
                    p.role_type == b.role_type || b.role_type == BUILTIN_CLUSTER,
                    "{} inherits {parent}",
                    b.name
                );
            }
            assert!(
                !b.privileges(ADMIN_DB).is_empty() || !b.inherits.is_empty(),
                "{} grants something",
                b.name
            );
        }
        assert!(builtin("read", "sales").is_some());
        assert!(builtin("root", "sales").is_none() && builtin("root", "admin").is_some());
        let rw = builtin("readWrite", "sales").unwrap().privileges("sales");
        assert_eq!(rw[0].database, "sales");
        assert!(rw[0].actions.contains(&"insert".to_owned()) && !rw[0].cluster);
        assert!(known_action("find") && known_action("shutdown") && !known_action("fnd"));
        assert!(is_builtin_name("dbOwner") && !is_builtin_name("owner"));
    }
}
