//! The ignore list: advisories a team has decided to accept for now, each with a reason
//! and an expiry date, read from `palisade.toml`:
//!
//! ```toml
//! [[ignore]]
//! id = "PYSEC-2021-335"        # or any alias (CVE-..., GHSA-...)
//! reason = "Zope is not deployed; the module is only imported by a test helper."
//! expires = "2027-01-31"
//! package = "accesscontrol"    # optional: only for this package
//! ```
//!
//! An ignore without a reason or an expiry is refused, so that no advisory is silenced
//! forever by accident; an expired ignore no longer applies and is reported.

use palisade_core::Ecosystem;
use palisade_core::time::parse_rfc3339;
use palisade_osv::name::same_package;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    pub id: String,
    pub reason: String,
    /// `YYYY-MM-DD`; the ignore applies up to and including that day.
    pub expires: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    ignore: Vec<Ignore>,
}

/// The ignores of one file, checked.
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    pub source: Option<PathBuf>,
    pub entries: Vec<Ignore>,
}

/// Why an ignore file was refused: the file, the line when known, and the reason.
#[derive(Debug, Clone)]
pub struct IgnoreError(pub String);

impl std::fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IgnoreError {}

impl IgnoreList {
    pub fn load(path: &Path) -> Result<IgnoreList, IgnoreError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IgnoreError(format!("{}: {e}", path.display())))?;
        IgnoreList::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<IgnoreList, IgnoreError> {
        let at = |span: Option<std::ops::Range<usize>>| {
            span.map(|s| {
                format!(
                    ":{}",
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                )
            })
            .unwrap_or_default()
        };
        let file: File = toml::from_str(text).map_err(|e| {
            IgnoreError(format!(
                "{}{}: {}",
                path.display(),
                at(e.span()),
                e.message()
            ))
        })?;
        for entry in &file.ignore {
            let line = text
                .find(&format!("\"{}\"", entry.id))
                .map(|offset| format!(":{}", text[..offset].matches('\n').count() + 1))
                .unwrap_or_default();
            let fail = |why: &str| {
                IgnoreError(format!(
                    "{}{line}: ignore of {}: {why}",
                    path.display(),
                    entry.id
                ))
            };
            if entry.reason.trim().is_empty() {
                return Err(fail(
                    "`reason` is empty; say why the advisory does not apply",
                ));
            }
            if parse_rfc3339(&entry.expires).is_none() || entry.expires.len() != 10 {
                return Err(fail("`expires` must be a date, YYYY-MM-DD"));
            }
        }
        Ok(IgnoreList {
            source: Some(path.to_path_buf()),
            entries: file.ignore,
        })
    }

    /// The ignore covering advisory `ids` (id and aliases) of `package`, if one is in
    /// force on day `now`; expired ones are returned in the second slot. A `package`
    /// restriction compares names as `ecosystem` does (PyPI `Zope.Interface` is
    /// `zope-interface`), and ignores ASCII case.
    pub fn find<'a>(
        &'a self,
        ids: &[&str],
        ecosystem: Ecosystem,
        package: &str,
        now: i64,
    ) -> (Option<&'a Ignore>, Option<&'a Ignore>) {
        let mut expired = None;
        for entry in &self.entries {
            let id_matches = ids.iter().any(|id| id.eq_ignore_ascii_case(&entry.id));
            let package_matches = entry.package.as_deref().is_none_or(|p| {
                p.eq_ignore_ascii_case(package) || same_package(ecosystem, p, package)
            });
            if !(id_matches && package_matches) {
                continue;
            }
            // The expiry day itself is still covered.
            let ends = parse_rfc3339(&entry.expires).unwrap_or(0) + 86_400;
            if now < ends {
                return (Some(entry), None);
            }
            expired = Some(entry);
        }
        (None, expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_matches_by_id_or_alias_until_it_expires() {
        let text = "[[ignore]]\nid = \"CVE-2021-1\"\nreason = \"not reachable\"\nexpires = \"2026-12-31\"\n";
        let list = IgnoreList::parse(text, Path::new("palisade.toml")).unwrap();
        let before = parse_rfc3339("2026-12-31T23:00:00Z").unwrap();
        let after = parse_rfc3339("2027-01-01T00:00:01Z").unwrap();
        assert!(
            list.find(&["PYSEC-1", "cve-2021-1"], Ecosystem::PyPI, "x", before)
                .0
                .is_some()
        );
        let (active, expired) = list.find(&["CVE-2021-1"], Ecosystem::PyPI, "x", after);
        assert!(active.is_none() && expired.is_some());
        assert!(
            list.find(&["CVE-2021-2"], Ecosystem::PyPI, "x", before)
                .0
                .is_none()
        );
    }

    #[test]
    fn a_package_restriction_compares_names_as_the_ecosystem_does() {
        let text = "[[ignore]]\nid = \"CVE-1\"\nreason = \"r\"\nexpires = \"2099-01-01\"\npackage = \"Zope.Interface\"\n";
        let list = IgnoreList::parse(text, Path::new("palisade.toml")).unwrap();
        let ids = ["CVE-1"];
        assert!(
            list.find(&ids, Ecosystem::PyPI, "zope-interface", 0)
                .0
                .is_some()
        );
        assert!(
            list.find(&ids, Ecosystem::PyPI, "zope_interface", 0)
                .0
                .is_some()
        );
        assert!(
            list.find(&ids, Ecosystem::PyPI, "zope-schema", 0)
                .0
                .is_none()
        );
        assert!(
            list.find(&ids, Ecosystem::Npm, "zope-interface", 0)
                .0
                .is_none()
        );
    }

    #[test]
    fn missing_reason_or_bad_date_names_the_file_and_line() {
        let no_reason = "\n[[ignore]]\nid = \"X-1\"\nexpires = \"2026-12-31\"\n";
        let err = IgnoreList::parse(no_reason, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("p.toml:2") && err.contains("reason"),
            "{err}"
        );
        let empty = "[[ignore]]\nid = \"X-1\"\nreason = \" \"\nexpires = \"2026-12-31\"\n";
        let err = IgnoreList::parse(empty, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("p.toml:2") && err.contains("empty"), "{err}");
        let bad_date = "[[ignore]]\nid = \"X-1\"\nreason = \"r\"\nexpires = \"soon\"\n";
        let err = IgnoreList::parse(bad_date, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        let typo = "[[ignore]]\nid = \"X-1\"\nreason = \"r\"\nexpire = \"2026-01-01\"\n";
        assert!(IgnoreList::parse(typo, Path::new("p.toml")).is_err());
    }
}
