//! Maven `pom.xml`.
//!
//! XML: `<project>` with its own coordinates (`groupId`, `artifactId`, `version`, each
//! possibly inherited from `<parent>`), `<properties>`, `<dependencies>` (each
//! `<dependency>` with `groupId`, `artifactId`, `version`, `scope`, `optional`) and
//! `<dependencyManagement><dependencies>` (versions for dependencies declared without one,
//! here or in child modules and transitive dependencies). Values may use `${property}`
//! references to `<properties>`, `project.*`/`pom.*` and `parent.*`/`project.parent.*`.
//!
//! We take each dependency as `groupId:artifactId` with its version (properties
//! interpolated, bounded; from dependencyManagement when missing; hard requirements
//! `[1.0]` unwrapped; other ranges and unresolved references give `""`), its line, and
//! groups from the scope (`test`, `provided`, `system`; `compile`/`runtime` are normal)
//! plus `optional`. Managed entries that no dependency of this POM uses are listed too,
//! with the group `managed`: they pin what transitive dependencies and child modules
//! get. The parent POM itself is not read.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::Ecosystem;

use super::plain_version;
use crate::xml::{self, Element};
use crate::{Dependency, DepsError};

/// Interpolation passes: enough for chains of properties, finite for cycles.
const MAX_PASSES: usize = 8;

fn interpolate(value: &str, props: &BTreeMap<String, String>) -> Option<String> {
    let mut v = value.to_string();
    for _ in 0..MAX_PASSES {
        let Some(i) = v.find("${") else {
            return Some(v);
        };
        let end = v[i..].find('}')? + i;
        let replacement = props.get(&v[i + 2..end])?.clone();
        if v.len() + replacement.len() > 4096 {
            return None;
        }
        v.replace_range(i..=end, &replacement);
    }
    (!v.contains("${")).then_some(v)
}

struct Coords {
    name: String,
    version: Option<String>,
    scope: String,
    optional: bool,
    line: usize,
}

fn coords(d: &Element, props: &BTreeMap<String, String>) -> Option<Coords> {
    let text = |n: &str| d.child_text(n).and_then(|t| interpolate(t, props));
    let group = text("groupId")?;
    let artifact = text("artifactId")?;
    Some(Coords {
        name: format!("{group}:{artifact}"),
        version: d
            .child_text("version")
            .map(|v| interpolate(v, props).unwrap_or_default()),
        scope: text("scope").unwrap_or_default(),
        optional: d.child_text("optional") == Some("true"),
        line: d.line,
    })
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let root = xml::parse(path, text, "pom.xml")?;
    if root.name != "project" {
        return Err(DepsError::new(
            path,
            Some(root.line),
            format!("expected a <project> root, found <{}>", root.name),
        ));
    }
    let mut props: BTreeMap<String, String> = BTreeMap::new();
    for p in root
        .child("properties")
        .into_iter()
        .flat_map(|p| &p.children)
    {
        props.insert(p.name.clone(), p.text.trim().to_string());
    }
    let parent = root.child("parent");
    for field in ["groupId", "artifactId", "version"] {
        let parent_value = parent.and_then(|p| p.child_text(field));
        if let Some(v) = parent_value {
            props.insert(format!("parent.{field}"), v.to_string());
            props.insert(format!("project.parent.{field}"), v.to_string());
        }
        if let Some(v) = root.child_text(field).or(parent_value) {
            props.insert(format!("project.{field}"), v.to_string());
            props.insert(format!("pom.{field}"), v.to_string());
            if field == "version" {
                props.insert("version".to_string(), v.to_string());
            }
        }
    }
    let list = |el: Option<&Element>| -> Vec<Coords> {
        el.and_then(|e| e.child("dependencies"))
            .into_iter()
            .flat_map(|d| d.children_named("dependency"))
            .filter_map(|d| coords(d, &props))
            .collect()
    };
    let managed = list(root.child("dependencyManagement"));
    let declared = list(Some(&root));
    let managed_version: BTreeMap<&str, &str> = managed
        .iter()
        .filter_map(|m| Some((m.name.as_str(), m.version.as_deref()?)))
        .collect();
    let mut out = Vec::new();
    for d in &declared {
        let version = d
            .version
            .as_deref()
            .or_else(|| managed_version.get(d.name.as_str()).copied())
            .unwrap_or("");
        let mut dep = Dependency::new(
            Ecosystem::Maven,
            d.name.clone(),
            plain_version(version),
            path,
        );
        dep.line = Some(d.line);
        dep.direct = Some(true);
        if matches!(d.scope.as_str(), "test" | "provided" | "system") {
            dep.groups.push(d.scope.clone());
        }
        if d.optional {
            dep.groups.push("optional".to_string());
        }
        out.push(dep);
    }
    for m in managed
        .iter()
        .filter(|m| !declared.iter().any(|d| d.name == m.name))
    {
        let version = plain_version(m.version.as_deref().unwrap_or(""));
        let mut dep = Dependency::new(Ecosystem::Maven, m.name.clone(), version, path);
        dep.line = Some(m.line);
        dep.direct = Some(false);
        dep.groups.push("managed".to_string());
        out.push(dep);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_follows_chains_and_stops_on_cycles() {
        let props: BTreeMap<String, String> =
            [("a", "${b}"), ("b", "1.0"), ("x", "${y}"), ("y", "${x}")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(
            interpolate("${a}-final", &props).as_deref(),
            Some("1.0-final")
        );
        assert_eq!(interpolate("${x}", &props), None);
        assert_eq!(interpolate("${missing}", &props), None);
    }
}
