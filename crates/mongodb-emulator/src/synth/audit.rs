//! Audit logs: what the instance's database users did, from its client hosts,
//! a couple of operations a minute, generated per minute like the other logs.

use super::view::{format_csv, minutes, View};
use crate::state::logs::{AuditFilter, AuditOrderBy};
use crate::util::format_time;

/// One audited operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) at_ms: i64,
    /// `name@db`.
    pub(crate) user: String,
    /// `role@db,…`.
    pub(crate) roles: String,
    pub(crate) host: String,
    pub(crate) atype: &'static str,
    pub(crate) param: String,
    /// 0 success; otherwise the server's error code.
    pub(crate) result: i64,
    pub(crate) affect_rows: u64,
    /// Milliseconds.
    pub(crate) exec_ms: u64,
}

const ATYPES: &[&str] = &[
    "insert",
    "insert",
    "update",
    "update",
    "delete",
    "find",
    "find",
    "find",
    "authenticate",
    "createIndex",
    "createCollection",
    "dropCollection",
];

impl Entry {
    /// Whether it passes `f`.
    pub(crate) fn matches(&self, f: &AuditFilter) -> bool {
        let user_name = self.user.split('@').next().unwrap_or_default();
        (f.hosts.is_empty() || f.hosts.contains(&self.host))
            && (f.users.is_empty() || f.users.iter().any(|u| *u == self.user || u == user_name))
            && f.exec_time_above.is_none_or(|t| self.exec_ms > t)
            && f.affect_rows_above.is_none_or(|r| self.affect_rows > r)
            && (f.atypes.is_empty() || f.atypes.iter().any(|a| a.eq_ignore_ascii_case(self.atype)))
            && (f.results.is_empty()
                || f.results
                    .iter()
                    .any(|r| r.trim() == self.result.to_string()))
            && (f.params.is_empty() || f.params.iter().any(|p| self.param.contains(p.as_str())))
    }

    /// The CSV line of the audit log file.
    pub(crate) fn csv(&self) -> String {
        format_csv(&[
            &format_time(self.at_ms),
            &self.user,
            &self.host,
            self.atype,
            &self.param,
            &self.result.to_string(),
            &self.affect_rows.to_string(),
            &self.exec_ms.to_string(),
            &self.roles,
        ])
    }
}

/// The header of the audit log file.
pub(crate) const CSV_HEADER: &str =
    "Timestamp,User,Host,Atype,Param,Result,AffectRows,ExecTime(ms),Roles\n";

/// Every audited operation in `start_ms..end_ms`, oldest first.
pub(crate) fn entries(view: &View, start_ms: i64, end_ms: i64) -> Vec<Entry> {
    let hosts: Vec<&str> = view
        .clients
        .iter()
        .filter(|c| !c.internal)
        .map(|c| c.ip.as_str())
        .collect();
    let collections = view.collections();
    if view.users.is_empty() || hosts.is_empty() || collections.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for minute in minutes(start_ms, end_ms) {
        let mut rng = view.rng("audit", minute);
        let n = [0, 1, 1, 2, 2, 2, 3, 4][rng.below(8) as usize];
        let mut here = Vec::new();
        for _ in 0..n {
            let at_ms = minute * 60_000 + rng.below(60_000) as i64;
            let user = rng.pick(&view.users);
            let host = *rng.pick(&hosts);
            let atype = *rng.pick(ATYPES);
            let (db, coll) = rng.pick(&collections);
            let id = format!("{:024x}", u128::from(rng.next()) << 32);
            let (param, rows) = match atype {
                "insert" => (
                    format!("{{ ns: {db}.{coll}, cmd: {{ _id: ObjectId('{id}'), status: \"new\" }} }}"),
                    1,
                ),
                "update" => (
                    format!("{{ ns: {db}.{coll}, cmd: {{ q: {{ _id: ObjectId('{id}') }}, u: {{ $set: {{ status: \"done\" }} }} }} }}"),
                    rng.below(3),
                ),
                "delete" => (
                    format!("{{ ns: {db}.{coll}, cmd: {{ q: {{ status: \"expired\" }}, limit: 0 }} }}"),
                    rng.below(40),
                ),
                "find" => (
                    format!("{{ ns: {db}.{coll}, cmd: {{ filter: {{ status: \"new\" }}, limit: 20 }} }}"),
                    0,
                ),
                "authenticate" => (
                    format!("{{ user: \"{}\", mechanism: \"SCRAM-SHA-256\" }}", user.name),
                    0,
                ),
                "createIndex" => (
                    format!("{{ ns: {db}.{coll}, indexName: \"status_1\", indexSpec: {{ status: 1 }} }}"),
                    0,
                ),
                _ => (format!("{{ ns: {db}.{coll} }}"), 0),
            };
            let result = match (atype, rng.below(20)) {
                ("authenticate", 0..=2) => 18,
                (_, 0) => 13,
                _ => 0,
            };
            let entry = Entry {
                at_ms,
                user: user.name.clone(),
                roles: user.roles.clone(),
                host: host.to_owned(),
                atype,
                param,
                result,
                affect_rows: if result == 0 { rows } else { 0 },
                exec_ms: rng.below(12) * rng.below(12),
            };
            if (start_ms..end_ms).contains(&at_ms) {
                here.push(entry);
            }
        }
        here.sort_by_key(|e| e.at_ms);
        out.extend(here);
    }
    out
}

/// Sorts `entries` by `order_by` (ties keep time order), newest or largest
/// first when `descending`.
pub(crate) fn sort(entries: &mut [Entry], order_by: AuditOrderBy, descending: bool) {
    entries.sort_by_key(|e| {
        let key = match order_by {
            AuditOrderBy::Timestamp => 0,
            AuditOrderBy::AffectRows => e.affect_rows,
            AuditOrderBy::ExecTime => e.exec_ms,
        };
        (key, e.at_ms)
    });
    if descending {
        entries.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    #[test]
    fn audit_entries_use_the_users_and_hosts_and_filter() {
        let state = State::seeded(1_700_000_000_000, (65_536, 65_536));
        let v = View::of(state.find_instance("cmgo-demo0001").unwrap());
        let all = entries(&v, 1_700_000_000_000, 1_700_000_000_000 + 3_600_000);
        assert!(all.len() > 60, "{}", all.len());
        assert!(all
            .iter()
            .all(|e| e.user == "mongouser@admin" && e.roles == "root@admin"));
        assert!(all
            .iter()
            .all(|e| v.clients.iter().any(|c| c.ip == e.host && !c.internal)));
        let f = AuditFilter {
            users: vec!["mongouser".into()],
            atypes: vec!["INSERT".into()],
            affect_rows_above: Some(0),
            ..AuditFilter::default()
        };
        let inserts: Vec<&Entry> = all.iter().filter(|e| e.matches(&f)).collect();
        assert!(!inserts.is_empty());
        assert!(inserts
            .iter()
            .all(|e| e.atype == "insert" && e.affect_rows == 1));
        let mut sorted = all.clone();
        sort(&mut sorted, AuditOrderBy::ExecTime, true);
        assert!(sorted.windows(2).all(|w| w[0].exec_ms >= w[1].exec_ms));
        assert!(all[0].csv().starts_with(&format_time(all[0].at_ms)));
    }
}
