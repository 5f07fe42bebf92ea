//! The Rust crate registry's web API: `{base}/api/v1/crates/{name}` (crate and every
//! version with its sha256 checksum), `.../owners`, and `.../{version}/dependencies`.
//! Downloads come from a separate static host.
//!
//! When the API cannot be reached (DNS, connect, TLS, timeouts, or 429/5xx after every
//! retry), or is turned off (`crates = "off"`), the sparse index answers instead: see
//! [`index`]. A 404 from the API is an answer, not a reason to ask the index.

mod index;

use crate::common::{
    first_published, get_package_json, sort_by_time, text, time, version_not_found,
};
use crate::config::Endpoint;
use crate::http::Http;
use crate::url::{encode_segment, resolve};
use crate::{Registry, RegistryError, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Ecosystem, Maintainer, PackageMetadata, ReleaseInfo,
    VersionInfo,
};
use serde_json::Value;

pub struct Crates {
    http: Http,
}

impl Crates {
    pub fn new(http: Http) -> Self {
        Crates { http }
    }

    /// Where the `.crate` file is. The download host is its own endpoint; but when only
    /// the API was pointed elsewhere (a mirror, a test server), the API's own `dl_path`
    /// is the better guess than the public download host.
    fn download_url(
        &self,
        name: &str,
        version: &str,
        dl_path: Option<&str>,
        api_url: &str,
    ) -> String {
        let config = self.http.config();
        let mirrored_api = !config.is_default(Endpoint::Crates);
        match dl_path {
            Some(path) if mirrored_api && config.is_default(Endpoint::CratesDownload) => {
                resolve(api_url, path)
            }
            _ => format!(
                "{}/crates/{n}/{n}-{v}.crate",
                config.base(Endpoint::CratesDownload),
                n = encode_segment(name),
                v = encode_segment(version)
            ),
        }
    }
}

impl Registry for Crates {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Crates
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::Crates);
        if !self.http.config().crates_api {
            return self.index_metadata(name, version, None);
        }
        if self.http.is_unreachable(base) {
            return self.index_metadata(name, version, Some(base));
        }
        match self.api_metadata(name, version) {
            Err(RegistryError::Unreachable { url, .. }) if url.starts_with(base) => {
                self.http.mark_unreachable(base);
                self.index_metadata(name, version, Some(base))
            }
            other => other,
        }
    }
}

impl Crates {
    fn api_metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::Crates);
        let crate_url = format!("{base}/api/v1/crates/{}", encode_segment(name));
        let (doc, final_url) = get_package_json(&self.http, &crate_url, Ecosystem::Crates, name)?;
        let krate = doc.get("crate");
        let field = |key: &str| text(krate.and_then(|k| k.get(key)));
        let entries = doc
            .get("versions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut versions: Vec<VersionInfo> = entries
            .iter()
            .filter_map(|v| {
                Some(VersionInfo {
                    version: text(v.get("num"))?,
                    published: time(v.get("created_at")),
                    yanked: v.get("yanked") == Some(&Value::Bool(true)),
                })
            })
            .collect();
        sort_by_time(&mut versions);
        let latest = field("default_version")
            .or_else(|| field("max_stable_version"))
            .or_else(|| field("max_version"));
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(|| RegistryError::malformed(&final_url, "no crate.max_version"))?;
        let entry = entries
            .iter()
            .find(|v| v.get("num").and_then(Value::as_str) == Some(selected.as_str()))
            .ok_or_else(|| version_not_found(Ecosystem::Crates, name, &selected, &versions))?;
        let crate_name = field("name").unwrap_or_else(|| name.to_string());
        let url = self.download_url(
            &crate_name,
            &selected,
            entry.get("dl_path").and_then(Value::as_str),
            &final_url,
        );
        let artifact = ArtifactRef {
            filename: format!("{crate_name}-{selected}.crate"),
            url,
            kind: "crate".to_string(),
            digest: text(entry.get("checksum")).and_then(|h| digest::from_hex("sha256", &h)),
            size: entry.get("crate_size").and_then(Value::as_u64),
        };
        let owners = self.owners(&format!("{crate_url}/owners"))?;
        let dependencies = self.dependencies(&format!(
            "{crate_url}/{}/dependencies",
            encode_segment(&selected)
        ))?;
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::Crates),
            created: time(krate.and_then(|k| k.get("created_at"))).or(first_published(&versions)),
            versions,
            latest,
            maintainers: owners,
            description: field("description"),
            homepage: field("homepage"),
            repository: field("repository"),
            license: text(entry.get("license")),
            release: Some(ReleaseInfo {
                version: selected,
                published: time(entry.get("created_at")),
                artifacts: vec![artifact],
                dependencies,
                install_scripts: Vec::new(),
                publisher: entry.get("published_by").and_then(account),
            }),
            name: crate_name,
        })
    }
}

impl Crates {
    /// Owners are a separate document; a missing one (404) means none are listed.
    fn owners(&self, url: &str) -> Result<Vec<Maintainer>, RegistryError> {
        let Some((doc, _)) = self.http.get_json::<Value>(url)? else {
            return Ok(Vec::new());
        };
        Ok(doc
            .get("users")
            .and_then(Value::as_array)
            .map(|users| users.iter().filter_map(account).collect())
            .unwrap_or_default())
    }

    fn dependencies(&self, url: &str) -> Result<Vec<DeclaredDependency>, RegistryError> {
        let Some((doc, _)) = self.http.get_json::<Value>(url)? else {
            return Ok(Vec::new());
        };
        let deps = doc
            .get("dependencies")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(deps
            .iter()
            .filter_map(|d| {
                let kind = match d.get("kind").and_then(Value::as_str) {
                    Some("dev") => "dev",
                    Some("build") => "build",
                    _ if d.get("optional") == Some(&Value::Bool(true)) => "optional",
                    _ => "",
                };
                Some(DeclaredDependency {
                    name: text(d.get("crate_id"))?,
                    requirement: text(d.get("req")).unwrap_or_default(),
                    kind: kind.to_string(),
                })
            })
            .collect())
    }
}

/// A user account: the login identifies it; the display name is secondary.
fn account(user: &Value) -> Option<Maintainer> {
    let login = text(user.get("login"));
    let name = login.or_else(|| text(user.get("name")))?;
    Some(Maintainer {
        name: Some(name),
        email: None,
    })
}
