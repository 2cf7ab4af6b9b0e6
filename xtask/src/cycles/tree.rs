//! The module tree of one crate, read with `syn`: for every module, the names it declares
//! (child modules, items), what it imports (`use`), and every path its code mentions, each with
//! the line it is on. Nothing here resolves a name; `resolve` does that.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, Expr, Item, Lit, Meta, Token};

use super::paths::{flatten_use, unraw, Collector, PathRef, RefKind};

/// Where source text comes from: the disk, or a map of files in tests.
pub(crate) trait Sources {
    /// The text of `path`, or `None` when there is no such file.
    fn read(&self, path: &Path) -> Option<String>;
}

/// Source files on disk.
#[derive(Debug)]
pub(crate) struct Disk;

impl Sources for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        fs::read_to_string(path).ok()
    }
}

impl Sources for BTreeMap<PathBuf, String> {
    fn read(&self, path: &Path) -> Option<String> {
        self.get(path).cloned()
    }
}

/// One module of the crate.
#[derive(Debug)]
pub(crate) struct Module {
    /// Names from the crate root (empty for the root itself).
    pub(crate) path: Vec<String>,
    /// The file its items are written in.
    pub(crate) file: PathBuf,
    pub(crate) parent: Option<usize>,
    /// Declared under `#[cfg(test)]`, itself or through an ancestor.
    pub(crate) is_test: bool,
    pub(crate) children: BTreeMap<String, usize>,
    /// Names of the items it defines (functions, types, traits, constants, exported macros…).
    pub(crate) items: BTreeSet<String>,
    /// Names brought in by `use`, with the path each stands for.
    pub(crate) imports: BTreeMap<String, PathRef>,
    pub(crate) globs: Vec<PathRef>,
    /// Every path written in it: `use` items and code.
    pub(crate) refs: Vec<PathRef>,
}

impl Module {
    /// `crate` for the root, `a::b` for the others.
    pub(crate) fn name(&self) -> String {
        if self.path.is_empty() {
            "crate".to_string()
        } else {
            self.path.join("::")
        }
    }
}

/// Every module of one crate; `modules[0]` is the crate root.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) modules: Vec<Module>,
    /// Module files that were declared but not found (for example behind a `cfg` for another
    /// platform): reported, not fatal.
    pub(crate) warnings: Vec<String>,
}

/// Where a module's `mod x;` declarations look for their files.
#[derive(Clone, Debug)]
struct Dirs {
    /// The folder of `x.rs` / `x/mod.rs`.
    children: PathBuf,
    /// The folder a `#[path = "…"]` is relative to.
    path_attr: PathBuf,
}

/// Reads the crate whose root file is `root`, following `mod` declarations.
pub(crate) fn load(root: &Path, sources: &dyn Sources) -> Result<Tree, String> {
    let mut tree = Tree {
        modules: Vec::new(),
        warnings: Vec::new(),
    };
    let text = sources
        .read(root)
        .ok_or_else(|| format!("cannot read the crate root {}", root.display()))?;
    tree.modules.push(new_module(Vec::new(), root, None, false));
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let dirs = Dirs {
        children: dir.clone(),
        path_attr: dir,
    };
    load_file(&mut tree, 0, root, &text, &dirs, sources)?;
    Ok(tree)
}

fn new_module(path: Vec<String>, file: &Path, parent: Option<usize>, is_test: bool) -> Module {
    Module {
        path,
        file: file.to_path_buf(),
        parent,
        is_test,
        children: BTreeMap::new(),
        items: BTreeSet::new(),
        imports: BTreeMap::new(),
        globs: Vec::new(),
        refs: Vec::new(),
    }
}

fn load_file(
    tree: &mut Tree,
    module: usize,
    file: &Path,
    text: &str,
    dirs: &Dirs,
    sources: &dyn Sources,
) -> Result<(), String> {
    let parsed = syn::parse_file(text).map_err(|e| {
        let at = e.span().start();
        format!("{}:{}:{}: {e}", file.display(), at.line, at.column + 1)
    })?;
    if cfg_is_test(&parsed.attrs) {
        tree.modules[module].is_test = true;
    }
    add_items(tree, module, &parsed.items, dirs, sources)
}

fn add_items(
    tree: &mut Tree,
    module: usize,
    items: &[Item],
    dirs: &Dirs,
    sources: &dyn Sources,
) -> Result<(), String> {
    let mut locals = BTreeSet::new();
    for item in items {
        let test_only = tree.modules[module].is_test || cfg_is_test(item_attrs(item));
        match item {
            Item::Mod(m) => add_child(tree, module, m, test_only, dirs, sources)?,
            Item::Use(u) => {
                let m = &mut tree.modules[module];
                let mut leaves = Vec::new();
                let kind = match u.vis {
                    syn::Visibility::Inherited => RefKind::Use,
                    _ => RefKind::ReExport,
                };
                flatten_use(&u.tree, &mut Vec::new(), kind, test_only, &mut leaves);
                for (name, r) in leaves {
                    declare_import(m, name, &r);
                    m.refs.push(r);
                }
            }
            other => {
                let m = &mut tree.modules[module];
                if let Some(name) = item_name(other) {
                    m.items.insert(name);
                }
                let mut collector = Collector {
                    refs: Vec::new(),
                    imports: Vec::new(),
                    locals: &mut locals,
                    test_only,
                };
                collector.visit_item(other);
                let Collector { refs, imports, .. } = collector;
                m.refs.extend(refs);
                // `use` inside a function body: scoped to that block, but treated as the
                // module's (explicit module-level names win).
                for (name, r) in imports {
                    declare_import(m, name, &r);
                    m.refs.push(r);
                }
            }
        }
    }
    // A single name that is also bound as a local variable somewhere in the module is taken
    // for the variable.
    tree.modules[module].refs.retain(|r| {
        !(r.kind == RefKind::Code && r.segments.len() == 1 && locals.contains(&r.segments[0]))
    });
    Ok(())
}

fn declare_import(m: &mut Module, name: Option<String>, r: &PathRef) {
    match (r.kind, name) {
        (RefKind::Glob, _) => m.globs.push(r.clone()),
        (_, Some(name)) => {
            m.imports.entry(name).or_insert_with(|| r.clone());
        }
        (_, None) => {}
    }
}

fn add_child(
    tree: &mut Tree,
    parent: usize,
    decl: &syn::ItemMod,
    test_only: bool,
    dirs: &Dirs,
    sources: &dyn Sources,
) -> Result<(), String> {
    let name = unraw(&decl.ident.to_string());
    let mut path = tree.modules[parent].path.clone();
    path.push(name.clone());
    let parent_file = tree.modules[parent].file.clone();
    let id = tree.modules.len();
    tree.modules[parent].children.insert(name.clone(), id);
    if let Some((_, items)) = &decl.content {
        // Inline: its `mod` declarations look in a folder named after it.
        tree.modules
            .push(new_module(path, &parent_file, Some(parent), test_only));
        let inner = dirs.children.join(&name);
        let dirs = Dirs {
            children: inner.clone(),
            path_attr: inner,
        };
        return add_items(tree, id, items, &dirs, sources);
    }
    let candidates = match path_attr(&decl.attrs) {
        Some(p) => vec![dirs.path_attr.join(p)],
        None => vec![
            dirs.children.join(format!("{name}.rs")),
            dirs.children.join(&name).join("mod.rs"),
        ],
    };
    let found = candidates
        .iter()
        .find_map(|c| sources.read(c).map(|text| (c.clone(), text)));
    let Some((file, text)) = found else {
        tree.warnings.push(format!(
            "{}: module `{}` has no file (looked for {})",
            parent_file.display(),
            path.join("::"),
            candidates
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        tree.modules
            .push(new_module(path, &parent_file, Some(parent), test_only));
        return Ok(());
    };
    tree.modules
        .push(new_module(path, &file, Some(parent), test_only));
    let here = file.parent().unwrap_or(Path::new("")).to_path_buf();
    // `mod.rs` and `#[path]` files own their folder; `x.rs` keeps its children in `x/`.
    let owns_folder =
        file.file_name().is_some_and(|n| n == "mod.rs") || path_attr(&decl.attrs).is_some();
    let children = if owns_folder {
        here.clone()
    } else {
        file.with_extension("")
    };
    let dirs = Dirs {
        children,
        path_attr: here,
    };
    load_file(tree, id, &file, &text, &dirs, sources)
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The name an item puts in its module's namespace, if any. `extern crate` names stay out:
/// they name another crate, which is never part of this crate's graph.
fn item_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::Fn(i) => &i.sig.ident,
        Item::Macro(i) => i.ident.as_ref()?,
        Item::Static(i) => &i.ident,
        Item::Struct(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::TraitAlias(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(unraw(&ident.to_string()))
}

/// `#[path = "…"]` on a `mod` declaration.
fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

/// Whether a `#[cfg(…)]` among `attrs` holds only when testing (`test`, `all(test, …)`).
pub(crate) fn cfg_is_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<Meta>()
                .is_ok_and(|predicate| requires_test(&predicate))
    })
}

fn requires_test(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(p) => p.is_ident("test"),
        Meta::List(list) => {
            let Ok(inner) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            else {
                return false;
            };
            if list.path.is_ident("all") {
                inner.iter().any(requires_test)
            } else if list.path.is_ident("any") {
                !inner.is_empty() && inner.iter().all(requires_test)
            } else {
                false // `not(…)` and the rest
            }
        }
        Meta::NameValue(_) => false,
    }
}
