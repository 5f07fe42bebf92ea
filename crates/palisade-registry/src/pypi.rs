//! PyPI: the JSON API, `{base}/pypi/{name}/json` for the project (its latest version's
//! metadata and every release's files) and `{base}/pypi/{name}/{version}/json` for one
//! version's own metadata.

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

pub struct PyPI {
    http: Http,
}

impl PyPI {
    pub fn new(http: Http) -> Self {
        PyPI { http }
    }
}

impl Registry for PyPI {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::PyPI
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::PyPI);
        let project_url = format!("{base}/pypi/{}/json", encode_segment(name));
        let (project, project_final) =
            get_package_json(&self.http, &project_url, Ecosystem::PyPI, name)?;
        let latest = text(project.pointer("/info/version"));
        let versions = release_list(&project, latest.as_deref());
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(|| RegistryError::malformed(&project_final, "no info.version"))?;

        // The project document describes the latest version; another version's
        // dependencies are only in that version's own document. When a mirror lacks the
        // per-version document, its files still come from the project's `releases`.
        static NO_DOC: Value = Value::Null;
        let own_doc;
        let (version_doc, files, files_url) = if Some(&selected) == latest.as_ref() {
            (&project, project.get("urls"), project_final.clone())
        } else {
            let url = format!(
                "{base}/pypi/{}/{}/json",
                encode_segment(name),
                encode_segment(&selected)
            );
            match self.http.get_json::<Value>(&url)? {
                Some((doc, final_url)) => {
                    own_doc = doc;
                    (&own_doc, own_doc.get("urls"), final_url)
                }
                None => {
                    let pointer = format!("/releases/{}", pointer_escape(&selected));
                    match project.pointer(&pointer) {
                        Some(files) => (&NO_DOC, Some(files), project_final.clone()),
                        None => {
                            return Err(version_not_found(
                                Ecosystem::PyPI,
                                name,
                                &selected,
                                &versions,
                            ));
                        }
                    }
                }
            }
        };
        let release = Release {
            version: &selected,
            doc: version_doc,
            files,
            files_url: &files_url,
        };
        Ok(build(&project, release, name, versions, latest))
    }
}

/// Where one version's detail comes from: its own document (or the project's, for the
/// latest), or, when neither is available, only its file list.
struct Release<'a> {
    version: &'a str,
    doc: &'a Value,
    files: Option<&'a Value>,
    files_url: &'a str,
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every release with its first upload time; yanked when every file is.
fn release_list(project: &Value, latest: Option<&str>) -> Vec<VersionInfo> {
    let mut versions: Vec<VersionInfo> = match project.get("releases").and_then(Value::as_object) {
        Some(releases) => releases
            .iter()
            .map(|(version, files)| {
                let files = files.as_array().map(Vec::as_slice).unwrap_or_default();
                VersionInfo {
                    version: version.clone(),
                    published: files
                        .iter()
                        .filter_map(|f| time(f.get("upload_time_iso_8601")))
                        .min(),
                    yanked: !files.is_empty()
                        && files
                            .iter()
                            .all(|f| f.get("yanked") == Some(&Value::Bool(true))),
                }
            })
            .collect(),
        None => latest
            .map(|v| VersionInfo {
                version: v.to_string(),
                ..VersionInfo::default()
            })
            .into_iter()
            .collect(),
    };
    sort_by_time(&mut versions);
    versions
}

fn build(
    project: &Value,
    release: Release<'_>,
    name: &str,
    versions: Vec<VersionInfo>,
    latest: Option<String>,
) -> PackageMetadata {
    let Release {
        version: selected,
        doc: version_doc,
        files,
        files_url,
    } = release;
    let info = project.get("info");
    let version_info = version_doc.get("info");
    let field = |key: &str| {
        text(version_info.and_then(|i| i.get(key))).or_else(|| text(info.and_then(|i| i.get(key))))
    };
    let project_urls = version_info
        .or(info)
        .and_then(|i| i.get("project_urls"))
        .and_then(Value::as_object);
    let project_url = |keys: &[&str]| {
        project_urls.and_then(|urls| {
            urls.iter()
                .find(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
                .and_then(|(_, v)| text(Some(v)))
        })
    };
    let mut artifacts: Vec<ArtifactRef> = files
        .and_then(Value::as_array)
        .map(|files| {
            files
                .iter()
                .filter_map(|f| artifact(f, files_url))
                .collect()
        })
        .unwrap_or_default();
    if let Some(best) = preferred(&artifacts) {
        let chosen = artifacts.remove(best);
        artifacts.insert(0, chosen);
    }
    let published = files.and_then(Value::as_array).and_then(|files| {
        files
            .iter()
            .filter_map(|f| time(f.get("upload_time_iso_8601")))
            .min()
    });
    let dependencies = version_info
        .and_then(|i| i.get("requires_dist"))
        .and_then(Value::as_array)
        .map(|reqs| {
            reqs.iter()
                .filter_map(|r| requirement(r.as_str()?))
                .collect()
        })
        .unwrap_or_default();
    let mut maintainers = Vec::new();
    for (n, e) in [
        ("author", "author_email"),
        ("maintainer", "maintainer_email"),
    ] {
        let person = Maintainer {
            name: field(n),
            email: field(e),
        };
        if (person.name.is_some() || person.email.is_some()) && !maintainers.contains(&person) {
            maintainers.push(person);
        }
    }
    PackageMetadata {
        ecosystem: Some(Ecosystem::PyPI),
        name: field("name").unwrap_or_else(|| name.to_string()),
        created: first_published(&versions),
        versions,
        latest,
        maintainers,
        description: field("summary"),
        homepage: field("home_page").or_else(|| project_url(&["homepage", "home"])),
        repository: project_url(&["source", "source code", "repository", "code", "github"]),
        license: field("license_expression")
            .or_else(|| field("license"))
            .map(|l| {
                l.lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect()
            }),
        release: Some(ReleaseInfo {
            version: selected.to_string(),
            published,
            artifacts,
            dependencies,
            install_scripts: Vec::new(),
            publisher: None,
        }),
    }
}

fn artifact(file: &Value, base_url: &str) -> Option<ArtifactRef> {
    let url = resolve(base_url, &text(file.get("url"))?);
    let kind = match file.get("packagetype").and_then(Value::as_str) {
        Some("sdist") => "sdist",
        Some("bdist_wheel") => "wheel",
        Some(other) => other,
        None => "file",
    };
    Some(ArtifactRef {
        filename: text(file.get("filename")).unwrap_or_else(|| crate::common::filename_of(&url)),
        url,
        kind: kind.to_string(),
        digest: text(file.pointer("/digests/sha256")).and_then(|h| digest::from_hex("sha256", &h)),
        size: file.get("size").and_then(Value::as_u64),
    })
}

/// The artifact to scan: the sdist when there is one, since its `setup.py` runs at
/// install time; otherwise a pure-Python wheel, otherwise any wheel.
fn preferred(artifacts: &[ArtifactRef]) -> Option<usize> {
    let score = |a: &ArtifactRef| match a.kind.as_str() {
        "sdist" if a.filename.ends_with(".tar.gz") => 5,
        "sdist" => 4,
        "wheel" if a.filename.ends_with("-py3-none-any.whl") => 3,
        "wheel" if a.filename.ends_with("-none-any.whl") => 2,
        "wheel" => 1,
        _ => 0,
    };
    (0..artifacts.len()).max_by_key(|&i| (score(&artifacts[i]), std::cmp::Reverse(i)))
}

/// `name (>=1.0) ; extra == "x"` or `name>=1.0; python_version < "3"`.
fn requirement(line: &str) -> Option<DeclaredDependency> {
    let (spec, marker) = line.split_once(';').unwrap_or((line, ""));
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(spec.len());
    let name = &spec[..end];
    if name.is_empty() {
        return None;
    }
    let requirement = spec[end..]
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    Some(DeclaredDependency {
        name: name.to_string(),
        requirement: requirement.trim().to_string(),
        kind: if marker.contains("extra") {
            "optional"
        } else {
            ""
        }
        .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, kind: &str) -> ArtifactRef {
        ArtifactRef {
            filename: name.into(),
            kind: kind.into(),
            ..ArtifactRef::default()
        }
    }

    #[test]
    fn prefers_the_sdist_then_a_pure_wheel() {
        let a = [
            file("x-1-cp312-cp312-manylinux.whl", "wheel"),
            file("x-1-py3-none-any.whl", "wheel"),
            file("x-1.tar.gz", "sdist"),
        ];
        assert_eq!(preferred(&a), Some(2));
        assert_eq!(preferred(&a[..2]), Some(1));
        assert_eq!(preferred(&[]), None);
    }

    #[test]
    fn parses_requirements_with_markers() {
        let r = requirement("PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'").unwrap();
        assert_eq!(
            (r.name.as_str(), r.requirement.as_str(), r.kind.as_str()),
            ("PySocks", "!=1.5.7,>=1.5.6", "optional")
        );
        let r = requirement("idna<4,>=2.5").unwrap();
        assert_eq!(
            (r.name.as_str(), r.requirement.as_str(), r.kind.as_str()),
            ("idna", "<4,>=2.5", "")
        );
        assert!(requirement("; extra == 'x'").is_none());
    }
}
