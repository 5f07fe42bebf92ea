//! The Go module proxy protocol (`{base}/{module}/@v/list`, `@v/{version}.info`,
//! `@latest`, `@v/{version}.zip`) and the checksum database's `lookup`, whose `h1:`
//! hash is what a downloaded module zip is verified against.

use crate::common::{text, time, version_not_found};
use crate::config::Endpoint;
use crate::http::Http;
use crate::{Registry, RegistryError, digest};
use palisade_core::{ArtifactRef, Digest, Ecosystem, PackageMetadata, ReleaseInfo, VersionInfo};
use serde_json::Value;
use std::cmp::Ordering;

/// Go's case-encoding of module paths and versions in proxy URLs: each capital letter
/// becomes `!` and its lower-case form, so that case-insensitive file systems can serve
/// the proxy (`github.com/Azure/x` is fetched as `github.com/!azure/x`).
pub fn escape_module_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub struct GoProxy {
    http: Http,
}

impl GoProxy {
    pub fn new(http: Http) -> Self {
        GoProxy { http }
    }

    /// The module zip's `h1:` hash from the checksum database. Unreachable, or no
    /// entry for this module version, is an error: the caller turns verification off
    /// explicitly (`go_sumdb = "off"`) if it wants to go on without.
    fn checksum(&self, module: &str, version: &str) -> Result<Digest, RegistryError> {
        let base = self.http.config().base(Endpoint::GoSumDb);
        let url = format!(
            "{base}/lookup/{}@{}",
            escape_module_path(module),
            escape_module_path(version)
        );
        let fetched =
            self.http
                .get(&url, "text/plain")?
                .ok_or_else(|| RegistryError::Unreachable {
                    url: url.clone(),
                    cause: format!(
                        "the checksum database has no entry for {module}@{version}, so the zip \
                     cannot be verified (set go_sumdb = \"off\" to fetch it unverified)"
                    ),
                })?;
        let text = String::from_utf8_lossy(&fetched.body);
        text.lines()
            .find_map(|line| {
                let mut fields = line.split_whitespace();
                let (m, v, hash) = (fields.next()?, fields.next()?, fields.next()?);
                (m == module && v == version).then(|| digest::from_go_h1(hash))?
            })
            .ok_or_else(|| {
                RegistryError::malformed(
                    &fetched.url,
                    format!("no h1: line for {module} {version}"),
                )
            })
    }
}

impl Registry for GoProxy {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Go
    }

    fn metadata(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::Go);
        let module_url = format!("{base}/{}", escape_module_path(name));
        let list_url = format!("{module_url}/@v/list");
        let not_found = || RegistryError::PackageNotFound {
            ecosystem: Ecosystem::Go,
            name: name.to_string(),
            url: list_url.clone(),
        };
        let list = self
            .http
            .get(&list_url, "text/plain")?
            .ok_or_else(not_found)?;
        let mut versions: Vec<VersionInfo> = String::from_utf8_lossy(&list.body)
            .lines()
            .map(str::trim)
            .filter(|v| v.starts_with('v'))
            .map(|v| VersionInfo {
                version: v.to_string(),
                ..VersionInfo::default()
            })
            .collect();
        versions.sort_by(|a, b| compare_semver(&a.version, &b.version));
        // `@latest` covers modules with only pseudo-versions, which `list` omits.
        let latest_doc = self
            .http
            .get_json::<Value>(&format!("{module_url}/@latest"))?;
        let latest = latest_doc
            .as_ref()
            .and_then(|(doc, _)| text(doc.get("Version")))
            .or_else(|| {
                versions
                    .iter()
                    .rev()
                    .find(|v| !v.version.contains('-'))
                    .map(|v| v.version.clone())
            });
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .ok_or_else(not_found)?;
        let info_url = format!("{module_url}/@v/{}.info", escape_module_path(&selected));
        let (info, _) = self
            .http
            .get_json::<Value>(&info_url)?
            .ok_or_else(|| version_not_found(Ecosystem::Go, name, &selected, &versions))?;
        let published = time(info.get("Time"));
        if let Some(entry) = versions.iter_mut().find(|v| v.version == selected) {
            entry.published = published;
        }
        let digest = if self.http.config().verify_go_sums {
            Some(self.checksum(name, &selected)?)
        } else {
            None
        };
        let zip_url = format!("{module_url}/@v/{}.zip", escape_module_path(&selected));
        let last = name.rsplit('/').next().unwrap_or(name);
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::Go),
            name: name.to_string(),
            versions,
            latest,
            created: None,
            maintainers: Vec::new(),
            description: None,
            homepage: None,
            repository: None,
            license: None,
            release: Some(ReleaseInfo {
                version: selected.clone(),
                published,
                artifacts: vec![ArtifactRef {
                    url: zip_url,
                    filename: format!("{last}@{selected}.zip"),
                    kind: "zip".to_string(),
                    digest,
                    size: None,
                }],
                dependencies: Vec::new(),
                install_scripts: Vec::new(),
                publisher: None,
            }),
        })
    }
}

/// Orders `vMAJOR.MINOR.PATCH[-pre][+build]` versions; a pre-release sorts before its
/// release. Anything unparsable sorts by text, after the parsable ones.
fn compare_semver(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> Option<(Vec<u64>, Option<&str>)> {
        let v = v.strip_prefix('v')?;
        let v = v.split('+').next()?;
        let (core, pre) = match v.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (v, None),
        };
        let numbers = core
            .split('.')
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u64>>>()?;
        Some((numbers, pre))
    }
    match (parts(a), parts(b)) {
        (Some((na, pa)), Some((nb, pb))) => na.cmp(&nb).then_with(|| match (pa, pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => x.cmp(y),
        }),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_capitals_as_go_does() {
        assert_eq!(
            escape_module_path("github.com/Azure/go-AutoRest"),
            "github.com/!azure/go-!auto!rest"
        );
        assert_eq!(escape_module_path("example.org/x/mod"), "example.org/x/mod");
    }

    #[test]
    fn orders_versions_semantically() {
        let mut v = vec!["v1.10.0", "v1.2.0", "v1.2.0-rc.1", "v0.9.9", "junk"];
        v.sort_by(|a, b| compare_semver(a, b));
        assert_eq!(v, ["v0.9.9", "v1.2.0-rc.1", "v1.2.0", "v1.10.0", "junk"]);
    }
}
