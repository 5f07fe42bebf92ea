//! RubyGems: `{base}/api/v1/gems/{name}.json` (the latest version's metadata),
//! `{base}/api/v1/versions/{name}.json` (every version with platform, date and sha256),
//! `{base}/api/v1/gems/{name}/owners.json`, and for another version's dependencies
//! `{base}/api/v2/rubygems/{name}/versions/{version}.json`. The artifact is the
//! pure-Ruby `.gem` at `{base}/gems/{name}-{version}.gem`.

use crate::common::{
    first_published, get_package_json, sort_by_time, text, time, version_not_found,
};
use crate::config::Endpoint;
use crate::http::Http;
use crate::url::encode_segment;
use crate::{Registry, RegistryError, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Ecosystem, Maintainer, PackageMetadata, ReleaseInfo,
    VersionInfo,
};
use serde_json::Value;

pub struct RubyGems {
    http: Http,
}

impl RubyGems {
    pub fn new(http: Http) -> Self {
        RubyGems { http }
    }
}

impl Registry for RubyGems {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::RubyGems
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::RubyGems);
        let gem = encode_segment(name);
        let (info, info_url) = get_package_json(
            &self.http,
            &format!("{base}/api/v1/gems/{gem}.json"),
            Ecosystem::RubyGems,
            name,
        )?;
        let (list, _) = get_package_json(
            &self.http,
            &format!("{base}/api/v1/versions/{gem}.json"),
            Ecosystem::RubyGems,
            name,
        )?;
        // Only the pure-Ruby platform: a platform gem of the same version has other
        // bytes, and the plain `.gem` URL names the Ruby one.
        let entries: Vec<&Value> = list
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|v| {
                        matches!(
                            v.get("platform").and_then(Value::as_str),
                            None | Some("ruby")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut versions: Vec<VersionInfo> = entries
            .iter()
            .filter_map(|v| {
                Some(VersionInfo {
                    version: text(v.get("number"))?,
                    published: time(v.get("created_at")),
                    yanked: false,
                })
            })
            .collect();
        sort_by_time(&mut versions);
        let latest = text(info.get("version"));
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(|| RegistryError::malformed(&info_url, "no version"))?;
        let entry = entries
            .iter()
            .find(|v| v.get("number").and_then(Value::as_str) == Some(selected.as_str()))
            .ok_or_else(|| version_not_found(Ecosystem::RubyGems, name, &selected, &versions))?;
        let dependencies = if Some(&selected) == latest.as_ref() {
            gem_dependencies(info.get("dependencies"))
        } else {
            let url = format!(
                "{base}/api/v2/rubygems/{gem}/versions/{}.json",
                encode_segment(&selected)
            );
            match self.http.get_json::<Value>(&url)? {
                Some((doc, _)) => gem_dependencies(doc.get("dependencies")),
                None => Vec::new(),
            }
        };
        let owners = match self
            .http
            .get_json::<Value>(&format!("{base}/api/v1/gems/{gem}/owners.json"))?
        {
            Some((doc, _)) => doc
                .as_array()
                .map(|owners| {
                    owners
                        .iter()
                        .filter_map(|o| {
                            let owner = Maintainer {
                                name: text(o.get("handle")),
                                email: text(o.get("email")),
                            };
                            (owner.name.is_some() || owner.email.is_some()).then_some(owner)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let gem_name = text(info.get("name")).unwrap_or_else(|| name.to_string());
        let filename = format!("{gem_name}-{selected}.gem");
        let field = |key: &str| text(info.get(key));
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::RubyGems),
            created: first_published(&versions),
            versions,
            latest,
            maintainers: owners,
            description: field("info"),
            homepage: field("homepage_uri").or_else(|| field("project_uri")),
            repository: field("source_code_uri"),
            license: entry
                .get("licenses")
                .or_else(|| info.get("licenses"))
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" OR ")
                })
                .filter(|l| !l.is_empty()),
            release: Some(ReleaseInfo {
                published: time(entry.get("created_at")),
                artifacts: vec![ArtifactRef {
                    url: format!("{base}/gems/{}", encode_segment(&filename)),
                    filename,
                    kind: "gem".to_string(),
                    digest: text(entry.get("sha")).and_then(|h| digest::from_hex("sha256", &h)),
                    size: None,
                }],
                version: selected,
                dependencies,
                install_scripts: Vec::new(),
                publisher: None,
            }),
            name: gem_name,
        })
    }
}

/// `{"runtime": [{"name", "requirements"}], "development": [...]}`.
fn gem_dependencies(value: Option<&Value>) -> Vec<DeclaredDependency> {
    let mut out = Vec::new();
    for (group, kind) in [("runtime", ""), ("development", "dev")] {
        let Some(list) = value.and_then(|v| v.get(group)).and_then(Value::as_array) else {
            continue;
        };
        out.extend(list.iter().filter_map(|d| {
            Some(DeclaredDependency {
                name: text(d.get("name"))?,
                requirement: text(d.get("requirements")).unwrap_or_default(),
                kind: kind.to_string(),
            })
        }));
    }
    out
}
