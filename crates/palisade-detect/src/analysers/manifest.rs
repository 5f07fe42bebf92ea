//! Manifest signals: the shape of a package's own identity.
//!
//! Dependency-confusion probes publish an internal-looking name with an absurd version
//! (99.0.0, 999.9.9) so that resolvers prefer them over the real internal package.
//! Alone that is odd but not malicious; with code that sends host data out it is the
//! signature of the attack, which the content analyser weighs.

use super::Analyser;
use palisade_core::{Category, Finding, Package, RuleInfo, Severity};

pub static ABSURD_VERSION: RuleInfo = RuleInfo {
    id: "metadata/dependency-confusion-version",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "The package's version has a major number of 99 or more.",
    why: "Dependency-confusion attacks publish internal package names at versions like 99.0.0 so that installers pick them over the private original.",
    example: "name = internal-billing, version = 99.0.0",
    attack: Some("T1195.001"),
};

pub struct ManifestSignals;

/// Whether a version looks like a dependency-confusion bid: major 99 or more.
pub fn absurd_version(version: &str) -> bool {
    let digits: String = version
        .trim_start_matches(['v', 'V'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // Calendar versions (2024.1.1) have years for majors: honest, not absurd.
    let calendar = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
    !calendar && digits.len() <= 6 && digits.parse::<u32>().is_ok_and(|major| major >= 99)
}

impl Analyser for ManifestSignals {
    fn name(&self) -> &'static str {
        "manifest-signals"
    }

    fn rules(&self) -> &'static [&'static RuleInfo] {
        static RULES: &[&RuleInfo] = &[&ABSURD_VERSION];
        RULES
    }

    fn analyse(&self, package: &Package, findings: &mut Vec<Finding>) {
        let (Some(version), Some(path)) = (&package.version, &package.manifest_path) else {
            return;
        };
        if absurd_version(version) {
            findings.push(
                ABSURD_VERSION
                    .finding(format!("version {version} is a dependency-confusion shape"))
                    .at(path.clone(), None)
                    .with_snippet(format!("version: {version}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_versions_and_ordinary_ones() {
        for v in ["99.0.0", "999.9.9", "v100.1", "99"] {
            assert!(absurd_version(v), "{v}");
        }
        for v in ["1.0.0", "98.2", "2024.1.1", "v2", "", "x99"] {
            assert!(!absurd_version(v), "{v}");
        }
    }
}
