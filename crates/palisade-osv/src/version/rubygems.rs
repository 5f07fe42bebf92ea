//! RubyGems versions, as `Gem::Version` orders them: the version is cut into numeric
//! and alphabetic segments; any alphabetic segment makes it a pre-release, so
//! `1.0.a` < `1.0`; trailing zeros do not count (`1.0` = `1`).

use super::num::Num;
use super::{VersionError, check_length};
use std::cmp::Ordering;

/// One segment of a gem version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Number(Num),
    String(Box<str>),
}

/// A gem version, held as its canonical segments.
#[derive(Debug, Clone)]
pub struct GemVersion {
    segments: Vec<Segment>,
}

impl GemVersion {
    /// Parses a version that `Gem::Version.new` accepts:
    /// `\A\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`.
    /// An empty string is version 0, as in RubyGems.
    pub fn parse(input: &str) -> Result<GemVersion, VersionError> {
        check_length(input)?;
        let s = input.trim();
        if !s.is_empty() {
            validate(input, s)?;
        }
        Ok(GemVersion::from_segments(s))
    }

    /// Applies the segment algorithm to any string; never fails. RubyGems itself would
    /// refuse such strings; the order it gives is the one `Gem::Version#<=>` would give
    /// to the segments it finds (`1beta` reads as `1.beta`).
    pub fn parse_lenient(input: &str) -> GemVersion {
        GemVersion::from_segments(super::truncate(input).trim())
    }

    fn from_segments(s: &str) -> GemVersion {
        // `Gem::Version` rewrites `-` to `.pre.` before it scans for segments.
        let s = s.replace('-', ".pre.");
        let mut raw = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                raw.extend(Num::from_digits(&s[start..i]).map(Segment::Number));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                raw.push(Segment::String(s[start..i].into()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: drop trailing zeros of the numeric part and of the rest.
        let split = raw
            .iter()
            .position(|seg| matches!(seg, Segment::String(_)))
            .unwrap_or(raw.len());
        let mut rest = raw.split_off(split);
        trim_zeros(&mut raw);
        trim_zeros(&mut rest);
        raw.extend(rest);
        GemVersion { segments: raw }
    }

    /// The canonical segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// True when any segment is alphabetic.
    pub fn is_prerelease(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::String(_)))
    }
}

fn trim_zeros(segments: &mut Vec<Segment>) {
    while matches!(segments.last(), Some(Segment::Number(n)) if n.is_zero()) {
        segments.pop();
    }
}

fn validate(input: &str, s: &str) -> Result<(), VersionError> {
    let (main, pre) = match s.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VersionError::new(input, "must start with a number"));
    }
    for part in parts {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(VersionError::new(
                input,
                format!("segment `{part}` must be ASCII letters and digits"),
            ));
        }
    }
    if let Some(pre) = pre {
        for part in pre.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(VersionError::new(
                    input,
                    format!("pre-release segment `{part}` must be ASCII letters, digits and `-`"),
                ));
            }
        }
    }
    Ok(())
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number(Num::zero());
        for i in 0..self.segments.len().max(other.segments.len()) {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let ord = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => x.cmp(y),
                (Segment::String(x), Segment::String(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Segment::String(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::String(_)) => Ordering::Greater,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn string_segments_are_prereleases() {
        assert!(g("1.0.a") < g("1.0"));
        assert!(g("1.0.a") > g("0.9"));
        assert!(g("1.0.0-rc1") < g("1.0.0"));
        assert_eq!(g("1.0-rc1"), g("1.0.pre.rc1"));
        assert!(g("1.0.b1") > g("1.0.a.2"));
        assert_eq!(g("1.0.0"), g("1"));
        assert_eq!(g(""), g("0"));
        assert!(g("1.0.a").is_prerelease());
    }

    #[test]
    fn malformed_versions_are_errors() {
        for bad in ["1beta", "a.1", "1..2", "1.0-", "1.0 junk"] {
            let err = GemVersion::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert!(GemVersion::parse_lenient("1beta") < g("1"));
    }
}
