//! NuGet versions (NuGet.Versioning): SemVer 2.0.0 plus the legacy forms NuGet still
//! accepts, one to four numeric parts (`1`, `1.0`, `1.0.0.1`), leading zeros
//! (`1.0.01` = `1.0.1`), with missing parts and trailing zeros meaning 0. Release labels
//! compare case-insensitively; build metadata is ignored.

use super::num::{Num, cmp_padded};
use super::{VersionError, check_length};
use std::cmp::Ordering;

/// A release label: numeric labels (those `int.TryParse` reads) sort below the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Label {
    Numeric(i32),
    /// Upper-cased, because NuGet compares labels with `OrdinalIgnoreCase`.
    Text(Box<str>),
}

impl Label {
    fn new(s: &str) -> Label {
        match s.parse::<i32>() {
            Ok(n) => Label::Numeric(n),
            Err(_) => Label::Text(s.to_ascii_uppercase().into()),
        }
    }
}

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Label::Numeric(a), Label::Numeric(b)) => a.cmp(b),
            (Label::Numeric(_), Label::Text(_)) => Ordering::Less,
            (Label::Text(_), Label::Numeric(_)) => Ordering::Greater,
            (Label::Text(a), Label::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A NuGet version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    /// Major, minor, patch and revision as written (one to four parts).
    pub parts: Vec<Num>,
    pub labels: Vec<Label>,
    pub metadata: Box<str>,
}

impl NuGetVersion {
    /// Parses what `NuGetVersion.TryParse` accepts (numeric parts are unbounded here,
    /// where NuGet limits them to 32-bit integers).
    pub fn parse(input: &str) -> Result<NuGetVersion, VersionError> {
        check_length(input)?;
        let s = input.trim();
        let (s, metadata) = match s.split_once('+') {
            Some((s, m)) => {
                check_labels(input, m, "metadata")?;
                (s, m)
            }
            None => (s, ""),
        };
        let (core, labels) = match s.split_once('-') {
            Some((core, labels)) => {
                check_labels(input, labels, "release label")?;
                (core, labels.split('.').map(Label::new).collect())
            }
            None => (s, Vec::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 {
            return Err(VersionError::new(input, "more than four numeric parts"));
        }
        let parts = parts
            .iter()
            .map(|p| {
                Num::from_digits(p)
                    .ok_or_else(|| VersionError::new(input, format!("part `{p}` is not a number")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(NuGetVersion {
            parts,
            labels,
            metadata: metadata.into(),
        })
    }

    /// Reads any string with the lenient SemVer reading (up to four numeric parts);
    /// never fails.
    pub fn parse_lenient(input: &str) -> NuGetVersion {
        if let Ok(v) = NuGetVersion::parse(input) {
            return v;
        }
        let sem = super::semver::SemVer::parse_lenient(input);
        let mut parts: Vec<Num> = sem.release.to_vec();
        let mut labels = Vec::new();
        let mut pre = sem.pre.into_iter().peekable();
        if let Some(super::semver::Identifier::Numeric(n)) = pre.peek() {
            parts.push(n.clone());
            pre.next();
        }
        for ident in pre {
            labels.push(match ident {
                super::semver::Identifier::Numeric(n) => Label::new(n.as_str()),
                super::semver::Identifier::Alphanumeric(s) => Label::new(&s),
            });
        }
        NuGetVersion {
            parts,
            labels,
            metadata: sem.build,
        }
    }

    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

fn check_labels(input: &str, labels: &str, what: &str) -> Result<(), VersionError> {
    for label in labels.split('.') {
        if label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(VersionError::new(
                input,
                format!("{what} `{label}` must be non-empty ASCII letters, digits and `-`"),
            ));
        }
    }
    Ok(())
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_padded(&self.parts, &other.parts).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.labels.cmp(&other.labels),
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NuGetVersion {
        NuGetVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn legacy_forms_and_case_insensitive_labels() {
        assert_eq!(n("1.0"), n("1.0.0.0"));
        assert_eq!(n("1.0.01"), n("1.0.1"));
        assert_eq!(n("1.0.0-BETA"), n("1.0.0-beta+x"));
        assert!(n("1.0.0.1") > n("1.0.0"));
        assert!(n("1.0.0-2") < n("1.0.0-alpha"));
        assert!(n("1.0.0-beta.10") > n("1.0.0-beta.9"));
        assert!(n("1.0.0-rc") < n("1.0.0"));
    }

    #[test]
    fn malformed_versions_are_errors() {
        for bad in ["", "1.2.3.4.5", "1.x", "1.0-", "1.0-a..b", "1.0+"] {
            let err = NuGetVersion::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}
