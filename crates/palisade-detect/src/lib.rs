//! The scan pipeline and its analysers: artifact bytes in, [`Report`] out.
//!
//! ```text
//! bytes ─► palisade-archive (bounded unpack) ─► palisade-package (identify, entry points)
//!       ─► analysers (each: Package ─► findings) ─► score ─► Report
//! ```
//!
//! Analysers implement [`Analyser`]; each documents the rules it can emit, so that
//! `palisade rules` and `docs/rules.md` cover everything a report can contain.

pub mod analysers;
pub mod coderules;
pub mod correlate;
pub mod deobfuscate;
pub mod diff;
mod engine;
mod goinit;
mod importable;
mod jscomments;
mod jsflow;
mod pyblocks;
mod pycalls;
mod pyflow;
mod score;
pub mod signatures;
pub mod source;

pub use analysers::Analyser;
pub use coderules::{RuleError, RuleSet};
pub use engine::{Analysis, Engine, ScanContext, ScanOptions};
pub use score::{
    MALICIOUS_THRESHOLD, SUSPICIOUS_THRESHOLD, Score, combine, score_findings, verdict_for,
};

use palisade_core::RuleInfo;

/// Every rule the built-in pipeline can report, sorted by id.
pub fn all_rules() -> Vec<&'static RuleInfo> {
    rule_catalogue(&RuleSet::builtin(), None)
}

pub(crate) fn rule_catalogue(
    code_rules: &RuleSet,
    signatures: Option<&signatures::Signatures>,
) -> Vec<&'static RuleInfo> {
    let mut rules: Vec<&'static RuleInfo> = Vec::new();
    rules.extend_from_slice(palisade_archive::rules::ALL);
    rules.extend_from_slice(palisade_package::RULES);
    rules.extend_from_slice(palisade_metadata::RULES);
    for analyser in analysers::default_analysers() {
        rules.extend_from_slice(analyser.rules());
    }
    rules.extend_from_slice(analysers::content::RULES);
    rules.extend_from_slice(correlate::ALL);
    rules.extend(code_rules.infos());
    if let Some(signatures) = signatures {
        rules.extend(signatures.infos());
    }
    rules.sort_by_key(|r| r.id);
    rules.dedup_by_key(|r| r.id);
    rules
}
