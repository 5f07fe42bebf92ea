//! What a command-line target names: a file or folder on disk, or a package in a
//! registry (`npm:left-pad@1.3.0`, `pkg:pypi/six@1.16.0`), which is downloaded,
//! verified against the registry's digest and cached before it is scanned.

use anyhow::{Context, Result, bail};
use palisade_core::{Origin, PackageMetadata};
use palisade_registry::{Cache, FetchedArtifact, Fetcher, PackageSpec, RegistryConfig};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Registry options shared by the commands that accept package names.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RegistryArgs {
    /// Registry settings (TOML: `[registries]` base URLs for mirrors and private
    /// registries, `timeout_seconds`, `retries`, `concurrency`). Default:
    /// $PALISADE_REGISTRY_CONFIG. `PALISADE_REGISTRY_<NAME>` variables override it.
    #[arg(long, value_name = "FILE")]
    pub registry_config: Option<PathBuf>,
}

/// The registry settings from `file`, else from $PALISADE_REGISTRY_CONFIG, else the
/// defaults; `PALISADE_REGISTRY_<NAME>` variables apply on top.
pub fn registry_config(
    file: Option<&Path>,
) -> Result<RegistryConfig, palisade_registry::RegistryError> {
    let file = file
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PALISADE_REGISTRY_CONFIG").map(PathBuf::from));
    RegistryConfig::load(file.as_deref())
}

/// A target made ready to scan.
pub struct Resolved {
    /// How the target is named in output.
    pub label: String,
    pub path: PathBuf,
    /// Registry metadata, when the target was fetched by name.
    pub metadata: Option<PackageMetadata>,
    pub spec: Option<PackageSpec>,
    pub origin: Option<Origin>,
}

/// Resolves targets, creating the registry client only when a name needs it, so that
/// scanning files never reads registry settings or touches the network.
pub struct Resolver {
    args: RegistryArgs,
    fetcher: OnceLock<Result<Fetcher, String>>,
}

impl Resolver {
    pub fn new(args: &RegistryArgs) -> Resolver {
        Resolver {
            args: args.clone(),
            fetcher: OnceLock::new(),
        }
    }

    pub fn fetcher(&self) -> Result<&Fetcher> {
        let made = self.fetcher.get_or_init(|| {
            let config =
                registry_config(self.args.registry_config.as_deref()).map_err(|e| e.to_string())?;
            let cache = Cache::from_env().map_err(|e| e.to_string())?;
            Ok(Fetcher::new(config, cache))
        });
        made.as_ref()
            .map_err(|e| anyhow::anyhow!("registry settings: {e}"))
    }

    pub fn resolve(&self, target: &str) -> Result<Resolved> {
        if !palisade_registry::looks_like_spec(target) {
            let path = Path::new(target);
            if !path.exists() {
                bail!(
                    "{target}: no such file or folder (a registry package is written `npm:name@version`)"
                );
            }
            return Ok(Resolved {
                label: target.to_string(),
                path: path.to_path_buf(),
                metadata: None,
                spec: None,
                origin: None,
            });
        }
        let spec: PackageSpec = target
            .parse()
            .with_context(|| format!("{target}: not a package name"))?;
        self.fetch(target, spec)
    }

    pub fn fetch(&self, label: &str, spec: PackageSpec) -> Result<Resolved> {
        let fetched = self
            .fetcher()?
            .fetch(&spec)
            .with_context(|| format!("{label}: cannot fetch"))?;
        let FetchedArtifact {
            metadata,
            artifact,
            path,
            verified,
            from_cache,
            ..
        } = fetched;
        let version = metadata.release.as_ref().map(|r| r.version.clone());
        let spec = PackageSpec {
            version: version.or(spec.version),
            ..spec
        };
        Ok(Resolved {
            label: label.to_string(),
            path,
            origin: Some(Origin {
                spec: spec.to_string(),
                url: artifact.url,
                filename: artifact.filename,
                kind: artifact.kind,
                verified_by: verified.to_string(),
                cached: from_cache,
            }),
            metadata: Some(metadata),
            spec: Some(spec),
        })
    }
}

/// The version released before `current`: the greatest version below it in the
/// ecosystem's own ordering, not yanked, and not a prerelease unless `current` is one.
pub fn previous_version(metadata: &PackageMetadata, current: &str) -> Option<String> {
    let ecosystem = metadata.ecosystem?;
    let current_version = palisade_osv::Version::parse_lenient(ecosystem, current);
    let wants_pre = current_version.is_prerelease();
    metadata
        .versions
        .iter()
        .filter(|v| !v.yanked)
        .map(|v| {
            (
                palisade_osv::Version::parse_lenient(ecosystem, &v.version),
                &v.version,
            )
        })
        .filter(|(parsed, _)| *parsed < current_version && (wants_pre || !parsed.is_prerelease()))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, text)| text.clone())
}
