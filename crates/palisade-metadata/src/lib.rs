//! Judges a package by its name and registry metadata: typosquatting, masquerading,
//! dependency confusion and publishing anomalies.
//!
//! The code of a package says what it does; its name and registry record say whom it
//! wants to be mistaken for and who stands behind it. These analyses read only the
//! name, the version, the registry's [`PackageMetadata`] and the artifact's own manifest
//! fields, so they run before (or without) downloading anything, and every finding
//! names the evidence: the popular package imitated, the vendor borrowed, the dates.
//!
//! Call [`analyse`] with a [`MetadataContext`]; [`RULES`] lists every rule for the
//! rule documentation.

mod confusables;
pub mod confusion;
pub mod masquerade;
pub mod popular;
pub mod publishing;
pub mod shadowing;
pub mod typosquat;

#[doc(hidden)]
pub mod bench;

pub use typosquat::{Imitation, Technique, typosquat_target};

use palisade_core::{
    DeclaredDependency, Ecosystem, Finding, PackageMetadata, ReleaseInfo, RuleInfo,
};

/// The fields of the artifact's own manifest that the registry's copy is compared with
/// (npm manifest confusion), as the package reader found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArtifactManifest {
    pub name: Option<String>,
    pub version: Option<String>,
    /// Install-time scripts, name to command (`postinstall` → `node setup.js`).
    pub install_scripts: Vec<(String, String)>,
    pub dependencies: Vec<DeclaredDependency>,
}

/// The limits of the time-based rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A package first published at most this many days ago is new.
    pub new_package_days: i64,
    /// At most this many versions are "few".
    pub few_versions: usize,
    /// A release this many days or more after the previous one ends a dormancy.
    pub dormant_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            new_package_days: 30,
            few_versions: 3,
            dormant_days: 730,
        }
    }
}

/// What is known about the package being judged.
#[derive(Debug, Clone, Copy)]
pub struct MetadataContext<'a> {
    pub ecosystem: Ecosystem,
    pub name: &'a str,
    /// The version being scanned, if known.
    pub version: Option<&'a str>,
    /// The registry's record, when the package was looked up by name.
    pub metadata: Option<&'a PackageMetadata>,
    /// The previous release's detail, to compare publishers across releases.
    pub previous_release: Option<&'a ReleaseInfo>,
    /// The artifact's own manifest fields, when an artifact was read.
    pub artifact_manifest: Option<&'a ArtifactManifest>,
    /// The top-level modules the artifact installs (Python's `top_level.txt`).
    pub modules: &'a [String],
    /// "Now" in Unix seconds, passed in so that results are reproducible.
    pub now: i64,
    pub thresholds: Thresholds,
}

impl<'a> MetadataContext<'a> {
    /// A context with only a name: what a scan of a file knows.
    pub fn new(ecosystem: Ecosystem, name: &'a str, now: i64) -> Self {
        MetadataContext {
            ecosystem,
            name,
            version: None,
            metadata: None,
            previous_release: None,
            artifact_manifest: None,
            modules: &[],
            now,
            thresholds: Thresholds::default(),
        }
    }
}

/// Every finding of every rule of this crate for `ctx`, in report order.
pub fn analyse(ctx: &MetadataContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(typosquat::check(ctx.ecosystem, ctx.name));
    findings.extend(masquerade::check(ctx.ecosystem, ctx.name, ctx.metadata));
    findings.extend(shadowing::check(ctx.ecosystem, ctx.name, ctx.modules));
    let version = ctx
        .version
        .or(ctx
            .metadata
            .and_then(|m| m.release.as_ref().map(|r| r.version.as_str())))
        .or(ctx.metadata.and_then(|m| m.latest.as_deref()));
    findings.extend(confusion::check(
        ctx.name,
        version,
        ctx.metadata,
        ctx.now,
        ctx.thresholds.new_package_days,
    ));
    findings.extend(publishing::check(ctx));
    findings.sort_by(Finding::report_order);
    findings
}

/// Every rule of this crate, for `palisade rules` and the rule documentation.
pub static RULES: &[&RuleInfo] = &[
    &typosquat::TYPOSQUAT,
    &typosquat::LOOKALIKE,
    &typosquat::AFFIX_SQUAT,
    &typosquat::SCOPE_COPY,
    &masquerade::MASQUERADE,
    &masquerade::VENDOR_NAME,
    &shadowing::MODULE_SHADOWING,
    &confusion::ABSURD_VERSION,
    &confusion::INTERNAL_NAME,
    &confusion::DEPENDENCY_CONFUSION,
    &publishing::NEW_PACKAGE,
    &publishing::NEW_PUBLISHER,
    &publishing::DORMANT_REVIVAL,
    &publishing::DISPOSABLE_EMAIL,
    &publishing::NO_REPOSITORY,
    &publishing::REPOSITORY_MISMATCH,
    &publishing::MANIFEST_CONFUSION,
    &publishing::URL_DEPENDENCY,
    &publishing::CLEARTEXT_DEPENDENCY,
];

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::{Category, Maintainer, VersionInfo};

    #[test]
    fn rules_have_unique_family_ids_and_full_documentation() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for rule in RULES {
            assert!(rule.id.starts_with("name/") || rule.id.starts_with("registry/"));
            assert_eq!(rule.category, Category::Metadata);
            assert!(!rule.summary.is_empty() && !rule.why.is_empty() && !rule.example.is_empty());
        }
        assert!(!ids.contains(&"metadata/dependency-confusion-version"));
    }

    #[test]
    fn a_typosquat_looked_up_by_name_gathers_findings_in_report_order() {
        const NOW: i64 = 1_750_000_000;
        let meta = PackageMetadata {
            name: "reqeusts".into(),
            created: Some(NOW - 86_400),
            versions: vec![VersionInfo {
                version: "1.0.0".into(),
                published: Some(NOW - 86_400),
                yanked: false,
            }],
            maintainers: vec![Maintainer {
                name: Some("x".into()),
                email: Some("x@guerrillamail.com".into()),
            }],
            repository: Some("https://example.org/psf/requests".into()),
            ..Default::default()
        };
        let ctx = MetadataContext {
            metadata: Some(&meta),
            version: Some("1.0.0"),
            ..MetadataContext::new(Ecosystem::PyPI, "reqeusts", NOW)
        };
        let found = analyse(&ctx);
        let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        for expected in [
            "name/typosquat",
            "registry/new-package",
            "registry/disposable-email",
        ] {
            assert!(rules.contains(&expected), "{rules:?}");
        }
        // `requests` contains no word of `reqeusts`, and it is the popular original.
        let mismatch = found
            .iter()
            .find(|f| f.rule == "registry/repository-mismatch")
            .expect("starjacking reported");
        assert!(
            mismatch.message.contains("popular `requests`"),
            "{}",
            mismatch.message
        );
        let mut sorted = found.clone();
        sorted.sort_by(Finding::report_order);
        assert_eq!(found, sorted);
        assert_eq!(analyse(&ctx), found, "deterministic");
    }

    #[test]
    fn a_popular_name_scanned_from_a_file_gives_nothing() {
        let ctx = MetadataContext::new(Ecosystem::Npm, "lodash", 0);
        assert!(analyse(&ctx).is_empty());
    }
}
