//! What the generators see of an instance ([`View`]): its nodes, databases
//! and collections, database users and client hosts; and the small
//! deterministic tools they share (a generator seeded by instance, stream and
//! time, the time formats of log lines).

use time::macros::{format_description, offset};
use time::OffsetDateTime;

use crate::archive::{self, ArchiveSpec, MIN_LEN};
use crate::state::instance::{Instance, NodeRole};
use crate::util::{fnv1a, splitmix64};

/// How far back logs are kept: seven days.
pub(crate) const RETENTION_MS: i64 = 7 * 86_400_000;

/// One minute, the unit entries are generated in.
pub(crate) const MINUTE_MS: i64 = 60_000;

/// A node as logs and operations name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    /// `<replica set>-node-primary`, …
    pub(crate) name: String,
    /// Its replica set or shard (the instance id for mongos nodes).
    pub(crate) replica_set: String,
    pub(crate) role: NodeRole,
    /// `ip:port`.
    pub(crate) address: String,
    /// `ip:port:<process id>`, the form `DescribeCurrentOp` names a node in.
    pub(crate) host: String,
}

impl Node {
    /// Whether it holds data (not a mongos).
    pub(crate) fn is_data(&self) -> bool {
        self.role != NodeRole::Mongos
    }

    /// `primary` or `secondary` (hidden and read-only nodes are secondaries).
    pub(crate) fn state(&self) -> &'static str {
        match self.role {
            NodeRole::Primary => "primary",
            NodeRole::Mongos => "mongos",
            _ => "secondary",
        }
    }
}

/// A client host connected to the instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Client {
    pub(crate) ip: String,
    pub(crate) count: u64,
    /// The service's own agents (monitoring, backup), not the user's.
    pub(crate) internal: bool,
}

/// A database user: `name@db` and its roles as `role@db,…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) roles: String,
}

/// What the generators see of an instance.
#[derive(Clone, Debug)]
pub(crate) struct View {
    pub(crate) id: String,
    /// `44` for `MONGO_44_WT`.
    pub(crate) version: u32,
    pub(crate) nodes: Vec<Node>,
    /// Databases (sorted) and their collections (sorted).
    pub(crate) namespaces: Vec<(String, Vec<String>)>,
    pub(crate) users: Vec<User>,
    /// Sorted by connection count, most first.
    pub(crate) clients: Vec<Client>,
}

impl View {
    pub(crate) fn of(instance: &Instance) -> View {
        let mut nodes: Vec<Node> = instance
            .replica_sets
            .iter()
            .flat_map(|rs| rs.nodes.iter().map(move |n| (rs.id.as_str(), n)))
            .chain(instance.mongos.iter().map(|n| (instance.id.as_str(), n)))
            .map(|(set, n)| Node {
                name: n.id.clone(),
                replica_set: set.to_owned(),
                role: n.role,
                address: n.address.clone(),
                host: format!(
                    "{}:{}",
                    n.address,
                    1_000_000 + splitmix64(fnv1a(&[&n.id])) % 9_000_000
                ),
            })
            .collect();
        nodes.sort_by_key(|n| !n.is_data());
        let users = instance
            .accounts
            .users
            .iter()
            .map(|u| User {
                name: format!("{}@{}", u.name, u.database),
                roles: u
                    .roles
                    .iter()
                    .map(|(r, db)| format!("{r}@{db}"))
                    .collect::<Vec<_>>()
                    .join(","),
            })
            .collect();
        View {
            version: version_number(&instance.mongo_version),
            namespaces: namespaces(instance),
            clients: clients(&instance.id),
            users,
            nodes,
            id: instance.id.clone(),
        }
    }

    /// Every `db.collection`.
    pub(crate) fn collections(&self) -> Vec<(String, String)> {
        self.namespaces
            .iter()
            .flat_map(|(db, colls)| colls.iter().map(move |c| (db.clone(), c.clone())))
            .collect()
    }

    /// The data nodes (primaries first within each replica set).
    pub(crate) fn data_nodes(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes.iter().enumerate().filter(|(_, n)| n.is_data())
    }

    /// The node called `name`.
    pub(crate) fn node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The generator of `stream` for the period starting at `unit` (minutes,
    /// ten-minute slices, …): the same for the same instance and period in
    /// every emulator.
    pub(crate) fn rng(&self, stream: &str, unit: i64) -> Rng {
        Rng(splitmix64(fnv1a(&[&self.id, stream]) ^ unit as u64))
    }
}

/// `MONGO_44_WT` → 44 (0 when unreadable).
fn version_number(code: &str) -> u32 {
    code.trim_start_matches("MONGO_")
        .split('_')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The databases and collections of the instance: what a logical backup
/// archive of each of its replica sets holds, for the archive planner seeded by
/// the instance and replica set alone (so they depend on nothing else).
fn namespaces(instance: &Instance) -> Vec<(String, Vec<String>)> {
    let mut pairs: Vec<(String, String)> = instance
        .replica_sets
        .iter()
        .flat_map(|rs| {
            archive::namespaces(&ArchiveSpec {
                instance_id: instance.id.clone(),
                backup_name: String::new(),
                replica_set_id: rs.id.clone(),
                method: 0,
                len: MIN_LEN,
                mtime_secs: 0,
            })
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (db, coll) in pairs {
        match out.last_mut() {
            Some((d, colls)) if *d == db => colls.push(coll),
            _ => out.push((db, vec![coll])),
        }
    }
    out
}

/// The client hosts of an instance: a few application servers in its VPC and
/// the service's own agents.
fn clients(instance_id: &str) -> Vec<Client> {
    let mut rng = Rng(fnv1a(&[instance_id, "clients"]));
    let apps = 3 + rng.below(6);
    let agents = 1 + rng.below(2);
    let mut out = Vec::new();
    for _ in 0..apps {
        out.push(Client {
            ip: format!("10.0.{}.{}", rng.below(8), 2 + rng.below(250)),
            count: 1 + rng.below(150),
            internal: false,
        });
    }
    for _ in 0..agents {
        out.push(Client {
            ip: format!(
                "9.{}.{}.{}",
                20 + rng.below(200),
                rng.below(256),
                2 + rng.below(250)
            ),
            count: 1 + rng.below(6),
            internal: true,
        });
    }
    out.sort_by(|a, b| a.ip.cmp(&b.ip));
    out.dedup_by(|a, b| a.ip == b.ip);
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.ip.cmp(&b.ip)));
    out
}

/// A small deterministic generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix64(self.0)
    }

    /// A number in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of `items` (not empty).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The minutes that overlap `start_ms..end_ms`.
pub(crate) fn minutes(start_ms: i64, end_ms: i64) -> std::ops::Range<i64> {
    start_ms.div_euclid(MINUTE_MS)..end_ms.saturating_add(MINUTE_MS - 1).div_euclid(MINUTE_MS)
}

fn beijing(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset!(+8))
}

/// `Mon Apr 20 13:55:21.623`, the time at the start of a text log line (UTC+8).
pub(crate) fn ctime(ms: i64) -> String {
    beijing(ms)
        .format(format_description!(
            "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second].[subsecond digits:3]"
        ))
        .unwrap_or_default()
}

/// `2020-04-20T13:55:21.623+08:00`, the time of a JSON log line.
pub(crate) fn iso(ms: i64) -> String {
    beijing(ms)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+08:00"
        ))
        .unwrap_or_default()
}

/// `2020-04-20 13:55:21.623` (UTC+8).
pub(crate) fn millis(ms: i64) -> String {
    beijing(ms)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
        ))
        .unwrap_or_default()
}

/// One CSV record (RFC 4180: a field with a comma, quote or line break is
/// quoted, quotes doubled), with its line break. Written here rather than
/// with a CSV crate: the files are written once, a record at a time, and this
/// is the whole of the rule.
pub(crate) fn format_csv(fields: &[&str]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_minutes() {
        let ms = 1_587_362_121_623; // 2020-04-20 05:55:21.623 UTC
        assert_eq!(ctime(ms), "Mon Apr 20 13:55:21.623");
        assert_eq!(iso(ms), "2020-04-20T13:55:21.623+08:00");
        assert_eq!(millis(ms), "2020-04-20 13:55:21.623");
        assert_eq!(minutes(0, 60_000), 0..1);
        assert_eq!(minutes(30_000, 60_001), 0..2);
        assert_eq!(version_number("MONGO_44_WT"), 44);
        assert_eq!(version_number("MONGO_3_WT"), 3);
        assert_eq!(
            format_csv(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\n"
        );
    }

    #[test]
    fn namespaces_are_those_of_the_instances_logical_archives() {
        let state = crate::state::State::seeded(1_700_000_000_000, (65_536, 65_536));
        let instance = state.find_instance("cmgo-demo0002").unwrap();
        let view = View::of(instance);
        assert!(view.namespaces.len() >= 2, "{:?}", view.namespaces);
        // Every collection is a `.bson` file of the archive of some shard.
        let mut in_archives = std::collections::BTreeSet::new();
        for rs in &instance.replica_sets {
            let spec = ArchiveSpec {
                instance_id: instance.id.clone(),
                backup_name: String::new(),
                replica_set_id: rs.id.clone(),
                method: 0,
                len: MIN_LEN,
                mtime_secs: 0,
            };
            let layout = archive::Layout::plan(&spec);
            let mut bytes = vec![0u8; layout.len() as usize];
            layout.read_at(0, &mut bytes);
            let mut tar = tar::Archive::new(&bytes[..]);
            for entry in tar.entries().unwrap() {
                let path = entry
                    .unwrap()
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if let Some(ns) = path.strip_suffix(".bson") {
                    in_archives.insert(ns.replace('/', "."));
                }
            }
        }
        let ours: std::collections::BTreeSet<String> = view
            .collections()
            .into_iter()
            .map(|(d, c)| format!("{d}.{c}"))
            .collect();
        assert_eq!(ours, in_archives);
        assert_eq!(view.nodes.last().unwrap().role, NodeRole::Mongos);
        assert_eq!(view.node("cmgo-demo0002_1-node-primary"), Some(3));
    }

    #[test]
    fn clients_are_distinct_and_sorted() {
        let c = clients("cmgo-demo0001");
        assert!(c.len() >= 4, "{c:?}");
        assert!(c.windows(2).all(|w| w[0].count >= w[1].count));
        assert!(c.iter().any(|x| x.internal) && c.iter().any(|x| !x.internal));
        assert_eq!(c, clients("cmgo-demo0001"));
    }
}
