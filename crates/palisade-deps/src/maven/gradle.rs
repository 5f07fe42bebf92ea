//! Gradle dependency lockfiles: `gradle.lockfile` and `buildscript-gradle.lockfile`.
//!
//! Line-based: `#` comments, then `group:artifact:version=configuration,...` for each
//! resolved module, and a final `empty=...` line naming configurations that resolved to
//! nothing. The list is the complete resolved set, with no graph.
//!
//! We take each `group:artifact` with its version and line; a module used only by test
//! configurations (`testCompileClasspath`...) gets the group `test`. Malformed lines are
//! skipped, as Gradle itself ignores them.

use std::path::Path;

use palisade_core::Ecosystem;

use crate::{Dependency, DepsError};

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (coords, configs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coords.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            continue;
        };
        if group.is_empty() || artifact.is_empty() || version.is_empty() {
            continue;
        }
        let mut dep = Dependency::new(
            Ecosystem::Maven,
            format!("{group}:{artifact}"),
            *version,
            path,
        );
        dep.line = Some(i + 1);
        let configs: Vec<&str> = configs
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if !configs.is_empty() && configs.iter().all(|c| c.starts_with("test")) {
            dep.groups.push("test".to_string());
        }
        out.push(dep);
    }
    Ok(out)
}
