//! The dependencies a package's own manifest declares, before any resolution: what a
//! version diff compares ("this release added a dependency on `x`") and what the
//! registry-metadata checks compare against the registry's copy of the manifest.
//!
//! Each ecosystem's manifest is read with the same bounds as identification: at most
//! [`MAX_DECLARED`] entries, and a manifest that cannot be parsed declares nothing
//! (identification has already reported it as unreadable).

use crate::common::strip_bom;
use crate::text::lines;
use crate::xml::{Event, walk};
use palisade_core::{DeclaredDependency, Ecosystem, Package, PackageFile};
use serde_json::Value;

/// Dependencies read from one manifest; real manifests declare a few hundred at most.
pub const MAX_DECLARED: usize = 10_000;

/// The dependencies declared by the manifest that identified `package`, in manifest
/// order. Empty when the package has no readable manifest.
pub fn declared_dependencies(package: &Package) -> Vec<DeclaredDependency> {
    let Some(manifest) = package.manifest() else {
        return Vec::new();
    };
    let data = strip_bom(&manifest.data);
    let mut found = match package.ecosystem {
        Some(Ecosystem::Npm) => npm(data),
        Some(Ecosystem::PyPI) => python(package, manifest),
        Some(Ecosystem::Crates) => cargo(data),
        Some(Ecosystem::Go) => go_mod(data),
        Some(Ecosystem::NuGet) => nuspec(data),
        Some(Ecosystem::Maven) => pom(data),
        Some(Ecosystem::RubyGems) => gemspec_yaml(data),
        None => Vec::new(),
    };
    found.truncate(MAX_DECLARED);
    found
}

/// npm lifecycle scripts as the artifact's own `package.json` declares them, name to
/// command: the side of npm "manifest confusion" that runs.
pub fn declared_npm_scripts(package: &Package) -> Vec<(String, String)> {
    let Some(manifest) = package.manifest() else {
        return Vec::new();
    };
    let Ok(json) = crate::npm::node_json::parse(strip_bom(&manifest.data)) else {
        return Vec::new();
    };
    let Some(Value::Object(scripts)) = json.value.get("scripts") else {
        return Vec::new();
    };
    scripts
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .take(MAX_DECLARED)
        .collect()
}

fn dependency(name: &str, requirement: &str, kind: &str) -> DeclaredDependency {
    DeclaredDependency {
        name: name.trim().to_string(),
        requirement: requirement.trim().to_string(),
        kind: kind.to_string(),
    }
}

fn npm(data: &[u8]) -> Vec<DeclaredDependency> {
    let Ok(json) = crate::npm::node_json::parse(data) else {
        return Vec::new();
    };
    let Value::Object(map) = json.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, kind) in [
        ("dependencies", ""),
        ("optionalDependencies", "optional"),
        ("peerDependencies", "peer"),
        ("devDependencies", "dev"),
    ] {
        if let Some(Value::Object(deps)) = map.get(key) {
            for (name, requirement) in deps {
                out.push(dependency(name, requirement.as_str().unwrap_or(""), kind));
            }
        }
    }
    out
}

/// `Requires-Dist` of the core metadata (PKG-INFO of an sdist, METADATA of a wheel);
/// a requirement guarded by an `extra ==` marker is optional.
fn python(package: &Package, manifest: &PackageFile) -> Vec<DeclaredDependency> {
    let metadata = if manifest.path.ends_with("PKG-INFO") || manifest.path.ends_with("METADATA") {
        Some(manifest)
    } else {
        let pkg_info = format!("{}PKG-INFO", package.root);
        package.file(&pkg_info)
    };
    let Some(metadata) = metadata else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (_, raw) in lines(&metadata.data, 100_000) {
        let line = String::from_utf8_lossy(raw);
        if line.trim().is_empty() {
            break; // The headers end at the first blank line; the description follows.
        }
        let Some(value) = line.strip_prefix("Requires-Dist:") else {
            continue;
        };
        let (spec, marker) = value.split_once(';').unwrap_or((value, ""));
        let spec = spec.trim();
        let end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec.len());
        let (name, requirement) = spec.split_at(end);
        let requirement = requirement
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')');
        let kind = if marker.contains("extra") {
            "optional"
        } else {
            ""
        };
        if !name.is_empty() {
            out.push(dependency(name, requirement, kind));
        }
    }
    out
}

fn cargo(data: &[u8]) -> Vec<DeclaredDependency> {
    let Some(manifest) = std::str::from_utf8(data)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Vec::new();
    };
    let mut tables: Vec<(&toml::Table, &str)> = Vec::new();
    let sections = [
        ("dependencies", ""),
        ("build-dependencies", "build"),
        ("dev-dependencies", "dev"),
    ];
    for (key, kind) in sections {
        if let Some(toml::Value::Table(t)) = manifest.get(key) {
            tables.push((t, kind));
        }
    }
    if let Some(toml::Value::Table(targets)) = manifest.get("target") {
        for target in targets.values().filter_map(toml::Value::as_table) {
            for (key, kind) in sections {
                if let Some(toml::Value::Table(t)) = target.get(key) {
                    tables.push((t, kind));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (table, kind) in tables {
        for (name, spec) in table {
            let (name, requirement) = match spec {
                toml::Value::String(version) => (name.as_str(), version.clone()),
                toml::Value::Table(detail) => {
                    let text = |key: &str| detail.get(key).and_then(toml::Value::as_str);
                    let renamed = text("package").unwrap_or(name);
                    let requirement = if let Some(git) = text("git") {
                        format!("git+{git}")
                    } else if let Some(path) = text("path") {
                        format!("path:{path}")
                    } else {
                        text("version").unwrap_or("").to_string()
                    };
                    (renamed, requirement)
                }
                _ => (name.as_str(), String::new()),
            };
            out.push(dependency(name, &requirement, kind));
        }
    }
    out
}

fn go_mod(data: &[u8]) -> Vec<DeclaredDependency> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (_, raw) in lines(data, 200_000) {
        let line = String::from_utf8_lossy(raw);
        let line = line.split("//").next().unwrap_or("").trim();
        let spec = if in_block {
            if line == ")" {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        let mut parts = spec.split_whitespace();
        if let (Some(module), Some(version)) = (parts.next(), parts.next()) {
            out.push(dependency(module, version, ""));
        }
    }
    out
}

/// `<dependency id="..." version="..."/>` anywhere under `<dependencies>`; nuspec
/// dependencies are attributes, which the shared walk does not report.
fn nuspec(data: &[u8]) -> Vec<DeclaredDependency> {
    use quick_xml::events::Event as XmlEvent;
    let mut reader = quick_xml::Reader::from_reader(data);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(XmlEvent::Start(tag) | XmlEvent::Empty(tag))
                if tag.local_name().as_ref() == b"dependency" =>
            {
                let mut id = String::new();
                let mut version = String::new();
                for attribute in tag.attributes().flatten() {
                    let value = String::from_utf8_lossy(&attribute.value).into_owned();
                    match attribute.key.local_name().as_ref() {
                        b"id" => id = value,
                        b"version" => version = value,
                        _ => {}
                    }
                }
                if !id.is_empty() {
                    out.push(dependency(&id, &version, ""));
                }
                if out.len() >= MAX_DECLARED {
                    break;
                }
            }
            Ok(XmlEvent::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// `project/dependencies/dependency`, without the `dependencyManagement` section (which
/// only pins versions of dependencies declared elsewhere).
fn pom(data: &[u8]) -> Vec<DeclaredDependency> {
    #[derive(Default)]
    struct Current {
        group: String,
        artifact: String,
        version: String,
        scope: String,
    }
    let mut out = Vec::new();
    let mut current = Current::default();
    let _ = walk(data, |stack, event| {
        let path: Vec<&str> = stack.iter().map(String::as_str).collect();
        match (path.as_slice(), event) {
            (["project", "dependencies", "dependency"], Event::End) => {
                let done = std::mem::take(&mut current);
                if !done.artifact.is_empty() && out.len() < MAX_DECLARED {
                    let scope = match done.scope.as_str() {
                        "test" => "dev",
                        "provided" | "system" => "optional",
                        _ => "",
                    };
                    let name = format!("{}:{}", done.group, done.artifact);
                    out.push(dependency(&name, &done.version, scope));
                }
            }
            (["project", "dependencies", "dependency", field], Event::Text(text)) => {
                let slot = match *field {
                    "groupId" => &mut current.group,
                    "artifactId" => &mut current.artifact,
                    "version" => &mut current.version,
                    "scope" => &mut current.scope,
                    _ => return,
                };
                slot.push_str(text);
            }
            _ => {}
        }
    });
    out
}

/// The `dependencies:` list of a gem specification, read line by line like the rest of
/// the spec (see the module note in `rubygems.rs` on why not with a YAML library).
fn gemspec_yaml(data: &[u8]) -> Vec<DeclaredDependency> {
    let mut out: Vec<DeclaredDependency> = Vec::new();
    let mut in_dependencies = false;
    let mut pending_op: Option<String> = None;
    for (_, raw) in lines(data, 500_000) {
        let line = String::from_utf8_lossy(raw);
        if !line.starts_with([' ', '-']) && !line.is_empty() {
            in_dependencies = line.starts_with("dependencies:");
            continue;
        }
        if !in_dependencies {
            continue;
        }
        let item = line.trim_start_matches([' ', '-']).trim();
        if line.contains("!ruby/object:Gem::Dependency") {
            out.push(dependency("", "", ""));
            continue;
        }
        let Some(last) = out.last_mut() else {
            continue;
        };
        if let Some(name) = item.strip_prefix("name:") {
            if last.name.is_empty() {
                last.name = name.trim().trim_matches(['"', '\'']).to_string();
            }
        } else if let Some(kind) = item.strip_prefix("type:") {
            if kind.trim() == ":development" {
                last.kind = "dev".into();
            }
        } else if item.starts_with('"') && item.len() <= 4 {
            pending_op = Some(item.trim_matches('"').to_string());
        } else if let Some(version) = item.strip_prefix("version:") {
            let version = version.trim().trim_matches(['"', '\'']);
            if let Some(op) = pending_op.take() {
                if !last.requirement.is_empty() {
                    last.requirement.push_str(", ");
                }
                last.requirement.push_str(&format!("{op} {version}"));
            }
        }
        if out.len() > MAX_DECLARED {
            break;
        }
    }
    out.retain(|d| !d.name.is_empty());
    out
}

#[cfg(test)]
mod tests;
