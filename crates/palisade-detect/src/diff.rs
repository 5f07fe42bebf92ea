//! What changed between two versions of a package, in risk terms.
//!
//! Most hijacked releases are ordinary packages plus one addition: an install script
//! that was not there yesterday, a new file that phones home, a binary, a dependency on
//! a git URL, a new maintainer. Comparing the two analyses makes that addition stand out
//! even when the new version alone would look only mildly suspicious, and an honest
//! patch release, which changes code but adds no capability, shows no new risk.
//!
//! Files are compared by their path below the package root (`package/` for npm,
//! `NAME-VERSION/` for sdists and crates), so a renamed root folder is not a change.

use crate::engine::Analysis;
use palisade_core::{
    Category, DeclaredDependency, EntryPoint, Finding, Maintainer, Package, PackageMetadata, Phase,
    Severity, Verdict,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Changes of one kind reported before the rest are counted in a summary line; a
/// release that adds a thousand findings is not made clearer by listing them all.
const MAX_CHANGES_PER_KIND: usize = 25;

/// A score rise below this is noise from moved code, not a new risk.
const SCORE_RISE: f64 = 1.0;

/// One side of the comparison.
pub struct DiffSide<'a> {
    /// What the user named (a file, a folder or `ecosystem:name@version`).
    pub target: &'a str,
    pub analysis: &'a Analysis,
    /// Registry metadata, when the side was fetched by name.
    pub metadata: Option<&'a PackageMetadata>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionDiff {
    pub old: SideSummary,
    pub new: SideSummary,
    /// `raised` when any change adds risk, `lowered` when the score fell and nothing
    /// was added, else `none`.
    pub risk: RiskChange,
    pub changes: Vec<Change>,
    pub files: FileChanges,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SideSummary {
    pub target: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub verdict: Verdict,
    pub score: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskChange {
    None,
    Lowered,
    Raised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    InstallScriptAdded,
    InstallScriptChanged,
    BinaryAdded,
    ConcealmentAdded,
    FindingAdded,
    CapabilityAdded,
    MaintainerAdded,
    PublisherChanged,
    DependencyAdded,
    DependencyChanged,
    ScoreRaised,
    InstallCodeChanged,
    BinaryChanged,
    InstallScriptRemoved,
    DependencyRemoved,
    MaintainerRemoved,
    /// More changes of a kind than are listed.
    More,
}

/// One change between the versions, with the evidence from the side that has it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// Whether this change adds risk (the reason to look at the release).
    pub raises_risk: bool,
    pub message: String,
    pub rule: Option<String>,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileChanges {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Compares two analysed versions of a package.
pub fn diff(old: &DiffSide, new: &DiffSide) -> VersionDiff {
    let mut changes = Vec::new();
    let old_pkg = &old.analysis.package;
    let new_pkg = &new.analysis.package;
    let old_files = files_by_relative_path(old_pkg);
    let new_files = files_by_relative_path(new_pkg);

    let install_files = entry_point_changes(old_pkg, new_pkg, &old_files, &new_files, &mut changes);
    finding_changes(old, new, &install_files, &mut changes);
    binary_changes(&old_files, &new_files, &mut changes);
    dependency_changes(old_pkg, new_pkg, &mut changes);
    if let (Some(before), Some(after)) = (old.metadata, new.metadata) {
        maintainer_changes(before, after, &mut changes);
    }
    let (old_score, new_score) = (old.analysis.score.score, new.analysis.score.score);
    if new_score > old_score + SCORE_RISE || new.analysis.score.verdict > old.analysis.score.verdict
    {
        changes.push(change(
            ChangeKind::ScoreRaised,
            true,
            format!(
                "risk score rose from {old_score:.1} ({}) to {new_score:.1} ({})",
                old.analysis.score.verdict, new.analysis.score.verdict
            ),
        ));
    }
    let changes = cap_per_kind(changes);
    let risk = if changes.iter().any(|c| c.raises_risk) {
        RiskChange::Raised
    } else if new_score + SCORE_RISE < old_score {
        RiskChange::Lowered
    } else {
        RiskChange::None
    };
    VersionDiff {
        old: summary(old),
        new: summary(new),
        risk,
        changes,
        files: file_changes(&old_files, &new_files),
    }
}

fn summary(side: &DiffSide) -> SideSummary {
    SideSummary {
        target: side.target.to_string(),
        name: side.analysis.package.name.clone(),
        version: side.analysis.package.version.clone(),
        verdict: side.analysis.score.verdict,
        score: side.analysis.score.score,
    }
}

fn change(kind: ChangeKind, raises_risk: bool, message: String) -> Change {
    Change {
        kind,
        raises_risk,
        message,
        rule: None,
        path: None,
        line: None,
        snippet: None,
    }
}

fn relative<'p>(package: &Package, path: &'p str) -> &'p str {
    path.strip_prefix(package.root.as_str()).unwrap_or(path)
}

fn files_by_relative_path(package: &Package) -> HashMap<&str, &[u8]> {
    package
        .files
        .iter()
        .map(|f| (relative(package, &f.path), f.data.as_slice()))
        .collect()
}

fn file_changes(old: &HashMap<&str, &[u8]>, new: &HashMap<&str, &[u8]>) -> FileChanges {
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
fn entry_point_changes(
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

fn finding_changes(
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

fn binary_changes(
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

/// A requirement that fetches from somewhere other than the registry.
fn is_remote_requirement(requirement: &str) -> bool {
    let r = requirement.trim().to_ascii_lowercase();
    [
        "git+",
        "git:",
        "http:",
        "https:",
        "github:",
        "gitlab:",
        "bitbucket:",
        "file:",
    ]
    .iter()
    .any(|p| r.starts_with(p))
        || r.contains(" @ ")
        || (r.contains('/') && !r.starts_with('@') && r.split('/').count() == 2 && !r.contains(' '))
}

fn dependency_changes(old: &Package, new: &Package, changes: &mut Vec<Change>) {
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
        let remote = is_remote_requirement(requirement);
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

fn maintainer_changes(old: &PackageMetadata, new: &PackageMetadata, changes: &mut Vec<Change>) {
    let before: BTreeSet<String> = old.maintainers.iter().map(account).collect();
    let after: BTreeSet<String> = new.maintainers.iter().map(account).collect();
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

fn cap_per_kind(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by(|a, b| {
        (b.raises_risk, a.kind, &a.path, &a.message).cmp(&(
            a.raises_risk,
            b.kind,
            &b.path,
            &b.message,
        ))
    });
    let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    let mut kept = Vec::new();
    for c in changes {
        let n = counts.entry(c.kind).or_default();
        *n += 1;
        if *n <= MAX_CHANGES_PER_KIND {
            kept.push(c);
        }
    }
    for (kind, n) in counts {
        if n > MAX_CHANGES_PER_KIND {
            kept.push(change(
                ChangeKind::More,
                false,
                format!(
                    "{} more changes of kind {kind:?} not listed",
                    n - MAX_CHANGES_PER_KIND
                ),
            ));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_requirements() {
        for r in [
            "git+https://x/y.git",
            "github:u/r",
            "u/r",
            "https://x/y.tgz",
            "pkg @ https://x",
        ] {
            assert!(is_remote_requirement(r), "{r}");
        }
        for r in [
            "^1.2.3", ">=2,<3", "@scope/x", "~> 2.0", "1.0", "v1.2.3", "",
        ] {
            assert!(!is_remote_requirement(r), "{r}");
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
