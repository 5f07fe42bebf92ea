use super::*;

#[test]
fn files_without_a_manifest_are_unidentified() {
    let package = identify(
        "tar.gz",
        &[("stuff/run.py", b"print(1)"), ("stuff/README", b"")],
    );
    assert_eq!(package.ecosystem, None);
    assert_eq!(package.name, None);
    assert_eq!(package.format, "tar.gz");
    assert_eq!(package.root, "stuff/");
    assert_eq!(findings(&package), vec!["manifest/unidentified"]);
    assert_eq!(package.findings[0].severity, palisade_core::Severity::Info);
    assert!(package.entry_points.is_empty());

    let package = identify("file", &[("notes.xml", b"<settings/>")]);
    assert_eq!(package.ecosystem, None);
    assert_eq!(package.format, "file");
}

#[test]
fn files_are_moved_in_unchanged() {
    let entries: [(&str, &[u8]); 2] = [
        ("package/package.json", br#"{"name": "a"}"#),
        ("package/a.js", b"1"),
    ];
    let package = identify("tar.gz", &entries);
    let paths: Vec<_> = package.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["package/package.json", "package/a.js"]);
    assert_eq!(
        package.root_file("a.js").map(|f| f.data.as_slice()),
        Some(&b"1"[..])
    );
}

#[test]
fn every_entry_point_rule_is_documented() {
    let ids: Vec<_> = palisade_package::RULES.iter().map(|r| r.id).collect();
    let package = identify(
        "tar.gz",
        &[
            (
                "package/package.json",
                br#"{"name": "a", "scripts": {"install": "x"}}"#,
            ),
            ("package/binding.gyp", b""),
        ],
    );
    for point in &package.entry_points {
        assert!(ids.contains(&point.rule.id), "{}", point.rule.id);
    }
    for rule in palisade_package::RULES {
        assert!(rule.id.starts_with("install/") || rule.id.starts_with("manifest/"));
    }
}

#[test]
fn folders_are_identified_by_their_root_manifest() {
    use palisade_core::Ecosystem;
    let crate_dir = identify(
        "directory",
        &[
            (
                "Cargo.toml",
                b"[package]\nname = \"c\"\nversion = \"0.1.0\"\n",
            ),
            ("build.rs", b""),
        ],
    );
    assert_identity(
        &crate_dir,
        Ecosystem::Crates,
        "c",
        Some("0.1.0"),
        "directory",
        "",
    );
    assert_eq!(rules(&crate_dir), vec!["install/cargo-build-script"]);

    let nuget_dir = identify(
        "directory",
        &[(
            "n.nuspec",
            b"<package><metadata><id>N</id><version>1.0.0</version></metadata></package>",
        )],
    );
    assert_identity(
        &nuget_dir,
        Ecosystem::NuGet,
        "N",
        Some("1.0.0"),
        "directory",
        "",
    );

    let python_dir = identify(
        "directory",
        &[
            (
                "pyproject.toml",
                b"[project]\nname = \"p\"\nversion = \"1\"\n",
            ),
            ("setup.py", b"setup()\n"),
        ],
    );
    assert_identity(
        &python_dir,
        Ecosystem::PyPI,
        "p",
        Some("1"),
        "directory",
        "",
    );
    assert_eq!(rules(&python_dir), vec!["install/setup-py"]);

    // A folder holding an unpacked npm tarball.
    let wrapped = identify(
        "directory",
        &[(
            "package/package.json",
            br#"{"name": "w", "version": "1.0.0"}"#,
        )],
    );
    assert_identity(
        &wrapped,
        Ecosystem::Npm,
        "w",
        Some("1.0.0"),
        "directory",
        "package/",
    );
}
