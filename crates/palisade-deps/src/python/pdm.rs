//! `pdm.lock`.
//!
//! TOML: `[metadata]` (the groups locked, lock_version) and one `[[package]]` per locked
//! package with `name`, `version`, `groups = ["default", "dev", ...]`, `dependencies` as
//! PEP 508 strings, and for VCS packages `git` plus `revision` (the commit).
//!
//! We take name, version, commit, groups (all but `default`), and parents from the
//! dependency strings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use super::{take_line, toml_package_lines};
use crate::util::{pep503, toml};
use crate::{Dependency, DepsError};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    revision: Option<String>,
}

/// The (normalised) name at the start of a PEP 508 requirement string.
pub(crate) fn requirement_name(req: &str) -> String {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    pep503(&req[..end])
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = toml(path, text, "pdm.lock TOML")?;
    let mut lines = toml_package_lines(text);
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &lock.package {
        for req in &p.dependencies {
            parents
                .entry(requirement_name(req.trim()))
                .or_default()
                .insert(p.name.clone());
        }
    }
    Ok(lock
        .package
        .into_iter()
        .map(|p| {
            let mut dep = Dependency::new(Ecosystem::PyPI, p.name.clone(), p.version, path);
            dep.line = take_line(&mut lines, &p.name);
            dep.commit = p.revision;
            dep.groups = p.groups.into_iter().filter(|g| g != "default").collect();
            dep.parents = parents
                .remove(&pep503(&p.name))
                .into_iter()
                .flatten()
                .collect();
            dep
        })
        .collect())
}
