//! Matches a project's resolved dependencies (from `palisade-deps`) against the local
//! advisory database (from `palisade-osv`): which versions are known to be malicious,
//! which carry known vulnerabilities, how severe, which upgrade clears them, and how a
//! dependency came to be installed. [`Level`] and [`AuditReport::reaches`] make it a
//! CI gate; [`IgnoreList`] records accepted risks with a reason and an expiry.
//!
//! Nothing here touches the network: the database is local, so an audit is offline.

mod ignore;
mod path;

pub use ignore::{Ignore, IgnoreError, IgnoreList};

use palisade_core::Ecosystem;
use palisade_deps::Dependency;
use palisade_osv::db::{Database, DbError};
use palisade_osv::{Advisory, SeverityLevel, smallest_upgrade};
use serde::Serialize;
use std::collections::BTreeMap;

/// How bad a finding is, for sorting and for `--fail-on`. A vulnerability whose record
/// rates nothing counts as `medium`: unknown is not harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
    /// A known-malicious version (OSV `MAL-` records, crates removed for malware).
    Malicious,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
            Level::Malicious => "malicious",
        }
    }

    fn of(advisory: &Advisory) -> (Level, Option<f32>) {
        if advisory.is_malicious() {
            return (Level::Malicious, None);
        }
        let assessment = advisory.severity_assessment();
        let level = match assessment.level {
            Some(SeverityLevel::Critical) => Level::Critical,
            Some(SeverityLevel::High) => Level::High,
            Some(SeverityLevel::Low | SeverityLevel::None) => Level::Low,
            Some(SeverityLevel::Medium) | None => Level::Medium,
        };
        (level, assessment.score)
    }
}

/// One advisory that affects one dependency.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryMatch {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub level: Level,
    /// CVSS base score, when the record's vector gives one.
    pub score: Option<f32>,
    /// Versions that fix it, lowest first.
    pub fixed: Vec<String>,
    /// A link to read more: the advisory's own page when it gives one.
    pub url: Option<String>,
    /// Set when an ignore in force covers it: the reason and the expiry.
    pub ignored: Option<Ignore>,
}

/// One dependency with the advisories that affect its version.
#[derive(Debug, Clone, Serialize)]
pub struct PackageFinding {
    pub dependency: Dependency,
    /// The worst level among its advisories that are not ignored.
    pub level: Option<Level>,
    pub advisories: Vec<AdvisoryMatch>,
    /// The smallest version that no advisory affects, when one is known.
    pub upgrade_to: Option<String>,
    /// How the dependency is reached: direct dependency first, this package last.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditReport {
    pub dependencies: usize,
    /// Dependencies with no exact version (an unpinned manifest entry): not checked.
    pub unpinned: usize,
    pub findings: Vec<PackageFinding>,
    pub counts: BTreeMap<String, usize>,
    pub ignored: usize,
    /// Ignores that matched but have expired, to renew or fix.
    pub expired_ignores: Vec<Ignore>,
}

impl AuditReport {
    /// Whether any finding, not ignored, reaches `threshold`.
    pub fn reaches(&self, threshold: Level) -> bool {
        self.findings
            .iter()
            .any(|f| f.level.is_some_and(|l| l >= threshold))
    }
}

/// Audits `dependencies` against `db`. `now` (Unix seconds) decides which ignores are in
/// force. Findings come malicious first, then by severity, then by name.
pub fn audit(
    db: &Database,
    dependencies: &[Dependency],
    ignores: &IgnoreList,
    now: i64,
) -> Result<AuditReport, DbError> {
    let mut report = AuditReport {
        dependencies: dependencies.len(),
        ..AuditReport::default()
    };
    let mut cache: BTreeMap<(Ecosystem, String), std::rc::Rc<Vec<Advisory>>> = BTreeMap::new();
    let mut expired: Vec<Ignore> = Vec::new();
    for dependency in dependencies {
        if dependency.version.is_empty() {
            report.unpinned += 1;
            continue;
        }
        let key = (dependency.ecosystem, dependency.name.clone());
        let advisories = match cache.get(&key) {
            Some(found) => found.clone(),
            None => {
                let found =
                    std::rc::Rc::new(db.advisories(dependency.ecosystem, &dependency.name)?);
                cache.insert(key, found.clone());
                found
            }
        };
        let affecting: Vec<&Advisory> = advisories
            .iter()
            .filter(|a| a.affects(dependency.ecosystem, &dependency.name, &dependency.version))
            .collect();
        if affecting.is_empty() {
            continue;
        }
        let mut matches = Vec::new();
        for advisory in &affecting {
            let ids: Vec<&str> = advisory.ids().collect();
            let (active, lapsed) = ignores.find(&ids, dependency.ecosystem, &dependency.name, now);
            if let Some(lapsed) = lapsed
                && !expired.iter().any(|e| e.id == lapsed.id)
            {
                expired.push(lapsed.clone());
            }
            let (level, score) = Level::of(advisory);
            matches.push(AdvisoryMatch {
                id: advisory.id.clone(),
                aliases: advisory.aliases.clone(),
                summary: advisory.summary.clone(),
                level,
                score,
                fixed: advisory.fixed_versions(dependency.ecosystem, &dependency.name),
                url: advisory
                    .references
                    .iter()
                    .find(|r| r.kind == "ADVISORY")
                    .or(advisory.references.first())
                    .map(|r| r.url.clone()),
                ignored: active.cloned(),
            });
        }
        matches.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.id.cmp(&b.id)));
        let level = matches
            .iter()
            .filter(|m| m.ignored.is_none())
            .map(|m| m.level)
            .max();
        report.ignored += matches.iter().filter(|m| m.ignored.is_some()).count();
        if let Some(level) = level {
            *report.counts.entry(level.as_str().to_string()).or_default() += 1;
        }
        // Every advisory of the package, not only those affecting this version: the
        // upgrade must not land in another advisory's range.
        let all: Vec<&Advisory> = advisories.iter().collect();
        report.findings.push(PackageFinding {
            upgrade_to: smallest_upgrade(
                dependency.ecosystem,
                &dependency.name,
                &dependency.version,
                &all,
                &[],
            ),
            path: path::dependency_path(dependency, dependencies),
            dependency: dependency.clone(),
            level,
            advisories: matches,
        });
    }
    report.findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.dependency.name.cmp(&b.dependency.name))
            .then_with(|| a.dependency.version.cmp(&b.dependency.version))
            .then_with(|| a.dependency.source.cmp(&b.dependency.source))
    });
    report.expired_ignores = expired;
    Ok(report)
}
