//! `Cargo.lock`.
//!
//! TOML: `version` (format 1 to 4) and one `[[package]]` per resolved crate with `name`,
//! `version`, `source` (`registry+URL`, `sparse+URL`, `git+URL?rev=...#<commit>`; absent
//! for the workspace's own crates and path dependencies), `checksum` and `dependencies`
//! (`"name"`, or `"name version"` / `"name version (source)"` when several versions exist).
//!
//! We take every package (including local ones, which advisories can still name), the
//! commit of git sources, parents from the dependency lists, and `direct` for crates a
//! local package depends on. Cargo.lock does not record dev or build groups.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use crate::python::{take_line, toml_package_lines};
use crate::util::{commit_from_url, toml};
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
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = toml(path, text, "Cargo.lock TOML")?;
    let mut lines = toml_package_lines(text);
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut direct: BTreeSet<&str> = BTreeSet::new();
    for p in &lock.package {
        for d in &p.dependencies {
            let child = d.split_whitespace().next().unwrap_or("");
            parents.entry(child).or_default().insert(&p.name);
            if p.source.is_none() {
                direct.insert(child);
            }
        }
    }
    Ok(lock
        .package
        .iter()
        .map(|p| {
            let mut dep =
                Dependency::new(Ecosystem::Crates, p.name.clone(), p.version.clone(), path);
            dep.line = take_line(&mut lines, &p.name);
            dep.commit = p
                .source
                .as_deref()
                .filter(|s| s.starts_with("git+"))
                .and_then(commit_from_url);
            dep.direct = Some(direct.contains(p.name.as_str()));
            dep.parents = parents
                .get(p.name.as_str())
                .into_iter()
                .flatten()
                .map(|s| s.to_string())
                .collect();
            dep
        })
        .collect())
}
