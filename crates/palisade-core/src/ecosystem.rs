use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The package ecosystems Palisade understands.
///
/// The serialised names are the ecosystem names of the OSV schema, so that reports,
/// advisories and package URLs share one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "RubyGems")]
    RubyGems,
    #[serde(rename = "NuGet")]
    NuGet,
    #[serde(rename = "Go")]
    Go,
    #[serde(rename = "crates.io")]
    Crates,
    #[serde(rename = "Maven")]
    Maven,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Go,
        Ecosystem::Crates,
        Ecosystem::Maven,
    ];

    /// The OSV ecosystem name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Go => "Go",
            Ecosystem::Crates => "crates.io",
            Ecosystem::Maven => "Maven",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEcosystemError(pub String);

impl fmt::Display for ParseEcosystemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown ecosystem `{}` (expected one of npm, pypi, gem, nuget, go, crates, maven)",
            self.0
        )
    }
}

impl std::error::Error for ParseEcosystemError {}

impl FromStr for Ecosystem {
    type Err = ParseEcosystemError;

    /// Accepts the OSV names and the short names people type (`gem`, `cargo`, `pip`...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "npm" => Ecosystem::Npm,
            "pypi" | "pip" | "python" => Ecosystem::PyPI,
            "rubygems" | "gem" | "gems" => Ecosystem::RubyGems,
            "nuget" => Ecosystem::NuGet,
            "go" | "golang" => Ecosystem::Go,
            "crates.io" | "crates" | "crate" | "cargo" => Ecosystem::Crates,
            "maven" => Ecosystem::Maven,
            _ => return Err(ParseEcosystemError(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_and_serde() {
        for eco in Ecosystem::ALL {
            assert_eq!(eco.to_string().parse::<Ecosystem>().unwrap(), eco);
            let json = serde_json::to_string(&eco).unwrap();
            assert_eq!(json, format!("\"{}\"", eco.as_str()));
        }
    }

    #[test]
    fn short_names_parse_and_unknown_names_are_refused() {
        assert_eq!("gem".parse::<Ecosystem>().unwrap(), Ecosystem::RubyGems);
        assert_eq!("Cargo".parse::<Ecosystem>().unwrap(), Ecosystem::Crates);
        let err = "cpan".parse::<Ecosystem>().unwrap_err();
        assert!(err.to_string().contains("cpan"));
    }
}
