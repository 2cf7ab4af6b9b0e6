//! Where the client gets its secret id and key: one trait, one type per source, a default chain.
//!
//! Only `mod` and `pub use` here: shared items live in the leaf modules `provider` (the trait,
//! helpers) and `env_source`, below the providers that use them.

mod cache;
mod chain;
mod cvm;
mod env;
mod env_source;
mod fetch;
mod oidc;
mod profile;
mod provider;
mod sts;
mod tccli;

pub use chain::DefaultChain;
pub use cvm::CvmRoleProvider;
pub use env::EnvironmentProvider;
pub use env_source::EnvSource;
pub use oidc::{OidcRoleProvider, OidcRoleProviderBuilder};
pub use profile::ProfileFileProvider;
pub use provider::{ProvideCredentials, StaticProvider};
pub use sts::StsAssumeRoleProvider;
pub use tccli::TccliProvider;

pub(crate) use provider::{unix_now, ServerClock};
