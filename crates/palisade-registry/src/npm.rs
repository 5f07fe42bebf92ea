//! npm: one packument per package (`GET {base}/{name}`, scoped names as
//! `@scope%2Fname`) holds every version's manifest, publish times and maintainers.

use crate::common::{
    filename_of, first_published, get_package_json, people, person, sort_by_time, text,
    text_or_field, time, version_not_found,
};
use crate::config::Endpoint;
use crate::http::Http;
use crate::url::{encode_segment, resolve};
use crate::{Registry, RegistryError, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Ecosystem, PackageMetadata, ReleaseInfo, VersionInfo,
};
use serde_json::{Map, Value};

pub struct Npm {
    http: Http,
}

impl Npm {
    pub fn new(http: Http) -> Self {
        Npm { http }
    }
}

impl Registry for Npm {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::Npm);
        let url = format!("{base}/{}", encode_segment(name));
        let (doc, final_url) = get_package_json(&self.http, &url, Ecosystem::Npm, name)?;
        parse_packument(&doc, name, version, &final_url)
    }
}

fn parse_packument(
    doc: &Value,
    name: &str,
    wanted: Option<&str>,
    url: &str,
) -> Result<PackageMetadata, RegistryError> {
    let empty = Map::new();
    let manifests = doc
        .get("versions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let times = doc.get("time");
    let mut versions: Vec<VersionInfo> = manifests
        .keys()
        .map(|v| VersionInfo {
            version: v.clone(),
            published: time(times.and_then(|t| t.get(v))),
            yanked: false,
        })
        .collect();
    sort_by_time(&mut versions);
    let latest = text(doc.pointer("/dist-tags/latest"));
    let selected = match wanted.or(latest.as_deref()) {
        Some(v) => v.to_string(),
        // No latest tag: take the newest published version.
        None => versions
            .last()
            .map(|v| v.version.clone())
            .ok_or_else(|| RegistryError::malformed(url, "the packument lists no versions"))?,
    };
    let manifest = manifests
        .get(&selected)
        .ok_or_else(|| version_not_found(Ecosystem::Npm, name, &selected, &versions))?;
    let release = parse_release(manifest, &selected, times, url)?;
    let pick = |key: &str| doc.get(key).or_else(|| manifest.get(key));
    Ok(PackageMetadata {
        ecosystem: Some(Ecosystem::Npm),
        name: text(doc.get("name")).unwrap_or_else(|| name.to_string()),
        created: time(times.and_then(|t| t.get("created"))).or(first_published(&versions)),
        versions,
        latest,
        // Some packuments carry maintainers only in each version's manifest.
        maintainers: match people(doc.get("maintainers")) {
            found if found.is_empty() => people(manifest.get("maintainers")),
            found => found,
        },
        description: text(pick("description")),
        homepage: text(pick("homepage")),
        repository: text_or_field(pick("repository"), "url"),
        license: text_or_field(pick("license"), "type"),
        release: Some(release),
    })
}

fn parse_release(
    manifest: &Value,
    version: &str,
    times: Option<&Value>,
    url: &str,
) -> Result<ReleaseInfo, RegistryError> {
    let dist = manifest.get("dist");
    let tarball = text(dist.and_then(|d| d.get("tarball"))).ok_or_else(|| {
        RegistryError::malformed(url, format!("version {version} has no dist.tarball"))
    })?;
    let tarball = resolve(url, &tarball);
    // Prefer the SRI integrity (sha512 since 2017); older versions only have sha1.
    let digest = text(dist.and_then(|d| d.get("integrity")))
        .and_then(|sri| digest::from_sri(&sri))
        .or_else(|| {
            text(dist.and_then(|d| d.get("shasum"))).and_then(|h| digest::from_hex("sha1", &h))
        });
    let mut dependencies = Vec::new();
    for (key, kind) in [
        ("dependencies", ""),
        ("optionalDependencies", "optional"),
        ("peerDependencies", "peer"),
        ("devDependencies", "dev"),
    ] {
        if let Some(map) = manifest.get(key).and_then(Value::as_object) {
            dependencies.extend(map.iter().map(|(name, req)| DeclaredDependency {
                name: name.clone(),
                requirement: req.as_str().unwrap_or_default().to_string(),
                kind: kind.to_string(),
            }));
        }
    }
    let scripts = manifest.get("scripts").and_then(Value::as_object);
    let install_scripts = palisade_core::NPM_INSTALL_SCRIPTS
        .iter()
        .filter_map(|key| {
            let command = scripts?.get(*key)?.as_str()?;
            Some((key.to_string(), command.to_string()))
        })
        .collect();
    Ok(ReleaseInfo {
        version: version.to_string(),
        published: time(times.and_then(|t| t.get(version))),
        artifacts: vec![ArtifactRef {
            filename: filename_of(&tarball),
            url: tarball,
            kind: "tarball".to_string(),
            digest,
            size: None,
        }],
        dependencies,
        install_scripts,
        publisher: manifest.get("_npmUser").and_then(person),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn packument_without_integrity_falls_back_to_sha1_and_resolves_relative_tarballs() {
        let doc = json!({
            "name": "x",
            "dist-tags": {"latest": "1.0.0"},
            "time": {"1.0.0": "2020-01-01T00:00:00Z"},
            "versions": {"1.0.0": {
                "dist": {"tarball": "x/-/x-1.0.0.tgz", "shasum": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
                "scripts": {"postinstall": "node i.js", "test": "jest"},
                "_npmUser": {"name": "pub", "email": "pub@x"},
                "maintainers": [{"name": "m"}],
                "license": {"type": "MIT"}
            }}
        });
        let meta = parse_packument(&doc, "x", None, "http://h/reg/x").unwrap();
        let release = meta.release.unwrap();
        let artifact = &release.artifacts[0];
        assert_eq!(artifact.url, "http://h/reg/x/-/x-1.0.0.tgz");
        assert_eq!(artifact.digest.as_ref().unwrap().algorithm, "sha1");
        assert_eq!(
            release.install_scripts,
            vec![("postinstall".into(), "node i.js".into())]
        );
        assert_eq!(meta.license.as_deref(), Some("MIT"));
        assert_eq!(meta.created, Some(1_577_836_800));
        assert_eq!(release.publisher.unwrap().name.as_deref(), Some("pub"));
        assert_eq!(meta.maintainers[0].name.as_deref(), Some("m"));
    }

    #[test]
    fn hostile_packuments_are_errors_not_panics() {
        for doc in [
            json!([]),
            json!({"versions": 3}),
            json!({"versions": {"1": {}}}),
        ] {
            assert!(parse_packument(&doc, "x", Some("1"), "http://h/x").is_err());
        }
    }
}
