//! Palisade's OSV side: advisories, version schemes and range matching, the ground a
//! local advisory database and `palisade audit` stand on.
//!
//! # Reading advisories
//! [`Advisory::from_json`], [`Advisory::from_yaml`] and [`Advisory::from_path`] read one
//! OSV record; errors ([`AdvisoryError`]) name the origin and what is wrong. Ecosystem
//! strings map to Palisade's with [`osv_ecosystem`] (`Debian:11` and other ecosystems
//! give `None`). [`Advisory::is_malicious`] tells malicious-package records (`MAL-`,
//! RustSec's removed crates) from vulnerabilities; [`Advisory::severity_assessment`]
//! rates them ([`SeverityLevel`], CVSS score when computable).
//!
//! # Versions
//! [`Version`] parses once and orders many times, by the scheme of each ecosystem
//! ([`Scheme`]): SemVer for npm and crates.io, Go's SemVer, PEP 440, Gem::Version,
//! Maven's ComparableVersion, NuGet. [`Version::parse`] follows the grammar strictly;
//! [`Version::parse_lenient`] and [`compare`] give every string a deterministic place.
//!
//! # Matching
//! [`Advisory::affects`] answers "does this advisory affect `name@version`?", with
//! names normalised per ecosystem ([`name::normalize`]) and withdrawn records never
//! affecting. [`Affected::affects`] evaluates one entry by the OSV algorithm; for many
//! versions, prepare it once as an [`AffectedMatcher`]. [`Advisory::fixed_versions`]
//! lists fixes and [`smallest_upgrade`] picks the lowest version that clears a set of
//! advisories.
//!
//! ```
//! use palisade_core::Ecosystem;
//! use palisade_osv::Advisory;
//!
//! let adv = Advisory::from_json(r#"{"id": "PYSEC-0", "modified": "2024-01-01T00:00:00Z",
//!   "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#)?;
//! assert!(adv.affects(Ecosystem::PyPI, "jinja2", "2.11.2"));
//! assert!(!adv.affects(Ecosystem::PyPI, "jinja2", "2.11.3"));
//! assert_eq!(adv.fixed_versions(Ecosystem::PyPI, "JINJA2"), ["2.11.3"]);
//! # Ok::<(), palisade_osv::AdvisoryError>(())
//! ```

pub mod db;
pub mod model;
pub mod name;
mod range;
pub mod severity;
mod upgrade;
pub mod version;

pub use model::{
    Advisory, AdvisoryError, Affected, Credit, ErrorKind, Event, Package, Range, RangeType,
    Reference, Severity, SeverityType, osv_ecosystem,
};
pub use range::AffectedMatcher;
pub use severity::{SeverityAssessment, SeverityLevel};
pub use upgrade::smallest_upgrade;
pub use version::{Scheme, Version, VersionError, compare};
