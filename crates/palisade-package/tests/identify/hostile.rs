//! Hostile manifests give findings, never panics, and cost linear time.

use super::*;
use palisade_core::{Ecosystem, Severity};

fn finding<'p>(package: &'p Package, rule: &str) -> &'p palisade_core::Finding {
    package
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", package.findings))
}

fn unreadable(package: &Package) -> &palisade_core::Finding {
    finding(package, "manifest/unreadable")
}

fn node_only(package: &Package) -> &palisade_core::Finding {
    finding(package, "manifest/node-only-json")
}

/// A manifest npm reads but strict parsers reject must not hide its install scripts.
#[test]
fn json_only_node_accepts_still_shows_its_install_scripts() {
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let cases = [
        "\"description\": \"\\ud800\",".to_string(),
        format!("\"x\": {deep},"),
        "\"n\": 1e400,".to_string(),
    ];
    for quirk in cases {
        let manifest = format!(
            "{{\n  \"name\": \"x\",\n  {quirk}\n  \"scripts\": {{\"preinstall\": \"sh run.sh\"}}\n}}"
        );
        let package = identify("tar.gz", &[("package/package.json", manifest.as_bytes())]);
        assert_eq!(package.name.as_deref(), Some("x"), "{quirk:.40}");
        let finding = node_only(&package);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.line, Some(3), "{quirk:.40}");
        assert!(
            package
                .entry_points
                .iter()
                .any(|e| e.rule.id == "install/npm-script"),
            "{quirk:.40}: {:?}",
            package.entry_points
        );
    }
}

#[test]
fn invalid_json_names_the_file_and_line() {
    let package = identify(
        "tar.gz",
        &[(
            "package/package.json",
            b"{\n  \"name\": \"x\",\n  \"version\": 1.0.0\n}",
        )],
    );
    assert_eq!(package.ecosystem, Some(Ecosystem::Npm));
    let finding = unreadable(&package);
    assert_eq!(finding.severity, Severity::Low);
    assert_eq!(finding.path.as_deref(), Some("package/package.json"));
    assert_eq!(finding.line, Some(3));
    assert!(
        finding.message.contains("package/package.json"),
        "{}",
        finding.message
    );
}

#[test]
fn a_five_megabyte_line_is_refused_with_a_finding() {
    let mut manifest = b"{\"name\": \"".to_vec();
    manifest.extend(std::iter::repeat_n(b'a', 5 * 1024 * 1024));
    manifest.extend(b"\"}");
    let package = identify("tar.gz", &[("package/package.json", &manifest)]);
    assert!(unreadable(&package).message.contains("limit"));

    // Header-only formats read just the headers, so a huge body is fine...
    let mut pkg_info = b"Name: big\nVersion: 1\n\n".to_vec();
    pkg_info.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    let package = identify("tar.gz", &[("big-1/PKG-INFO", &pkg_info)]);
    assert_eq!(package.name.as_deref(), Some("big"));
    // ...and a huge name is cut to a readable length.
    let mut pkg_info = b"Name: ".to_vec();
    pkg_info.extend(std::iter::repeat_n(b'n', 5 * 1024 * 1024));
    let package = identify("tar.gz", &[("big-1/PKG-INFO", &pkg_info)]);
    assert_eq!(package.name.map(|n| n.len()), Some(256));
}

#[test]
fn non_utf8_manifests_give_findings() {
    let package = identify(
        "tar.gz",
        &[(
            "x-1.0.0/Cargo.toml",
            b"[package]\nname = \"x\xff\"\nversion = \"1.0.0\"\n",
        )],
    );
    assert_eq!(package.ecosystem, Some(Ecosystem::Crates));
    let finding = unreadable(&package);
    assert_eq!(finding.line, Some(2));
    assert!(finding.message.contains("UTF-8"));

    // npm decodes package.json leniently, so bad bytes are read as npm reads them.
    let package = identify(
        "tar.gz",
        &[("package/package.json", b"{\"name\": \"\xc3\x28\"}")],
    );
    assert_eq!(package.name.as_deref(), Some("?("));
    assert_eq!(node_only(&package).line, Some(1));

    let package = identify(
        "zip",
        &[(
            "a.nuspec",
            b"<package><metadata><id>\xff</id></metadata></package>",
        )],
    );
    unreadable(&package);
}

#[test]
fn deeply_nested_documents_give_findings() {
    let deep_xml = format!("<package>{}", "<metadata>".repeat(10_000));
    let package = identify("zip", &[("deep.nuspec", deep_xml.as_bytes())]);
    assert_eq!(package.ecosystem, Some(Ecosystem::NuGet));
    assert!(unreadable(&package).message.contains("nested"));

    let deep_pom = format!("<project>{}", "<build>".repeat(10_000));
    let package = identify("file", &[("deep.pom", deep_pom.as_bytes())]);
    assert_eq!(package.format, "pom");
    assert!(unreadable(&package).message.contains("nested"));

    let deep_json = "[".repeat(10_000);
    let package = identify("tar.gz", &[("package/package.json", deep_json.as_bytes())]);
    unreadable(&package);

    let deep_toml = format!(
        "[package]\nname = {}{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let package = identify("tar.gz", &[("x-1/Cargo.toml", deep_toml.as_bytes())]);
    unreadable(&package);
    let package = identify(
        "tar.gz",
        &[
            ("x-1/PKG-INFO", b"Name: x\n"),
            ("x-1/pyproject.toml", deep_toml.as_bytes()),
        ],
    );
    unreadable(&package);
}

#[test]
fn yaml_aliases_are_not_expanded() {
    let mut spec = String::from("--- !ruby/object:Gem::Specification\nname: lol\n");
    spec.push_str(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        spec.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    spec.push_str("extensions: *i\n");
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/x", b""),
        ],
    );
    assert_eq!(package.name.as_deref(), Some("lol"));
    assert!(package.entry_points.is_empty());
}

/// Every manifest name, with every kind of garbage, in every format: no panic, and
/// no quadratic blow-up on one long line full of the tokens the scanners look for.
#[test]
fn garbage_in_every_manifest_never_panics() {
    let tokens = "name=\"x\" \"C\" #cgo func init() import cmdclass={'a': b} .extensions = \"a\" <Exec \"scripts\": \"install\": ";
    let long_line = tokens.repeat(2 * 1024 * 1024 / tokens.len()).into_bytes();
    let payloads: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\xff\xfe\x00\x00garbage\x00".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        "{".repeat(100_000).into_bytes(),
        "<a>".repeat(100_000).into_bytes(),
        long_line,
        b"import os\n".repeat(1000),
    ];
    let paths = [
        "package/package.json",
        "x-1/PKG-INFO",
        "x-1/setup.py",
        "x-1/pyproject.toml",
        "x-1/setup.cfg",
        "metadata.gz!/metadata",
        "x-1/Cargo.toml",
        "a.nuspec",
        "m.io/x@v1.0.0/go.mod",
        "m.io/x@v1.0.0/a.go",
        "META-INF/maven/g/a/pom.properties",
        "META-INF/maven/g/a/pom.xml",
        "pom.xml",
        "x.gemspec",
        "a-1.dist-info/METADATA",
        "a.pth",
        "tools/install.ps1",
        "build/a.targets",
    ];
    let started = std::time::Instant::now();
    for payload in &payloads {
        for path in paths {
            for format in ["tar.gz", "zip", "directory", "file"] {
                let package = identify(format, &[(path, payload)]);
                assert_eq!(package.files.len(), 1);
            }
        }
    }
    eprintln!("garbage sweep took {:?}", started.elapsed());
}
