//! Workspace-level end-to-end tests live in `tests/tests/`; benches in `tests/benches/`.
//!
//! The top-level README is included below so that its Rust examples are compiled and run as
//! doctests: the front door stays true.
#![doc = include_str!("../../README.md")]
