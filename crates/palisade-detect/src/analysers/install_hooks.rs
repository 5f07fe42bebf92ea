//! Reports the install-time and build-time entry points that the ecosystem modules of
//! `palisade-package` found: the places where a package runs code on a machine that
//! merely installs or builds it.
//!
//! Most malicious packages act at install time, before anyone has imported them, so
//! every entry point is listed with the line that declares it. On its own an entry
//! point is a low-weight signal: many honest packages compile native code or fetch a
//! prebuilt binary at install time.

use super::Analyser;
use palisade_core::{Finding, Package, RuleInfo};

pub struct InstallHooks;

impl Analyser for InstallHooks {
    fn name(&self) -> &'static str {
        "install-hooks"
    }

    fn rules(&self) -> &'static [&'static RuleInfo] {
        // The entry-point rules belong to the ecosystem modules that recognise them.
        palisade_package::RULES
    }

    fn analyse(&self, package: &Package, findings: &mut Vec<Finding>) {
        for entry in &package.entry_points {
            let mut finding = entry
                .rule
                .finding(entry.message.clone())
                .at(entry.path.clone(), entry.line);
            finding.snippet = entry.snippet.clone();
            findings.push(finding);
        }
    }
}
