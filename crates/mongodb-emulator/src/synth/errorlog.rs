//! The error (running) log: warnings and errors of the instance's nodes, a
//! few an hour, generated per minute like the slow logs. Each has a level
//! (`WARNING`, `ERROR`), a component (`NETWORK`, `REPL`, …), a message id, the
//! connection or thread it came from, and a detail.

use super::view::{millis, minutes, Rng, View};
use crate::state::logs::ErrorLogFilter;

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) at_ms: i64,
    /// Index in the view's nodes.
    pub(crate) node: usize,
    pub(crate) level: &'static str,
    pub(crate) component: &'static str,
    /// The message id, as a string of digits.
    pub(crate) id: String,
    /// `conn12345`, or the thread that logged it.
    pub(crate) connection: String,
    pub(crate) detail: String,
}

/// What can be logged: level, component, message id, and whether it comes
/// from a client connection (else from the named thread).
const KINDS: &[(&str, &str, u32, Option<&str>)] = &[
    ("WARNING", "NETWORK", 22988, None),
    ("WARNING", "ACCESS", 20249, None),
    ("WARNING", "COMMAND", 20525, None),
    ("WARNING", "STORAGE", 22430, Some("WTCheckpointThread")),
    ("WARNING", "REPL", 21799, Some("ReplCoord-3")),
    ("ERROR", "REPL", 21789, Some("ReplCoord-1")),
    ("ERROR", "QUERY", 22761, None),
    ("WARNING", "CONTROL", 22942, None),
    (
        "ERROR",
        "NETWORK",
        4333208,
        Some("ReplicaSetMonitor-TaskExecutor"),
    ),
    ("WARNING", "SHARDING", 21872, Some("Balancer")),
];

impl Entry {
    /// The line of the error log file.
    pub(crate) fn line(&self, view: &View) -> String {
        format!(
            "{} {} {} [{}] {} {} ({})",
            millis(self.at_ms),
            self.level,
            self.component,
            self.connection,
            self.id,
            self.detail,
            view.nodes[self.node].name
        )
    }

    /// Whether it passes `f` (every non-empty list must hold its value;
    /// keywords: any of them in the detail, `*` any).
    pub(crate) fn matches(&self, view: &View, f: &ErrorLogFilter) -> bool {
        let any = |list: &[String], v: &str| {
            list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case(v))
        };
        any(&f.node_names, &view.nodes[self.node].name)
            && any(&f.components, self.component)
            && any(&f.levels, self.level)
            && any(&f.ids, &self.id)
            && any(&f.connections, &self.connection)
            && (f.keywords.is_empty()
                || f.keywords.iter().any(|k| {
                    let k = k.trim();
                    k.is_empty() || k == "*" || self.detail.contains(k)
                }))
    }
}

/// Every entry in `start_ms..end_ms`, oldest first.
pub(crate) fn entries(view: &View, start_ms: i64, end_ms: i64) -> Vec<Entry> {
    let sharded = view.nodes.iter().any(|n| !n.is_data());
    let kinds: Vec<&(&str, &str, u32, Option<&str>)> = KINDS
        .iter()
        .filter(|k| sharded || k.1 != "SHARDING")
        .collect();
    if view.nodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for minute in minutes(start_ms, end_ms) {
        let mut rng = view.rng("errorlog", minute);
        let n = [0, 0, 0, 0, 1, 1, 1, 2][rng.below(8) as usize];
        let mut here = Vec::new();
        for _ in 0..n {
            let at_ms = minute * 60_000 + rng.below(60_000) as i64;
            let node = rng.below(view.nodes.len() as u64) as usize;
            let &&(level, component, id, thread) = rng.pick(&kinds);
            let connection = match thread {
                Some(t) => t.to_owned(),
                None => format!("conn{}", 1_000 + rng.below(90_000)),
            };
            let detail = detail(view, node, component, &mut rng);
            if (start_ms..end_ms).contains(&at_ms) {
                here.push(Entry {
                    at_ms,
                    node,
                    level,
                    component,
                    id: id.to_string(),
                    connection,
                    detail,
                });
            }
        }
        here.sort_by_key(|e| (e.at_ms, e.node));
        out.extend(here);
    }
    out
}

fn detail(view: &View, node: usize, component: &str, rng: &mut Rng) -> String {
    let client = view
        .clients
        .get(rng.below(view.clients.len().max(1) as u64) as usize)
        .map_or("10.0.0.2", |c| c.ip.as_str());
    let port = 40_000 + rng.below(20_000);
    let peer = view
        .nodes
        .iter()
        .filter(|n| n.replica_set == view.nodes[node].replica_set && n.is_data())
        .map(|n| n.address.as_str())
        .find(|a| *a != view.nodes[node].address)
        .unwrap_or("127.0.0.1:7001");
    let ns = view
        .collections()
        .first()
        .map(|(d, c)| format!("{d}.{c}"))
        .unwrap_or_else(|| "test.items".to_owned());
    match component {
        "NETWORK" if rng.below(2) == 0 => format!(
            "Connection ended with an error {{\"remote\":\"{client}:{port}\",\"error\":\"HostUnreachable: Connection reset by peer\"}}"
        ),
        "NETWORK" => format!(
            "No suitable host answered in time {{\"replicaSet\":\"{}\",\"error\":\"FailedToSatisfyReadPreference\"}}",
            view.nodes[node].replica_set
        ),
        "ACCESS" => format!(
            "Authentication failed {{\"mechanism\":\"SCRAM-SHA-256\",\"user\":\"app\",\"db\":\"admin\",\"client\":\"{client}:{port}\",\"result\":\"UserNotFound\"}}"
        ),
        "COMMAND" => format!(
            "Could not gather storage statistics for a slow operation {{\"ns\":\"{ns}\",\"error\":\"LockTimeout\"}}"
        ),
        "STORAGE" => format!(
            "Cache eviction is falling behind {{\"cacheUsedPercent\":{}}}",
            90 + rng.below(9)
        ),
        "REPL" if rng.below(2) == 0 => format!(
            "Heartbeat took longer than expected {{\"target\":\"{peer}\",\"durationMillis\":{}}}",
            2_000 + rng.below(8_000)
        ),
        "REPL" => format!(
            "Heartbeat failed {{\"target\":\"{peer}\",\"error\":\"NetworkInterfaceExceededTimeLimit\"}}"
        ),
        "QUERY" => format!(
            "Plan executor error {{\"ns\":\"{ns}\",\"error\":\"Sort exceeded memory limit of 104857600 bytes\"}}"
        ),
        "CONTROL" => format!(
            "Connections are close to the limit {{\"current\":{},\"client\":\"{client}:{port}\"}}",
            3_000 + rng.below(900)
        ),
        _ => format!("Chunk migration failed {{\"ns\":\"{ns}\",\"error\":\"ChunkTooBig\"}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    #[test]
    fn entries_are_deterministic_and_filters_select() {
        let state = State::seeded(1_700_000_000_000, (65_536, 65_536));
        let v = View::of(state.find_instance("cmgo-demo0001").unwrap());
        let (a, b) = (1_700_000_000_000, 1_700_000_000_000 + 6 * 3_600_000);
        let all = entries(&v, a, b);
        assert_eq!(all, entries(&v, a, b));
        assert!(all.len() > 50, "{}", all.len());
        assert!(
            all.iter().all(|e| e.component != "SHARDING"),
            "a replica set"
        );
        let f = ErrorLogFilter {
            levels: vec!["error".into()],
            ..ErrorLogFilter::default()
        };
        let errors: Vec<&Entry> = all.iter().filter(|e| e.matches(&v, &f)).collect();
        assert!(!errors.is_empty() && errors.len() < all.len());
        assert!(errors.iter().all(|e| e.level == "ERROR"));
        let f = ErrorLogFilter {
            keywords: vec!["*".into()],
            connections: vec![all[0].connection.clone()],
            ..ErrorLogFilter::default()
        };
        assert!(all.iter().filter(|e| e.matches(&v, &f)).count() >= 1);
        assert!(all[0].line(&v).contains(&all[0].detail));
    }
}
