//! Cycles in a directed graph of `n` nodes: the strongly connected components (Tarjan), and in
//! each, a few short cycles that together pass through every edge of the component, so that
//! every import that has to move shows up in some reported cycle.

use std::collections::{BTreeSet, VecDeque};

/// Cycles as node lists (`[a, b]` for `a -> b -> a`), each starting at its smallest node, in
/// a stable order. Self-loops are not cycles here.
pub(crate) fn cycles(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    let mut adjacency = vec![BTreeSet::new(); n];
    for &(a, b) in edges {
        if a != b {
            adjacency[a].insert(b);
        }
    }
    let mut found = BTreeSet::new();
    for component in components(&adjacency) {
        if component.len() < 2 {
            continue;
        }
        let inside = |a: usize, b: usize| component.contains(&a) && component.contains(&b);
        let mut covered = BTreeSet::new();
        for &(a, b) in edges.iter().filter(|(a, b)| a != b && inside(*a, *b)) {
            if covered.contains(&(a, b)) {
                continue;
            }
            // The shortest way back from `b` to `a` closes the shortest cycle through a -> b.
            let Some(back) = shortest_path(&adjacency, &component, b, a) else {
                continue;
            };
            let mut cycle = vec![a];
            cycle.extend(&back[..back.len() - 1]);
            for i in 0..cycle.len() {
                covered.insert((cycle[i], cycle[(i + 1) % cycle.len()]));
            }
            let start = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
            cycle.rotate_left(start);
            found.insert(cycle);
        }
    }
    found.into_iter().collect()
}

/// Breadth-first path from `from` to `to` inside `within`, both ends included.
fn shortest_path(
    adjacency: &[BTreeSet<usize>],
    within: &BTreeSet<usize>,
    from: usize,
    to: usize,
) -> Option<Vec<usize>> {
    let mut previous = vec![usize::MAX; adjacency.len()];
    let mut queue = VecDeque::from([from]);
    previous[from] = from;
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            let mut at = to;
            while at != from {
                at = previous[at];
                path.push(at);
            }
            path.reverse();
            return Some(path);
        }
        for &next in &adjacency[node] {
            if within.contains(&next) && previous[next] == usize::MAX {
                previous[next] = node;
                queue.push_back(next);
            }
        }
    }
    None
}

/// Tarjan's strongly connected components.
fn components(adjacency: &[BTreeSet<usize>]) -> Vec<BTreeSet<usize>> {
    struct State<'a> {
        adjacency: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<BTreeSet<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.adjacency[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.insert(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = adjacency.len();
    let mut s = State {
        adjacency,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(edges: &[(usize, usize)]) -> BTreeSet<(usize, usize)> {
        edges.iter().copied().collect()
    }

    #[test]
    fn a_layered_graph_has_no_cycle() {
        assert!(cycles(4, &set(&[(0, 1), (0, 2), (1, 3), (2, 3)])).is_empty());
    }

    #[test]
    fn every_edge_of_a_component_is_in_some_reported_cycle() {
        // 0 -> 1 -> 2 -> 0 and 1 -> 0: two cycles, through all four edges.
        let found = cycles(3, &set(&[(0, 1), (1, 2), (2, 0), (1, 0), (2, 2)]));
        assert_eq!(found, vec![vec![0, 1], vec![0, 1, 2]]);
    }
}
