//! Code generated from the API description lives in this module; this parent file is written
//! by hand. Regenerate the children with `cargo xtask codegen`; do not edit them.

mod methods;
mod paginators;
