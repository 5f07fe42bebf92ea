//! Semantic Versioning 2.0.0, the scheme of npm, crates.io and (with a `v`) Go.
//!
//! One type serves three grammars: strict SemVer (crates.io), SemVer with an optional
//! leading `v` or `=` (npm), and Go's `vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]`. A lenient
//! form takes any string apart into the same shape, so strict and lenient versions
//! order against each other consistently.

use super::num::{Num, cmp_padded};
use super::{VersionError, check_length};
use std::cmp::Ordering;

/// A pre-release identifier: numeric identifiers sort below alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    Numeric(Num),
    Alphanumeric(Box<str>),
}

impl Identifier {
    fn new(s: &str) -> Identifier {
        match Num::from_digits(s) {
            Some(n) => Identifier::Numeric(n),
            None => Identifier::Alphanumeric(s.into()),
        }
    }
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            // SemVer: "compared lexically in ASCII sort order", so byte order, case-sensitive.
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => {
                a.as_bytes().cmp(b.as_bytes())
            }
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A semantic version. Build metadata is kept for display but never ordered on.
#[derive(Debug, Clone)]
pub struct SemVer {
    /// Major, minor and patch (always three).
    pub release: [Num; 3],
    /// Pre-release identifiers; empty for a release.
    pub pre: Vec<Identifier>,
    /// Build metadata after `+`, without the `+`.
    pub build: Box<str>,
}

impl SemVer {
    /// Strict SemVer 2.0.0 as crates.io (Cargo) accepts it: no prefix, three numeric
    /// components without leading zeros.
    pub fn parse(input: &str) -> Result<SemVer, VersionError> {
        check_length(input)?;
        parse_strict(input, input)
    }

    /// SemVer as npm accepts it: strict, after an optional `v` or `=` and surrounding
    /// whitespace (node-semver's non-loose grammar).
    pub fn parse_npm(input: &str) -> Result<SemVer, VersionError> {
        check_length(input)?;
        let s = input.trim();
        let s = s.strip_prefix('=').unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        parse_strict(input, s)
    }

    /// Go module versions (golang.org/x/mod/semver): `v` then SemVer, where `v1` and
    /// `v1.2` are shorthands for `v1.0.0` and `v1.2.0`. The `v` is optional because OSV
    /// Go records write versions without it. `+incompatible` is build metadata.
    pub fn parse_go(input: &str) -> Result<SemVer, VersionError> {
        check_length(input)?;
        let s = input.strip_prefix('v').unwrap_or(input);
        if !s.contains(['-', '+']) {
            let parts: Vec<&str> = s.split('.').collect();
            if parts.len() < 3 {
                let mut release = [Num::zero(), Num::zero(), Num::zero()];
                for (slot, part) in release.iter_mut().zip(&parts) {
                    *slot = strict_number(input, part, "component")?;
                }
                return Ok(SemVer {
                    release,
                    pre: Vec::new(),
                    build: "".into(),
                });
            }
        }
        parse_strict(input, s)
    }

    /// Takes any string apart into a version; never fails. Used when a string does not
    /// follow the ecosystem's grammar (see [`super::Version::parse_lenient`]).
    ///
    /// An optional `v`/`=` prefix is dropped; leading dot-separated digit runs are the
    /// release (missing components are 0, components past the third become the first
    /// pre-release identifiers); the rest, up to a `+`, is the pre-release, split on `.`.
    pub fn parse_lenient(input: &str) -> SemVer {
        let s = super::truncate(input).trim();
        let s = s.trim_start_matches(['v', 'V', '=']);
        let (s, build) = s.split_once('+').unwrap_or((s, ""));
        let mut numbers = Vec::new();
        let mut rest = s;
        loop {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            numbers.extend(Num::from_digits(&rest[..digits]));
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(after) if after.starts_with(|c: char| c.is_ascii_digit()) => rest = after,
                _ => break,
            }
        }
        let mut release = [Num::zero(), Num::zero(), Num::zero()];
        let mut extra = Vec::new();
        for (i, n) in numbers.into_iter().enumerate() {
            match release.get_mut(i) {
                Some(slot) => *slot = n,
                None => extra.push(Identifier::Numeric(n)),
            }
        }
        let rest = rest
            .strip_prefix('-')
            .or_else(|| rest.strip_prefix('.'))
            .unwrap_or(rest);
        let mut pre = extra;
        if !rest.is_empty() {
            pre.extend(rest.split('.').map(Identifier::new));
        }
        SemVer {
            release,
            pre,
            build: build.into(),
        }
    }

    /// True for versions with pre-release identifiers.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }
}

fn parse_strict(input: &str, s: &str) -> Result<SemVer, VersionError> {
    let (s, build) = match s.split_once('+') {
        Some((s, build)) => {
            for ident in build.split('.') {
                check_identifier(input, ident, "build metadata")?;
            }
            (s, build)
        }
        None => (s, ""),
    };
    let (core, pre) = match s.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (s, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 {
        return Err(VersionError::new(
            input,
            "expected MAJOR.MINOR.PATCH with exactly three numeric components",
        ));
    }
    let mut release = [Num::zero(), Num::zero(), Num::zero()];
    for (slot, part) in release.iter_mut().zip(&parts) {
        *slot = strict_number(input, part, "component")?;
    }
    let mut identifiers = Vec::new();
    if let Some(pre) = pre {
        for ident in pre.split('.') {
            check_identifier(input, ident, "pre-release identifier")?;
            if ident.bytes().all(|b| b.is_ascii_digit()) {
                identifiers.push(Identifier::Numeric(strict_number(
                    input,
                    ident,
                    "numeric pre-release identifier",
                )?));
            } else {
                identifiers.push(Identifier::Alphanumeric(ident.into()));
            }
        }
    }
    Ok(SemVer {
        release,
        pre: identifiers,
        build: build.into(),
    })
}

fn strict_number(input: &str, part: &str, what: &str) -> Result<Num, VersionError> {
    if part.len() > 1 && part.starts_with('0') {
        return Err(VersionError::new(
            input,
            format!("{what} `{part}` has a leading zero"),
        ));
    }
    Num::from_digits(part)
        .ok_or_else(|| VersionError::new(input, format!("{what} `{part}` is not a number")))
}

fn check_identifier(input: &str, ident: &str, what: &str) -> Result<(), VersionError> {
    if ident.is_empty() {
        return Err(VersionError::new(input, format!("empty {what}")));
    }
    if !ident
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(VersionError::new(
            input,
            format!("{what} `{ident}` may only hold ASCII letters, digits and `-`"),
        ));
    }
    Ok(())
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_padded(&self.release, &other.release).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // Slice order is element-wise, then the longer list wins: SemVer rule 11.
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVer {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_grammar_refuses_what_semver_refuses() {
        for bad in [
            "1.2",
            "01.2.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "v1.2.3",
        ] {
            let err = SemVer::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert!(SemVer::parse("1.2.3-alpha.1+build.5").is_ok());
        assert!(SemVer::parse_npm("v1.2.3").is_ok());
        assert!(SemVer::parse_npm("=1.2.3").is_ok());
    }

    #[test]
    fn prerelease_orders_below_release_and_build_is_ignored() {
        let p = |s| SemVer::parse(s).unwrap();
        assert!(p("1.0.0-alpha") < p("1.0.0-alpha.1"));
        assert!(p("1.0.0-alpha.beta") < p("1.0.0-beta"));
        assert!(p("1.0.0-rc.1") < p("1.0.0"));
        assert_eq!(p("1.0.0+a"), p("1.0.0+b"));
    }

    #[test]
    fn go_accepts_shorthands_pseudo_versions_and_incompatible() {
        let g = |s| SemVer::parse_go(s).unwrap();
        assert_eq!(g("v1"), g("v1.0.0"));
        assert_eq!(g("v1.2"), g("1.2.0"));
        assert_eq!(g("v2.0.0+incompatible"), g("v2.0.0"));
        // A pseudo-version sorts before the release it precedes and after its base.
        let pseudo = g("v1.2.4-0.20191109021931-daa7c04131f5");
        assert!(pseudo < g("v1.2.4"));
        assert!(pseudo > g("v1.2.3"));
        assert!(g("v0.0.0-20191109021931-daa7c04131f5") < g("v0.0.0-20200101000000-aaaaaaaaaaaa"));
        assert!(g("v1.2.4-pre.0.20191109021931-daa7c04131f5") > g("v1.2.4-pre"));
        assert!(g("v3.0.0+incompatible") > g("v2.9.9"));
        assert!(SemVer::parse_go("v1.2-pre").is_err());
        assert!(SemVer::parse_go("v01.2.3").is_err());
    }

    #[test]
    fn lenient_form_reads_anything() {
        let l = SemVer::parse_lenient;
        assert_eq!(l("v1.2.3"), SemVer::parse("1.2.3").unwrap());
        assert_eq!(l("1.2"), SemVer::parse("1.2.0").unwrap());
        assert!(l("1.2.3.4") < l("1.2.3"));
        assert_eq!(l("").release, [Num::zero(), Num::zero(), Num::zero()]);
        assert!(l("garbage").is_prerelease());
    }
}
