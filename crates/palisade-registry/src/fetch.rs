//! From a spec to verified bytes on disk: resolve the metadata, download the artifact
//! to scan, check it against the digest the registry publishes, and keep it in the
//! cache under its sha256. The artifact is neither unpacked nor executed here.

use crate::digest::{self, GO_H1};
use crate::{Cache, PackageSpec, Registries, RegistryConfig, RegistryError};
use palisade_core::{ArtifactRef, Digest, PackageMetadata};
use std::fmt;
use std::path::PathBuf;

/// What vouches for the downloaded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedBy {
    /// The bytes match the digest the registry (or, for Go, the checksum database)
    /// publishes; `algorithm` is `sha512`, `sha256`, `sha1` or `h1`.
    Digest { algorithm: String },
    /// Nothing was verified, and why: the registry publishes no digest for this
    /// artifact, or verification was turned off.
    Unverified { reason: String },
}

impl VerifiedBy {
    pub fn is_verified(&self) -> bool {
        matches!(self, VerifiedBy::Digest { .. })
    }
}

impl fmt::Display for VerifiedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedBy::Digest { algorithm } => write!(f, "published {algorithm} digest"),
            VerifiedBy::Unverified { reason } => write!(f, "nothing ({reason})"),
        }
    }
}

/// A downloaded, verified artifact.
#[derive(Debug, Clone)]
pub struct FetchedArtifact {
    /// What the registry says about the package; `release` is the fetched version.
    pub metadata: PackageMetadata,
    /// The artifact that was fetched (the first of the release's artifacts).
    pub artifact: ArtifactRef,
    /// The file in the cache. Shared with other fetches: read it, do not modify it.
    pub path: PathBuf,
    /// Lower-case hex sha256 of the file (also its name in the cache).
    pub sha256: String,
    pub verified: VerifiedBy,
    /// True when the file was already in the cache and nothing was downloaded.
    pub from_cache: bool,
}

/// Fetches artifacts through a set of registry clients into a cache.
#[derive(Debug, Clone)]
pub struct Fetcher {
    registries: Registries,
    cache: Cache,
}

impl Fetcher {
    pub fn new(config: RegistryConfig, cache: Cache) -> Self {
        Fetcher::with_registries(Registries::new(config), cache)
    }

    pub fn with_registries(registries: Registries, cache: Cache) -> Self {
        Fetcher { registries, cache }
    }

    pub fn registries(&self) -> &Registries {
        &self.registries
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Resolves `spec` (latest version when it names none), then downloads and verifies
    /// the release's first artifact, or reuses the cached copy when the published
    /// digest names a file already verified.
    pub fn fetch(&self, spec: &PackageSpec) -> Result<FetchedArtifact, RegistryError> {
        let metadata = self.registries.metadata(spec)?;
        let artifact = metadata
            .release
            .as_ref()
            .and_then(|r| r.artifacts.first())
            .cloned()
            .ok_or_else(|| RegistryError::Malformed {
                url: spec.to_string(),
                detail: "the registry lists no downloadable artifact for this version".into(),
            })?;
        self.fetch_artifact(metadata, artifact)
    }

    /// Downloads and verifies one artifact of already resolved metadata.
    pub fn fetch_artifact(
        &self,
        metadata: PackageMetadata,
        artifact: ArtifactRef,
    ) -> Result<FetchedArtifact, RegistryError> {
        let done = |path, sha256, verified, from_cache| FetchedArtifact {
            metadata: metadata.clone(),
            artifact: artifact.clone(),
            path,
            sha256,
            verified,
            from_cache,
        };
        if let Some(digest) = &artifact.digest
            && let Some(sha256) = self.cached_sha256(digest)
            && let Some(path) = self.cache.get(&sha256)?
        {
            let verified = VerifiedBy::Digest {
                algorithm: digest.algorithm.clone(),
            };
            return Ok(done(path, sha256, verified, true));
        }

        let mut temp = self.cache.temp_file()?;
        let http = self.registries.http();
        if http
            .download(&artifact.url, &mut temp.file, &temp.path)?
            .is_none()
        {
            return Err(RegistryError::Malformed {
                url: artifact.url.clone(),
                detail: "the artifact the registry lists is not there (HTTP 404)".into(),
            });
        }
        let verified = match &artifact.digest {
            Some(expected) => {
                self.verify(&temp.path, expected, &artifact.url)?;
                VerifiedBy::Digest {
                    algorithm: expected.algorithm.clone(),
                }
            }
            None => VerifiedBy::Unverified {
                reason: unverified_reason(&metadata),
            },
        };
        let (sha256, _) = digest::hash_file(&temp.path, None)?;
        let path = self.cache.commit(temp, &sha256)?;
        if let Some(expected) = &artifact.digest
            && expected.algorithm != "sha256"
        {
            self.cache.index_put(&index_key(expected), &sha256)?;
        }
        Ok(done(path, sha256, verified, false))
    }

    /// The sha256 of the file a published digest names, if the cache has seen it.
    fn cached_sha256(&self, digest: &Digest) -> Option<String> {
        if digest.algorithm == "sha256" {
            Some(digest.hex.clone())
        } else {
            self.cache.index_get(&index_key(digest))
        }
    }

    fn verify(
        &self,
        path: &std::path::Path,
        expected: &Digest,
        url: &str,
    ) -> Result<(), RegistryError> {
        let actual = if expected.algorithm == GO_H1 {
            let limit = self.registries.config().artifact_limit;
            // The zip reader only knows the temporary file; name the URL it came from.
            digest::go_h1_of_zip(path, limit).map_err(|e| match e {
                RegistryError::Malformed { detail, .. } => RegistryError::Malformed {
                    url: url.to_string(),
                    detail,
                },
                RegistryError::TooLarge { limit, .. } => RegistryError::TooLarge {
                    url: url.to_string(),
                    limit,
                },
                other => other,
            })?
        } else {
            let (_, other) = digest::hash_file(path, Some(&expected.algorithm))?;
            other.ok_or_else(|| RegistryError::Malformed {
                url: url.to_string(),
                detail: format!("unsupported digest algorithm `{}`", expected.algorithm),
            })?
        };
        if actual == expected.hex {
            return Ok(());
        }
        let actual = Digest {
            algorithm: expected.algorithm.clone(),
            hex: actual,
        };
        Err(RegistryError::DigestMismatch {
            url: url.to_string(),
            algorithm: expected.algorithm.clone(),
            expected: digest::display(expected),
            actual: digest::display(&actual),
        })
    }
}

fn index_key(digest: &Digest) -> String {
    format!("{}:{}", digest.algorithm, digest.hex)
}

fn unverified_reason(metadata: &PackageMetadata) -> String {
    match metadata.ecosystem {
        Some(palisade_core::Ecosystem::Go) => {
            "checksum database verification is turned off".to_string()
        }
        Some(palisade_core::Ecosystem::NuGet) => {
            "the NuGet catalog entry with the package hash was not reachable".to_string()
        }
        Some(eco) => format!("the {eco} registry published no digest for this artifact"),
        None => "the registry published no digest for this artifact".to_string(),
    }
}
