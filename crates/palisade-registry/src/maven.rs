//! Maven repositories: `{base}/{group path}/{artifact}/maven-metadata.xml` lists the
//! versions; each version's folder holds the `.jar` (or only the `.pom` for
//! `pom`-packaged artifacts) with `.sha256`/`.sha1` checksum files, and the `.pom` that
//! declares description, licences, SCM, developers and dependencies.

use crate::common::version_not_found;
use crate::config::Endpoint;
use crate::http::Http;
use crate::url::encode_segment;
use crate::xml::{self, Element};
use crate::{Registry, RegistryError, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Digest, Ecosystem, Maintainer, PackageMetadata, ReleaseInfo,
    VersionInfo,
};

pub struct Maven {
    http: Http,
}

impl Maven {
    pub fn new(http: Http) -> Self {
        Maven { http }
    }

    fn xml(&self, url: &str) -> Result<Option<Element>, RegistryError> {
        let Some(fetched) = self.http.get(url, "application/xml")? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&fetched.body);
        xml::parse(&text)
            .map(Some)
            .map_err(|e| RegistryError::malformed(&fetched.url, e))
    }

    /// The published checksum of `url`: `.sha256` when the repository has one (newer
    /// uploads), else `.sha1`. The files hold the hex digest, sometimes followed by a
    /// file name.
    fn checksum(&self, url: &str) -> Result<Option<Digest>, RegistryError> {
        for algorithm in ["sha256", "sha1"] {
            if let Some(fetched) = self.http.get(&format!("{url}.{algorithm}"), "text/plain")? {
                let text = String::from_utf8_lossy(&fetched.body);
                let hex = text.split_whitespace().next().unwrap_or_default();
                return digest::from_hex(algorithm, hex).map(Some).ok_or_else(|| {
                    RegistryError::malformed(&fetched.url, format!("not a {algorithm} checksum"))
                });
            }
        }
        Ok(None)
    }
}

impl Registry for Maven {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Maven
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let (group, artifact) = name
            .split_once(':')
            .ok_or_else(|| RegistryError::InvalidSpec {
                input: name.to_string(),
                reason: "Maven names are GROUP:ARTIFACT".into(),
            })?;
        let group_path: Vec<String> = group.split('.').map(encode_segment).collect();
        let base = self.http.config().base(Endpoint::Maven);
        let dir = format!(
            "{base}/{}/{}",
            group_path.join("/"),
            encode_segment(artifact)
        );
        let metadata_url = format!("{dir}/maven-metadata.xml");
        let listing = self
            .xml(&metadata_url)?
            .ok_or_else(|| RegistryError::PackageNotFound {
                ecosystem: Ecosystem::Maven,
                name: name.to_string(),
                url: metadata_url.clone(),
            })?;
        let versions: Vec<VersionInfo> = listing
            .at("versioning/versions")
            .map(|v| {
                v.children("version")
                    .filter_map(|v| {
                        let text = v.text.trim();
                        (!text.is_empty()).then(|| VersionInfo {
                            version: text.to_string(),
                            ..VersionInfo::default()
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let latest = listing
            .text_at("versioning/release")
            .or_else(|| listing.text_at("versioning/latest"))
            .or_else(|| versions.last().map(|v| v.version.clone()));
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(|| RegistryError::malformed(&metadata_url, "no versions listed"))?;
        if !versions.iter().any(|v| v.version == selected) {
            return Err(version_not_found(
                Ecosystem::Maven,
                name,
                &selected,
                &versions,
            ));
        }
        let stem = format!(
            "{dir}/{v}/{a}-{v}",
            v = encode_segment(&selected),
            a = encode_segment(artifact)
        );
        let pom_url = format!("{stem}.pom");
        let pom = self.xml(&pom_url)?;
        let packaging = pom.as_ref().and_then(|p| p.text_at("packaging"));
        // A `pom`-packaged artifact has no jar; its POM is what there is to scan.
        let (url, kind) = match packaging.as_deref() {
            Some("pom") => (pom_url.clone(), "pom"),
            _ => (format!("{stem}.jar"), "jar"),
        };
        let artifact_ref = ArtifactRef {
            filename: crate::common::filename_of(&url),
            digest: self.checksum(&url)?,
            url,
            kind: kind.to_string(),
            size: None,
        };
        let pom = pom.unwrap_or_default();
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::Maven),
            name: name.to_string(),
            versions,
            latest,
            created: None,
            maintainers: developers(&pom),
            description: pom.text_at("description").or_else(|| pom.text_at("name")),
            homepage: pom.text_at("url"),
            repository: pom
                .text_at("scm/url")
                .or_else(|| pom.text_at("scm/connection")),
            license: pom.text_at("licenses/license/name"),
            release: Some(ReleaseInfo {
                version: selected,
                published: None,
                artifacts: vec![artifact_ref],
                dependencies: dependencies(&pom),
                install_scripts: Vec::new(),
                publisher: None,
            }),
        })
    }
}

fn developers(pom: &Element) -> Vec<Maintainer> {
    pom.at("developers")
        .map(|d| {
            d.children("developer")
                .map(|dev| Maintainer {
                    name: dev.text_at("name").or_else(|| dev.text_at("id")),
                    email: dev.text_at("email"),
                })
                .filter(|m| m.name.is_some() || m.email.is_some())
                .collect()
        })
        .unwrap_or_default()
}

/// Declared dependencies; `test` and `provided` scopes are not installed with the
/// artifact and are reported as `dev`, `optional` ones as `optional`.
fn dependencies(pom: &Element) -> Vec<DeclaredDependency> {
    let Some(list) = pom.at("dependencies") else {
        return Vec::new();
    };
    list.children("dependency")
        .filter_map(|d| {
            let kind = match (
                d.text_at("scope").as_deref(),
                d.text_at("optional").as_deref(),
            ) {
                (Some("test" | "provided"), _) => "dev",
                (_, Some("true")) => "optional",
                _ => "",
            };
            Some(DeclaredDependency {
                name: format!("{}:{}", d.text_at("groupId")?, d.text_at("artifactId")?),
                requirement: d.text_at("version").unwrap_or_default(),
                kind: kind.to_string(),
            })
        })
        .collect()
}
