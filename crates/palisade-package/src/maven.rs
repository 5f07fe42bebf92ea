//! Maven packages: a `.jar` (a zip whose `META-INF/maven/GROUP/ARTIFACT/` holds
//! `pom.properties` and `pom.xml`), a bare `.pom`, or a folder with a `pom.xml`.
//!
//! Maven runs no code when it resolves a dependency, but the plugins a POM binds to
//! build phases (`<executions>`) run whenever that POM is built, including for every
//! project that inherits it as `<parent>`: that is the entry point reported here.

mod pom;

use crate::common::{Ctx, Identity, strip_bom};
use crate::rules;
use crate::text::lines;
use palisade_core::{Ecosystem, PackageFile};

pub(crate) use pom::PLUGIN;

/// `META-INF/MANIFEST.MF` lines read when choosing between several embedded POMs.
const MAX_MANIFEST_LINES: usize = 10_000;

/// How far into a single file to look for its root element.
const ROOT_SNIFF_BYTES: usize = 64 * 1024;

pub(crate) fn jar(ctx: &Ctx) -> Option<Identity> {
    let mut candidates: Vec<&PackageFile> = ctx
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.path.split('/').collect::<Vec<_>>().as_slice(),
                ["META-INF", "maven", _, _, "pom.properties"]
            )
        })
        .collect();
    let manifest = ctx.get("META-INF/MANIFEST.MF");
    if candidates.is_empty() && manifest.is_none() {
        return None;
    }
    candidates.sort_by(|a, b| a.path.cmp(&b.path));
    let format = if ctx.format == "zip" {
        "jar"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::Maven), ctx.format_as(format), "");
    let parsed: Vec<(&PackageFile, Properties)> = candidates
        .into_iter()
        .take(256)
        .map(|f| (f, properties(&f.data)))
        .collect();
    // A shaded jar embeds the POMs of what it bundles; its own artifact is the one
    // its MANIFEST.MF names.
    let names = manifest
        .map(|m| manifest_names(&m.data))
        .unwrap_or_default();
    let own = parsed
        .iter()
        .find(|(_, p)| {
            p.artifact
                .as_ref()
                .is_some_and(|a| names.iter().any(|n| n.contains(a.as_str())))
        })
        .or(parsed.first());
    let Some((file, props)) = own else {
        id.findings.push(rules::UNIDENTIFIED.finding(
            "jar without META-INF/maven/.../pom.properties: name and version are unknown",
        ));
        return Some(id);
    };
    id.manifest_path = Some(file.path.clone());
    match (&props.group, &props.artifact) {
        (Some(group), Some(artifact)) => id.set_name(Some(&format!("{group}:{artifact}"))),
        _ => id.unreadable(&file.path, "no groupId and artifactId", None),
    }
    id.set_version(props.version.as_deref());
    let pom_path = file.path.replace("pom.properties", "pom.xml");
    if let Some(pom) = ctx.get(&pom_path) {
        pom::read(pom, &mut id, false);
    }
    Some(id)
}

/// A lone `.pom` file: XML whose root element is `<project>`.
pub(crate) fn bare_pom(ctx: &Ctx) -> Option<Identity> {
    let [file] = ctx.files else {
        return None;
    };
    if ctx.format != "file" || !root_is_project(&file.data) {
        return None;
    }
    let mut id = Identity::new(Some(Ecosystem::Maven), "pom".to_string(), "");
    pom::read(file, &mut id, true);
    Some(id)
}

pub(crate) fn source(ctx: &Ctx, root: &str) -> Option<Identity> {
    let file = ctx.get(&format!("{root}pom.xml"))?;
    let mut id = Identity::new(Some(Ecosystem::Maven), ctx.format_as(ctx.format), root);
    pom::read(file, &mut id, true);
    Some(id)
}

#[derive(Default)]
struct Properties {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
}

/// The keys of a Java `.properties` file that name an artifact.
fn properties(data: &[u8]) -> Properties {
    let mut props = Properties::default();
    for (_, line) in lines(strip_bom(data), MAX_MANIFEST_LINES) {
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if line.starts_with(['#', '!']) {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match key.trim() {
            "groupId" => props.group = value,
            "artifactId" => props.artifact = value,
            "version" => props.version = value,
            _ => {}
        }
    }
    props
}

/// The values of the MANIFEST.MF headers that name the jar's own artifact.
fn manifest_names(data: &[u8]) -> Vec<String> {
    lines(data, MAX_MANIFEST_LINES)
        .filter_map(|(_, line)| {
            let line = String::from_utf8_lossy(line);
            let (key, value) = line.split_once(':')?;
            matches!(
                key.trim(),
                "Bundle-SymbolicName" | "Implementation-Title" | "Automatic-Module-Name"
            )
            .then(|| value.trim().to_string())
        })
        .filter(|value| !value.is_empty())
        .collect()
}

/// Whether the first element of the document is `<project>` (in any namespace).
fn root_is_project(data: &[u8]) -> bool {
    let data = strip_bom(&data[..data.len().min(ROOT_SNIFF_BYTES)]);
    let mut rest = data;
    loop {
        rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let skip_past =
            |rest: &[u8], end: &[u8]| memchr::memmem::find(rest, end).map(|p| p + end.len());
        let skipped = if rest.starts_with(b"<?") {
            skip_past(rest, b"?>")
        } else if rest.starts_with(b"<!--") {
            skip_past(rest, b"-->")
        } else if rest.starts_with(b"<!") {
            skip_past(rest, b">")
        } else if let Some(tag) = rest.strip_prefix(b"<") {
            let name_len = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(tag.len());
            let name = &tag[..name_len];
            let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
            return local == b"project";
        } else {
            return false;
        };
        match skipped {
            Some(n) => rest = &rest[n..],
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_element_decides_what_a_pom_is() {
        assert!(root_is_project(
            b"\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- c -->\n<project>"
        ));
        assert!(root_is_project(b"<m:project xmlns:m='x'/>"));
        assert!(!root_is_project(b"<settings><project/></settings>"));
        assert!(!root_is_project(b"project"));
    }

    #[test]
    fn properties_read_keys_and_skip_comments() {
        let props = properties(b"#Generated\ngroupId=org.x\nartifactId = y\nversion:1.0\n");
        assert_eq!(props.group.as_deref(), Some("org.x"));
        assert_eq!(props.artifact.as_deref(), Some("y"));
        assert_eq!(props.version.as_deref(), Some("1.0"));
    }
}
