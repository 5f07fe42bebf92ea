use super::*;
use palisade_core::{Ecosystem, Phase};

const P: &str = "github.com/!example/mux@v1.8.1/";

fn path(rest: &str) -> String {
    format!("{P}{rest}")
}

#[test]
fn a_module_zip_reports_init_and_cgo_once_per_file() {
    let init = "package mux\n\nimport \"os\"\n\nfunc init() {\n\tos.Getenv(\"HOME\")\n}\n";
    let cgo = "package mux\n\n// #cgo LDFLAGS: -lcrypto\n// #include <stdio.h>\nimport \"C\"\n";
    let both = "package mux\n\n/*\n#include <stdio.h>\n*/\nimport \"C\"\n\nfunc init() {}\n";
    let files = [
        (path("go.mod"), "module github.com/Example/mux\n\ngo 1.20\n"),
        (path("a.go"), init),
        (path("b.go"), cgo),
        (path("c.go"), both),
        (path("a_test.go"), init),
        (path("testdata/x.go"), init),
        (path("plain.go"), "package mux\n\nfunc Init() {}\n"),
    ];
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_bytes()))
        .collect();
    let package = identify("zip", &entries);
    assert_identity(
        &package,
        Ecosystem::Go,
        "github.com/Example/mux",
        Some("v1.8.1"),
        "go module zip",
        P,
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some(path("go.mod").as_str())
    );
    assert!(package.findings.is_empty(), "{:?}", package.findings);
    assert_eq!(
        rules(&package),
        vec!["install/go-init", "install/go-cgo", "install/go-init"]
    );

    let a = &package.entry_points[0];
    assert_eq!(a.phase, Phase::Import);
    assert_eq!(a.path, path("a.go"));
    assert_eq!(a.line, Some(5));
    assert_eq!(a.snippet.as_deref(), Some("func init() {"));
    assert_eq!(a.runs_files, vec![path("a.go")]);

    let b = &package.entry_points[1];
    assert_eq!(b.phase, Phase::Build);
    assert_eq!(b.line, Some(3));

    let c = &package.entry_points[2];
    assert_eq!(c.path, path("c.go"));
    assert!(c.message.contains("cgo"));
}

#[test]
fn a_go_mod_naming_another_module_is_a_mismatch() {
    let package = identify(
        "zip",
        &[
            ("example.com/a@v0.1.0/go.mod", b"module example.com/b\n"),
            ("example.com/a@v0.1.0/a.go", b"package a\n"),
        ],
    );
    assert_eq!(package.name.as_deref(), Some("example.com/b"));
    assert_eq!(findings(&package), vec!["manifest/layout-mismatch"]);
    assert!(package.entry_points.is_empty());
}

#[test]
fn a_zip_without_go_mod_is_named_by_its_prefix_and_a_folder_by_go_mod() {
    let package = identify(
        "zip",
        &[("example.com/old@v1.0.0/old.go", b"package old\n")],
    );
    assert_identity(
        &package,
        Ecosystem::Go,
        "example.com/old",
        Some("v1.0.0"),
        "go module zip",
        "example.com/old@v1.0.0/",
    );

    let package = identify(
        "directory",
        &[
            (
                "go.mod",
                b"// comment\nmodule \"example.com/src\" // trailing\n",
            ),
            ("main.go", b"package main\n"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::Go,
        "example.com/src",
        None,
        "directory",
        "",
    );
}
