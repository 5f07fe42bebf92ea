//! Judging one file: its correlations, its points, and which of its findings are
//! reported.

use super::{FileContext, FileScore};
use crate::coderules::Signal;
use crate::correlate::{self, FileSignals, correlation_points, rule_points};
use crate::source::Role;
use palisade_core::{Finding, PackageFile};
use std::collections::BTreeSet;

/// Correlates what one file showed, reports it, and gives the file its points.
pub(super) fn judge(
    file: &PackageFile,
    signals: FileSignals,
    local: Vec<Local>,
    function_tags: Vec<BTreeSet<String>>,
    documentation_points: f64,
    context: &FileContext,
    findings: &mut Vec<Finding>,
) -> Option<FileScore> {
    let role = context.role;
    if local.is_empty() {
        return None;
    }
    let mut correlated = correlate::correlations(&signals, context);
    for tags in &function_tags {
        for rule in correlate::function_correlations(tags) {
            if !correlated.iter().any(|r| r.id == rule.id) {
                correlated.push(rule);
            }
        }
    }
    let mut points: f64 = signals
        .hits
        .iter()
        .map(|&(s, sev)| rule_points(s, sev))
        .sum();
    points += documentation_points;
    points += correlated
        .iter()
        .map(|r| correlation_points(r))
        .sum::<f64>();
    // Where code runs and what it can do make a file suspicious; only an indicator,
    // a threat or an indicative combination makes it malicious.
    let indicated = signals.hits.iter().any(|&(s, _)| s != Signal::Capability)
        || correlated.iter().any(|r| correlate::is_indicative(r));
    if !indicated {
        points = points.min(correlate::PLACEMENT_ONLY_CAP);
    }
    let noteworthy = points > 0.0;
    let evidence_rules: BTreeSet<String> = correlated
        .iter()
        .map(|r| r.id.to_string())
        .chain(
            local
                .iter()
                .filter(|l| l.signal != Signal::Capability)
                .map(|l| l.finding.rule.clone()),
        )
        .collect();
    for rule in &correlated {
        let evidence = best_evidence(&local, correlate::evidence_tags(rule));
        let mut finding = rule
            .finding(format!("{} [{}]", rule.summary, role.name()))
            .at(file.path.clone(), evidence.and_then(|l| l.finding.line));
        finding.snippet = evidence.and_then(|l| l.finding.snippet.clone());
        finding.decoded_from = evidence.and_then(|l| l.finding.decoded_from.clone());
        findings.push(finding);
    }
    // Capabilities are reported only where they contributed to a judgement.
    for l in local {
        if l.signal != Signal::Capability || noteworthy {
            findings.push(l.finding);
        }
    }
    Some(FileScore {
        path: file.path.clone(),
        points: points * role.weight(),
        indicated,
        auxiliary: role == Role::Auxiliary,
        rules: evidence_rules,
    })
}

/// A finding of one file, kept with what its rule means until the file is judged.
pub(super) struct Local {
    pub(super) finding: Finding,
    pub(super) signal: Signal,
    pub(super) tags: Vec<String>,
}

impl Local {
    pub(super) fn new(finding: Finding, signal: Signal, tags: &[String]) -> Local {
        Local {
            finding,
            signal,
            tags: tags.to_vec(),
        }
    }
}

/// The evidence a correlation finding shows: the strongest finding carrying one of the
/// correlation's tags, so that "install-time process" points at the process call.
fn best_evidence<'a>(local: &'a [Local], tags: &[&str]) -> Option<&'a Local> {
    let relevant = |l: &&Local| l.tags.iter().any(|t| tags.contains(&t.as_str()));
    local
        .iter()
        .filter(relevant)
        .max_by_key(|l| (l.signal != Signal::Capability, l.finding.severity))
        .or_else(|| local.iter().max_by_key(|l| l.finding.severity))
}
