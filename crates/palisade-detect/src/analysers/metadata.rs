//! The name and registry-metadata checks of `palisade-metadata`, run on the identified
//! package. A file scan judges the name (typosquatting, vendor names) and the modules the
//! artifact installs (shadowing a popular package); a scan by registry name adds the
//! registry's record (dependency confusion, publishing anomalies, manifest confusion
//! between the registry's copy of the manifest and the artifact's).

use crate::engine::ScanContext;
use palisade_core::{Ecosystem, Finding, NPM_INSTALL_SCRIPTS, Package};
use palisade_metadata::{ArtifactManifest, MetadataContext};

pub(crate) fn analyse(package: &Package, context: ScanContext) -> Vec<Finding> {
    let (Some(ecosystem), Some(name)) = (package.ecosystem, package.name.as_deref()) else {
        return Vec::new();
    };
    let modules = palisade_metadata::shadowing::declared_modules(
        package
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.data.as_slice())),
    );
    let manifest = ArtifactManifest {
        name: package.name.clone(),
        version: package.version.clone(),
        install_scripts: if ecosystem == Ecosystem::Npm {
            palisade_package::declared_npm_scripts(package)
                .into_iter()
                .filter(|(name, _)| NPM_INSTALL_SCRIPTS.contains(&name.as_str()))
                .collect()
        } else {
            Vec::new()
        },
        dependencies: palisade_package::declared_dependencies(package),
    };
    let Some(metadata) = context.metadata else {
        // The artifact's own manifest still says where its dependencies come from.
        return palisade_metadata::analyse(&MetadataContext {
            modules: &modules,
            artifact_manifest: Some(&manifest),
            ..MetadataContext::new(ecosystem, name, context.now)
        });
    };
    palisade_metadata::analyse(&MetadataContext {
        version: package.version.as_deref(),
        metadata: Some(metadata),
        previous_release: context.previous_release,
        artifact_manifest: Some(&manifest),
        modules: &modules,
        ..MetadataContext::new(ecosystem, name, context.now)
    })
}
