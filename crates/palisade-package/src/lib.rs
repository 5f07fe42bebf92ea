//! Turns the files of an unpacked artifact into a [`Package`]: which ecosystem it
//! belongs to, its name and version read from its own manifest, and the places where it
//! runs code at install, build or import time without anyone calling it.
//!
//! Packages are recognised by content, never by the artifact's file name: a wheel is a
//! zip with a `*.dist-info/` folder, a crate a single folder with a `Cargo.toml`, and so
//! on. Each ecosystem is one module that answers "is this mine?" and, if so, parses its
//! manifest and lists its entry points. Manifests are hostile input: every parser is
//! bounded, and a manifest that cannot be read becomes a finding, never a panic.
//!
//! ```
//! use palisade_core::{Ecosystem, PackageFile};
//! let files = vec![PackageFile {
//!     path: "package/package.json".into(),
//!     data: br#"{"name": "left-pad", "version": "1.3.0"}"#.to_vec(),
//! }];
//! let package = palisade_package::identify("tar.gz", files);
//! assert_eq!(package.ecosystem, Some(Ecosystem::Npm));
//! assert_eq!(package.name.as_deref(), Some("left-pad"));
//! assert!(package.entry_points.is_empty());
//! ```

mod common;
mod crates;
mod declared;
mod golang;
mod maven;
mod npm;
mod nuget;
mod pypi;
mod rubygems;
mod rules;
mod text;
mod xml;

use common::{Ctx, Identity};
pub use declared::{MAX_DECLARED, declared_dependencies, declared_npm_scripts};
pub use npm::{
    InstallScriptView, gyp_javascript_view, gyp_python_view, npm_install_script_view,
    npm_on_demand_script_lines,
};
use palisade_core::{Package, PackageFile, RuleInfo};

/// Every rule this crate can put into [`palisade_core::EntryPoint::rule`] or
/// [`Package::findings`], for documentation.
pub static RULES: &[&RuleInfo] = &[
    &rules::UNIDENTIFIED,
    &rules::UNREADABLE,
    &rules::LAYOUT_MISMATCH,
    &npm::SCRIPT,
    &npm::PREPARE,
    &npm::NODE_GYP,
    &npm::NODE_ONLY_JSON,
    &pypi::SETUP_PY,
    &pypi::CMDCLASS,
    &pypi::BUILD_BACKEND,
    &pypi::PTH_IMPORT,
    &pypi::WHEEL_SCRIPT,
    &rubygems::EXTENSION,
    &rubygems::PLUGIN,
    &crates::BUILD_SCRIPT,
    &crates::PROC_MACRO,
    &nuget::POWERSHELL,
    &nuget::MSBUILD,
    &golang::INIT,
    &golang::CGO,
    &maven::PLUGIN,
];

/// Recognisers of whole artifacts whose layout is specific to one ecosystem, most
/// specific first.
const ARTIFACTS: &[fn(&Ctx) -> Option<Identity>] = &[
    golang::module_zip,
    rubygems::gem,
    pypi::wheel,
    nuget::nupkg,
    maven::jar,
    maven::bare_pom,
];

/// Recognisers of a package source tree under a given root folder. Order settles
/// trees holding several manifests: an sdist of a Rust extension has `PKG-INFO` and
/// `Cargo.toml`, a Python package may ship a `package.json` for its front end.
const SOURCE_TREES: &[fn(&Ctx, &str) -> Option<Identity>] = &[
    pypi::sdist,
    npm::npm_tarball,
    crates::identify,
    npm::identify,
    pypi::source,
    rubygems::gemspec,
    nuget::source,
    golang::source,
    maven::source,
];

/// Identify the package held in `files` (as produced by palisade-archive) and find its
/// install-time entry points.
///
/// `archive_format` is palisade-archive's `Unpacked::format`: `tar.gz`, `tar.bz2`,
/// `tar.xz`, `tar`, `zip`, `gz`, `file`, `directory` or `unreadable`.
pub fn identify(archive_format: &str, files: Vec<PackageFile>) -> Package {
    let identity = detect(&Ctx::new(archive_format, &files));
    Package {
        ecosystem: identity.ecosystem,
        name: identity.name,
        version: identity.version,
        format: identity.format,
        root: identity.root,
        manifest_path: identity.manifest_path,
        files,
        entry_points: identity.entry_points,
        findings: identity.findings,
    }
}

fn detect(ctx: &Ctx) -> Identity {
    if let Some(identity) = ARTIFACTS.iter().find_map(|recognise| recognise(ctx)) {
        return identity;
    }
    // Manifests at the top win; otherwise the single folder most archives wrap
    // their content in is the package root.
    let mut roots = vec![""];
    roots.extend(ctx.top_folder());
    for root in roots {
        if let Some(identity) = SOURCE_TREES
            .iter()
            .find_map(|recognise| recognise(ctx, root))
        {
            return identity;
        }
    }
    let mut identity = Identity::new(None, ctx.format.to_string(), ctx.top_folder().unwrap_or(""));
    identity.findings.push(
        rules::UNIDENTIFIED.finding("no manifest found: ecosystem, name and version are unknown"),
    );
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_namespaced() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for rule in RULES {
            assert!(
                rule.id.starts_with("install/") || rule.id.starts_with("manifest/"),
                "{}",
                rule.id
            );
            assert!(!rule.summary.is_empty() && !rule.why.is_empty() && !rule.example.is_empty());
        }
    }

    #[test]
    fn an_empty_artifact_is_unidentified() {
        let package = identify("unreadable", Vec::new());
        assert_eq!(package.ecosystem, None);
        assert_eq!(package.format, "unreadable");
        assert_eq!(package.findings[0].rule, "manifest/unidentified");
    }
}
