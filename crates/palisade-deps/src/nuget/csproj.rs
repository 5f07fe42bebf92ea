//! MSBuild project files (`.csproj`, `.fsproj`, `.vbproj`) with `PackageReference` items.
//!
//! XML: `<Project>` with `<ItemGroup>`s of `<PackageReference Include="Name"
//! Version="1.2.3" />`, the version also possible as a `<Version>` child element, and
//! `<PropertyGroup>`s that may define `$(Properties)` used in versions. A version is the
//! minimum NuGet resolves to when available; ranges (`[1.0,2.0)`) and floating versions
//! (`1.*`) resolve to nothing in particular. `PrivateAssets="all"` marks a build-time-only
//! package (analyzers, source generators). Central package management
//! (`Directory.Packages.props`) and `Update=` items are outside this file's list.
//!
//! We take each `Include` with its version (properties substituted; ranges and floating
//! versions give `""`), the line, `direct = true`, and the group `dev` for
//! `PrivateAssets="all"`.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::Ecosystem;

use crate::xml::{self, Element};
use crate::{Dependency, DepsError};

/// Replaces `$(Name)` with the property's value; `None` if any stays unresolved.
fn substitute(value: &str, props: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(')')? + i;
        out.push_str(props.get(&rest[i + 2..end].to_ascii_lowercase())?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn field<'a>(item: &'a Element, name: &str) -> Option<&'a str> {
    item.attr(name).or_else(|| {
        item.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| c.text.trim())
    })
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let root = xml::parse(path, text, "project XML")?;
    if root.name != "Project" {
        return Err(DepsError::new(
            path,
            Some(root.line),
            format!("expected a <Project> root, found <{}>", root.name),
        ));
    }
    let mut props = BTreeMap::new();
    for group in root.children_named("PropertyGroup") {
        for p in &group.children {
            props.insert(p.name.to_ascii_lowercase(), p.text.trim().to_string());
        }
    }
    let mut out = Vec::new();
    for group in root.children_named("ItemGroup") {
        for item in group.children_named("PackageReference") {
            let Some(name) = item.attr("Include").filter(|s| !s.is_empty()) else {
                continue;
            };
            let raw = field(item, "Version").unwrap_or("");
            let version = substitute(raw, &props).unwrap_or_default();
            let version = if version.starts_with(['[', '(']) || version.contains('*') {
                String::new()
            } else {
                version
            };
            let mut dep = Dependency::new(Ecosystem::NuGet, name, version, path);
            dep.line = Some(item.line);
            dep.direct = Some(true);
            if field(item, "PrivateAssets").is_some_and(|v| v.eq_ignore_ascii_case("all")) {
                dep.groups.push("dev".to_string());
            }
            out.push(dep);
        }
    }
    Ok(out)
}
