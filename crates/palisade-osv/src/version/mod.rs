//! Version schemes of the seven ecosystems, and one [`Version`] type over them.
//!
//! Each scheme parses strictly, by its ecosystem's grammar ([`Version::parse`]), and
//! leniently ([`Version::parse_lenient`]), which never fails: advisories and lockfiles
//! carry versions that do not follow the rules, and a scan must still order them. The
//! lenient reading of a string that parses strictly is its strict reading, so both kinds
//! order consistently against each other:
//!
//! | scheme | ecosystems | lenient reading of a non-conforming string |
//! |---|---|---|
//! | SemVer 2.0.0 | npm, crates.io | leading digit runs are the release, the rest the pre-release |
//! | Go (SemVer with `v`) | Go | as SemVer |
//! | PEP 440 | PyPI | `packaging`'s legacy version, below every PEP 440 version |
//! | Gem::Version | RubyGems | the segment algorithm on whatever segments the string has |
//! | ComparableVersion | Maven | ComparableVersion itself (it accepts every string) |
//! | NuGet.Versioning | NuGet | as SemVer, with a fourth numeric part |
//!
//! These are the readings of osv-scalibr's `semantic` package, whose conformance cases
//! this crate passes in full. Strings longer than [`MAX_VERSION_LEN`] bytes are refused
//! by the strict parsers and cut to that length by the lenient ones, which bounds the
//! work per version (and Maven's nesting depth).

mod maven;
mod nuget;
mod num;
mod pep440;
mod rubygems;
mod semver;

pub use maven::MavenVersion;
pub use nuget::{Label, NuGetVersion};
pub use num::Num;
pub use pep440::{LocalSegment, Pep440, PrePhase, PyPIVersion};
pub use rubygems::{GemVersion, Segment};
pub use semver::{Identifier, SemVer};

use palisade_core::Ecosystem;
use std::cmp::Ordering;
use std::fmt;

/// Longest version string considered, in bytes.
pub const MAX_VERSION_LEN: usize = 1024;

/// A version string that does not follow its scheme, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version `{input}`: {reason}")]
pub struct VersionError {
    pub input: String,
    pub reason: String,
}

impl VersionError {
    pub(crate) fn new(input: &str, reason: impl Into<String>) -> VersionError {
        let mut shown: String = input.chars().take(80).collect();
        if shown.len() < input.len() {
            shown.push('…');
        }
        VersionError {
            input: shown,
            reason: reason.into(),
        }
    }
}

pub(crate) fn check_length(input: &str) -> Result<(), VersionError> {
    if input.len() > MAX_VERSION_LEN {
        return Err(VersionError::new(
            input,
            format!("longer than {MAX_VERSION_LEN} bytes"),
        ));
    }
    Ok(())
}

/// Cuts `input` to at most [`MAX_VERSION_LEN`] bytes, at a character boundary.
pub(crate) fn truncate(input: &str) -> &str {
    if input.len() <= MAX_VERSION_LEN {
        return input;
    }
    let mut end = MAX_VERSION_LEN;
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    &input[..end]
}

/// The version scheme an ecosystem uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// SemVer 2.0.0 (npm, crates.io; also OSV `SEMVER` ranges of any ecosystem).
    SemVer,
    /// Go module versions.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// Gem::Version (RubyGems).
    RubyGems,
    /// ComparableVersion (Maven).
    Maven,
    /// NuGet.Versioning (NuGet).
    NuGet,
}

impl Scheme {
    /// The scheme of `ecosystem`.
    pub fn of(ecosystem: Ecosystem) -> Scheme {
        match ecosystem {
            Ecosystem::Npm | Ecosystem::Crates => Scheme::SemVer,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::NuGet => Scheme::NuGet,
        }
    }
}

/// A version of some scheme, parsed once and compared many times.
///
/// Versions of one scheme order by that scheme's rules. Versions of different schemes
/// should never be compared; if they are, they order by scheme, so that sorting stays
/// total and deterministic. Equality is equal precedence (`1.0` = `1.0.0` in PyPI), not
/// equal text; [`Version::as_str`] keeps the text.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    SemVer(SemVer),
    Go(SemVer),
    PyPI(PyPIVersion),
    RubyGems(GemVersion),
    Maven(MavenVersion),
    NuGet(NuGetVersion),
}

impl Version {
    /// Parses `text` by the grammar of `ecosystem`'s scheme.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Version, VersionError> {
        Version::parse_scheme(Scheme::of(ecosystem), text)
    }

    /// Parses `text` by the grammar of `scheme`. For npm, use
    /// [`Version::parse`], which also accepts npm's `v` prefix.
    pub fn parse_scheme(scheme: Scheme, text: &str) -> Result<Version, VersionError> {
        let kind = match scheme {
            Scheme::SemVer => Kind::SemVer(SemVer::parse_npm(text)?),
            Scheme::Go => Kind::Go(SemVer::parse_go(text)?),
            Scheme::Pep440 => Kind::PyPI(PyPIVersion::parse(text)?),
            Scheme::RubyGems => Kind::RubyGems(GemVersion::parse(text)?),
            Scheme::Maven => Kind::Maven(MavenVersion::parse(text)?),
            Scheme::NuGet => Kind::NuGet(NuGetVersion::parse(text)?),
        };
        Ok(Version {
            text: text.into(),
            kind,
        })
    }

    /// Reads `text` as a version of `ecosystem`, leniently when it does not follow the
    /// grammar (see the module documentation); never fails.
    pub fn parse_lenient(ecosystem: Ecosystem, text: &str) -> Version {
        Version::parse_lenient_scheme(Scheme::of(ecosystem), text)
    }

    /// [`Version::parse_lenient`] for a scheme.
    pub fn parse_lenient_scheme(scheme: Scheme, text: &str) -> Version {
        let kind = match scheme {
            Scheme::SemVer => Kind::SemVer(
                SemVer::parse_npm(text).unwrap_or_else(|_| SemVer::parse_lenient(text)),
            ),
            Scheme::Go => {
                Kind::Go(SemVer::parse_go(text).unwrap_or_else(|_| SemVer::parse_lenient(text)))
            }
            Scheme::Pep440 => Kind::PyPI(PyPIVersion::parse_lenient(text)),
            Scheme::RubyGems => Kind::RubyGems(GemVersion::parse_lenient(text)),
            Scheme::Maven => Kind::Maven(MavenVersion::parse_lenient(text)),
            Scheme::NuGet => Kind::NuGet(NuGetVersion::parse_lenient(text)),
        };
        Version {
            text: truncate(text).into(),
            kind,
        }
    }

    /// The text the version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The scheme of the version.
    pub fn scheme(&self) -> Scheme {
        match self.kind {
            Kind::SemVer(_) => Scheme::SemVer,
            Kind::Go(_) => Scheme::Go,
            Kind::PyPI(_) => Scheme::Pep440,
            Kind::RubyGems(_) => Scheme::RubyGems,
            Kind::Maven(_) => Scheme::Maven,
            Kind::NuGet(_) => Scheme::NuGet,
        }
    }

    /// True for pre-releases by the scheme's own definition.
    pub fn is_prerelease(&self) -> bool {
        match &self.kind {
            Kind::SemVer(v) | Kind::Go(v) => v.is_prerelease(),
            Kind::PyPI(v) => v.is_prerelease(),
            Kind::RubyGems(v) => v.is_prerelease(),
            Kind::Maven(v) => v.is_prerelease(),
            Kind::NuGet(v) => v.is_prerelease(),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.kind.cmp(&other.kind)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Compares two version strings of `ecosystem`, reading each leniently
/// ([`Version::parse_lenient`]) so that every pair of strings has a deterministic
/// order. To compare one version against many, parse it once instead.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Ordering {
    Version::parse_lenient(ecosystem, a).cmp(&Version::parse_lenient(ecosystem, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_uses_each_ecosystem_scheme() {
        assert_eq!(compare(Ecosystem::PyPI, "1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(
            compare(Ecosystem::Npm, "1.0.0-rc.1", "1.0.0"),
            Ordering::Less
        );
        assert_eq!(
            compare(Ecosystem::Maven, "1.0-SNAPSHOT", "1.0"),
            Ordering::Less
        );
        assert_eq!(compare(Ecosystem::RubyGems, "1.0.a", "1.0"), Ordering::Less);
        assert_eq!(
            compare(Ecosystem::NuGet, "1.0.0.1", "1.0.0"),
            Ordering::Greater
        );
        assert_eq!(compare(Ecosystem::Go, "v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(
            compare(Ecosystem::Crates, "0.10.0", "0.9.0"),
            Ordering::Greater
        );
    }

    #[test]
    fn strict_parse_names_the_input_and_lenient_never_fails() {
        let err = Version::parse(Ecosystem::Crates, "1.x").unwrap_err();
        assert!(err.to_string().contains("`1.x`"), "{err}");
        let long = "1".repeat(MAX_VERSION_LEN + 1);
        assert!(Version::parse(Ecosystem::Maven, &long).is_err());
        for eco in Ecosystem::ALL {
            let v = Version::parse_lenient(eco, "\u{0}garbage ✓");
            assert_eq!(v.cmp(&v), Ordering::Equal);
            assert_eq!(
                Version::parse_lenient(eco, &long).as_str().len(),
                MAX_VERSION_LEN
            );
        }
    }
}
