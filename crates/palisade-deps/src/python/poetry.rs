//! `poetry.lock`.
//!
//! TOML: one `[[package]]` table per locked package with `name`, `version`, `optional`,
//! the group (`category = "main" | "dev"` before poetry 1.5, `groups = [...]` since 2.0),
//! `[package.dependencies]` (name to constraint) and, for non-index sources,
//! `[package.source]` (`type = "git"`, `url`, `resolved_reference` = the commit).
//!
//! We take name, version, commit, groups (the poetry group names other than `main`, plus
//! `optional` for extras-only packages), and parents from the dependency tables. Which
//! packages are direct lives in pyproject.toml, not here.

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
    optional: bool,
    category: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type", default)]
    kind: String,
    resolved_reference: Option<String>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = toml(path, text, "poetry.lock TOML")?;
    let mut lines = toml_package_lines(text);
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &lock.package {
        for child in p.dependencies.keys() {
            parents
                .entry(pep503(child))
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
            dep.commit = p
                .source
                .filter(|s| s.kind == "git")
                .and_then(|s| s.resolved_reference);
            let mut groups: Vec<String> = p.groups.into_iter().filter(|g| g != "main").collect();
            groups.extend(p.category.filter(|c| c != "main"));
            if p.optional {
                groups.push("optional".to_string());
            }
            dep.groups = groups;
            dep.parents = parents
                .remove(&pep503(&p.name))
                .into_iter()
                .flatten()
                .collect();
            dep
        })
        .collect())
}
