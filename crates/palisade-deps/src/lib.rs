//! Lockfile and manifest parsers for the seven ecosystems: the resolved dependency list
//! of a project.
//!
//! A project records what it depends on in lockfiles (`package-lock.json`, `Cargo.lock`,
//! `poetry.lock`...) and, where no lockfile exists, in manifests (`pom.xml`, `*.csproj`,
//! `requirements.txt`, `go.mod`). This crate reads them statically, as hostile text, and
//! returns one [`Dependency`] per resolved package: ecosystem, name, version, the groups it
//! belongs to (dev, optional...), where it came from and, when the format records the
//! graph, whether it is direct and which packages pull it in. `palisade deps` renders that
//! list; `palisade audit` matches it against advisories.
//!
//! Entry points:
//! - [`parse_file`]: one file, the parser chosen by its name ([`LockfileKind::from_path`]);
//! - [`parse_as`]: text already in memory, with an explicit [`LockfileKind`];
//! - [`discover`]: the lockfiles under a project folder, in a deterministic order;
//! - [`collect`]: discover and parse everything under a folder, one bad file never stopping
//!   the others;
//! - [`purl`]: the package URL of a dependency, for SBOMs and advisory look-ups.
//!
//! Every result is sorted and de-duplicated ([`normalise`]): the same package at the same
//! version (and commit) from the same file appears once, with the union of its groups.
//!
//! Limits: files above [`MAX_FILE_SIZE`] are refused with an error, `requirements.txt`
//! includes are bounded in depth and never loop, and no parser recurses on input nesting.

mod discover;
mod error;
mod go;
mod kind;
mod maven;
mod npm;
mod nuget;
mod purl;
mod python;
mod ruby;
mod rust;
mod util;
mod xml;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use discover::{MAX_DEPTH, discover};
pub use error::DepsError;
pub use kind::LockfileKind;
pub use palisade_core::Ecosystem;
pub use purl::{purl, purl_type};
use serde::Serialize;

/// Files larger than this are refused: no real lockfile comes near it, and a hostile one
/// must not make us allocate without bound.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// One resolved package of a project, as one lockfile or manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The ecosystem whose registry (and advisory database) names this package.
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem writes it: npm `@scope/name`, Maven `group:artifact`,
    /// Go the module path, PyPI as the file writes it (requirements.txt and Pipfile.lock
    /// names are PEP 503 normalised, as pip compares them).
    pub name: String,
    /// The resolved version as written (`""` when the file gives none, e.g. an unpinned
    /// requirement or a manifest range).
    pub version: String,
    /// Dependency groups, sorted: `dev`, `optional`, `peer`, `test`, poetry/pdm/uv group
    /// names... Empty means a normal (production) dependency.
    pub groups: Vec<String>,
    /// The file it came from (for `requirements.txt`, the included file that declares it).
    pub source: PathBuf,
    /// The 1-based line where it is declared, when cheap to know (line-based formats, TOML
    /// and XML); `None` for JSON and YAML lockfiles.
    pub line: Option<usize>,
    /// The commit of a git dependency.
    pub commit: Option<String>,
    /// Whether the project itself depends on it, when the format tells.
    pub direct: Option<bool>,
    /// Names of the packages that depend on it, sorted, when the format records the graph
    /// (npm, yarn, pnpm, bun, Cargo.lock, Gemfile.lock, poetry, pdm, uv, packages.lock.json);
    /// otherwise empty.
    pub parents: Vec<String>,
}

impl Dependency {
    /// A dependency with only the identifying fields set.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        source: &Path,
    ) -> Self {
        Dependency {
            ecosystem,
            name: name.into(),
            version: version.into(),
            groups: Vec::new(),
            source: source.to_path_buf(),
            line: None,
            commit: None,
            direct: None,
            parents: Vec::new(),
        }
    }

    /// True when it belongs to no group, i.e. it ships with the project.
    pub fn is_normal(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Parses one file, choosing the parser by its name.
///
/// Fails when the name is not a known lockfile or manifest, when the file cannot be read,
/// is larger than [`MAX_FILE_SIZE`], or does not parse.
pub fn parse_file(path: &Path) -> Result<Vec<Dependency>, DepsError> {
    let kind = LockfileKind::from_path(path)
        .ok_or_else(|| DepsError::new(path, None, "not a known lockfile or manifest name"))?;
    let text = util::read_text(path)?;
    parse_as(kind, path, &text)
}

/// Parses `text` as a file of the given kind; `path` names it in the results and errors.
///
/// `requirements.txt` includes (`-r`, `-c`) are read from disk relative to `path`.
pub fn parse_as(kind: LockfileKind, path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    if text.len() as u64 > MAX_FILE_SIZE {
        return Err(DepsError::too_large(path));
    }
    let deps = match kind {
        LockfileKind::NpmLock => npm::package_lock::parse(path, text)?,
        LockfileKind::YarnLock => npm::yarn::parse(path, text)?,
        LockfileKind::PnpmLock => npm::pnpm::parse(path, text)?,
        LockfileKind::BunLock => npm::bun::parse(path, text)?,
        LockfileKind::Requirements => python::requirements::parse(path, text)?,
        LockfileKind::PoetryLock => python::poetry::parse(path, text)?,
        LockfileKind::PipfileLock => python::pipenv::parse(path, text)?,
        LockfileKind::UvLock => python::uv::parse(path, text)?,
        LockfileKind::PdmLock => python::pdm::parse(path, text)?,
        LockfileKind::PyLock => python::pylock::parse(path, text)?,
        LockfileKind::CargoLock => rust::parse(path, text)?,
        LockfileKind::GemfileLock => ruby::parse(path, text)?,
        LockfileKind::GoMod => go::parse(path, text)?,
        LockfileKind::NugetLock => nuget::lock::parse(path, text)?,
        LockfileKind::PackagesConfig => nuget::packages_config::parse(path, text)?,
        LockfileKind::Csproj => nuget::csproj::parse(path, text)?,
        LockfileKind::Pom => maven::pom::parse(path, text)?,
        LockfileKind::GradleLock => maven::gradle::parse(path, text)?,
    };
    Ok(normalise(deps))
}

/// Parses `root_or_file`: a single file, or every lockfile [`discover`] finds under a
/// folder. Files that fail are reported in the second list and do not stop the others.
pub fn collect(root_or_file: &Path) -> (Vec<Dependency>, Vec<DepsError>) {
    let files = if root_or_file.is_dir() {
        discover(root_or_file)
    } else {
        vec![root_or_file.to_path_buf()]
    };
    let mut deps = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match parse_file(&file) {
            Ok(found) => deps.extend(found),
            Err(err) => errors.push(err),
        }
    }
    (normalise(deps), errors)
}

/// Sorts dependencies (by source, ecosystem, name, version, commit) and merges those that
/// share all five: groups are unioned, except that a normal occurrence (no group) keeps
/// the package normal, since it ships either way; parents are unioned, the first line
/// kept, and `direct` is true if either says so.
///
/// The commit is part of the key because one npm lockfile can hold the same package at
/// the same (empty) version from two different commits.
pub fn normalise(mut deps: Vec<Dependency>) -> Vec<Dependency> {
    fn key(d: &Dependency) -> (&Path, Ecosystem, &str, &str, Option<&str>) {
        (
            &d.source,
            d.ecosystem,
            &d.name,
            &d.version,
            d.commit.as_deref(),
        )
    }
    for d in &mut deps {
        tidy(&mut d.groups);
        tidy(&mut d.parents);
    }
    deps.sort_by(|a, b| key(a).cmp(&key(b)).then(a.line.cmp(&b.line)));
    let mut out: Vec<Dependency> = Vec::with_capacity(deps.len());
    for d in deps {
        match out.last_mut() {
            Some(last) if key(last) == key(&d) => {
                // A package that is a normal dependency anywhere is a normal dependency.
                if last.groups.is_empty() || d.groups.is_empty() {
                    last.groups.clear();
                } else {
                    last.groups.extend(d.groups);
                    tidy(&mut last.groups);
                }
                last.parents.extend(d.parents);
                tidy(&mut last.parents);
                last.line = last.line.or(d.line);
                last.direct = match (last.direct, d.direct) {
                    (Some(a), Some(b)) => Some(a || b),
                    (a, b) => a.or(b),
                };
            }
            _ => out.push(d),
        }
    }
    out
}

fn tidy(list: &mut Vec<String>) {
    let set: BTreeSet<String> = list.drain(..).filter(|s| !s.is_empty()).collect();
    list.extend(set);
}

/// The paths of the files a result list came from, for reports.
pub fn sources(deps: &[Dependency]) -> Vec<PathBuf> {
    let set: BTreeSet<&Path> = deps.iter().map(|d| d.source.as_path()).collect();
    set.into_iter().map(Path::to_path_buf).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, groups: &[&str], line: usize) -> Dependency {
        let mut d = Dependency::new(
            Ecosystem::Npm,
            name,
            "1.0.0",
            Path::new("package-lock.json"),
        );
        d.groups = groups.iter().map(|g| g.to_string()).collect();
        d.line = Some(line);
        d
    }

    #[test]
    fn duplicates_merge_with_groups_unioned_unless_one_is_normal() {
        let out = normalise(vec![
            dep("b", &["optional"], 9),
            dep("b", &["dev"], 4),
            dep("a", &["dev"], 2),
            dep("a", &[], 7),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].name.as_str(), out[0].groups.len(), out[0].line),
            ("a", 0, Some(2))
        );
        assert_eq!(out[1].groups, ["dev", "optional"]);
        assert_eq!(out[1].line, Some(4));
    }

    #[test]
    fn a_different_commit_is_a_different_dependency() {
        let mut x = dep("a", &[], 1);
        x.commit = Some("af885e2e890b9ef0875edd2b117305119ee5bdc5".into());
        assert_eq!(normalise(vec![x, dep("a", &[], 2)]).len(), 2);
    }
}
