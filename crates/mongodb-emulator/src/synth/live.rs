//! What runs on the instance right now: its operations (`DescribeCurrentOp`).
//! Operations start at times drawn per node and ten-minute slice and last from
//! a second to about half an hour; those under way at the emulator's clock
//! are current. (Client connections are part of the [`View`].)

use serde_json::json;

use super::view::View;

/// Operations start in slices of this length.
const SLICE_MS: i64 = 600_000;

/// The longest an operation lasts (ms): slices further back hold none that
/// still run.
const LONGEST_MS: i64 = 2_048_000 * 2;

/// Operation types and the command each runs.
const OPS: &[(&str, &str)] = &[
    ("query", "find"),
    ("query", "find"),
    ("getmore", "getMore"),
    ("update", "update"),
    ("insert", "insert"),
    ("remove", "delete"),
    ("command", "aggregate"),
    ("command", "createIndexes"),
    ("none", ""),
];

/// One operation under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Op {
    pub(crate) op_id: i64,
    /// Index in the view's nodes.
    pub(crate) node: usize,
    pub(crate) ns: String,
    /// `none`, `update`, `insert`, `query`, `command`, `getmore`, `remove`.
    pub(crate) op: &'static str,
    pub(crate) started_ms: i64,
    /// When it ends on its own.
    pub(crate) ends_ms: i64,
    /// The statement (JSON).
    pub(crate) query: String,
    /// The whole operation as `currentOp` reports it (JSON).
    pub(crate) operation: String,
    pub(crate) micros_running: u64,
}

/// The operations under way at `now_ms` on the data nodes, by start time.
pub(crate) fn current_ops(view: &View, now_ms: i64) -> Vec<Op> {
    let collections = view.collections();
    let clients: Vec<&str> = view.clients.iter().map(|c| c.ip.as_str()).collect();
    if collections.is_empty() || clients.is_empty() {
        return Vec::new();
    }
    let now_slice = now_ms.div_euclid(SLICE_MS);
    let first = (now_ms - LONGEST_MS).div_euclid(SLICE_MS);
    let mut out = Vec::new();
    for (idx, node) in view.data_nodes() {
        for slice in first..=now_slice {
            let mut rng = view.rng(&format!("ops/{}", node.name), slice);
            for _ in 0..rng.below(4) {
                let started_ms = slice * SLICE_MS + rng.below(SLICE_MS as u64) as i64;
                let band = rng.below(12);
                let lasts = (1_000 << band) + rng.below(1_000 << band) as i64;
                let op_id = 100_000_000 + (rng.next() % 1_900_000_000) as i64;
                let &(op, command) = rng.pick(OPS);
                let (db, coll) = rng.pick(&collections);
                let client = *rng.pick(&clients);
                let port = 40_000 + rng.below(20_000);
                let conn = 1_000 + rng.below(90_000);
                if !(started_ms <= now_ms && now_ms < started_ms + lasts) {
                    continue;
                }
                if node.state() == "secondary" && matches!(op, "update" | "insert" | "remove") {
                    continue;
                }
                let micros = (now_ms - started_ms) as u64 * 1_000;
                let (ns, query) = match command {
                    "" => (String::new(), json!({})),
                    "getMore" => (
                        format!("{db}.{coll}"),
                        json!({ "getMore": op_id * 3, "collection": coll }),
                    ),
                    "createIndexes" => (
                        format!("{db}.{coll}"),
                        json!({ "createIndexes": coll, "indexes": [{ "key": { "createdAt": 1 }, "name": "createdAt_1" }] }),
                    ),
                    c => (
                        format!("{db}.{coll}"),
                        json!({ c: coll, "filter": { "status": "pending" } }),
                    ),
                };
                let operation = json!({
                    "opid": op_id,
                    "desc": format!("conn{conn}"),
                    "client": format!("{client}:{port}"),
                    "active": true,
                    "op": op,
                    "ns": ns,
                    "command": query,
                    "secs_running": micros / 1_000_000,
                    "microsecs_running": micros,
                    "waitingForLock": false,
                });
                out.push(Op {
                    op_id,
                    node: idx,
                    ns,
                    op,
                    started_ms,
                    ends_ms: started_ms + lasts,
                    query: query.to_string(),
                    operation: operation.to_string(),
                    micros_running: micros,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.started_ms, o.op_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    #[test]
    fn operations_run_until_they_end() {
        let state = State::seeded(1_700_000_000_000, (65_536, 65_536));
        let v = View::of(state.find_instance("cmgo-demo0002").unwrap());
        let now = 1_700_000_000_000;
        let ops = current_ops(&v, now);
        assert!(ops.len() >= 3, "{ops:?}");
        assert_eq!(ops, current_ops(&v, now));
        for op in &ops {
            assert!(op.started_ms <= now && now < op.ends_ms);
            assert_eq!(op.micros_running, (now - op.started_ms) as u64 * 1000);
            assert!(v.nodes[op.node].is_data());
        }
        // One that ends soonest is gone after its end, the others still run.
        let first_end = ops.iter().map(|o| o.ends_ms).min().unwrap();
        let later = current_ops(&v, first_end);
        assert!(!later.iter().any(|o| o.ends_ms == first_end));
        let ids: Vec<i64> = later.iter().map(|o| o.op_id).collect();
        assert!(ops
            .iter()
            .filter(|o| o.ends_ms > first_end)
            .all(|o| ids.contains(&o.op_id)));
    }
}
