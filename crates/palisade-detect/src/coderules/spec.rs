//! The rule-file format: TOML, one or more `[[rule]]` tables per file. See
//! `rules/README.md` for the documentation a rule author reads.

use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<Spanned<RuleSpec>>,
}

/// What a match of the rule means to the scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// Something honest code does too (network, process, environment); weighs only in
    /// combination with an indicator or at install time.
    Capability,
    /// Something honest code rarely does (a credential path, an exfiltration endpoint,
    /// obfuscation); weighs by its severity.
    Indicator,
    /// Malicious on its own (a reverse shell, a miner, decode-and-exec).
    Threat,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub id: Spanned<String>,
    pub category: Spanned<String>,
    pub severity: Spanned<String>,
    pub signal: Signal,
    /// Capability and indicator tags for correlation, e.g. `network`, `credentials`.
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub attack: Option<String>,
    pub summary: String,
    pub why: String,
    pub example: String,
    /// Languages the rule applies to; empty means every text file.
    #[serde(default)]
    pub languages: Vec<Spanned<String>>,
    /// Regular expressions (Rust `regex` syntax); a match of any is a hit.
    pub patterns: Vec<Spanned<String>>,
    /// Regular expressions; a match whose text matches one of them is skipped.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Literal strings one of which every match contains, for the prefilter. Derived from
    /// the patterns when absent.
    #[serde(default)]
    pub atoms: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub tests: Tests,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Tests {
    /// Text each of which the rule must match.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Text none of which the rule may match.
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, span: Range<usize>) -> usize {
    text[..span.start.min(text.len())].matches('\n').count() + 1
}
