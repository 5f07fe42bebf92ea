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

mod changes;

use crate::engine::Analysis;
use changes::{
    binary_changes, dependency_changes, entry_point_changes, file_changes, files_by_relative_path,
    finding_changes, maintainer_changes,
};
use palisade_core::{PackageMetadata, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

impl ChangeKind {
    /// The kebab-case name the JSON output uses, e.g. `install-script-added`.
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
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

pub(super) fn change(kind: ChangeKind, raises_risk: bool, message: String) -> Change {
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
                    "{} more changes of kind {} not listed",
                    n - MAX_CHANGES_PER_KIND,
                    kind.name()
                ),
            ));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::ChangeKind;

    #[test]
    fn kind_names_match_the_json_spelling() {
        for kind in [
            ChangeKind::InstallScriptAdded,
            ChangeKind::More,
            ChangeKind::BinaryChanged,
        ] {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json.as_str(), Some(kind.name().as_str()));
        }
    }
}
