//! What a command-line target names: a file or folder on disk, or (in a later step)
//! a package in a registry.

use anyhow::{Result, bail};
use palisade_core::PackageMetadata;
use std::path::{Path, PathBuf};

/// Registry options shared by the commands that accept package names.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RegistryArgs {}

/// A target made ready to scan.
pub struct Resolved {
    /// How the target is named in output.
    pub label: String,
    pub path: PathBuf,
    /// Registry metadata, when the target was fetched by name.
    pub metadata: Option<PackageMetadata>,
}

pub fn resolve(target: &str, _registry: &RegistryArgs) -> Result<Resolved> {
    let path = Path::new(target);
    if !path.exists() {
        bail!("{target}: no such file or folder");
    }
    Ok(Resolved {
        label: target.to_string(),
        path: path.to_path_buf(),
        metadata: None,
    })
}
