//! `Gemfile.lock` (and `gems.locked`), Bundler's lockfile.
//!
//! Indentation-based sections. Source sections (`GEM`, `GIT`, `PATH`, `PLUGIN SOURCE`)
//! carry `remote:` (and for git `revision:`, the commit) and a `specs:` list: four-space
//! lines `name (version[-platform])` for each locked gem, each followed by six-space lines
//! naming the gems it depends on. `DEPENDENCIES` lists the Gemfile's own gems (two
//! spaces, `name (constraint)`, `!` for non-rubygems sources); `PLATFORMS`, `RUBY VERSION`
//! and `BUNDLED WITH` are metadata.
//!
//! We take every spec (version without its platform suffix), the git revision as commit,
//! the line, parents from the six-space lines, and `direct` from `DEPENDENCIES`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;

use crate::{Dependency, DepsError};

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut section = String::new();
    let mut revision: Option<String> = None;
    let mut in_specs = false;
    let mut out: Vec<Dependency> = Vec::new();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut direct: BTreeSet<String> = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if indent == 0 {
            section = content.to_string();
            revision = None;
            in_specs = false;
            continue;
        }
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {}
            "DEPENDENCIES" => {
                if indent == 2 {
                    let name = content.split([' ', '!']).next().unwrap_or("");
                    direct.insert(name.to_string());
                }
                continue;
            }
            _ => continue,
        }
        if indent == 2 {
            in_specs = content == "specs:";
            if let Some(r) = content.strip_prefix("revision:") {
                revision = Some(r.trim().to_string());
            }
            continue;
        }
        if !in_specs {
            continue;
        }
        let (name, version) = match content.split_once(" (") {
            Some((n, v)) => (n.trim(), v.trim_end_matches(')')),
            None => (content, ""),
        };
        if indent == 4 {
            // Strip a platform suffix: `1.13.3-x86_64-linux` is version 1.13.3.
            let version = version.split('-').next().unwrap_or(version);
            let mut dep = Dependency::new(Ecosystem::RubyGems, name, version, path);
            dep.line = Some(i + 1);
            dep.commit = revision.clone();
            out.push(dep);
        } else if let Some(parent) = out.last() {
            parents
                .entry(name.to_string())
                .or_default()
                .insert(parent.name.clone());
        }
    }
    let has_dependencies = !direct.is_empty();
    for dep in &mut out {
        dep.parents = parents
            .get(&dep.name)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        dep.direct = has_dependencies.then(|| direct.contains(&dep.name));
    }
    Ok(out)
}
