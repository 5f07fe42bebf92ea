//! `pylock.toml` and `pylock.NAME.toml`, the standard Python lockfile of PEP 751.
//!
//! TOML: `lock-version`, `requires-python`, `extras`, `dependency-groups`, then one
//! `[[packages]]` table per package with `name`, `version` (optional for VCS, directory
//! and archive sources), an optional environment `marker` that may test
//! `'<group>' in dependency_groups` or `'<extra>' in extras`, `dependencies` (references to
//! other entries by `name`), and the source: `index` with `sdist`/`wheels`, `[packages.vcs]`
//! (`type`, `url`, `commit-id`), `[packages.directory]` or `[packages.archive]`.
//!
//! We take name, version (`""` when absent), the VCS commit, groups from the marker (the
//! dependency-group and extra names it tests), and parents from `dependencies`.

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
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    marker: String,
    #[serde(default)]
    dependencies: Vec<Ref>,
    vcs: Option<Vcs>,
}

#[derive(Deserialize)]
struct Ref {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Vcs {
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

/// The names a marker tests with `'name' in dependency_groups` or `'name' in extras`.
fn marker_groups(marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    for target in ["dependency_groups", "extras"] {
        let mut rest = marker;
        while let Some(i) = rest.find(target) {
            let before = rest[..i].trim_end();
            if let Some(before) = before.strip_suffix("in") {
                let before = before.trim_end();
                if let Some(q) = before.chars().last().filter(|c| *c == '\'' || *c == '"') {
                    let inner = &before[..before.len() - 1];
                    if let Some(start) = inner.rfind(q) {
                        out.push(inner[start + 1..].to_string());
                    }
                }
            }
            rest = &rest[i + target.len()..];
        }
    }
    out
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = toml(path, text, "pylock.toml TOML")?;
    let mut lines = toml_package_lines(text);
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &lock.packages {
        for r in p.dependencies.iter().filter_map(|r| r.name.as_deref()) {
            parents.entry(pep503(r)).or_default().insert(p.name.clone());
        }
    }
    Ok(lock
        .packages
        .into_iter()
        .map(|p| {
            let mut dep = Dependency::new(Ecosystem::PyPI, p.name.clone(), p.version, path);
            dep.line = take_line(&mut lines, &p.name);
            dep.commit = p.vcs.and_then(|v| v.commit_id);
            dep.groups = marker_groups(&p.marker);
            dep.parents = parents
                .remove(&pep503(&p.name))
                .into_iter()
                .flatten()
                .collect();
            dep
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::marker_groups;

    #[test]
    fn markers_name_their_groups_and_extras() {
        assert_eq!(
            marker_groups("'dev' in dependency_groups or \"cli\" in extras"),
            vec!["dev".to_string(), "cli".to_string()]
        );
        assert!(marker_groups("python_version >= '3.9'").is_empty());
    }
}
