//! Dependency-confusion shapes: an internal-looking name, an absurd version, and a
//! young package with few versions.
//!
//! A company resolving `billing-internal` from a public registry as well as its private
//! one gets whichever has the higher version; attackers publish the internal name at
//! `99.0.0` or `9999.0.0` so theirs wins. Each sign alone is weak (companies publish
//! `-internal` tools, some projects version oddly); together, and on a package with few
//! versions, they are the shape of the attack.
//!
//! These rules judge the registry's view of a package. The manifest rule
//! `metadata/dependency-confusion-version` (palisade-detect) reports the same absurd
//! version when it is read from the artifact itself; `registry/dependency-confusion`
//! adds what only the registry knows: the package's age and version count.
//!
//! Example: `acme-billing-internal` at version `99.0.0`, created two days ago, one
//! version.

use palisade_core::{Category, Finding, PackageMetadata, RuleInfo, Severity};

pub static ABSURD_VERSION: RuleInfo = RuleInfo {
    id: "registry/absurd-version",
    category: Category::Metadata,
    severity: Severity::Low,
    summary: "The version's major number is 99 or more and is not a calendar date.",
    why: "Dependency-confusion bids use versions like 99.0.0 or 9999.0.0 so that a \
          resolver prefers them over a private package of the same name. The artifact \
          rule `metadata/dependency-confusion-version` reports it from the manifest.",
    example: "version 9999.0.1",
    attack: Some("T1195.001"),
};

pub static INTERNAL_NAME: RuleInfo = RuleInfo {
    id: "name/internal-looking",
    category: Category::Metadata,
    severity: Severity::Info,
    summary: "The name looks like a company-internal package (`-internal`, `corp-`, \
              `-private`, `-int-`).",
    why: "Internal names on a public registry are what dependency-confusion attacks \
          publish; a real internal package should not be public at all.",
    example: "`acme-billing-internal`",
    attack: Some("T1195.001"),
};

pub static DEPENDENCY_CONFUSION: RuleInfo = RuleInfo {
    id: "registry/dependency-confusion",
    category: Category::Metadata,
    severity: Severity::High,
    summary: "An absurd version together with an internal-looking name or a new package \
              with few versions: the shape of a dependency-confusion attack.",
    why: "Honest packages climb to high versions over years of releases; a new package \
          that starts at 99.0.0, or an internal-looking one at such a version, exists to \
          win a version comparison against a private package.",
    example: "`acme-billing-internal` 99.0.0, created 2 days ago, 1 version",
    attack: Some("T1195.001"),
};

const INTERNAL_WORDS: &[&str] = &[
    "internal",
    "private",
    "corp",
    "intranet",
    "int",
    "priv",
    "inhouse",
    "proprietary",
];

/// Whether `version` looks like a dependency-confusion bid: a major number of 99 or more
/// that is not a calendar version (`2024.1`, `20240101`).
pub fn absurd_version(version: &str) -> bool {
    let digits: String = version
        .trim()
        .trim_start_matches(['v', 'V'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let Ok(major) = digits.parse::<u64>() else {
        return digits.len() > 19; // longer than any u64: absurd by construction
    };
    let year = (1990..=2100).contains(&major);
    let date = digits.len() == 8 && (19_900_101..=21_001_231).contains(&major);
    let date_time = digits.len() >= 12 && (digits.starts_with("19") || digits.starts_with("20"));
    major >= 99 && !year && !date && !date_time
}

/// The internal-looking word of `name`, if it has one.
pub fn internal_word(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // A one-word name (`internal`, `private`) is a generic utility name, not a company's.
    if words.len() < 2 {
        return None;
    }
    INTERNAL_WORDS.iter().copied().find(|w| words.contains(w))
}

/// How young and thin the package is, as evidence: "created 2 days ago, 1 version".
fn youth(metadata: &PackageMetadata, now: i64, new_days: i64) -> Option<String> {
    let versions = metadata.versions.len();
    let age_days = metadata.created.map(|c| (now - c).max(0) / 86_400);
    let young = age_days.is_some_and(|d| d <= new_days);
    (young || versions <= 3).then(|| match age_days {
        Some(d) => format!("created {d} days ago, {versions} version(s)"),
        None => format!("{versions} version(s)"),
    })
}

/// The dependency-confusion findings for `name` at `version`.
pub fn check(
    name: &str,
    version: Option<&str>,
    metadata: Option<&PackageMetadata>,
    now: i64,
    new_days: i64,
) -> Vec<Finding> {
    let internal = internal_word(name);
    let absurd = version.filter(|v| absurd_version(v));
    let youth = metadata.and_then(|m| youth(m, now, new_days));
    let mut findings = Vec::new();
    match (absurd, internal, youth) {
        (Some(v), word, youth) if word.is_some() || youth.is_some() => {
            let mut evidence = vec![format!("version {v}")];
            evidence.extend(word.map(|w| format!("internal-looking word `{w}`")));
            evidence.extend(youth);
            findings.push(
                DEPENDENCY_CONFUSION
                    .finding(format!(
                        "`{name}` has the shape of a dependency-confusion bid ({}): it could \
                         win a version comparison against a private package of that name",
                        evidence.join(", ")
                    ))
                    .at("registry:metadata", None)
                    .with_snippet(format!("{name} {v}")),
            );
        }
        (absurd, word, _) => {
            if let Some(v) = absurd {
                findings.push(
                    ABSURD_VERSION
                        .finding(format!(
                            "`{name}` is at version {v}: majors of 99 and more are how \
                             dependency-confusion bids outrank private packages"
                        ))
                        .at("registry:metadata", None)
                        .with_snippet(v.to_string()),
                );
            }
            if let Some(w) = word {
                findings.push(
                    INTERNAL_NAME
                        .finding(format!(
                            "`{name}` looks like a company-internal package (word `{w}`), \
                             which should not be public"
                        ))
                        .at("name", None)
                        .with_snippet(name.to_string()),
                );
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::VersionInfo;

    const NOW: i64 = 1_750_000_000;

    #[test]
    fn absurd_versions_are_told_from_calendar_versions() {
        for v in [
            "99.0.0",
            "999.9.9",
            "9999",
            "v100.1",
            "123456789012345678901234",
        ] {
            assert!(absurd_version(v), "{v}");
        }
        for v in [
            "1.0.0",
            "98.1",
            "2024.8.30",
            "20240101",
            "202401011200",
            "",
            "abc",
        ] {
            assert!(!absurd_version(v), "{v}");
        }
    }

    #[test]
    fn internal_words_need_a_company_part() {
        assert_eq!(internal_word("acme-billing-internal"), Some("internal"));
        assert_eq!(internal_word("corp-auth"), Some("corp"));
        assert_eq!(internal_word("@acme/int-tools"), Some("int"));
        assert_eq!(internal_word("internal"), None);
        assert_eq!(internal_word("international-phone"), None);
    }

    #[test]
    fn absurd_version_on_a_new_internal_package_is_one_high_finding() {
        let meta = PackageMetadata {
            created: Some(NOW - 2 * 86_400),
            versions: vec![VersionInfo {
                version: "99.0.0".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let found = check(
            "acme-billing-internal",
            Some("99.0.0"),
            Some(&meta),
            NOW,
            30,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "registry/dependency-confusion");
        assert!(
            found[0].message.contains("created 2 days ago"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("`internal`"));
    }

    #[test]
    fn weak_signs_alone_stay_weak_and_honest_packages_are_quiet() {
        let found = check("acme-billing-internal", Some("1.2.0"), None, NOW, 30);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "name/internal-looking");
        let found = check("leftpad", Some("100.0.0"), None, NOW, 30);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "registry/absurd-version");
        assert!(check("certifi", Some("2024.8.30"), None, NOW, 30).is_empty());
    }
}
