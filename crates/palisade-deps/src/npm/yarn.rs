//! `yarn.lock`, classic (v1) and berry (v2 and later).
//!
//! Classic is yarn's own indentation format, not YAML: each entry is a header listing the
//! specifiers it satisfies (`"a@^1.0.0", a@^1.1.0:`), then two-space fields
//! (`version "1.2.0"`, `resolved "URL#sha1"`) and four-space blocks (`dependencies:` with
//! `name "range"` lines). Berry writes the same shape in YAML syntax (`version: 1.2.0`,
//! `resolution: "a@npm:1.2.0"`) plus a `__metadata` entry, and lists the project's own
//! workspaces as `name@workspace:path` entries. One hand-written line parser reads both.
//!
//! We take name (from berry's `resolution`, else the first specifier, resolving
//! `npm:real@range` aliases), version, commit (from `resolved`/`resolution` git URLs),
//! parents (matching each `dependencies` line to the entry whose header lists that
//! specifier) and, for berry, `direct` (a dependency of a workspace entry). yarn.lock does
//! not record dev/optional groups.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;

use super::{split_spec, unalias};
use crate::util::commit_from_url;
use crate::{Dependency, DepsError};

#[derive(Default)]
struct Entry {
    line: usize,
    specs: Vec<String>,
    fields: BTreeMap<String, String>,
    children: Vec<(String, String)>,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// Splits `key value`, `"key" value` or `key: value`.
fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim();
    let end = if let Some(rest) = s.strip_prefix('"') {
        rest.find('"').map(|i| i + 2).unwrap_or(s.len())
    } else {
        s.find([' ', ':']).unwrap_or(s.len())
    };
    let (key, rest) = s.split_at(end);
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    (unquote(key), unquote(rest))
}

fn entries(path: &Path, text: &str) -> Result<Vec<Entry>, DepsError> {
    let mut out: Vec<Entry> = Vec::new();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            let header = content.strip_suffix(':').ok_or_else(|| {
                DepsError::new(
                    path,
                    Some(i + 1),
                    "expected an entry header ending with `:`",
                )
            })?;
            let specs = header
                .split(", ")
                .map(|s| s.trim().trim_matches('"').to_string())
                .collect();
            out.push(Entry {
                line: i + 1,
                specs,
                ..Entry::default()
            });
            block = None;
            continue;
        }
        let entry = out
            .last_mut()
            .ok_or_else(|| DepsError::new(path, Some(i + 1), "field outside an entry"))?;
        if indent <= 2 {
            let (key, value) = split_field(content);
            if value.is_empty() {
                block = Some(key.to_string());
            } else {
                block = None;
                entry.fields.insert(key.to_string(), value.to_string());
            }
        } else if let Some(b) = &block
            && matches!(b.as_str(), "dependencies" | "optionalDependencies")
        {
            let (name, range) = split_field(content);
            entry.children.push((name.to_string(), range.to_string()));
        }
    }
    Ok(out)
}

/// The real package name and whether the entry is one of the project's workspaces.
fn identity(entry: &Entry) -> Option<String> {
    if let Some(res) = entry.fields.get("resolution") {
        let (name, _) = split_spec(res);
        if !name.is_empty() {
            return Some(name.to_string());
        }
    }
    let first = entry.specs.first()?;
    let (name, range) = split_spec(first);
    if let Some((real, _)) = unalias(range) {
        return Some(real.to_string());
    }
    (!name.is_empty()).then(|| name.to_string())
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let entries: Vec<Entry> = entries(path, text)?
        .into_iter()
        .filter(|e| e.specs.first().is_some_and(|s| s != "__metadata"))
        .collect();
    let berry = text.contains("\n__metadata:") || text.starts_with("__metadata:");
    let mut by_spec: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for s in &e.specs {
            by_spec.insert(s.as_str(), i);
        }
    }
    let names: Vec<Option<String>> = entries.iter().map(identity).collect();
    let mut parents: Vec<BTreeSet<String>> = vec![BTreeSet::new(); entries.len()];
    let mut direct = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let is_workspace = e
            .fields
            .get("resolution")
            .is_some_and(|r| r.contains("@workspace:"));
        for (name, range) in &e.children {
            let target = by_spec
                .get(format!("{name}@{range}").as_str())
                .or_else(|| by_spec.get(format!("{name}@npm:{range}").as_str()));
            if let (Some(&t), Some(parent)) = (target, &names[i]) {
                parents[t].insert(parent.clone());
                direct[t] |= is_workspace;
            }
        }
    }
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(name) = &names[i] else { continue };
        let version = e.fields.get("version").cloned().unwrap_or_default();
        let mut dep = Dependency::new(Ecosystem::Npm, name.clone(), version, path);
        dep.line = Some(e.line);
        dep.commit = e
            .fields
            .get("resolution")
            .or_else(|| e.fields.get("resolved"))
            .and_then(|u| commit_from_url(u));
        dep.parents = parents[i].iter().cloned().collect();
        if berry {
            dep.direct = Some(direct[i]);
        }
        out.push(dep);
    }
    Ok(out)
}
