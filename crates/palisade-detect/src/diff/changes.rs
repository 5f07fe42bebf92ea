//! The comparisons behind [`super::diff`]: entry points, findings, native binaries,
//! declared dependencies and registry accounts, each turned into [`Change`]s.

use super::{Change, ChangeKind, DiffSide, FileChanges, change};
use palisade_core::{
    Category, DeclaredDependency, EntryPoint, Finding, Maintainer, Package, PackageMetadata, Phase,
    Severity,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(super) fn relative<'p>(package: &Package, path: &'p str) -> &'p str {
    path.strip_prefix(package.root.as_str()).unwrap_or(path)
}

pub(super) fn files_by_relative_path(package: &Package) -> HashMap<&str, &[u8]> {
    package
        .files
        .iter()
        .map(|f| (relative(package, &f.path), f.data.as_slice()))
        .collect()
}

pub(super) fn file_changes(old: &HashMap<&str, &[u8]>, new: &HashMap<&str, &[u8]>) -> FileChanges {
    let mut counts = FileChanges::default();
    for (path, data) in new {
        match old.get(path) {
            None => counts.added += 1,
            Some(before) if before != data => counts.changed += 1,
            Some(_) => counts.unchanged += 1,
        }
    }
    counts.removed = old.keys().filter(|p| !new.contains_key(*p)).count();
    counts
}

/// The identity of an entry point across versions: its rule, its declaring file and
/// the part of its message before the command (`npm "postinstall" script runs`).
fn entry_key(package: &Package, point: &EntryPoint) -> (String, String, String) {
    let label = point
        .message
        .split('`')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let path = relative(package, &point.path).to_string();
    (point.rule.id.to_string(), path, label)
}

/// Reports added, changed and removed entry points, and returns the (relative) files
/// that the new version runs at install or build time.
pub(super) fn entry_point_changes(
    old: &Package,
    new: &Package,
    old_files: &HashMap<&str, &[u8]>,
    new_files: &HashMap<&str, &[u8]>,
    changes: &mut Vec<Change>,
) -> BTreeSet<String> {
    let before: HashMap<_, _> = old
        .entry_points
        .iter()
        .map(|p| (entry_key(old, p), p))
        .collect();
    let mut seen = BTreeSet::new();
    let mut install_files = BTreeSet::new();
    for point in &new.entry_points {
        let key = entry_key(new, point);
        let runs_early = point.phase != Phase::Import;
        if runs_early {
            install_files.extend(
                point
                    .runs_files
                    .iter()
                    .map(|f| relative(new, f).to_string()),
            );
            install_files.insert(relative(new, &point.path).to_string());
        }
        let evidence = |kind, risk, message: String| Change {
            rule: Some(point.rule.id.to_string()),
            path: Some(point.path.clone()),
            line: point.line,
            snippet: point.snippet.clone(),
            ..change(kind, risk, message)
        };
        match before.get(&key) {
            None => changes.push(evidence(
                ChangeKind::InstallScriptAdded,
                runs_early,
                format!("new: {}", point.message),
            )),
            Some(previous) if previous.message != point.message => changes.push(evidence(
                ChangeKind::InstallScriptChanged,
                runs_early,
                format!("changed: {} (was: {})", point.message, previous.message),
            )),
            Some(_) => {
                for file in &point.runs_files {
                    let file = relative(new, file);
                    if old_files.get(file) != new_files.get(file) {
                        changes.push(Change {
                            path: Some(file.to_string()),
                            ..evidence(
                                ChangeKind::InstallCodeChanged,
                                false,
                                format!("{file}, run by an unchanged entry point, changed"),
                            )
                        });
                    }
                }
            }
        }
        seen.insert(key);
    }
    for point in &old.entry_points {
        if !seen.contains(&entry_key(old, point)) {
            changes.push(change(
                ChangeKind::InstallScriptRemoved,
                false,
                format!("removed: {}", point.message),
            ));
        }
    }
    install_files
}

pub(super) fn finding_changes(
    old: &DiffSide,
    new: &DiffSide,
    install_files: &BTreeSet<String>,
    changes: &mut Vec<Change>,
) {
    let old_pkg = &old.analysis.package;
    let new_pkg = &new.analysis.package;
    let entry_rules: BTreeSet<&str> = new_pkg
        .entry_points
        .iter()
        .chain(&old_pkg.entry_points)
        .map(|p| p.rule.id)
        .collect();
    let key = |package: &Package, f: &Finding| {
        let path = f.path.as_deref().map(|p| relative(package, p).to_string());
        (f.rule.clone(), path)
    };
    let before: BTreeSet<_> = old
        .analysis
        .findings
        .iter()
        .map(|f| key(old_pkg, f))
        .collect();
    let mut reported = BTreeSet::new();
    for finding in &new.analysis.findings {
        if entry_rules.contains(finding.rule.as_str()) || finding.severity == Severity::Info {
            continue;
        }
        let k = key(new_pkg, finding);
        if before.contains(&k) || !reported.insert(k.clone()) {
            continue;
        }
        let at_install = k.1.as_ref().is_some_and(|p| install_files.contains(p));
        let serious = finding.severity >= Severity::Medium;
        let (kind, risk) = match finding.category {
            Category::Capability => (ChangeKind::CapabilityAdded, at_install),
            Category::Concealment => (ChangeKind::ConcealmentAdded, serious || at_install),
            _ => (ChangeKind::FindingAdded, serious || at_install),
        };
        let place = if at_install {
            " in code run at install"
        } else {
            ""
        };
        changes.push(Change {
            rule: Some(finding.rule.clone()),
            path: finding.path.clone(),
            line: finding.line,
            snippet: finding.snippet.clone(),
            ..change(kind, risk, format!("new{place}: {}", finding.message))
        });
    }
}

/// ELF, PE, Mach-O (both byte orders, 32 and 64 bit). The fat Mach-O magic is also the
/// Java class magic, so it is left out: every jar is full of classes.
fn is_native_binary(data: &[u8]) -> bool {
    const MAGICS: [&[u8]; 6] = [
        b"\x7fELF",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xfe\xed\xfa\xce",
    ];
    data.len() >= 64 && MAGICS.iter().any(|m| data.starts_with(m))
}

pub(super) fn binary_changes(
    old: &HashMap<&str, &[u8]>,
    new: &HashMap<&str, &[u8]>,
    changes: &mut Vec<Change>,
) {
    let mut paths: Vec<_> = new.iter().filter(|(_, d)| is_native_binary(d)).collect();
    paths.sort_by_key(|(p, _)| *p);
    for (path, data) in paths {
        let (kind, risk, message) = match old.get(path) {
            Some(before) if is_native_binary(before) && before == data => continue,
            Some(before) if is_native_binary(before) => (
                ChangeKind::BinaryChanged,
                false,
                format!(
                    "native executable {path} was rebuilt ({} bytes)",
                    data.len()
                ),
            ),
            _ => (
                ChangeKind::BinaryAdded,
                true,
                format!("new native executable {path} ({} bytes)", data.len()),
            ),
        };
        changes.push(Change {
            path: Some(path.to_string()),
            ..change(kind, risk, message)
        });
    }
}

pub(super) fn dependency_changes(old: &Package, new: &Package, changes: &mut Vec<Change>) {
    let index = |deps: Vec<DeclaredDependency>| -> BTreeMap<(String, String), String> {
        deps.into_iter()
            .map(|d| ((d.name, d.kind), d.requirement))
            .collect()
    };
    let before = index(palisade_package::declared_dependencies(old));
    let after = index(palisade_package::declared_dependencies(new));
    let manifest = new.manifest_path.clone();
    let group = |kind: &str| {
        if kind.is_empty() {
            String::new()
        } else {
            format!(" ({kind})")
        }
    };
    for ((name, kind), requirement) in &after {
        // The same test as the registry check for URL dependencies, so both agree.
        let remote = palisade_metadata::publishing::url_requirement(requirement);
        let message = match before.get(&(name.clone(), kind.clone())) {
            None => format!("new dependency{} {name} {requirement}", group(kind)),
            Some(previous) if previous != requirement => format!(
                "dependency{} {name} changed from {previous} to {requirement}",
                group(kind)
            ),
            Some(_) => continue,
        };
        let kind = if before.contains_key(&(name.clone(), kind.clone())) {
            ChangeKind::DependencyChanged
        } else {
            ChangeKind::DependencyAdded
        };
        let suffix = if remote {
            " (fetched from outside the registry)"
        } else {
            ""
        };
        changes.push(Change {
            path: manifest.clone(),
            ..change(kind, remote, format!("{message}{suffix}"))
        });
    }
    for (name, kind) in before.keys() {
        if !after.contains_key(&(name.clone(), kind.clone())) {
            changes.push(change(
                ChangeKind::DependencyRemoved,
                false,
                format!("dependency{} {name} removed", group(kind)),
            ));
        }
    }
}

fn account(m: &Maintainer) -> String {
    m.email
        .clone()
        .or_else(|| m.name.clone())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

pub(super) fn maintainer_changes(
    old: &PackageMetadata,
    new: &PackageMetadata,
    changes: &mut Vec<Change>,
) {
    let before: BTreeSet<String> = old.maintainers.iter().map(account).collect();
    // A registry that lists nobody for the old version (the crate index, the Go proxy)
    // says nothing about who was added.
    let after: BTreeSet<String> = if before.is_empty() {
        BTreeSet::new()
    } else {
        new.maintainers.iter().map(account).collect()
    };
    for added in after.difference(&before).filter(|a| !a.is_empty()) {
        changes.push(change(
            ChangeKind::MaintainerAdded,
            true,
            format!(
                "new maintainer {added}: a changed account list precedes many hijacked releases"
            ),
        ));
    }
    for removed in before.difference(&after).filter(|a| !a.is_empty()) {
        changes.push(change(
            ChangeKind::MaintainerRemoved,
            false,
            format!("maintainer {removed} no longer listed"),
        ));
    }
    let publisher = |m: &PackageMetadata| m.release.as_ref()?.publisher.as_ref().map(account);
    if let (Some(a), Some(b)) = (publisher(old), publisher(new))
        && a != b
    {
        changes.push(change(
            ChangeKind::PublisherChanged,
            true,
            format!("published by {b}, the previous version by {a}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_requirements_as_the_diff_reads_them() {
        for r in [
            "git+https://x/y.git",
            "github:u/r",
            "u/r",
            "https://x/y.tgz",
            "pkg @ https://x",
        ] {
            assert!(palisade_metadata::publishing::url_requirement(r), "{r}");
        }
        for r in [
            "^1.2.3", ">=2,<3", "@scope/x", "~> 2.0", "1.0", "v1.2.3", "",
        ] {
            assert!(!palisade_metadata::publishing::url_requirement(r), "{r}");
        }
    }

    #[test]
    fn native_binary_magic() {
        let mut elf = b"\x7fELF".to_vec();
        elf.resize(128, 0);
        assert!(is_native_binary(&elf));
        let mut class = b"\xca\xfe\xba\xbe".to_vec();
        class.resize(128, 0);
        assert!(!is_native_binary(&class));
        assert!(!is_native_binary(b"MZ"));
    }
}
