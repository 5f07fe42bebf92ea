//! Palisade's vocabulary, shared by every other crate: which ecosystem a package belongs
//! to, the files of a package held in memory, findings with their evidence, the rules
//! that produce them, and the versioned report that renders it all.
//!
//! This crate has no logic beyond what the types need to stay consistent (ordering,
//! parsing names, cutting evidence snippets), so that every other crate can depend on it.

mod ecosystem;
mod evidence;
mod finding;
mod metadata;
mod package;
mod report;
mod rule;
pub mod time;

pub use ecosystem::{Ecosystem, ParseEcosystemError};
pub use evidence::{Evidence, LineIndex, line_at_offset, snippet_at_offset, truncate_chars};
pub use finding::{Category, Finding, Severity};
pub use metadata::{
    ArtifactRef, DeclaredDependency, Digest, Maintainer, NPM_INSTALL_SCRIPTS, PackageMetadata,
    ReleaseInfo, VersionInfo,
};
pub use package::{EntryPoint, Package, PackageFile, Phase};
pub use report::{Origin, REPORT_SCHEMA_VERSION, Report, Verdict};
pub use rule::RuleInfo;
