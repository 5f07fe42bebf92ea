//! Whether a version is affected, by the OSV evaluation algorithm.
//!
//! A version is affected when an explicit `versions` entry equals it, or when a
//! `SEMVER` or `ECOSYSTEM` range includes it. A range is evaluated on its events sorted
//! by version (`introduced: "0"` first): walking up, `introduced` at or below the
//! version opens the range, `fixed` at or below closes it, `last_affected` below closes
//! it; a version at or above a `limit` is outside the range. `GIT` ranges name commits
//! and are not used for version matching. Withdrawn advisories affect nothing.

use crate::model::{Advisory, Affected, Event, RangeType};
use crate::name::normalize;
use crate::version::{Scheme, Version};
use palisade_core::Ecosystem;
use std::cmp::Ordering;

/// One range's events, parsed and sorted once.
#[derive(Debug, Clone)]
struct CompiledRange {
    events: Vec<(EventKind, Option<Version>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    // The order breaks ties between events at one version.
    Introduced,
    LastAffected,
    Fixed,
    Limit,
}

impl CompiledRange {
    fn new(scheme: Scheme, events: &[Event]) -> CompiledRange {
        let mut events: Vec<(EventKind, Option<Version>)> = events
            .iter()
            .map(|event| {
                let kind = match event {
                    Event::Introduced(_) => EventKind::Introduced,
                    Event::Fixed(_) => EventKind::Fixed,
                    Event::LastAffected(_) => EventKind::LastAffected,
                    Event::Limit(_) => EventKind::Limit,
                };
                // `None` is the "0" of `introduced`: before every version.
                let version = match (kind, event.version()) {
                    (EventKind::Introduced, "0") => None,
                    (_, v) => Some(Version::parse_lenient_scheme(scheme, v)),
                };
                (kind, version)
            })
            .collect();
        events.sort_by(|(ka, va), (kb, vb)| va.cmp(vb).then(ka.cmp(kb)));
        CompiledRange { events }
    }

    fn includes(&self, version: &Version) -> bool {
        let mut affected = false;
        for (kind, at) in &self.events {
            let cmp = match at {
                None => Ordering::Greater,
                Some(at) => version.cmp(at),
            };
            match kind {
                EventKind::Introduced if cmp.is_ge() => affected = true,
                EventKind::Fixed if cmp.is_ge() => affected = false,
                EventKind::LastAffected if cmp.is_gt() => affected = false,
                EventKind::Limit if cmp.is_ge() => return false,
                _ => {}
            }
        }
        affected
    }
}

/// An [`Affected`] entry prepared for matching many versions: its versions and range
/// events are parsed once, in the scheme of its ecosystem.
#[derive(Debug, Clone)]
pub struct AffectedMatcher {
    ecosystem: Option<Ecosystem>,
    name: Option<String>,
    raw_versions: Vec<String>,
    versions: Vec<Version>,
    ranges: Vec<(Scheme, CompiledRange)>,
}

impl AffectedMatcher {
    /// Prepares `affected`. Without a known ecosystem only the exact strings of its
    /// `versions` list can match.
    pub fn new(affected: &Affected) -> AffectedMatcher {
        let ecosystem = affected.package.as_ref().and_then(|p| p.ecosystem());
        let name = match (&affected.package, ecosystem) {
            (Some(p), Some(eco)) => Some(normalize(eco, &p.name).into_owned()),
            (Some(p), None) => Some(p.name.clone()),
            _ => None,
        };
        let mut versions = Vec::new();
        let mut ranges = Vec::new();
        if let Some(eco) = ecosystem {
            let scheme = Scheme::of(eco);
            for range in &affected.ranges {
                let range_scheme = match range.kind {
                    // Go versions are SemVer already; reading them as Go keeps the
                    // queried version's parse and accepts Go's shorthands.
                    RangeType::Semver if scheme == Scheme::Go => Scheme::Go,
                    RangeType::Semver => Scheme::SemVer,
                    RangeType::Ecosystem => scheme,
                    RangeType::Git | RangeType::Other(_) => continue,
                };
                ranges.push((
                    range_scheme,
                    CompiledRange::new(range_scheme, &range.events),
                ));
            }
        }
        // The explicit list is read as versions only when no range says anything: the
        // databases that publish both derive the list from the ranges, so there exact
        // strings suffice, and parsing hundreds of listed versions per advisory was
        // most of an audit's time.
        if let Some(eco) = ecosystem
            && ranges.is_empty()
        {
            let scheme = Scheme::of(eco);
            versions = affected
                .versions
                .iter()
                .map(|v| Version::parse_lenient_scheme(scheme, v))
                .collect();
        }
        AffectedMatcher {
            ecosystem,
            name,
            raw_versions: affected.versions.clone(),
            versions,
            ranges,
        }
    }

    /// The ecosystem of the entry, if Palisade covers it.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        self.ecosystem
    }

    /// True when the entry is about package `name` of `ecosystem` (names normalised).
    pub fn is_for(&self, ecosystem: Ecosystem, name: &str) -> bool {
        self.ecosystem == Some(ecosystem)
            && self.name.as_deref() == Some(normalize(ecosystem, name).as_ref())
    }

    /// True when `version` (read in the entry's ecosystem) is affected.
    pub fn affects_str(&self, version: &str) -> bool {
        match self.ecosystem {
            Some(eco) => self.affects(&Version::parse_lenient(eco, version)),
            None => self.raw_versions.iter().any(|v| v == version),
        }
    }

    /// True when `version` is affected. `version` should be of the entry's ecosystem's
    /// scheme; `SEMVER` ranges re-read it as SemVer when the schemes differ.
    pub fn affects(&self, version: &Version) -> bool {
        if self.versions.iter().any(|v| v == version)
            || self.raw_versions.iter().any(|v| v == version.as_str())
        {
            return true;
        }
        self.ranges.iter().any(|(scheme, range)| {
            if *scheme == version.scheme() {
                range.includes(version)
            } else {
                range.includes(&Version::parse_lenient_scheme(*scheme, version.as_str()))
            }
        })
    }
}

/// Whether `affected` is about `name` (already normalised) of `ecosystem`, without
/// preparing a matcher.
pub(crate) fn entry_is_for(affected: &Affected, ecosystem: Ecosystem, name: &str) -> bool {
    affected
        .package
        .as_ref()
        .is_some_and(|p| p.ecosystem() == Some(ecosystem) && normalize(ecosystem, &p.name) == name)
}

impl Affected {
    /// True when `version` of this entry's package is affected (see the module
    /// documentation). Parses the entry on every call; for many versions, use
    /// [`AffectedMatcher`].
    pub fn affects(&self, version: &str) -> bool {
        AffectedMatcher::new(self).affects_str(version)
    }
}

impl Advisory {
    /// True when the advisory (unless withdrawn) affects `version` of package `name`
    /// in `ecosystem`, names compared after [`normalize`].
    pub fn affects(&self, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
        if self.withdrawn.is_some() {
            return false;
        }
        let version = Version::parse_lenient(ecosystem, version);
        let name = normalize(ecosystem, name);
        self.affected.iter().any(|affected| {
            entry_is_for(affected, ecosystem, &name)
                && AffectedMatcher::new(affected).affects(&version)
        })
    }
}
