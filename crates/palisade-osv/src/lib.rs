//! Palisade's OSV side: advisories, version schemes, range matching and the local advisory database.

pub mod version;

pub use version::{Scheme, Version, VersionError, compare};
