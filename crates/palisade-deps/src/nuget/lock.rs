//! NuGet `packages.lock.json` (lock file version 1 and 2).
//!
//! JSON: `version`, then `dependencies` mapping each target framework (`net6.0`...) to
//! the packages restored for it: `{type: Direct | Transitive | CentralTransitive |
//! Project, requested, resolved, contentHash, dependencies: {name: range}}`.
//!
//! We take every package of every framework (merged when the same version appears in
//! several): name, `resolved` version, `direct` from the type, and parents from the
//! dependency maps. `Project` entries are other projects of the solution, not packages,
//! and are skipped. Unknown lock versions are refused rather than misread.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use crate::util::json;
use crate::{Dependency, DepsError};

#[derive(Deserialize)]
struct Lock {
    version: Option<i64>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, Package>>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(rename = "type", default)]
    kind: String,
    resolved: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = json(path, text, "packages.lock.json JSON")?;
    match lock.version {
        Some(1 | 2) => {}
        Some(v) => {
            return Err(DepsError::new(
                path,
                None,
                format!("unsupported packages.lock.json version {v}"),
            ));
        }
        None => {
            return Err(DepsError::new(
                path,
                None,
                "packages.lock.json has no `version`",
            ));
        }
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for packages in lock.dependencies.values() {
        for (name, p) in packages {
            for child in p.dependencies.keys() {
                parents
                    .entry(child.to_ascii_lowercase())
                    .or_default()
                    .insert(name.clone());
            }
        }
    }
    let mut out = Vec::new();
    for packages in lock.dependencies.into_values() {
        for (name, p) in packages {
            if p.kind.eq_ignore_ascii_case("project") {
                continue;
            }
            let Some(version) = p.resolved else { continue };
            let mut dep = Dependency::new(Ecosystem::NuGet, name.clone(), version, path);
            dep.direct = Some(p.kind.eq_ignore_ascii_case("direct"));
            dep.parents = parents
                .get(&name.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            out.push(dep);
        }
    }
    Ok(out)
}
