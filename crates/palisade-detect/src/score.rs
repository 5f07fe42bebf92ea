//! From points to a score (0 to 10) and a verdict.
//!
//! The content analyser gives each file points, already weighted by where the file runs
//! (see `correlate`); tests, documentation and examples count together as one file whose
//! points stop short of `malicious`. Findings about the package as a whole (archive anomalies, install
//! hooks, manifest problems) give package points by severity. The score is the worst
//! file, plus a quarter of the rest of the files that show a rule not yet seen (capped),
//! plus the package points the same way: one clearly malicious file decides, many weak
//! signals add up slowly, and one signal repeated in many files is one signal.
//!
//! The verdict thresholds were chosen from the threshold sweep of `palisade eval` on the
//! evaluation corpus; the numbers that chose them are in `docs/scoring.md`.

use crate::analysers::content::FileScore;
use palisade_core::{Category, Finding, Severity, Verdict};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub score: f64,
    pub verdict: Verdict,
}

pub const MALICIOUS_THRESHOLD: f64 = 5.5;
pub const SUSPICIOUS_THRESHOLD: f64 = 4.0;

/// How far the files after the worst one can add to the score.
const REST_CAP: f64 = 4.0;

/// Most that tests, documentation and examples can weigh together: `suspicious`, and
/// `malicious` only with more evidence in the package's own code. They run only if the package's own code starts
/// them, and honest test suites are full of attack strings (a scanner's fixtures, a
/// version checker's code snippets, an SSRF test's metadata address).
const AUXILIARY_CAP: f64 = SUSPICIOUS_THRESHOLD;

fn finding_points(severity: Severity) -> f64 {
    match severity {
        Severity::Info => 0.0,
        Severity::Low => 0.5,
        Severity::Medium => 1.5,
        Severity::High => 4.5,
        Severity::Critical => 6.0,
    }
}

fn worst_plus_rest(mut points: Vec<f64>) -> f64 {
    points.sort_by(|a, b| b.total_cmp(a));
    let worst = points.first().copied().unwrap_or(0.0);
    let rest: f64 = points.iter().skip(1).sum();
    worst + (rest / 4.0).min(REST_CAP)
}

/// The worst file plus a quarter of the others that show something new: thirty modules
/// naming `AWS_SECRET_ACCESS_KEY` in a settings field are one observation, not thirty;
/// a second file with a different technique is more evidence.
fn worst_plus_new(mut files: Vec<&FileScore>) -> f64 {
    files.sort_by(|a, b| b.points.total_cmp(&a.points));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut points = Vec::with_capacity(files.len());
    for file in files {
        // A file whose rules are not known counts, as before.
        let new = file.rules.is_empty() || file.rules.iter().any(|r| !seen.contains(r.as_str()));
        if new || points.is_empty() {
            points.push(file.points);
            seen.extend(file.rules.iter().map(String::as_str));
        }
    }
    worst_plus_rest(points)
}

/// The score of a package from its files' points and its package-level findings.
/// Files with an indicator add up; files that only show where capabilities run count
/// once, by the worst of them (a networking library has hundreds).
pub fn combine(files: &[FileScore], package_findings: &[Finding]) -> Score {
    let auxiliary = worst_plus_new(
        files
            .iter()
            .filter(|f| f.indicated && f.auxiliary)
            .collect(),
    )
    .min(AUXILIARY_CAP);
    let auxiliary_file = FileScore {
        path: String::new(),
        points: auxiliary,
        indicated: true,
        auxiliary: true,
        // Fixtures that show what the package's own code shows must not make that code
        // count for nothing: the tests and docs add as one file of unknown rules.
        rules: BTreeSet::new(),
    };
    let indicated = worst_plus_new(
        files
            .iter()
            .filter(|f| f.indicated && !f.auxiliary)
            .chain((auxiliary > 0.0).then_some(&auxiliary_file))
            .collect(),
    );
    let placement = files
        .iter()
        .filter(|f| !f.indicated)
        .map(|f| f.points)
        .fold(0.0, f64::max);
    let file_part = indicated.max(placement);
    // One rule's package-level findings count once, by the worst: a docs folder holding
    // a `node_modules` with a hundred `.bin` links is one observation, not a hundred.
    let mut per_rule: BTreeMap<&str, f64> = BTreeMap::new();
    for (rule, points) in package_findings.iter().map(|f| {
        // An installer extracts the artifact, never the archives inside it, so
        // a traversal, link or device file in a nested archive (a test fixture
        // of an archive library) endangers no one: it is reported, not weighed.
        let nested = f.path.as_deref().is_some_and(|p| p.contains("!/"));
        let severity = if nested && f.category == Category::Archive {
            Severity::Info
        } else {
            f.severity
        };
        (f.rule.as_str(), finding_points(severity))
    }) {
        let worst = per_rule.entry(rule).or_insert(0.0);
        *worst = worst.max(points);
    }
    let package_part = worst_plus_rest(per_rule.into_values().collect());
    let score = ((file_part + package_part).min(10.0) * 10.0).round() / 10.0;
    Score {
        score,
        verdict: verdict_for(score),
    }
}

pub fn verdict_for(score: f64) -> Verdict {
    if score >= MALICIOUS_THRESHOLD {
        Verdict::Malicious
    } else if score >= SUSPICIOUS_THRESHOLD {
        Verdict::Suspicious
    } else {
        Verdict::Clean
    }
}

/// Score of findings alone (no file points), for callers without content analysis.
pub fn score_findings(findings: &[Finding]) -> Score {
    combine(&[], findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::RuleInfo;

    static HIGH: RuleInfo = RuleInfo {
        id: "test/high",
        category: Category::Archive,
        severity: Severity::High,
        summary: "",
        why: "",
        example: "",
        attack: None,
    };
    static INFO: RuleInfo = RuleInfo {
        severity: Severity::Info,
        id: "test/info",
        ..HIGH
    };

    fn file(points: f64) -> FileScore {
        FileScore {
            path: "f".into(),
            points,
            indicated: true,
            auxiliary: false,
            rules: BTreeSet::new(),
        }
    }

    #[test]
    fn nothing_is_clean_with_score_zero() {
        assert_eq!(
            combine(&[], &[]),
            Score {
                score: 0.0,
                verdict: Verdict::Clean
            }
        );
    }

    #[test]
    fn informational_findings_never_raise_the_verdict() {
        let many: Vec<_> = (0..50).map(|_| INFO.finding("x")).collect();
        assert_eq!(score_findings(&many).verdict, Verdict::Clean);
    }

    #[test]
    fn one_bad_file_decides_and_many_weak_ones_add_up_slowly() {
        assert_eq!(combine(&[file(8.0)], &[]).verdict, Verdict::Malicious);
        let weak: Vec<_> = (0..100).map(|_| file(0.5)).collect();
        let s = combine(&weak, &[]);
        assert!(s.score <= 0.5 + REST_CAP, "{s:?}");
        assert_eq!(combine(&[file(40.0)], &[HIGH.finding("x")]).score, 10.0);
    }

    #[test]
    fn tests_and_docs_alone_never_make_a_package_malicious() {
        let aux = |points| FileScore {
            auxiliary: true,
            ..file(points)
        };
        let tests: Vec<_> = (0..20).map(|_| aux(8.0)).collect();
        assert_eq!(combine(&tests, &[]).verdict, Verdict::Suspicious);
        // Beside package code they still add to it.
        assert_eq!(combine(&[file(5.0)], &[]).verdict, Verdict::Suspicious);
        let mut both = tests.clone();
        both.push(file(5.0));
        assert_eq!(combine(&both, &[]).verdict, Verdict::Malicious);
    }

    #[test]
    fn archive_anomalies_inside_nested_archives_weigh_little() {
        let nested = HIGH.finding("x").at("pkg/tests/bad.tar!/../x", None);
        assert_eq!(score_findings(&[nested]).verdict, Verdict::Clean);
    }

    #[test]
    fn placement_only_files_do_not_add_up() {
        let placement: Vec<_> = (0..50)
            .map(|_| FileScore {
                indicated: false,
                ..file(4.9)
            })
            .collect();
        assert_eq!(combine(&placement, &[]).verdict, Verdict::Suspicious);
    }

    #[test]
    fn files_that_repeat_what_a_worse_file_showed_add_nothing() {
        let showing = |points, rules: &[&str]| FileScore {
            rules: rules.iter().map(|r| r.to_string()).collect(),
            ..file(points)
        };
        let mut files = vec![showing(
            4.5,
            &["credentials/ci-token-names", "exfil/env-harvest"],
        )];
        files.extend((0..30).map(|_| showing(1.5, &["credentials/ci-token-names"])));
        assert_eq!(combine(&files, &[]).score, 4.5);
        // A different technique in a second file is more evidence.
        files.push(showing(2.0, &["persistence/autostart"]));
        assert_eq!(combine(&files, &[]).score, 5.0);
    }

    #[test]
    fn one_rule_at_package_level_counts_once() {
        // A docs folder's node_modules with hundreds of `.bin` links.
        let links: Vec<_> = (0..300)
            .map(|i| palisade_archive::rules::LINK.finding(format!("link {i}")))
            .collect();
        let score = score_findings(&links);
        assert_eq!(score.score, 0.5);
        let mut with_high = links.clone();
        with_high.push(HIGH.finding("x"));
        // 4.5 + 0.5 / 4, rounded to one decimal.
        assert_eq!(score_findings(&with_high).score, 4.6);
    }

    #[test]
    fn an_archive_attack_alone_is_suspicious() {
        assert_eq!(
            score_findings(&[HIGH.finding("x")]).verdict,
            Verdict::Suspicious
        );
    }
}
