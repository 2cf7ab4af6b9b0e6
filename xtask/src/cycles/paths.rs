//! The paths written in Rust code, as `syn` gives them: the leaves of `use` trees, and every
//! path in an item's code (expressions, types, patterns, macro tokens, serde attribute strings),
//! each with the line it starts on.

use std::collections::BTreeSet;

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, Meta, UseTree};

/// Where a path was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// In a private `use` item: the module uses what it names.
    Use,
    /// In a `pub use` (any `pub(…)` too): the module publishes what it names under its own
    /// name, which is no dependency of its own. Paths through it lead to the item's home.
    ReExport,
    /// A `use` ending in `*`: only a dependency when what it names is used (or is an item, such
    /// as an enum whose variants are imported).
    Glob,
    /// In code: an expression, a type, a pattern, a macro's tokens, a serde attribute's string.
    Code,
}

/// A path as written in a module, with the line it starts on.
#[derive(Clone, Debug)]
pub(crate) struct PathRef {
    /// The segments; an absolute path (`::std::…`) starts with an empty one.
    pub(crate) segments: Vec<String>,
    pub(crate) line: usize,
    pub(crate) kind: RefKind,
    /// Written in code that only exists under `#[cfg(test)]`.
    pub(crate) test_only: bool,
}

pub(crate) fn unraw(s: &str) -> String {
    s.strip_prefix("r#").unwrap_or(s).to_string()
}

/// The leaves of a `use` tree: the name each binds (none for `_` and globs) and its path.
pub(crate) fn flatten_use(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    kind: RefKind,
    test_only: bool,
    out: &mut Vec<(Option<String>, PathRef)>,
) {
    let leaf = |segments: Vec<String>, line: usize, kind: RefKind| PathRef {
        segments,
        line,
        kind,
        test_only,
    };
    match tree {
        UseTree::Path(p) => {
            prefix.push(unraw(&p.ident.to_string()));
            flatten_use(&p.tree, prefix, kind, test_only, out);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let ident = unraw(&n.ident.to_string());
            let line = n.ident.span().start().line;
            if ident == "self" {
                out.push((prefix.last().cloned(), leaf(prefix.clone(), line, kind)));
            } else {
                let mut segments = prefix.clone();
                segments.push(ident.clone());
                out.push((Some(ident), leaf(segments, line, kind)));
            }
        }
        UseTree::Rename(r) => {
            let ident = unraw(&r.ident.to_string());
            let mut segments = prefix.clone();
            if ident != "self" {
                segments.push(ident);
            }
            let rename = unraw(&r.rename.to_string());
            let line = r.ident.span().start().line;
            let name = (rename != "_").then_some(rename);
            out.push((name, leaf(segments, line, kind)));
        }
        UseTree::Glob(g) => {
            let line = g.star_token.span.start().line;
            out.push((None, leaf(prefix.clone(), line, RefKind::Glob)));
        }
        UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, kind, test_only, out);
            }
        }
    }
}

/// Collects the paths written in one item (not in nested modules, which are modules of their
/// own).
pub(crate) struct Collector<'a> {
    /// The paths found in code.
    pub(crate) refs: Vec<PathRef>,
    /// `use` items inside function bodies, as `(name bound, path)`.
    pub(crate) imports: Vec<(Option<String>, PathRef)>,
    /// Every name bound by a pattern (`let x`, parameters, closure arguments, match arms).
    pub(crate) locals: &'a mut BTreeSet<String>,
    /// Whether the item is test-only code.
    pub(crate) test_only: bool,
}

impl Collector<'_> {
    fn push(&mut self, segments: Vec<String>, line: usize) {
        // A lone `crate`, `self` or `super` names no item (`pub(crate)`, `$crate` alone).
        let lone_keyword = segments.len() == 1
            && matches!(segments[0].as_str(), "crate" | "self" | "super" | "Self");
        if !segments.is_empty() && !lone_keyword {
            self.refs.push(PathRef {
                segments,
                line,
                kind: RefKind::Code,
                test_only: self.test_only,
            });
        }
    }

    /// Paths in a macro's tokens: `a::b::c` runs of identifiers, `$crate` read as `crate`.
    /// A name right after `.` (a method or a field), after `$` (a macro variable) or after a
    /// lone `:` (a fragment specifier, or the tail of a path we could not follow) is skipped.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let punct =
            |i: usize, c: char| matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        let path_sep = |i: usize| {
            matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
                && punct(i + 1, ':')
        };
        let mut i = 0;
        while i < tts.len() {
            match &tts[i] {
                TokenTree::Group(g) => {
                    self.scan_tokens(g.stream());
                    i += 1;
                }
                TokenTree::Ident(id) => {
                    let first = unraw(&id.to_string());
                    let after_dollar = i > 0 && punct(i - 1, '$');
                    let skip = (i > 0 && (punct(i - 1, '.') || punct(i - 1, ':')))
                        || (after_dollar && first != "crate");
                    let mut segments = vec![first];
                    let mut j = i + 1;
                    while path_sep(j) {
                        match tts.get(j + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(unraw(&next.to_string()));
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    if !skip {
                        self.push(segments, id.span().start().line);
                    }
                    i = j;
                }
                _ => i += 1,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // A module inside a function body: rare, and not followed.
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(in crate::a)` limits who may see an item; it imports nothing.
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let tree = &u.tree;
        flatten_use(
            tree,
            &mut Vec::new(),
            RefKind::Use,
            self.test_only,
            &mut self.imports,
        );
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let mut segments: Vec<String> = Vec::new();
        if p.leading_colon.is_some() {
            segments.push(String::new());
        }
        segments.extend(p.segments.iter().map(|s| unraw(&s.ident.to_string())));
        let line = p
            .segments
            .first()
            .map(|s| s.ident.span().start().line)
            .unwrap_or(0);
        self.push(segments, line);
        visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.scan_tokens(m.tokens.clone());
    }

    fn visit_attribute(&mut self, a: &'ast Attribute) {
        // `#[serde(with = "crate::a::b")]` and its kin name functions in strings.
        if !a.path().is_ident("serde") {
            return;
        }
        if let Meta::List(list) = &a.meta {
            let mut strings = Vec::new();
            collect_strings(list.tokens.clone(), &mut strings);
            for (text, line) in strings {
                if let Ok(path) = syn::parse_str::<syn::Path>(&text) {
                    if path.segments.len() > 1 {
                        let segments = path
                            .segments
                            .iter()
                            .map(|s| unraw(&s.ident.to_string()))
                            .collect();
                        self.push(segments, line);
                    }
                }
            }
        }
    }

    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.locals.insert(unraw(&p.ident.to_string()));
        visit::visit_pat_ident(self, p);
    }
}

fn collect_strings(tokens: TokenStream, out: &mut Vec<(String, usize)>) {
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => collect_strings(g.stream(), out),
            TokenTree::Literal(lit) => {
                if let Ok(s) = syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                    out.push((s.value(), lit.span().start().line));
                }
            }
            _ => {}
        }
    }
}
