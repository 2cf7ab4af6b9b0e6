//! Slow query logs: a few query shapes per instance (a command on one of its
//! collections, filtering on one field), and for every minute a handful of
//! slow executions of them on its nodes, each with its duration, plan and
//! counters. The same instance and minute give the same entries in every
//! emulator; filters (threshold, commands, nodes, keywords) apply afterwards,
//! and the statistics (`DescribeSlowLogPatterns`) aggregate exactly the
//! entries a listing gives.

use serde_json::{json, Value};

use super::view::{ctime, iso, minutes, Node, Rng, View};
use crate::util::fnv1a;

/// The shortest slow query, in milliseconds (the service's least `SlowMS`).
pub(crate) const MIN_SLOW_MS: u64 = 100;

/// Commands slow queries run.
const COMMANDS: &[&str] = &[
    "find",
    "aggregate",
    "update",
    "delete",
    "insert",
    "count",
    "distinct",
    "findAndModify",
    "getMore",
];

/// Fields queries filter on, with the values they take.
const FIELDS: &[(&str, &[&str])] = &[
    ("status", &["pending", "paid", "shipped", "cancelled"]),
    ("region", &["south", "north", "east", "west"]),
    ("type", &["click", "view", "purchase"]),
    (
        "email",
        &["ann@example.com", "bo@example.com", "cy@example.com"],
    ),
    ("sku", &["SKU-1042", "SKU-2210", "SKU-3307"]),
    ("userId", &["10452", "20931", "31877", "48210"]),
];

/// A kind of query: one command on one collection, filtering on one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) db: String,
    pub(crate) coll: String,
    pub(crate) command: &'static str,
    field: usize,
    indexed: bool,
    /// Eight upper-case hex digits, the same for every execution.
    pub(crate) query_hash: String,
}

impl Shape {
    pub(crate) fn ns(&self) -> String {
        format!("{}.{}", self.db, self.coll)
    }

    /// `db.collection.command`, how the statistics name it.
    pub(crate) fn pattern(&self) -> String {
        format!("{}.{}.{}", self.db, self.coll, self.command)
    }

    fn plan(&self) -> Option<String> {
        match self.command {
            "insert" | "getMore" => None,
            _ if self.indexed => Some(format!("IXSCAN {{ {}: 1 }}", FIELDS[self.field].0)),
            _ => Some("COLLSCAN".to_owned()),
        }
    }
}

/// One slow execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) at_ms: i64,
    /// Index in the view's nodes.
    pub(crate) node: usize,
    /// Index in the shapes.
    pub(crate) shape: usize,
    pub(crate) millis: u64,
    conn: u64,
    value: usize,
    keys: u64,
    docs: u64,
    returned: u64,
    yields: u64,
    reslen: u64,
}

/// Statistics of one shape over a set of entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) pattern: String,
    pub(crate) query_hash: String,
    pub(crate) count: u64,
    pub(crate) max_ms: u64,
    pub(crate) total_ms: u64,
}

impl Pattern {
    /// The mean duration, whole milliseconds rounded down.
    pub(crate) fn average_ms(&self) -> u64 {
        self.total_ms / self.count.max(1)
    }
}

/// The slow logs of one instance.
pub(crate) struct SlowLogs<'a> {
    view: &'a View,
    shapes: Vec<Shape>,
}

impl<'a> SlowLogs<'a> {
    pub(crate) fn new(view: &'a View) -> Self {
        let mut shapes = Vec::new();
        for (db, coll) in view.collections() {
            let mut rng = Rng(fnv1a(&[&view.id, &db, &coll, "shapes"]));
            for _ in 0..1 + rng.below(2) {
                let command = *rng.pick(COMMANDS);
                let field = rng.below(FIELDS.len() as u64) as usize;
                let hash = fnv1a(&[&db, &coll, command, FIELDS[field].0]) as u32;
                let shape = Shape {
                    db: db.clone(),
                    coll: coll.clone(),
                    command,
                    field,
                    indexed: rng.below(3) == 0,
                    query_hash: format!("{hash:08X}"),
                };
                if !shapes.contains(&shape) {
                    shapes.push(shape);
                }
            }
        }
        SlowLogs { view, shapes }
    }

    pub(crate) fn shape(&self, e: &Entry) -> &Shape {
        &self.shapes[e.shape]
    }

    pub(crate) fn node(&self, e: &Entry) -> &Node {
        &self.view.nodes[e.node]
    }

    /// Every slow execution in `start_ms..end_ms`, oldest first.
    pub(crate) fn entries(&self, start_ms: i64, end_ms: i64) -> Vec<Entry> {
        if self.shapes.is_empty() || self.view.nodes.is_empty() {
            return Vec::new();
        }
        let by_role = |primary: bool| -> Vec<usize> {
            self.view
                .data_nodes()
                .filter(|(_, n)| (n.state() == "primary") == primary)
                .map(|(i, _)| i)
                .collect()
        };
        let (primaries, secondaries) = (by_role(true), by_role(false));
        let mongos: Vec<usize> = (0..self.view.nodes.len())
            .filter(|i| !self.view.nodes[*i].is_data())
            .collect();
        let mut out = Vec::new();
        for minute in minutes(start_ms, end_ms) {
            let mut rng = self.view.rng("slow", minute);
            let n = [0, 0, 1, 1, 1, 2, 2, 3][rng.below(8) as usize];
            let mut here = Vec::new();
            for _ in 0..n {
                let at_ms = minute * 60_000 + rng.below(60_000) as i64;
                let roll = rng.below(10);
                let pool = match roll {
                    0 if !mongos.is_empty() => &mongos,
                    1 | 2 if !secondaries.is_empty() => &secondaries,
                    _ if !primaries.is_empty() => &primaries,
                    _ => &secondaries,
                };
                let node = *rng.pick(pool);
                let shape = rng.below(self.shapes.len() as u64) as usize;
                // Mostly just over the threshold, sometimes much longer.
                let band = rng.below(8).min(rng.below(8));
                let millis = (MIN_SLOW_MS << band) + rng.below(MIN_SLOW_MS << band);
                let returned = rng.below(101);
                let indexed = self.shapes[shape].indexed;
                let docs = if indexed {
                    returned + rng.below(500)
                } else {
                    5_000 + rng.below(400_000)
                };
                let e = Entry {
                    at_ms,
                    node,
                    shape,
                    millis,
                    conn: 1_000 + rng.below(90_000),
                    value: rng.below(8) as usize,
                    keys: if indexed { docs } else { 0 },
                    docs,
                    returned,
                    yields: docs / 1_000,
                    reslen: 200 + returned * (80 + rng.below(400)),
                };
                if (start_ms..end_ms).contains(&at_ms) {
                    here.push(e);
                }
            }
            here.sort_by_key(|e| (e.at_ms, e.node, e.shape));
            out.extend(here);
        }
        out
    }

    /// The command document of `e`, keys in order.
    fn command(&self, e: &Entry) -> Vec<(&'static str, Value)> {
        let s = self.shape(e);
        let (field, values) = FIELDS[s.field];
        let value = values[e.value % values.len()];
        let filter = json!({ field: value });
        let coll = json!(s.coll);
        let mut doc = match s.command {
            "find" => vec![("find", coll), ("filter", filter), ("limit", json!(20))],
            "aggregate" => vec![
                ("aggregate", coll),
                (
                    "pipeline",
                    json!([{ "$match": filter }, { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } }]),
                ),
                ("cursor", json!({})),
            ],
            "update" => vec![
                ("update", coll),
                (
                    "updates",
                    json!([{ "q": filter, "u": { "$set": { "checked": true } }, "multi": true }]),
                ),
                ("ordered", json!(true)),
            ],
            "delete" => vec![
                ("delete", coll),
                ("deletes", json!([{ "q": filter, "limit": 0 }])),
                ("ordered", json!(true)),
            ],
            "insert" => vec![("insert", coll), ("ordered", json!(true))],
            "count" => vec![("count", coll), ("query", filter)],
            "distinct" => vec![
                ("distinct", coll),
                ("key", json!(field)),
                ("query", json!({})),
            ],
            "findAndModify" => vec![
                ("findAndModify", coll),
                ("query", filter),
                ("update", json!({ "$inc": { "version": 1 } })),
            ],
            _ => vec![("getMore", json!(e.conn * 7_919)), ("collection", coll)],
        };
        doc.push(("$db", json!(s.db)));
        doc
    }

    /// The line in the service's native (text) form.
    pub(crate) fn text(&self, e: &Entry) -> String {
        let s = self.shape(e);
        let doc: Vec<String> = self
            .command(e)
            .iter()
            .map(|(k, v)| format!("{k}: {}", shell(v)))
            .collect();
        let plan = s
            .plan()
            .map(|p| format!(" planSummary: {p}"))
            .unwrap_or_default();
        format!(
            "{} I COMMAND  [conn{}] command {} command: {} {{ {} }}{plan} keysExamined:{} docsExamined:{} numYields:{} nreturned:{} queryHash:{} reslen:{} protocol:op_msg {}ms",
            ctime(e.at_ms),
            e.conn,
            s.ns(),
            s.command,
            doc.join(", "),
            e.keys,
            e.docs,
            e.yields,
            e.returned,
            s.query_hash,
            e.reslen,
            e.millis
        )
    }

    /// The line in MongoDB's structured (JSON) form, 4.4 and later.
    pub(crate) fn json(&self, e: &Entry) -> String {
        let s = self.shape(e);
        let doc: Vec<String> = self
            .command(e)
            .iter()
            .map(|(k, v)| format!("{}:{v}", json!(k)))
            .collect();
        let plan = s
            .plan()
            .map(|p| format!(",\"planSummary\":{}", json!(p)))
            .unwrap_or_default();
        format!(
            "{{\"t\":{{\"$date\":\"{}\"}},\"s\":\"I\",\"c\":\"COMMAND\",\"id\":51803,\"ctx\":\"conn{}\",\"msg\":\"Slow query\",\"attr\":{{\"type\":\"command\",\"ns\":{},\"command\":{{{}}}{plan},\"keysExamined\":{},\"docsExamined\":{},\"numYields\":{},\"nreturned\":{},\"queryHash\":\"{}\",\"reslen\":{},\"protocol\":\"op_msg\",\"durationMillis\":{}}}}}",
            iso(e.at_ms),
            e.conn,
            json!(s.ns()),
            doc.join(","),
            e.keys,
            e.docs,
            e.yields,
            e.returned,
            s.query_hash,
            e.reslen,
            e.millis
        )
    }

    /// Statistics per shape of `entries`: most executions first, then by name.
    pub(crate) fn patterns<'e>(
        &self,
        entries: impl IntoIterator<Item = &'e Entry>,
    ) -> Vec<Pattern> {
        let mut out: Vec<(usize, Pattern)> = Vec::new();
        for e in entries {
            match out.iter_mut().find(|(s, _)| *s == e.shape) {
                Some((_, p)) => {
                    p.count += 1;
                    p.max_ms = p.max_ms.max(e.millis);
                    p.total_ms += e.millis;
                }
                None => {
                    let s = self.shape(e);
                    out.push((
                        e.shape,
                        Pattern {
                            pattern: s.pattern(),
                            query_hash: s.query_hash.clone(),
                            count: 1,
                            max_ms: e.millis,
                            total_ms: e.millis,
                        },
                    ));
                }
            }
        }
        let mut out: Vec<Pattern> = out.into_iter().map(|(_, p)| p).collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.pattern.cmp(&b.pattern))
                .then_with(|| a.query_hash.cmp(&b.query_hash))
        });
        out
    }
}

/// A value the way the mongo shell prints it: bare keys, `{ k: v }`.
fn shell(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", shell(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(shell).collect();
            format!("[ {} ]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// The statistics as a CSV file (the slow log statistics download).
pub(crate) fn patterns_csv(patterns: &[Pattern]) -> String {
    let mut out = String::from("Pattern,QueryHash,Total,MaxTime(ms),AverageTime(ms)\n");
    for p in patterns {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            p.pattern,
            p.query_hash,
            p.count,
            p.max_ms,
            p.average_ms()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    fn view() -> View {
        let state = State::seeded(1_700_000_000_000, (65_536, 65_536));
        View::of(state.find_instance("cmgo-demo0002").unwrap())
    }

    #[test]
    fn entries_are_deterministic_in_their_window_and_sorted() {
        let v = view();
        let slow = SlowLogs::new(&v);
        let (a, b) = (1_700_000_000_000, 1_700_000_000_000 + 3_600_000);
        let all = slow.entries(a, b);
        assert_eq!(all, slow.entries(a, b));
        assert!(all.len() > 20, "{}", all.len());
        assert!(all.iter().all(|e| (a..b).contains(&e.at_ms)));
        assert!(all.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert!(all.iter().all(|e| e.millis >= MIN_SLOW_MS));
        // A window's entries are the union of its halves'.
        let mid = a + 1_234_567;
        let mut halves = slow.entries(a, mid);
        halves.extend(slow.entries(mid, b));
        assert_eq!(halves, all);
        // Sharded: mongos and both shards appear.
        let sets: std::collections::BTreeSet<&str> = all
            .iter()
            .map(|e| slow.node(e).replica_set.as_str())
            .collect();
        assert_eq!(sets.len(), 3, "{sets:?}");
    }

    #[test]
    fn lines_carry_what_the_statistics_count() {
        let v = view();
        let slow = SlowLogs::new(&v);
        let all = slow.entries(1_700_000_000_000, 1_700_000_600_000);
        let e = &all[0];
        let text = slow.text(e);
        assert!(text.ends_with(&format!(" {}ms", e.millis)), "{text}");
        assert!(text.contains(&format!("command {} command: ", slow.shape(e).ns())));
        let parsed: Value = serde_json::from_str(&slow.json(e)).expect("a JSON line");
        assert_eq!(parsed["attr"]["durationMillis"], e.millis);
        assert_eq!(parsed["attr"]["queryHash"], slow.shape(e).query_hash);
        assert!(parsed["attr"]["command"]
            .get(slow.shape(e).command)
            .is_some());
        let patterns = slow.patterns(&all);
        assert_eq!(
            patterns.iter().map(|p| p.count).sum::<u64>(),
            all.len() as u64
        );
        let csv = patterns_csv(&patterns);
        assert_eq!(csv.lines().count(), patterns.len() + 1);
    }
}
