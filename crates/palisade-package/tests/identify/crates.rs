use super::*;
use palisade_core::{Ecosystem, Phase};

#[test]
fn an_implicit_build_rs_is_an_entry_point() {
    let manifest = b"[package]\nedition = \"2021\"\nname = \"sys-thing\"\nversion = \"0.3.1\"\n\n[lib]\npath = \"src/lib.rs\"\n";
    let package = identify(
        "tar.gz",
        &[
            ("sys-thing-0.3.1/Cargo.toml", manifest),
            (
                "sys-thing-0.3.1/Cargo.toml.orig",
                b"[package]\nname = \"sys-thing\"",
            ),
            ("sys-thing-0.3.1/build.rs", b"fn main() {}"),
            ("sys-thing-0.3.1/src/lib.rs", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::Crates,
        "sys-thing",
        Some("0.3.1"),
        "crate",
        "sys-thing-0.3.1/",
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some("sys-thing-0.3.1/Cargo.toml")
    );
    assert!(package.findings.is_empty());
    let build = only(&package, "install/cargo-build-script");
    assert_eq!(build.phase, Phase::Build);
    assert_eq!(build.path, "sys-thing-0.3.1/build.rs");
    assert_eq!(build.line, None);
    assert_eq!(build.runs_files, vec!["sys-thing-0.3.1/build.rs"]);
}

#[test]
fn a_declared_build_script_and_a_proc_macro_point_at_the_manifest() {
    let manifest = "[package]\nname = \"mac\"\nversion = \"1.0.0\"\nbuild = \"tools/gen.rs\"\n\n[lib]\nproc-macro = true\n";
    let package = identify(
        "tar.gz",
        &[
            ("mac-1.0.0/Cargo.toml", manifest.as_bytes()),
            ("mac-1.0.0/tools/gen.rs", b"fn main() {}"),
            ("mac-1.0.0/src/lib.rs", b""),
        ],
    );
    assert_eq!(
        rules(&package),
        vec!["install/cargo-build-script", "install/proc-macro"]
    );
    let build = only(&package, "install/cargo-build-script");
    assert_eq!(build.path, "mac-1.0.0/Cargo.toml");
    assert_eq!(build.line, Some(4));
    assert_eq!(build.snippet.as_deref(), Some("build = \"tools/gen.rs\""));
    assert_eq!(build.runs_files, vec!["mac-1.0.0/tools/gen.rs"]);
    let proc_macro = only(&package, "install/proc-macro");
    assert_eq!(proc_macro.line, line_of(manifest, "proc-macro"));
    assert_eq!(proc_macro.runs_files, vec!["mac-1.0.0/src/lib.rs"]);
}

#[test]
fn build_false_and_a_plain_library_have_no_entry_points() {
    let manifest = b"[package]\nname = \"plain\"\nversion = \"1.0.0\"\nbuild = false\n";
    let package = identify(
        "tar.gz",
        &[
            ("plain-1.0.0/Cargo.toml", manifest),
            ("plain-1.0.0/build.rs", b"fn main() {}"),
        ],
    );
    assert!(package.entry_points.is_empty());

    let manifest = b"[package]\nname = \"plain\"\nversion = \"1.0.0\"\n[lib]\nproc-macro = false\n";
    let package = identify(
        "tar.gz",
        &[
            ("plain-1.0.0/Cargo.toml", manifest),
            ("plain-1.0.0/src/lib.rs", b""),
        ],
    );
    assert!(package.entry_points.is_empty());
    assert!(package.findings.is_empty());
}

#[test]
fn a_crate_in_someone_elses_folder_is_a_mismatch() {
    let manifest = b"[package]\nname = \"serde_derive\"\nversion = \"1.0.0\"\n";
    let package = identify("tar.gz", &[("serde-1.0.0/Cargo.toml", manifest)]);
    assert_eq!(package.name.as_deref(), Some("serde_derive"));
    assert_eq!(findings(&package), vec!["manifest/layout-mismatch"]);
}
