//! `package-lock.json` and `npm-shrinkwrap.json`.
//!
//! npm writes the installed tree. Lockfile version 1 nests it: `dependencies` maps names
//! to `{version, resolved, dev, optional, requires, dependencies}` recursively. Versions 2
//! and 3 flatten it: `packages` maps install paths (`node_modules/a/node_modules/b`) to
//! `{name?, version, resolved, dev, optional, devOptional, peer, link, dependencies...}`,
//! with the project itself under `""` (v2 also keeps the v1 tree for old npm; we read the
//! flat map when present).
//!
//! We take every installed package: the name (the `name` field for aliases, else the last
//! path segment), version, commit for git sources, groups from the flags, `direct` from
//! the root's dependency lists (v2+), and parents from each entry's declared dependencies.
//! Link entries are skipped: the folder they point to has its own entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use super::{attach_parents, unalias};
use crate::util::{commit_from_url, json};
use crate::{Dependency, DepsError};

type Names = Option<BTreeMap<String, serde_json::Value>>;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Option<BTreeMap<String, Entry>>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Entry {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    dev_optional: bool,
    #[serde(default)]
    peer: bool,
    #[serde(default)]
    link: bool,
    dependencies: Names,
    optional_dependencies: Names,
    peer_dependencies: Names,
    dev_dependencies: Names,
}

#[derive(Deserialize)]
struct V1Entry {
    version: Option<String>,
    resolved: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    requires: Names,
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = json(path, text, "npm lockfile JSON")?;
    match lock.packages {
        Some(packages) if !packages.is_empty() => Ok(parse_v2(path, packages)),
        _ => Ok(parse_v1(path, lock.dependencies.unwrap_or_default())),
    }
}

fn keys(maps: [&Names; 4]) -> impl Iterator<Item = &String> {
    maps.into_iter().flatten().flat_map(|m| m.keys())
}

fn groups(dev: bool, optional: bool, dev_optional: bool, peer: bool) -> Vec<String> {
    let mut g = Vec::new();
    if dev || dev_optional {
        g.push("dev".to_string());
    }
    if optional || dev_optional {
        g.push("optional".to_string());
    }
    if peer {
        g.push("peer".to_string());
    }
    g
}

/// Splits a version that is really a source (`git+ssh://...#sha`, `file:...`,
/// `npm:real@1.0.0`) into name override, version and commit.
fn version_of(version: &str, resolved: Option<&str>) -> (Option<String>, String, Option<String>) {
    if let Some((name, v)) = unalias(version) {
        return (Some(name.to_string()), v.to_string(), None);
    }
    let commit = resolved
        .and_then(commit_from_url)
        .or_else(|| commit_from_url(version));
    if version.contains(':') || version.contains('/') {
        (None, String::new(), commit)
    } else {
        (None, version.to_string(), commit)
    }
}

fn parse_v2(path: &Path, packages: BTreeMap<String, Entry>) -> Vec<Dependency> {
    let root = packages.get("");
    let direct: BTreeSet<&String> = root
        .map(|r| {
            keys([
                &r.dependencies,
                &r.dev_dependencies,
                &r.optional_dependencies,
                &r.peer_dependencies,
            ])
            .collect()
        })
        .unwrap_or_default();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for (key, entry) in &packages {
        if key.is_empty() || entry.link {
            continue;
        }
        let segment = match key.rfind("node_modules/") {
            Some(i) => &key[i + "node_modules/".len()..],
            None => key.rsplit('/').next().unwrap_or(key),
        };
        let (alias, version, commit) = version_of(
            entry.version.as_deref().unwrap_or(""),
            entry.resolved.as_deref(),
        );
        let name = entry
            .name
            .clone()
            .or(alias)
            .unwrap_or_else(|| segment.to_string());
        if name.is_empty() {
            continue;
        }
        for child in keys([
            &entry.dependencies,
            &entry.optional_dependencies,
            &entry.peer_dependencies,
            &None,
        ]) {
            parents
                .entry(child.clone())
                .or_default()
                .insert(name.clone());
        }
        let mut dep = Dependency::new(Ecosystem::Npm, name, version, path);
        dep.commit = commit;
        dep.groups = groups(entry.dev, entry.optional, entry.dev_optional, entry.peer);
        let top_level = key
            .strip_prefix("node_modules/")
            .is_some_and(|n| !n.contains("node_modules/"));
        dep.direct = Some(top_level && direct.contains(&segment.to_string()));
        out.push(dep);
    }
    attach_parents(&mut out, &parents);
    out
}

fn parse_v1(path: &Path, deps: BTreeMap<String, V1Entry>) -> Vec<Dependency> {
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::new();
    // An explicit stack: nesting comes from the input (serde_json already caps it at 128).
    let mut stack: Vec<(String, V1Entry)> = deps.into_iter().collect();
    stack.reverse();
    while let Some((key, entry)) = stack.pop() {
        let (alias, version, commit) = version_of(
            entry.version.as_deref().unwrap_or(""),
            entry.resolved.as_deref(),
        );
        let name = alias.unwrap_or(key);
        for child in entry.requires.iter().flat_map(|m| m.keys()) {
            parents
                .entry(child.clone())
                .or_default()
                .insert(name.clone());
        }
        let mut dep = Dependency::new(Ecosystem::Npm, name, version, path);
        dep.commit = commit;
        dep.groups = groups(entry.dev, entry.optional, false, false);
        out.push(dep);
        if let Some(nested) = entry.dependencies {
            stack.extend(nested.into_iter().rev());
        }
    }
    attach_parents(&mut out, &parents);
    out
}
