//! Fixed versions and the smallest upgrade that clears a set of advisories.

use crate::model::{Advisory, Event, RangeType};
use crate::range::AffectedMatcher;
use crate::version::Version;
use palisade_core::Ecosystem;

impl Advisory {
    /// The `fixed` versions this advisory names for package `name` of `ecosystem`, from
    /// its `SEMVER` and `ECOSYSTEM` ranges, without duplicates, lowest first.
    pub fn fixed_versions(&self, ecosystem: Ecosystem, name: &str) -> Vec<String> {
        let mut fixed: Vec<Version> = Vec::new();
        let name = crate::name::normalize(ecosystem, name);
        for affected in &self.affected {
            if !crate::range::entry_is_for(affected, ecosystem, &name) {
                continue;
            }
            for range in &affected.ranges {
                if !matches!(range.kind, RangeType::Semver | RangeType::Ecosystem) {
                    continue;
                }
                for event in &range.events {
                    if let Event::Fixed(v) = event {
                        fixed.push(Version::parse_lenient(ecosystem, v));
                    }
                }
            }
        }
        fixed.sort();
        fixed.dedup_by(|a, b| a.as_str() == b.as_str());
        fixed.into_iter().map(|v| v.as_str().to_string()).collect()
    }
}

/// The smallest version above `current` of package `name` that none of `advisories`
/// affects, or `None` when no such version is known.
///
/// The candidates are the `fixed` versions of the advisories and the versions in
/// `available` (the package's published versions, when the caller knows them; pass an
/// empty slice otherwise). A `last_affected` event names no fixed version: the release
/// after it is only known from `available`, so without that list an advisory closed
/// only by `last_affected` yields no candidate. Pre-releases are candidates only when
/// `current` is itself a pre-release, so that a stable install is not advised onto a
/// pre-release.
pub fn smallest_upgrade(
    ecosystem: Ecosystem,
    name: &str,
    current: &str,
    advisories: &[&Advisory],
    available: &[String],
) -> Option<String> {
    let current = Version::parse_lenient(ecosystem, current);
    let normalized = crate::name::normalize(ecosystem, name);
    let matchers: Vec<AffectedMatcher> = advisories
        .iter()
        .filter(|a| a.withdrawn.is_none())
        .flat_map(|a| a.affected.iter())
        .filter(|affected| crate::range::entry_is_for(affected, ecosystem, &normalized))
        .map(AffectedMatcher::new)
        .collect();
    let mut candidates: Vec<Version> = advisories
        .iter()
        .flat_map(|a| a.fixed_versions(ecosystem, name))
        .chain(available.iter().cloned())
        .map(|v| Version::parse_lenient(ecosystem, &v))
        .filter(|v| *v > current && (current.is_prerelease() || !v.is_prerelease()))
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .find(|candidate| !matchers.iter().any(|m| m.affects(candidate)))
        .map(|v| v.as_str().to_string())
}
