//! NuGet v3: the service index (`{base}/v3/index.json`) names the flat container
//! (`PackageBaseAddress/3.0.0`: version list and `.nupkg` files) and the registration
//! base (`RegistrationsBaseUrl`: catalog entries with publish date, authors, listing
//! and dependency groups, in pages that are inlined or linked). The package hash lives
//! in the full catalog leaf each registration entry links to.

use crate::common::{filename_of, first_published, text, time, version_not_found};
use crate::http::Http;
use crate::url::{encode_segment, resolve};
use crate::{Registry, RegistryError, config::Endpoint, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Digest, Ecosystem, Maintainer, PackageMetadata, ReleaseInfo,
    VersionInfo,
};
use serde_json::Value;

/// Registration pages are followed at most this many times, so a hostile index cannot
/// send the client round in circles.
const MAX_PAGES: usize = 64;

pub struct NuGet {
    http: Http,
}

impl NuGet {
    pub fn new(http: Http) -> Self {
        NuGet { http }
    }

    /// The `@id` of the first resource whose `@type` is one of `types`, in that order.
    fn resource(index: &Value, index_url: &str, types: &[&str]) -> Option<String> {
        let resources = index.get("resources")?.as_array()?;
        types.iter().find_map(|wanted| {
            resources
                .iter()
                .find(|r| r.get("@type").and_then(Value::as_str) == Some(*wanted))
                .and_then(|r| text(r.get("@id")))
                .map(|id| resolve(index_url, &id).trim_end_matches('/').to_string())
        })
    }

    /// Every catalog entry of the registration index, following linked pages.
    fn catalog_entries(&self, url: &str) -> Result<Vec<Value>, RegistryError> {
        let Some((index, index_url)) = self.http.get_json::<Value>(url)? else {
            return Ok(Vec::new());
        };
        let mut entries = Vec::new();
        let pages = index
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (n, page) in pages.into_iter().enumerate() {
            let page = match page.get("items") {
                Some(_) => page,
                None if n < MAX_PAGES => {
                    let Some(id) = text(page.get("@id")) else {
                        continue;
                    };
                    match self.http.get_json::<Value>(&resolve(&index_url, &id))? {
                        Some((doc, _)) => doc,
                        None => continue,
                    }
                }
                None => break,
            };
            if let Some(leaves) = page.get("items").and_then(Value::as_array) {
                entries.extend(leaves.iter().filter_map(|l| l.get("catalogEntry").cloned()));
            }
        }
        Ok(entries)
    }

    /// The package hash from the catalog entry, fetching the full catalog leaf when the
    /// registration only links to it. Any failure means no digest, which the fetch
    /// result reports as unverified.
    fn package_hash(&self, entry: &Value) -> Option<Digest> {
        let from = |doc: &Value| {
            let algorithm = text(doc.get("packageHashAlgorithm"))?.to_ascii_lowercase();
            digest::from_base64(&algorithm, &text(doc.get("packageHash"))?)
        };
        if let Some(d) = from(entry) {
            return Some(d);
        }
        let leaf_url = text(entry.get("@id"))?;
        let (leaf, _) = self.http.get_json::<Value>(&leaf_url).ok()??;
        from(&leaf)
    }
}

impl Registry for NuGet {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::NuGet
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::NuGet);
        let index_url = format!("{base}/v3/index.json");
        let (index, index_final) = self.http.get_json::<Value>(&index_url)?.ok_or_else(|| {
            RegistryError::malformed(&index_url, "no NuGet v3 service index here")
        })?;
        let flat = Self::resource(&index, &index_final, &["PackageBaseAddress/3.0.0"])
            .ok_or_else(|| RegistryError::malformed(&index_final, "no PackageBaseAddress/3.0.0"))?;
        let registrations = Self::resource(
            &index,
            &index_final,
            &[
                "RegistrationsBaseUrl/3.6.0",
                "RegistrationsBaseUrl/3.4.0",
                "RegistrationsBaseUrl",
            ],
        );
        let id = encode_segment(&name.to_lowercase());
        let list_url = format!("{flat}/{id}/index.json");
        let (list, _) =
            crate::common::get_package_json(&self.http, &list_url, Ecosystem::NuGet, name)?;
        let entries = match &registrations {
            Some(reg) => self.catalog_entries(&format!("{reg}/{id}/index.json"))?,
            None => Vec::new(),
        };
        let entry_of = |v: &str| {
            entries.iter().find(|e| {
                e.get("version")
                    .and_then(Value::as_str)
                    .is_some_and(|ev| ev.eq_ignore_ascii_case(v))
            })
        };
        let versions: Vec<VersionInfo> = list
            .get("versions")
            .and_then(Value::as_array)
            .map(|all| {
                all.iter()
                    .filter_map(Value::as_str)
                    .map(|v| {
                        let entry = entry_of(v);
                        VersionInfo {
                            version: v.to_string(),
                            // Unlisted packages carry a 1900 publish date; that is no time.
                            published: time(entry.and_then(|e| e.get("published")))
                                .filter(|t| *t > 0),
                            yanked: entry.and_then(|e| e.get("listed"))
                                == Some(&Value::Bool(false)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let latest = versions
            .iter()
            .rev()
            .find(|v| !v.yanked && !v.version.contains('-'))
            .or(versions.last())
            .map(|v| v.version.clone());
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(|| RegistryError::malformed(&list_url, "no versions"))?;
        let known = versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(&selected))
            .ok_or_else(|| version_not_found(Ecosystem::NuGet, name, &selected, &versions))?;
        let ver = encode_segment(&known.version.to_lowercase());
        let url = format!("{flat}/{id}/{ver}/{id}.{ver}.nupkg");
        let entry = entry_of(&known.version).cloned().unwrap_or(Value::Null);
        let field = |key: &str| text(entry.get(key));
        let authors = match entry.get("authors") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::NuGet),
            name: field("id").unwrap_or_else(|| name.to_string()),
            created: first_published(&versions),
            latest,
            maintainers: authors
                .into_iter()
                .map(|a| Maintainer {
                    name: Some(a),
                    email: None,
                })
                .collect(),
            description: field("description").or_else(|| field("summary")),
            homepage: field("projectUrl"),
            repository: None,
            license: field("licenseExpression").or_else(|| field("licenseUrl")),
            release: Some(ReleaseInfo {
                version: known.version.clone(),
                published: known.published,
                artifacts: vec![ArtifactRef {
                    filename: filename_of(&url),
                    digest: self.package_hash(&entry),
                    url,
                    kind: "nupkg".to_string(),
                    size: None,
                }],
                dependencies: dependency_groups(&entry),
                install_scripts: Vec::new(),
                publisher: None,
            }),
            versions,
        })
    }
}

/// Dependencies of every target framework, each once.
fn dependency_groups(entry: &Value) -> Vec<DeclaredDependency> {
    let mut out: Vec<DeclaredDependency> = Vec::new();
    let groups = entry.get("dependencyGroups").and_then(Value::as_array);
    for group in groups.into_iter().flatten() {
        let deps = group.get("dependencies").and_then(Value::as_array);
        for dep in deps.into_iter().flatten() {
            let Some(name) = text(dep.get("id")) else {
                continue;
            };
            let d = DeclaredDependency {
                name,
                requirement: text(dep.get("range")).unwrap_or_default(),
                kind: String::new(),
            };
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}
