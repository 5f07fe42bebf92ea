//! `uv.lock`.
//!
//! TOML: `version`, `requires-python`, then one `[[package]]` per locked package with
//! `name`, `version`, `source` (`{ registry = URL }`, `{ git = "URL?rev=...#<commit>" }`,
//! `{ editable = "." }`, `{ virtual = "." }`, `{ path = ... }`, `{ directory = ... }`),
//! `dependencies = [{ name = ... }]`, `[package.optional-dependencies]` (extra name to
//! dependency list) and `[package.dev-dependencies]` (dependency group to list). The
//! project's own workspace members are the `editable`/`virtual` packages.
//!
//! We take every package except the workspace members (the project's own code): name,
//! version, commit (the fragment of a git source), `direct` (listed by a member), groups
//! (`optional` when only reached through extras, the dependency-group names such as `dev`
//! when only reached through those), and parents.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use super::{take_line, toml_package_lines};
use crate::util::{commit_from_url, pep503, toml};
use crate::{Dependency, DepsError};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Package {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Ref>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<Ref>>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Vec<Ref>>,
}

#[derive(Deserialize)]
struct Ref {
    name: String,
}

impl Package {
    fn is_member(&self) -> bool {
        self.source.contains_key("editable") || self.source.contains_key("virtual")
    }

    fn all_refs(&self) -> impl Iterator<Item = &Ref> {
        self.dependencies
            .iter()
            .chain(self.optional_dependencies.values().flatten())
            .chain(self.dev_dependencies.values().flatten())
    }
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = toml(path, text, "uv.lock TOML")?;
    let mut lines = toml_package_lines(text);
    let by_name: BTreeMap<String, &Package> =
        lock.package.iter().map(|p| (pep503(&p.name), p)).collect();

    // Roots: each workspace member's lists, tagged with the group they stand for.
    let mut roots: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in lock.package.iter().filter(|p| p.is_member()) {
        let lists = std::iter::once(("".to_string(), &m.dependencies))
            .chain(
                m.optional_dependencies
                    .values()
                    .map(|l| ("optional".to_string(), l)),
            )
            .chain(m.dev_dependencies.iter().map(|(g, l)| (g.clone(), l)));
        for (group, list) in lists {
            roots
                .entry(group)
                .or_default()
                .extend(list.iter().map(|r| pep503(&r.name)));
        }
    }
    let direct: BTreeSet<String> = roots.values().flatten().cloned().collect();
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (group, start) in roots {
        let mut queue: VecDeque<String> = start.into();
        let mut seen = BTreeSet::new();
        while let Some(n) = queue.pop_front() {
            if !seen.insert(n.clone()) {
                continue;
            }
            reached.entry(n.clone()).or_default().insert(group.clone());
            if let Some(p) = by_name.get(&n).filter(|p| !p.is_member()) {
                // A package's own extras are pulled in only when asked for; follow them all.
                queue.extend(p.all_refs().map(|r| pep503(&r.name)));
            }
        }
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in lock.package.iter().filter(|p| !p.is_member()) {
        for r in p.all_refs() {
            parents
                .entry(pep503(&r.name))
                .or_default()
                .insert(p.name.clone());
        }
    }

    let mut out = Vec::new();
    for p in lock.package.iter() {
        let line = take_line(&mut lines, &p.name);
        if p.is_member() {
            continue;
        }
        let key = pep503(&p.name);
        let mut dep = Dependency::new(Ecosystem::PyPI, p.name.clone(), p.version.clone(), path);
        dep.line = line;
        dep.commit = p
            .source
            .get("git")
            .and_then(toml::Value::as_str)
            .and_then(commit_from_url);
        dep.direct = (!by_name.values().all(|p| !p.is_member())).then(|| direct.contains(&key));
        if let Some(groups) = reached.get(&key)
            && !groups.contains("")
        {
            dep.groups = groups.iter().cloned().collect();
        }
        dep.parents = parents.remove(&key).into_iter().flatten().collect();
        out.push(dep);
    }
    Ok(out)
}
