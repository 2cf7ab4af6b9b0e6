//! The detector on small crates written in memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::tree::{self, cfg_is_test};
use super::{find_cycles, render, Cycle};

/// The cycles of a crate made of `(path, text)` files, rooted at `src/lib.rs`.
fn cycles_of(files: &[(&str, &str)]) -> Vec<Cycle> {
    let sources: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
    let tree = tree::load(Path::new("src/lib.rs"), &sources).expect("the crate parses");
    assert!(tree.warnings.is_empty(), "{:?}", tree.warnings);
    find_cycles(&tree)
}

fn paths(cycles: &[Cycle]) -> Vec<String> {
    cycles.iter().map(|c| c.modules.join(" -> ")).collect()
}

#[test]
fn a_cycle_is_reported_with_its_path_and_one_import_per_step() {
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("src/a.rs", "use crate::b::helper;\n\npub struct A;\n"),
        // `crate::A` is the root's re-export of `a::A`: the edge goes to `a`, not to the root.
        (
            "src/b.rs",
            "// crate::a::A in a comment is no import\npub fn helper() -> crate::A {\n    crate::A\n}\n",
        ),
    ]);
    assert_eq!(paths(&found), ["a -> b"]);
    let steps = &found[0].steps;
    assert_eq!(steps[0].file, PathBuf::from("src/a.rs"));
    assert_eq!(
        (steps[0].line, steps[0].text.as_str()),
        (1, "use crate::b::helper")
    );
    assert_eq!(steps[1].file, PathBuf::from("src/b.rs"));
    assert_eq!((steps[1].line, steps[1].text.as_str()), (2, "crate::A"));
    let text = render("demo (lib)", &found, Path::new("/nowhere"));
    assert!(
        text.contains("  a -> b -> a\n")
            && text.contains("    a -> b: src/a.rs:1: use crate::b::helper\n")
            && text.contains("    b -> a: src/b.rs:2: crate::A\n"),
        "{text}"
    );
}

#[test]
fn an_acyclic_layering_passes() {
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod low;\nmod mid;\nmod top;\npub use top::run;\npub use low::Thing;\n",
        ),
        ("src/low.rs", "#[derive(Debug)]\npub struct Thing;\n"),
        (
            "src/mid.rs",
            "use crate::low::Thing;\npub fn make() -> Thing { Thing }\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { let _ = make(); }\n}\n",
        ),
        (
            "src/top.rs",
            "use crate::mid;\npub fn run() -> crate::Thing { mid::make() }\n",
        ),
    ]);
    assert!(found.is_empty(), "{:?}", paths(&found));
}

/// The same parent and child, with and without `#[cfg(test)]`: a child that uses everything
/// of its parent, and a parent that uses the child.
fn parent_and_child(test_attr: &str) -> Vec<Cycle> {
    let a = format!(
        "pub fn f() {{}}\n{test_attr}\nfn g() {{ inner::fixture() }}\n{test_attr}\nmod inner {{\n    use super::*;\n    pub fn fixture() {{ f() }}\n}}\n"
    );
    cycles_of(&[("src/lib.rs", "mod a;\n"), ("src/a.rs", &a)])
}

#[test]
fn a_test_module_using_its_parent_is_no_cycle() {
    assert_eq!(paths(&parent_and_child("")), ["a -> a::inner"]);
    assert!(parent_and_child("#[cfg(test)]").is_empty());
    assert!(parent_and_child("#[cfg(all(test, unix))]").is_empty());
}

#[test]
fn a_re_export_is_no_use_of_what_it_names() {
    // The facade pattern: `mod.rs` publishes its children's items and holds a helper they use.
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod a;\npub use a::{Api, Helper as _};\npub(crate) use a::helper;\nfn start() { helper() }\n",
        ),
        ("src/a/mod.rs", "mod api;\npub use api::Api;\npub struct Helper;\npub(crate) fn helper() {}\n"),
        // `pub(crate)` is a visibility, no path to the crate root.
        ("src/a/api.rs", "pub(crate) struct Api;\nimpl Api { pub(crate) fn new() -> Self { super::helper(); crate::helper(); Api } }\n"),
    ]);
    assert!(found.is_empty(), "{:?}", paths(&found));
    // The same facade using its child in code is a cycle.
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\n"),
        (
            "src/a/mod.rs",
            "mod api;\npub fn helper() {}\npub fn run() { api::Api::new(); }\n",
        ),
        (
            "src/a/api.rs",
            "pub struct Api;\nimpl Api { pub fn new() -> Self { super::helper(); Api } }\n",
        ),
    ]);
    assert_eq!(paths(&found), ["a -> a::api"]);
}

#[test]
fn cfg_predicates_that_require_test() {
    let attrs = |src: &str| syn::parse_str::<syn::ItemFn>(&format!("{src} fn f() {{}}")).unwrap();
    assert!(cfg_is_test(&attrs("#[cfg(test)]").attrs));
    assert!(cfg_is_test(
        &attrs("#[cfg(all(feature = \"x\", test))]").attrs
    ));
    assert!(!cfg_is_test(&attrs("#[cfg(not(test))]").attrs));
    assert!(!cfg_is_test(
        &attrs("#[cfg(any(test, feature = \"x\"))]").attrs
    ));
    assert!(!cfg_is_test(&attrs("#[inline]").attrs));
}

#[test]
fn nested_modules_super_paths_and_globs_are_followed() {
    // `registry` <-> `generated::registry`, as a generated module and its hand-written helper
    // can end up: one through `super::super`, the other through a glob re-export.
    let found = cycles_of(&[
        ("src/lib.rs", "pub mod generated;\nmod registry;\n"),
        (
            "src/generated/mod.rs",
            "mod registry;\npub use registry::*;\npub struct Shape;\n",
        ),
        (
            "src/generated/registry.rs",
            "pub fn table() -> super::super::registry::Info { todo!() }\n",
        ),
        (
            "src/registry.rs",
            "use crate::generated::*;\npub struct Info;\npub fn all() { let _ = table(); }\n",
        ),
    ]);
    assert_eq!(paths(&found), ["generated::registry -> registry"]);
    assert_eq!(found[0].steps[1].text, "table");
    assert_eq!(found[0].steps[1].line, 3);
}

#[test]
fn macro_tokens_and_serde_strings_are_imports_too() {
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "src/a.rs",
            "pub fn f() -> u8 { 1 }\n#[test]\nfn t() { assert_eq!(crate::b::g(), 1); }\n",
        ),
        (
            "src/b.rs",
            "pub fn g() -> u8 { 1 }\n#[derive(serde::Deserialize)]\npub struct S {\n    #[serde(deserialize_with = \"crate::c::de\")]\n    x: u8,\n}\n",
        ),
        (
            "src/c.rs",
            "pub fn de<'de, D>(_: D) -> Result<u8, D> { Ok(crate::a::f()) }\n",
        ),
    ]);
    assert_eq!(paths(&found), ["a -> b -> c"]);
    assert_eq!(found[0].steps[0].text, "crate::b::g");
    assert_eq!(found[0].steps[1].line, 4);
}

#[test]
fn module_files_are_found_where_rustc_looks() {
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod outer;\n#[path = \"common/shared.rs\"]\nmod shared;\n",
        ),
        ("src/outer.rs", "mod inner;\nmod nested { mod deep; }\n"),
        ("src/outer/inner.rs", "pub fn i() { crate::shared::s() }\n"),
        ("src/outer/nested/deep.rs", "pub fn d() {}\n"),
        (
            "src/common/shared.rs",
            "pub fn s() { crate::outer::inner::i() }\n",
        ),
    ]);
    assert_eq!(paths(&found), ["outer::inner -> shared"]);
}

#[test]
fn names_of_other_crates_and_local_variables_make_no_edge() {
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "use std::fmt;\nuse serde_json::json;\npub fn x(fmt: u8) -> u8 { let _ = json!({}); crate::b::y(fmt) }\n",
        ),
        // Through the glob, `a` could name module `a`; here it is the parameter.
        (
            "src/b.rs",
            "use crate::*;\npub(crate) fn y(a: u8) -> u8 { a + 1 }\npub(in crate::b) fn fmt() {}\n",
        ),
    ]);
    assert!(found.is_empty(), "{:?}", paths(&found));
}

#[test]
fn a_file_that_does_not_parse_is_an_error_naming_it() {
    let sources: BTreeMap<PathBuf, String> =
        [("src/lib.rs", "mod a;\n"), ("src/a.rs", "fn broken( {\n")]
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
    let err = tree::load(Path::new("src/lib.rs"), &sources).unwrap_err();
    assert!(err.starts_with("src/a.rs:1:"), "{err}");
}
