//! The OSV schema (<https://ossf.github.io/osv-schema/>) as serde types.
//!
//! Parsing is lenient where the schema grows (unknown fields are ignored, unknown
//! range and severity types are kept as `Other`) and strict where a wrong shape would
//! make matching silently wrong: a record without an id, a range event that is not
//! exactly one of `introduced`, `fixed`, `last_affected`, `limit`, or an affected
//! range without events is an error naming the record and the place.

mod ecosystem;
mod parse;

pub use ecosystem::osv_ecosystem;
pub use parse::{AdvisoryError, ErrorKind};

use palisade_core::Ecosystem;
use serde::{Deserialize, Deserializer, Serialize};

/// `null` and absent both mean empty, as several databases write `"aliases": null`.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    pub id: String,
    /// RFC 3339 time of the last change (required by the schema, empty if absent).
    #[serde(default, deserialize_with = "nullable")]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the record was withdrawn; withdrawn records affect nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub related: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<Severity>,
    #[serde(default, deserialize_with = "nullable")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "nullable")]
    pub references: Vec<Reference>,
    #[serde(default, deserialize_with = "nullable")]
    pub credits: Vec<Credit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// A severity score: a CVSS vector or another scoring system's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: SeverityType,
    pub score: String,
}

/// The scoring system of a [`Severity`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SeverityType {
    CvssV2,
    CvssV3,
    CvssV4,
    Ubuntu,
    /// A type this crate does not know, kept as written.
    Other(String),
}

impl SeverityType {
    pub fn as_str(&self) -> &str {
        match self {
            SeverityType::CvssV2 => "CVSS_V2",
            SeverityType::CvssV3 => "CVSS_V3",
            SeverityType::CvssV4 => "CVSS_V4",
            SeverityType::Ubuntu => "Ubuntu",
            SeverityType::Other(s) => s,
        }
    }
}

impl Serialize for SeverityType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SeverityType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "CVSS_V2" => SeverityType::CvssV2,
            "CVSS_V3" => SeverityType::CvssV3,
            "CVSS_V4" => SeverityType::CvssV4,
            "Ubuntu" => SeverityType::Ubuntu,
            _ => SeverityType::Other(s),
        })
    }
}

/// What an advisory affects in one package.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<Severity>,
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<Range>,
    /// Versions affected, listed one by one.
    #[serde(default, deserialize_with = "nullable")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// A package: the ecosystem string as written (`PyPI`, `Debian:11`...), name, purl.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

impl Package {
    /// The Palisade ecosystem, or `None` for the ecosystems Palisade does not cover.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        osv_ecosystem(&self.ecosystem)
    }
}

/// A range of affected versions, given as events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// How the versions of a [`Range`] are ordered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RangeType {
    /// SemVer 2.0.0, whatever the ecosystem.
    Semver,
    /// The ecosystem's own version scheme.
    Ecosystem,
    /// Git commits; never used for version matching.
    Git,
    /// A type this crate does not know; ignored for matching.
    Other(String),
}

impl RangeType {
    pub fn as_str(&self) -> &str {
        match self {
            RangeType::Semver => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
            RangeType::Other(s) => s,
        }
    }
}

impl Serialize for RangeType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RangeType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "SEMVER" => RangeType::Semver,
            "ECOSYSTEM" => RangeType::Ecosystem,
            "GIT" => RangeType::Git,
            _ => RangeType::Other(s),
        })
    }
}

/// One event of a range: exactly one of the four keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    /// The version (or commit) the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    /// A map with exactly one known key, written by hand because YAML deserialisers
    /// read externally tagged enums from tags rather than from maps.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EventVisitor;

        impl<'de> serde::de::Visitor<'de> for EventVisitor {
            type Value = Event;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map with one of `introduced`, `fixed`, `last_affected`, `limit`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Event, A::Error> {
                use serde::de::Error;
                let Some(key) = map.next_key::<String>()? else {
                    return Err(A::Error::custom("empty range event"));
                };
                let version: String = map.next_value()?;
                let event = match key.as_str() {
                    "introduced" => Event::Introduced(version),
                    "fixed" => Event::Fixed(version),
                    "last_affected" => Event::LastAffected(version),
                    "limit" => Event::Limit(version),
                    other => {
                        return Err(A::Error::unknown_variant(
                            other,
                            &["introduced", "fixed", "last_affected", "limit"],
                        ));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(A::Error::custom(format!(
                        "range event has both `{key}` and `{extra}`; it must have exactly one"
                    )));
                }
                Ok(event)
            }
        }

        d.deserialize_map(EventVisitor)
    }
}

/// A link about the advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// Someone credited for the advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Vec<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Advisory {
    /// True for advisories about malicious packages rather than vulnerabilities: an OSV
    /// `MAL-` id or alias, or (RustSec) an affected entry whose
    /// `database_specific.categories` holds `"malicious"`, the mark RustSec gives crates
    /// removed from the registry for malicious code.
    pub fn is_malicious(&self) -> bool {
        let mal = |id: &String| id.starts_with("MAL-");
        if mal(&self.id) || self.aliases.iter().any(mal) {
            return true;
        }
        self.affected.iter().any(|a| {
            a.database_specific
                .as_ref()
                .and_then(|d| d.get("categories"))
                .and_then(|c| c.as_array())
                .is_some_and(|c| c.iter().any(|v| v.as_str() == Some("malicious")))
        })
    }

    /// Every id the advisory is known by: its own, then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}
