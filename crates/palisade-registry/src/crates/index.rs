//! The crate registry's sparse index, which cargo itself reads: one file per crate at
//! `{index}/{prefix}/{lower-case name}`, where the prefix is `1`, `2`, `3/{first char}`
//! or `{first two}/{next two}`, holding one JSON object per published version (`vers`,
//! `deps`, `cksum`, `yanked`, and on recent entries `pubtime`).
//!
//! The index knows less than the API: no owners, publisher, description, license,
//! links or sizes, so those stay empty, and publish times only where an entry carries
//! `pubtime`. The latest version is the greatest by SemVer that is neither yanked nor
//! a pre-release (failing that, not yanked; failing that, any).

use super::Crates;
use crate::common::{first_published, sort_by_time, version_not_found};
use crate::config::Endpoint;
use crate::url::encode_segment;
use crate::{RegistryError, digest};
use palisade_core::{
    ArtifactRef, DeclaredDependency, Ecosystem, PackageMetadata, ReleaseInfo, VersionInfo,
};
use palisade_osv::Version;
use serde::Deserialize;

/// One line of an index file. Unknown fields are ignored, as cargo does.
#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    vers: String,
    #[serde(default)]
    deps: Vec<Dep>,
    cksum: Option<String>,
    #[serde(default)]
    yanked: bool,
    pubtime: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Dep {
    name: String,
    #[serde(default)]
    req: String,
    kind: Option<String>,
    #[serde(default)]
    optional: bool,
    /// The crate's real name when the manifest renames it (`name` is the alias).
    package: Option<String>,
}

/// The path of a crate's file under the index base.
pub(super) fn index_path(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let part =
        |range: std::ops::Range<usize>| encode_segment(&chars[range].iter().collect::<String>());
    let file = encode_segment(&lower);
    match chars.len() {
        0 => file,
        1 => format!("1/{file}"),
        2 => format!("2/{file}"),
        3 => format!("3/{}/{file}", part(0..1)),
        _ => format!("{}/{}/{file}", part(0..2), part(2..4)),
    }
}

impl Crates {
    /// Metadata from the sparse index. `api` is the API base that could not be reached,
    /// named in the error when the index cannot be reached either.
    pub(super) fn index_metadata(
        &self,
        name: &str,
        version: Option<&str>,
        api: Option<&str>,
    ) -> Result<PackageMetadata, RegistryError> {
        let base = self.http.config().base(Endpoint::CratesIndex);
        let url = format!("{base}/{}", index_path(name));
        let fetched = match self.http.get(&url, "*/*") {
            Ok(Some(fetched)) => fetched,
            Ok(None) => {
                return Err(RegistryError::PackageNotFound {
                    ecosystem: Ecosystem::Crates,
                    name: name.to_string(),
                    url,
                });
            }
            Err(RegistryError::Unreachable { url, cause }) if api.is_some() => {
                let api = api.unwrap_or_default();
                return Err(RegistryError::Unreachable {
                    url,
                    cause: format!("{cause}; the API at {api} was unreachable too"),
                });
            }
            Err(other) => return Err(other),
        };
        let entries = parse(&fetched.body);
        if entries.is_empty() {
            return Err(RegistryError::malformed(&fetched.url, "no version entries"));
        }
        let mut versions: Vec<VersionInfo> = entries
            .iter()
            .map(|e| VersionInfo {
                version: e.vers.clone(),
                published: time_of(e),
                yanked: e.yanked,
            })
            .collect();
        sort_by_time(&mut versions);
        let latest = latest(&entries);
        let selected = version
            .map(str::to_string)
            .or_else(|| latest.clone())
            .unwrap_or_default();
        let entry = entries
            .iter()
            .find(|e| e.vers == selected)
            .ok_or_else(|| version_not_found(Ecosystem::Crates, name, &selected, &versions))?;
        let crate_name = entry.name.clone();
        let artifact = ArtifactRef {
            filename: format!("{crate_name}-{selected}.crate"),
            url: self.download_url(&crate_name, &selected, None, &fetched.url),
            kind: "crate".to_string(),
            digest: entry
                .cksum
                .as_deref()
                .and_then(|h| digest::from_hex("sha256", h.trim())),
            size: None,
        };
        Ok(PackageMetadata {
            ecosystem: Some(Ecosystem::Crates),
            name: crate_name,
            created: first_published(&versions),
            versions,
            latest,
            maintainers: Vec::new(),
            description: None,
            homepage: None,
            repository: None,
            license: None,
            release: Some(ReleaseInfo {
                version: selected,
                published: time_of(entry),
                artifacts: vec![artifact],
                dependencies: entry.deps.iter().map(dependency).collect(),
                install_scripts: Vec::new(),
                publisher: None,
            }),
        })
    }
}

/// The entries of an index file; lines that do not parse (a future format) are skipped.
fn parse(body: &[u8]) -> Vec<Entry> {
    String::from_utf8_lossy(body)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn time_of(entry: &Entry) -> Option<i64> {
    entry
        .pubtime
        .as_deref()
        .and_then(palisade_core::time::parse_rfc3339)
}

fn dependency(dep: &Dep) -> DeclaredDependency {
    let kind = match dep.kind.as_deref() {
        Some("dev") => "dev",
        Some("build") => "build",
        _ if dep.optional => "optional",
        _ => "",
    };
    DeclaredDependency {
        name: dep.package.clone().unwrap_or_else(|| dep.name.clone()),
        requirement: dep.req.clone(),
        kind: kind.to_string(),
    }
}

/// The greatest stable unyanked version, else the greatest unyanked, else the greatest,
/// in Cargo's SemVer order (the same ordering the advisory matching uses).
fn latest(entries: &[Entry]) -> Option<String> {
    let parsed: Vec<(Version, &Entry)> = entries
        .iter()
        .map(|e| (Version::parse_lenient(Ecosystem::Crates, &e.vers), e))
        .collect();
    let greatest = |keep: &dyn Fn(&Version, &Entry) -> bool| {
        parsed
            .iter()
            .filter(|(v, e)| keep(v, e))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, e)| e.vers.clone())
    };
    greatest(&|v, e| !e.yanked && !v.is_prerelease())
        .or_else(|| greatest(&|_, e| !e.yanked))
        .or_else(|| greatest(&|_, _| true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_the_name_length() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Itoa"), "it/oa/itoa");
        assert_eq!(index_path("serde_json"), "se/rd/serde_json");
    }

    #[test]
    fn latest_skips_yanked_and_pre_releases_unless_nothing_else_is_left() {
        let entries = parse(
            b"{\"name\":\"x\",\"vers\":\"1.2.0\",\"yanked\":true}\n\
              {\"name\":\"x\",\"vers\":\"1.1.0\"}\n\
              {\"name\":\"x\",\"vers\":\"2.0.0-rc.1\"}\n\
              not json\n\n",
        );
        assert_eq!(entries.len(), 3);
        assert_eq!(latest(&entries).as_deref(), Some("1.1.0"));
        assert_eq!(latest(&entries[2..]).as_deref(), Some("2.0.0-rc.1"));
        assert_eq!(latest(&entries[..1]).as_deref(), Some("1.2.0"));
    }
}
