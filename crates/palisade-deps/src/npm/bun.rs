//! `bun.lock`, bun's text lockfile (bun 1.2 and later).
//!
//! The file is JSONC (JSON with comments and trailing commas). `workspaces` maps each
//! workspace folder (`""` is the root) to its declared `dependencies`, `devDependencies`,
//! `optionalDependencies` and `peerDependencies`. `packages` maps an install key (`name`,
//! or `parent/name` for a copy nested under a parent) to an array whose first element is
//! the resolved identity `name@version` (or `name@github:owner/repo#sha`,
//! `name@git+URL#sha`, `name@workspace:path`, `name@file:...`, `name@link:...`), followed
//! by the registry URL, an info object (`dependencies`, `optionalDependencies`...) and the
//! integrity, depending on the source kind.
//!
//! We take the identity (registry versions as written; other sources give no version,
//! and git sources their commit), skip workspace entries (the project's own code), and
//! derive `direct`, groups (reached only through dev or optional lists) and parents from
//! the workspaces and the info objects.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use palisade_core::Ecosystem;
use serde_json::Value;

use super::split_spec;
use crate::util::{commit_from_url, json, strip_jsonc};
use crate::{Dependency, DepsError};

const LISTS: [(&str, &str); 4] = [
    ("dependencies", ""),
    ("peerDependencies", ""),
    ("optionalDependencies", "optional"),
    ("devDependencies", "dev"),
];

fn names(v: Option<&Value>) -> impl Iterator<Item = &String> {
    v.and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc: Value = json(path, &strip_jsonc(text), "bun.lock JSONC")?;
    let Some(doc) = doc.as_object() else {
        return Err(DepsError::new(
            path,
            Some(1),
            "bun.lock is not a JSON object",
        ));
    };
    let empty = serde_json::Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let info = |key: &str| -> Option<&Value> {
        packages
            .get(key)?
            .as_array()?
            .iter()
            .skip(1)
            .find(|v| v.is_object())
    };
    let resolve = |from: &str, name: &str| -> Option<String> {
        let nested = format!("{from}/{name}");
        if !from.is_empty() && packages.contains_key(&nested) {
            Some(nested)
        } else {
            packages.contains_key(name).then(|| name.to_string())
        }
    };

    let mut direct: BTreeSet<String> = BTreeSet::new();
    let mut reached: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let workspaces = doc.get("workspaces").and_then(Value::as_object);
    for (list, group) in LISTS {
        let mut queue: VecDeque<String> = VecDeque::new();
        for ws in workspaces.into_iter().flat_map(|w| w.values()) {
            for n in names(ws.get(list)) {
                if let Some(k) = resolve("", n) {
                    direct.insert(k.clone());
                    queue.push_back(k);
                }
            }
        }
        let mut seen = BTreeSet::new();
        while let Some(k) = queue.pop_front() {
            if !seen.insert(k.clone()) {
                continue;
            }
            reached.entry(k.clone()).or_default().insert(group);
            let i = info(&k);
            for l in ["dependencies", "optionalDependencies", "peerDependencies"] {
                queue.extend(names(i.and_then(|i| i.get(l))).filter_map(|n| resolve(&k, n)));
            }
        }
    }

    let mut ident_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (key, entry) in packages {
        let Some(ident) = entry
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
        else {
            continue;
        };
        let (name, resolved) = split_spec(ident);
        if name.is_empty() || resolved.starts_with("workspace:") {
            continue;
        }
        ident_of.insert(key, name.to_string());
        let is_version = resolved.starts_with(|c: char| c.is_ascii_digit());
        let version = if is_version { resolved } else { "" };
        let mut dep = Dependency::new(Ecosystem::Npm, name, version, path);
        if !is_version {
            dep.commit = commit_from_url(resolved);
        }
        dep.direct = Some(direct.contains(key));
        if let Some(g) = reached.get(key)
            && !g.contains("")
        {
            dep.groups = g.iter().map(|s| s.to_string()).collect();
        }
        out.push((key.clone(), dep));
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, name) in &ident_of {
        let i = info(key);
        for l in ["dependencies", "optionalDependencies", "peerDependencies"] {
            for n in names(i.and_then(|i| i.get(l))) {
                if let Some(k) = resolve(key, n) {
                    parents.entry(k).or_default().insert(name.clone());
                }
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|(key, mut dep)| {
            dep.parents = parents.remove(&key).into_iter().flatten().collect();
            dep
        })
        .collect())
}
