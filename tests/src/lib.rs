//! Workspace-level end-to-end tests live in `tests/tests/`; benches in `tests/benches/`.
//!
//! The top-level README is included below so that its Rust examples are compiled and run as
//! doctests: the front door stays true.
#![doc = include_str!("../../README.md")]

/// The `tc-sign` README, included so that its examples run as doctests too.
#[doc = include_str!("../../crates/tc-sign/README.md")]
pub mod tc_sign_readme {}
