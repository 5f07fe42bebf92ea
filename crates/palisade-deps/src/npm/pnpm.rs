//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! pnpm records every package once under `packages`, keyed by a path whose shape changed
//! over time: `/name/1.0.0_peer@2` (v5), `/name@1.0.0(peer@2)` (v6), `name@1.0.0` (v9,
//! which moves the per-install graph and the `dev`/`optional` flags out to `snapshots`).
//! Git, tarball and local packages carry `name`/`version` fields and a `resolution` with
//! a `commit` or `tarball`. The project's own dependency lists sit at the top level (v5,
//! v6 single projects) or under `importers` (workspaces, and always in v9).
//!
//! We take name and version (fields first, else the key; peer suffixes dropped), the
//! commit, groups (v5/v6 `dev`/`optional` flags; for v9, from which importer lists reach
//! the package), `direct` (listed by an importer) and parents (from the graph).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use palisade_core::Ecosystem;
use serde_yaml_ng::Value;

use super::split_spec;
use crate::util::{commit_from_url, yaml};
use crate::{Dependency, DepsError};

const KINDS: [(&str, &str); 3] = [
    ("dependencies", ""),
    ("optionalDependencies", "optional"),
    ("devDependencies", "dev"),
];

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

fn map_iter(v: Option<&Value>) -> impl Iterator<Item = (&str, &Value)> {
    v.and_then(Value::as_mapping)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| Some((k.as_str()?, v)))
}

/// The lockfile version's major number (5 when absent or unreadable).
fn major(doc: &Value) -> u32 {
    let v = match get(doc, "lockfileVersion") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return 5,
    };
    v.split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(5)
}

fn strip_peers(v: &str) -> &str {
    v.split('(').next().unwrap_or(v)
}

/// Name and version from a package key, or `Ok(None)` for keys that name no registry
/// version (bare git paths), or an error for keys that fit no known shape.
fn from_key(key: &str, major: u32) -> Result<Option<(String, String)>, String> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let (name, version) = if major >= 6 {
        let (n, v) = split_spec(strip_peers(k));
        (n.to_string(), v.to_string())
    } else {
        let mut segs: Vec<&str> = k.split('/').collect();
        if segs.len() < 2 {
            return Err(format!("invalid package path `{key}`"));
        }
        if segs[0].contains('.') && !segs[0].starts_with('@') {
            segs.remove(0); // a registry host: registry.npmjs.org/foo/1.0.0
        }
        let (name, version) = match segs.as_slice() {
            [scope, n, v, ..] if scope.starts_with('@') => (format!("{scope}/{n}"), *v),
            [n, v, ..] => (n.to_string(), *v),
            _ => return Ok(None),
        };
        let version = version.split('_').next().unwrap_or(version);
        (name, version.to_string())
    };
    if name.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(Some((name, version)))
}

/// Candidate package keys for a dependency reference `name: version` in this lockfile.
fn ref_keys(name: &str, version: &str, major: u32) -> Vec<String> {
    let mut keys = vec![version.to_string(), format!("/{version}")];
    if major >= 9 {
        keys.push(format!("{name}@{version}"));
    } else if major >= 6 {
        keys.push(format!("/{name}@{version}"));
    } else {
        keys.push(format!("/{name}/{version}"));
    }
    keys
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc: Value = yaml(path, text, "pnpm lockfile YAML")?;
    if doc.is_null() {
        return Ok(Vec::new());
    }
    if !doc.is_mapping() {
        return Err(DepsError::new(
            path,
            None,
            "pnpm lockfile is not a YAML mapping",
        ));
    }
    let major = major(&doc);
    let packages = get(&doc, "packages");
    // v9 keeps the graph in `snapshots`; earlier versions in `packages`.
    let graph = if major >= 9 {
        get(&doc, "snapshots")
    } else {
        packages
    };
    let known: BTreeSet<&str> = map_iter(graph)
        .chain(map_iter(packages))
        .map(|(k, _)| k)
        .collect();
    let resolve = |name: &str, version: &Value| -> Option<String> {
        let v = s(version).or_else(|| get(version, "version").and_then(s))?;
        ref_keys(name, v, major)
            .into_iter()
            .find(|k| known.contains(k.as_str()))
    };

    // Roots: the importers' lists (or the top-level lists of a v5/v6 single project).
    let mut importers: Vec<&Value> = map_iter(get(&doc, "importers")).map(|(_, v)| v).collect();
    if importers.is_empty() {
        importers.push(&doc);
    }
    let mut reach: BTreeMap<&str, VecDeque<String>> = BTreeMap::new();
    let mut direct: BTreeSet<String> = BTreeSet::new();
    for imp in &importers {
        for (list, group) in KINDS {
            for (name, version) in map_iter(get(imp, list)) {
                if let Some(k) = resolve(name, version) {
                    direct.insert(k.clone());
                    reach.entry(group).or_default().push_back(k);
                }
            }
        }
    }

    // Edges, by snapshot/package key.
    let mut children: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (key, entry) in map_iter(graph) {
        let kids = ["dependencies", "optionalDependencies"]
            .into_iter()
            .flat_map(|l| map_iter(get(entry, l)))
            .filter_map(|(n, v)| resolve(n, v))
            .collect();
        children.insert(key, kids);
    }
    // Which root lists reach each key (breadth-first, each key visited once per list).
    let mut reached_by: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (group, mut queue) in reach {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        while let Some(k) = queue.pop_front() {
            if !seen.insert(k.clone()) {
                continue;
            }
            reached_by.entry(k.clone()).or_default().insert(group);
            queue.extend(children.get(k.as_str()).into_iter().flatten().cloned());
        }
    }

    let mut ids: BTreeMap<&str, (String, String)> = BTreeMap::new();
    let mut out = Vec::new();
    for (key, entry) in map_iter(packages) {
        let field = |f: &str| get(entry, f).and_then(s).map(str::to_string);
        let parsed = match (field("name"), field("version")) {
            (Some(n), Some(v)) => Some((n, v)),
            (None, Some(v)) if major >= 9 => {
                // v9 git/tarball packages: `name@URL` with the version as a field.
                let (n, _) = split_spec(key);
                Some((n.to_string(), v))
            }
            _ => from_key(key, major).map_err(|e| DepsError::new(path, None, e))?,
        };
        let Some((name, version)) = parsed else {
            continue;
        };
        let resolution = get(entry, "resolution");
        let mut dep = Dependency::new(Ecosystem::Npm, name.clone(), version.clone(), path);
        dep.commit = resolution
            .and_then(|r| get(r, "commit"))
            .and_then(s)
            .map(str::to_string)
            .or_else(|| {
                resolution
                    .and_then(|r| get(r, "tarball"))
                    .and_then(s)
                    .and_then(commit_from_url)
            });
        ids.insert(key, (name, version));
        out.push((key.to_string(), entry, dep));
    }

    // Parents, by name, from the graph edges.
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, kids) in &children {
        let parent = ids
            .get(key)
            .map(|(n, _)| n.clone())
            .or_else(|| from_key(key, major).ok().flatten().map(|(n, _)| n));
        let Some(parent) = parent else { continue };
        for kid in kids {
            parents
                .entry(kid.clone())
                .or_default()
                .insert(parent.clone());
        }
    }

    // Snapshot keys of v9 carry peer suffixes; the package key does not.
    let mut snapshots_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for k in children.keys() {
        snapshots_of.entry(strip_peers(k)).or_default().push(k);
    }
    let has_roots = !reached_by.is_empty();
    let mut deps = Vec::with_capacity(out.len());
    for (key, entry, mut dep) in out {
        let snapshot_keys: Vec<&str> = if major >= 9 {
            snapshots_of
                .get(strip_peers(&key))
                .cloned()
                .unwrap_or_default()
        } else {
            vec![key.as_str()]
        };
        let mut groups: BTreeSet<&str> = BTreeSet::new();
        for k in &snapshot_keys {
            groups.extend(reached_by.get(*k).into_iter().flatten().copied());
            for p in parents.get(*k).into_iter().flatten() {
                dep.parents.push(p.clone());
            }
        }
        dep.direct = has_roots.then(|| snapshot_keys.iter().any(|k| direct.contains(*k)));
        let flag = |f: &str| get(entry, f).and_then(Value::as_bool);
        dep.groups = match (flag("dev"), flag("optional")) {
            (None, None) if groups.contains("") || groups.is_empty() => Vec::new(),
            (None, None) => groups.iter().map(|g| g.to_string()).collect(),
            (dev, optional) => {
                let mut g = Vec::new();
                if dev == Some(true) {
                    g.push("dev".to_string());
                }
                if optional == Some(true) {
                    g.push("optional".to_string());
                }
                g
            }
        };
        deps.push(dep);
    }
    Ok(deps)
}
