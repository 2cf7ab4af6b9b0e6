//! From written paths to module edges: `a` depends on `b` when a path written in `a` names
//! something `b` defines. Re-exports are followed to the module that defines the item, so a
//! facade (`pub use inner::Thing` in `lib.rs`) is not mistaken for the item's home.
//!
//! The resolution is Rust's, simplified: explicit names (child modules, items, imports) before
//! globs; a name no module of the crate defines belongs to another crate (std, a dependency)
//! and makes no edge; a name a module of the crate doesn't visibly define, but is asked for by a
//! path through that module, is taken to be the module's own (made by a macro).

use super::paths::{PathRef, RefKind};
use super::tree::{Module, Tree};

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Module(usize),
    /// An item, and the module that defines it.
    Item(usize),
    /// Something of another crate.
    External,
}

/// One dependency between two modules, with where it is written.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) line: usize,
    /// The path as written: `use crate::a::B` or `crate::a::f`.
    pub(crate) text: String,
}

/// Every edge between two different modules, in source order. A re-export (`pub use`) is no
/// edge of the module that re-exports: it names, it doesn't use. A test-only path that reaches
/// the module it is written in or one of that module's ancestors is no edge: a test module
/// naturally uses its parent.
pub(crate) fn edges(tree: &Tree) -> Vec<Edge> {
    let mut out = Vec::new();
    for (from, module) in tree.modules.iter().enumerate() {
        for r in &module.refs {
            let Some(to) = target_of(tree, from, r) else {
                continue;
            };
            if to == from || (r.test_only && is_ancestor(tree, to, from)) {
                continue;
            }
            let path = r.segments.join("::");
            let text = match r.kind {
                RefKind::Use | RefKind::ReExport => format!("use {path}"),
                RefKind::Glob => format!("use {path}::*"),
                RefKind::Code => path,
            };
            out.push(Edge {
                from,
                to,
                line: r.line,
                text,
            });
        }
    }
    out
}

/// The module a written path depends on, if it is one of this crate's.
fn target_of(tree: &Tree, from: usize, r: &PathRef) -> Option<usize> {
    if r.kind == RefKind::ReExport {
        return None;
    }
    let target = resolve(tree, from, &r.segments, &mut Vec::new())?;
    match (r.kind, target) {
        // A glob over a module depends on what is used through it, which the code's own
        // paths resolve; a glob over an item (an enum's variants) depends on the item.
        (RefKind::Glob, Target::Module(_)) => None,
        (_, Target::Module(m) | Target::Item(m)) => Some(m),
        (_, Target::External) => None,
    }
}

fn is_ancestor(tree: &Tree, candidate: usize, of: usize) -> bool {
    let mut at = tree.modules[of].parent;
    while let Some(m) = at {
        if m == candidate {
            return true;
        }
        at = tree.modules[m].parent;
    }
    false
}

/// Resolves `segments` as written in module `from`. `stack` holds the (module, name) lookups
/// under way, so that imports naming each other end instead of looping.
fn resolve(
    tree: &Tree,
    from: usize,
    segments: &[String],
    stack: &mut Vec<(usize, String)>,
) -> Option<Target> {
    let (first, rest) = segments.split_first()?;
    let mut at = match first.as_str() {
        "" => return Some(Target::External),
        "crate" | "$crate" => Target::Module(0),
        "self" => Target::Module(from),
        "super" => Target::Module(tree.modules[from].parent?),
        // `Self::…` names an associated item of the type at hand.
        "Self" => return None,
        name => lookup(tree, from, name, stack).unwrap_or(Target::External),
    };
    for segment in rest {
        let Target::Module(m) = at else {
            // Past an item: a variant, an associated item; the item's module is the answer.
            break;
        };
        at = match segment.as_str() {
            "super" => Target::Module(tree.modules[m].parent?),
            "self" => Target::Module(m),
            name => lookup(tree, m, name, stack).unwrap_or(Target::Item(m)),
        };
    }
    Some(at)
}

/// What `name` means inside module `m`, if `m` defines or imports it.
fn lookup(tree: &Tree, m: usize, name: &str, stack: &mut Vec<(usize, String)>) -> Option<Target> {
    if stack.iter().any(|(sm, sn)| *sm == m && sn == name) {
        return None;
    }
    stack.push((m, name.to_string()));
    let found = lookup_in(tree, &tree.modules[m], m, name, stack);
    stack.pop();
    found
}

fn lookup_in(
    tree: &Tree,
    module: &Module,
    m: usize,
    name: &str,
    stack: &mut Vec<(usize, String)>,
) -> Option<Target> {
    if let Some(child) = module.children.get(name) {
        return Some(Target::Module(*child));
    }
    if module.items.contains(name) {
        return Some(Target::Item(m));
    }
    if let Some(import) = module.imports.get(name) {
        // An import of something this crate can't resolve names another crate.
        return Some(resolve(tree, m, &import.segments, stack).unwrap_or(Target::External));
    }
    for glob in &module.globs {
        if let Some(Target::Module(source)) = resolve(tree, m, &glob.segments, stack) {
            if let Some(found) = lookup(tree, source, name, stack) {
                return Some(found);
            }
        }
    }
    None
}
