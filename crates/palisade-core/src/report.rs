use crate::ecosystem::Ecosystem;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Version of the JSON report layout (`docs/report-schema.md`). Bumped on any change that
/// removes or renames a field or changes its meaning; new optional fields do not bump it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The overall judgement of one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    Suspicious,
    Malicious,
    /// The target could not be analysed at all (unreadable, not an artifact).
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
            Verdict::Error => "error",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything Palisade says about one target. The field set is a stable contract,
/// documented in `docs/report-schema.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// What was scanned, as given by the user.
    pub target: String,
    pub ecosystem: Option<Ecosystem>,
    pub name: Option<String>,
    pub version: Option<String>,
    /// The artifact format that was recognised, e.g. `wheel`.
    pub format: Option<String>,
    /// SHA-256 of the artifact file (absent for directories).
    pub sha256: Option<String>,
    pub verdict: Verdict,
    /// 0 (nothing of note) to 10 (certainly malicious).
    pub score: f64,
    pub findings: Vec<Finding>,
    /// Reasons the analysis was incomplete or impossible, each naming the file.
    pub errors: Vec<String>,
    pub elapsed_ms: u64,
    /// Where the artifact came from, when it was fetched from a registry by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// What changed since the previous version (`scan --diff-previous`), in the layout
    /// of `palisade diff --format json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<serde_json::Value>,
}

/// The registry download behind a report: which artifact of the release was scanned
/// (for PyPI, the sdist or a wheel) and what vouches for its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The package as the user named it, e.g. `npm:left-pad@1.3.0`.
    pub spec: String,
    pub url: String,
    pub filename: String,
    /// `sdist`, `wheel`, `tarball`, `crate`, `gem`, `nupkg`, `zip`, `jar`...
    pub kind: String,
    /// What checked the download, e.g. `published sha512 digest`.
    pub verified_by: String,
    /// True when the artifact came from the local cache.
    pub cached: bool,
}

impl Report {
    /// A report for a target that could not be analysed at all.
    pub fn error(target: impl Into<String>, error: impl Into<String>) -> Report {
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            target: target.into(),
            ecosystem: None,
            name: None,
            version: None,
            format: None,
            sha256: None,
            verdict: Verdict::Error,
            score: 0.0,
            findings: Vec::new(),
            errors: vec![error.into()],
            elapsed_ms: 0,
            origin: None,
            diff: None,
        }
    }

    /// `name@version`, or what is known of it.
    pub fn display_name(&self) -> String {
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            _ => self.target.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_order_by_gravity() {
        assert!(Verdict::Clean < Verdict::Suspicious);
        assert!(Verdict::Suspicious < Verdict::Malicious);
    }

    #[test]
    fn error_report_serialises_with_every_contract_field() {
        let report = Report::error("x.tgz", "x.tgz: not an archive");
        let json = serde_json::to_value(&report).unwrap();
        for field in [
            "schema_version",
            "target",
            "ecosystem",
            "name",
            "version",
            "sha256",
            "verdict",
            "score",
            "findings",
            "errors",
            "elapsed_ms",
        ] {
            assert!(json.get(field).is_some(), "missing {field}");
        }
        assert_eq!(json["verdict"], "error");
    }
}
