//! Identification and entry points per ecosystem, from files laid out as the real
//! artifacts are after unpacking. One test binary, one module per ecosystem.

mod crates;
mod dispatch;
mod golang;
mod hostile;
mod maven;
mod npm;
mod nuget;
mod pypi;
mod rubygems;

use palisade_core::{EntryPoint, Package, PackageFile};

pub fn identify(format: &str, entries: &[(&str, &[u8])]) -> Package {
    let files = entries
        .iter()
        .map(|(path, data)| PackageFile {
            path: path.to_string(),
            data: data.to_vec(),
        })
        .collect();
    palisade_package::identify(format, files)
}

/// The rule ids of the entry points, in order.
pub fn rules(package: &Package) -> Vec<&'static str> {
    package.entry_points.iter().map(|e| e.rule.id).collect()
}

/// The single entry point of `rule`.
pub fn only<'p>(package: &'p Package, rule: &str) -> &'p EntryPoint {
    let found: Vec<_> = package
        .entry_points
        .iter()
        .filter(|e| e.rule.id == rule)
        .collect();
    assert_eq!(found.len(), 1, "{rule} in {:#?}", package.entry_points);
    found[0]
}

/// The rule ids of the findings.
pub fn findings(package: &Package) -> Vec<&str> {
    package.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// Asserts the identity fields in one go.
pub fn assert_identity(
    package: &Package,
    ecosystem: palisade_core::Ecosystem,
    name: &str,
    version: Option<&str>,
    format: &str,
    root: &str,
) {
    assert_eq!(package.ecosystem, Some(ecosystem), "{:?}", package.findings);
    assert_eq!(package.name.as_deref(), Some(name));
    assert_eq!(package.version.as_deref(), version);
    assert_eq!(package.format, format);
    assert_eq!(package.root, root);
}

/// The 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> Option<u32> {
    let at = text.find(needle).expect("needle in text");
    Some(text[..at].matches('\n').count() as u32 + 1)
}
