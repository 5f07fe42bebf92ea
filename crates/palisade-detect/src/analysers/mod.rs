//! Analysers: each looks at a [`Package`] and reports findings.

pub mod content;
mod install_hooks;
pub mod manifest;
pub(crate) mod metadata;

pub use install_hooks::InstallHooks;
pub use manifest::ManifestSignals;

use palisade_core::{Finding, Package, RuleInfo};

/// One kind of analysis over a whole package.
pub trait Analyser: Send + Sync {
    /// Short name, for diagnostics.
    fn name(&self) -> &'static str;
    /// Every rule this analyser can emit.
    fn rules(&self) -> &'static [&'static RuleInfo];
    fn analyse(&self, package: &Package, findings: &mut Vec<Finding>);
}

/// The analysers a default scan runs.
pub fn default_analysers() -> Vec<Box<dyn Analyser>> {
    vec![Box::new(InstallHooks), Box::new(ManifestSignals)]
}
