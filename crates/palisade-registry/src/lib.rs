//! Registry clients for the seven ecosystems: metadata, versions, maintainers and
//! verified artifact downloads.
//!
//! The entry points:
//!
//! * [`PackageSpec`] parses what a person types (`npm:express@4.19.2`,
//!   `pkg:npm/%40babel/core@7.24.0`); [`looks_like_spec`] tells a spec from a file path.
//! * [`Registries`] holds one HTTP client (timeouts, retries, a concurrency limit, body
//!   caps) configured by [`RegistryConfig`], and hands out a [`Registry`] per ecosystem
//!   whose [`Registry::metadata`] answers with [`palisade_core::PackageMetadata`].
//! * [`Fetcher::fetch`] resolves a spec, downloads the artifact to scan, verifies it
//!   against the digest the registry publishes and keeps it in a content-addressed
//!   [`Cache`]. Nothing is unpacked or executed here.
//!
//! ```no_run
//! use palisade_registry::{Fetcher, PackageSpec, RegistryConfig};
//!
//! let config = RegistryConfig::load(None)?;
//! let fetcher = Fetcher::new(config, palisade_registry::Cache::from_env()?);
//! let spec: PackageSpec = "npm:left-pad@1.3.0".parse()?;
//! let fetched = fetcher.fetch(&spec)?;
//! println!("{} verified by {}", fetched.path.display(), fetched.verified);
//! # Ok::<(), palisade_registry::RegistryError>(())
//! ```

mod cache;
mod common;
mod config;
pub mod digest;
mod error;
mod fetch;
mod http;
mod spec;
mod url;
mod xml;

mod crates;
mod golang;
mod maven;
mod npm;
mod nuget;
mod pypi;
mod rubygems;

pub use cache::Cache;
pub use config::{DEFAULT_BASES, Endpoint, RegistryConfig};
pub use error::RegistryError;
pub use fetch::{FetchedArtifact, Fetcher, VerifiedBy};
pub use golang::escape_module_path;
pub use http::agent as http_agent;
pub use spec::{PackageSpec, looks_like_spec};
pub use url::resolve as resolve_url;

use palisade_core::{Ecosystem, PackageMetadata};

/// One registry's metadata API.
pub trait Registry: Send + Sync {
    fn ecosystem(&self) -> Ecosystem;

    /// Everything the registry says about `name`, with [`PackageMetadata::release`]
    /// filled for `version` (or the latest when `None`). Its first artifact is the one
    /// to scan, with the digest the registry publishes for it when there is one.
    fn metadata(&self, name: &str, version: Option<&str>)
    -> Result<PackageMetadata, RegistryError>;
}

/// The seven clients behind one HTTP client, so that they share its connection pool
/// and its concurrency limit.
#[derive(Debug, Clone)]
pub struct Registries {
    http: http::Http,
}

impl Registries {
    pub fn new(config: RegistryConfig) -> Self {
        Registries {
            http: http::Http::new(config),
        }
    }

    pub fn config(&self) -> &RegistryConfig {
        self.http.config()
    }

    /// The client of one ecosystem. Cheap: clients share this value's HTTP client.
    pub fn registry(&self, ecosystem: Ecosystem) -> Box<dyn Registry> {
        let http = self.http.clone();
        match ecosystem {
            Ecosystem::Npm => Box::new(npm::Npm::new(http)),
            Ecosystem::PyPI => Box::new(pypi::PyPI::new(http)),
            Ecosystem::Crates => Box::new(crates::Crates::new(http)),
            Ecosystem::RubyGems => Box::new(rubygems::RubyGems::new(http)),
            Ecosystem::NuGet => Box::new(nuget::NuGet::new(http)),
            Ecosystem::Go => Box::new(golang::GoProxy::new(http)),
            Ecosystem::Maven => Box::new(maven::Maven::new(http)),
        }
    }

    /// Metadata of the package a spec names.
    pub fn metadata(&self, spec: &PackageSpec) -> Result<PackageMetadata, RegistryError> {
        self.registry(spec.ecosystem)
            .metadata(&spec.name, spec.version.as_deref())
    }

    pub(crate) fn http(&self) -> &http::Http {
        &self.http
    }
}
