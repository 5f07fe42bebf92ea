use crate::finding::{Category, Finding, Severity};

/// The fixed description of a rule: what it detects and why a human should care.
///
/// Every finding is produced by a rule, and every rule is documented from this struct
/// (`palisade rules` and `docs/rules.md` are generated from it), so a finding can always
/// be traced to an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable identifier, `family/name`, e.g. `archive/path-traversal`.
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what the rule detects.
    pub summary: &'static str,
    /// Why it matters to someone deciding whether to trust the package.
    pub why: &'static str,
    /// A short example of what fires the rule.
    pub example: &'static str,
    /// MITRE ATT&CK technique, where one fits.
    pub attack: Option<&'static str>,
}

impl RuleInfo {
    /// A finding of this rule with the given message; add evidence with the builder
    /// methods of [`Finding`].
    pub fn finding(&'static self, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id.to_string(),
            category: self.category,
            severity: self.severity,
            message: message.into(),
            path: None,
            line: None,
            snippet: None,
            decoded_from: None,
        }
    }
}
