//! `palisade deps --format cyclonedx`: a CycloneDX 1.5 JSON SBOM.
//!
//! Reproducible: no timestamp (optional in CycloneDX), components in the listing's sorted
//! order, and a `serialNumber` derived from the SHA-256 of the document itself (rendered
//! first without it) instead of a random UUID. The value is UUID-shaped with the version
//! nibble 5 and the RFC 4122 variant, as the schema's pattern requires, so two runs over
//! the same lockfiles give byte-identical output.
//!
//! Each dependency is one `library` component whose `bom-ref` is its package URL; when the
//! same package URL occurs more than once (the same package in two lockfiles, or at two
//! commits), the later ones get `|` and the source lockfile appended, then `|N` if still
//! taken. Maven names are split into `group` and `name`. `scope` is `required` for normal
//! dependencies and those needed at run time (`peer`, `provided`, `system`), `optional`
//! for the rest (dev, test, optional...). Groups and the source lockfile are properties
//! `palisade:group` (one per group) and `palisade:source`.
//!
//! `dependencies` holds the graph where the lockfile format records it (npm, yarn, pnpm,
//! bun, Cargo.lock, Gemfile.lock, poetry, pdm, uv, packages.lock.json): one entry per
//! component of such a lockfile, its children in `dependsOn` (possibly none), plus an
//! entry for the project listing its direct dependencies (from any file that says). Lockfiles name parents by name only, so when one lockfile holds a parent
//! name at several versions, the edge is given from each of them. Components of files
//! without a graph (requirements.txt, go.mod...) get no entry: unknown, not "none".

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Result;
use palisade_deps::{Dependency, Ecosystem, LockfileKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Listing;

/// Groups whose packages the project needs when it runs, though someone else supplies them.
const REQUIRED_GROUPS: [&str; 3] = ["peer", "provided", "system"];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component<'a>>,
    dependencies: Vec<Edge>,
}

#[derive(Serialize)]
struct Metadata {
    tools: Tools,
    component: Project,
}

#[derive(Serialize)]
struct Tools {
    components: [Tool; 1],
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Project {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    version: &'a str,
    scope: &'static str,
    purl: String,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Edge {
    #[serde(rename = "ref")]
    bom_ref: String,
    depends_on: Vec<String>,
}

fn is_empty(s: &&str) -> bool {
    s.is_empty()
}

/// The SBOM of `listing`, pretty-printed, ending with a newline.
pub(super) fn render(listing: &Listing) -> Result<String> {
    let project = project_name(&listing.root);
    let root_ref = format!("project:{project}");
    let refs = bom_refs(listing);
    let components = listing
        .deps
        .iter()
        .zip(&refs)
        .map(|(d, r)| component(listing, d, r.clone()))
        .collect();
    let mut bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.5.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.5",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: [Tool {
                    kind: "application",
                    name: "palisade",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: Project {
                kind: "application",
                bom_ref: root_ref.clone(),
                name: project,
            },
        },
        components,
        dependencies: graph(&listing.deps, &refs, &root_ref),
    };
    let digest = Sha256::digest(serde_json::to_vec(&bom)?);
    bom.serial_number = format!("urn:uuid:{}", uuid_from(&digest));
    let mut text = serde_json::to_string_pretty(&bom)?;
    text.push('\n');
    Ok(text)
}

fn component<'a>(listing: &Listing, d: &'a Dependency, bom_ref: String) -> Component<'a> {
    let (group, name) = match d.ecosystem {
        Ecosystem::Maven => match d.name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, d.name.as_str()),
        },
        _ => (None, d.name.as_str()),
    };
    let required = d.is_normal()
        || d.groups
            .iter()
            .any(|g| REQUIRED_GROUPS.contains(&g.as_str()));
    let mut properties: Vec<Property> = d
        .groups
        .iter()
        .map(|g| Property {
            name: "palisade:group",
            value: g.clone(),
        })
        .collect();
    properties.push(Property {
        name: "palisade:source",
        value: listing.rel(&d.source),
    });
    Component {
        kind: "library",
        bom_ref,
        group,
        name,
        version: &d.version,
        scope: if required { "required" } else { "optional" },
        purl: palisade_deps::purl(d),
        properties,
    }
}

/// One unique `bom-ref` per dependency, in listing order: the purl, made unique.
fn bom_refs(listing: &Listing) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    listing
        .deps
        .iter()
        .map(|d| {
            let purl = palisade_deps::purl(d);
            let mut candidate = purl.clone();
            if taken.contains(&candidate) {
                candidate = format!("{purl}|{}", listing.rel(&d.source));
            }
            let stem = candidate.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{stem}|{n}");
                n += 1;
            }
            taken.insert(candidate.clone());
            candidate
        })
        .collect()
}

/// The dependency graph of the lockfiles that record one, plus the project's direct edges.
fn graph(deps: &[Dependency], refs: &[String], root_ref: &str) -> Vec<Edge> {
    let with_graph: BTreeSet<&Path> = deps
        .iter()
        .map(|d| d.source.as_path())
        .filter(|s| LockfileKind::from_path(s).is_some_and(records_graph))
        .collect();
    // (source, normalised name) -> indexes of the dependencies that bear that name.
    let mut by_name: BTreeMap<(&Path, String), Vec<usize>> = BTreeMap::new();
    for (i, d) in deps.iter().enumerate() {
        by_name
            .entry((&d.source, name_key(d.ecosystem, &d.name)))
            .or_default()
            .push(i);
    }
    let mut children: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); deps.len()];
    let mut direct: BTreeSet<&str> = BTreeSet::new();
    for (i, d) in deps.iter().enumerate() {
        if d.direct == Some(true) {
            direct.insert(&refs[i]);
        }
        for parent in &d.parents {
            let key = (d.source.as_path(), name_key(d.ecosystem, parent));
            for &p in by_name.get(&key).into_iter().flatten() {
                if p != i {
                    children[p].insert(&refs[i]);
                }
            }
        }
    }
    let mut edges = Vec::new();
    if !direct.is_empty() {
        edges.push(Edge {
            bom_ref: root_ref.to_string(),
            depends_on: direct.into_iter().map(str::to_string).collect(),
        });
    }
    for (i, d) in deps.iter().enumerate() {
        if with_graph.contains(d.source.as_path()) {
            edges.push(Edge {
                bom_ref: refs[i].clone(),
                depends_on: children[i].iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    edges
}

/// Whether the format records who depends on whom (so that no parent means none).
fn records_graph(kind: LockfileKind) -> bool {
    use LockfileKind::*;
    matches!(
        kind,
        NpmLock
            | YarnLock
            | PnpmLock
            | BunLock
            | CargoLock
            | GemfileLock
            | PoetryLock
            | PdmLock
            | UvLock
            | NugetLock
    )
}

/// How lockfiles compare package names: PyPI names PEP 503 normalised, others as written.
fn name_key(ecosystem: Ecosystem, name: &str) -> String {
    if ecosystem != Ecosystem::PyPI {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    for part in name.split(['-', '_', '.']).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&part.to_lowercase());
    }
    out
}

/// The project's name: its folder's name (the folder of PATH when PATH is a file).
fn project_name(root: &Path) -> String {
    let folder = if root.is_dir() {
        root.to_path_buf()
    } else {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".").to_path_buf()
    } else {
        folder
    };
    std::fs::canonicalize(&folder)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| folder.to_string_lossy().into_owned())
}

/// A UUID-shaped string from the first 16 bytes of a digest: version 5, RFC 4122 variant.
fn uuid_from(digest: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_match_the_schema_pattern() {
        let u = uuid_from(&[0xff; 32]);
        assert_eq!(u, "ffffffff-ffff-5fff-bfff-ffffffffffff");
        let u = uuid_from(&[0; 32]);
        assert_eq!(u, "00000000-0000-5000-8000-000000000000");
    }

    #[test]
    fn pypi_parent_names_compare_normalised() {
        assert_eq!(
            name_key(Ecosystem::PyPI, "Typing_Extensions"),
            "typing-extensions"
        );
        assert_eq!(name_key(Ecosystem::Npm, "Foo_Bar"), "Foo_Bar");
    }
}
