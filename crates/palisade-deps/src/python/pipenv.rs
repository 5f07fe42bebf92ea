//! `Pipfile.lock`.
//!
//! JSON with `_meta` and two package sections, `default` and `develop`, each mapping a
//! package name to `{version: "==1.2.3", hashes, markers}` (or `{git, ref}` for VCS
//! packages, `{path}`/`{file}` for local ones). The lock is flat: no graph.
//!
//! We take each package that has a version (stripped of its `==`); `develop` packages get
//! the group `dev`; a git package gets its `ref` as commit when it is one.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::Ecosystem;
use serde::Deserialize;

use crate::util::{is_commit, json};
use crate::{Dependency, DepsError};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    default: BTreeMap<String, Package>,
    #[serde(default)]
    develop: BTreeMap<String, Package>,
}

#[derive(Deserialize)]
struct Package {
    version: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = json(path, text, "Pipfile.lock JSON")?;
    let mut out = Vec::new();
    for (section, group) in [(lock.default, None), (lock.develop, Some("dev"))] {
        for (name, p) in section {
            let Some(version) = p.version else { continue };
            let version = version.trim_start_matches("===").trim_start_matches("==");
            let mut dep = Dependency::new(Ecosystem::PyPI, name, version, path);
            dep.groups.extend(group.map(str::to_string));
            dep.commit = p.reference.filter(|r| is_commit(r));
            out.push(dep);
        }
    }
    Ok(out)
}
