//! NuGet `packages.config`, the pre-PackageReference package list of .NET Framework
//! projects.
//!
//! XML: `<packages>` with one `<package id="..." version="..." targetFramework="..."
//! developmentDependency="true"? />` per installed package. The list is flat and exact
//! (NuGet installs exactly these versions, transitive ones included), with no graph.
//!
//! We take id, version and line; `developmentDependency="true"` gives the group `dev`.

use std::path::Path;

use palisade_core::Ecosystem;

use crate::xml;
use crate::{Dependency, DepsError};

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let root = xml::parse(path, text, "packages.config XML")?;
    if root.name != "packages" {
        return Err(DepsError::new(
            path,
            Some(root.line),
            format!("expected a <packages> root, found <{}>", root.name),
        ));
    }
    let mut out = Vec::new();
    for p in root.children_named("package") {
        let Some(id) = p.attr("id").filter(|s| !s.is_empty()) else {
            return Err(DepsError::new(
                path,
                Some(p.line),
                "<package> without an id",
            ));
        };
        let mut dep = Dependency::new(Ecosystem::NuGet, id, p.attr("version").unwrap_or(""), path);
        dep.line = Some(p.line);
        if p.attr("developmentDependency")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            dep.groups.push("dev".to_string());
        }
        out.push(dep);
    }
    Ok(out)
}
