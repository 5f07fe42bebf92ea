//! What a registry says about a package, independent of which registry said it. The
//! registry clients fill it in; the metadata analyses (typosquatting, dependency
//! confusion, dormancy, manifest confusion) and the version diff read it.

use crate::Ecosystem;
use serde::{Deserialize, Serialize};

/// The npm lifecycle scripts that run when a package is installed (from the registry
/// or from git): what [`ReleaseInfo::install_scripts`] lists for npm, and what the
/// artifact's own manifest is compared with. Scripts such as `test` never run there.
pub const NPM_INSTALL_SCRIPTS: [&str; 7] = [
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
];

/// Registry metadata of one package, with detail for one selected version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageMetadata {
    pub ecosystem: Option<Ecosystem>,
    /// The name as the registry spells it (case and separators preserved).
    pub name: String,
    /// Every published version, oldest first when the registry gives publish times.
    pub versions: Vec<VersionInfo>,
    /// The version marked latest by the registry, if it marks one.
    pub latest: Option<String>,
    /// When the package (its first version) was created, Unix seconds.
    pub created: Option<i64>,
    pub maintainers: Vec<Maintainer>,
    pub description: Option<String>,
    pub homepage: Option<String>,
    pub repository: Option<String>,
    pub license: Option<String>,
    /// Detail of the version that was asked for (or the latest).
    pub release: Option<ReleaseInfo>,
}

/// One published version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: String,
    /// Publish time, Unix seconds.
    pub published: Option<i64>,
    /// Yanked, unlisted or deprecated-as-withdrawn by the registry.
    pub yanked: bool,
}

/// A maintainer, owner or author account as the registry lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintainer {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What the registry says about one version: its artifact and its declared manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    pub version: String,
    pub published: Option<i64>,
    /// The artifacts of this version; the first is the one to scan.
    pub artifacts: Vec<ArtifactRef>,
    /// Dependencies as the registry's copy of the manifest declares them.
    pub dependencies: Vec<DeclaredDependency>,
    /// Install-time scripts as the registry's copy of the manifest declares them
    /// (npm `scripts.preinstall` and friends), name to command.
    pub install_scripts: Vec<(String, String)>,
    /// Who published this version, when the registry says.
    pub publisher: Option<Maintainer>,
}

/// A downloadable artifact and the digest the registry publishes for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactRef {
    pub url: String,
    pub filename: String,
    /// `sdist`, `wheel`, `tarball`, `crate`, `gem`, `nupkg`, `zip`, `jar`...
    pub kind: String,
    pub digest: Option<Digest>,
    pub size: Option<u64>,
}

/// A published digest. The algorithm names are lower case: `sha256`, `sha512`, `sha1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub algorithm: String,
    /// Lower-case hex.
    pub hex: String,
}

/// A dependency as a manifest declares it, before resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredDependency {
    pub name: String,
    /// The requirement as written (`^1.2`, `>=2,<3`, a URL, a git reference).
    pub requirement: String,
    /// `dev`, `optional`, `build`, or empty for a normal dependency.
    pub kind: String,
}
