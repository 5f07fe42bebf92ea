//! Real published artifacts (see `testdata/real/README.md`) unpack completely, with the
//! file names their registries serve, and without a single finding or error.

mod common;

use common::{assert_clean, file, paths, real};
use palisade_archive::{Limits, unpack_bytes};

fn unpack(name: &str) -> palisade_archive::Unpacked {
    unpack_bytes(name, &real(name), &Limits::default())
}

#[test]
fn npm_tarball_left_pad() {
    let out = unpack("left-pad-1.3.0.tgz");
    assert_clean(&out);
    assert_eq!(out.format, "tar.gz");
    assert_eq!(
        paths(&out),
        [
            "package/package.json",
            "package/.travis.yml",
            "package/COPYING",
            "package/index.d.ts",
            "package/index.js",
            "package/README.md",
            "package/test.js",
            "package/perf/es6Repeat.js",
            "package/perf/O(n).js",
            "package/perf/perf.js",
        ]
    );
    assert_eq!(out.entries, 10);
    let manifest = std::str::from_utf8(file(&out, "package/package.json")).unwrap();
    assert!(manifest.contains("\"version\": \"1.3.0\""), "{manifest}");
    assert_eq!(file(&out, "package/index.js").len(), 1469);
}

#[test]
fn npm_tarball_with_an_install_script() {
    let out = unpack("esbuild-0.19.0.tgz");
    assert_clean(&out);
    assert_eq!(out.format, "tar.gz");
    let mut names = paths(&out);
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "package/LICENSE.md",
            "package/README.md",
            "package/bin/esbuild",
            "package/install.js",
            "package/lib/main.d.ts",
            "package/lib/main.js",
            "package/package.json",
        ]
    );
    let manifest = std::str::from_utf8(file(&out, "package/package.json")).unwrap();
    assert!(manifest.contains("\"postinstall\": \"node install.js\""));
    assert_eq!(file(&out, "package/lib/main.js").len(), 87585);
}

#[test]
fn python_sdist() {
    let out = unpack("six-1.16.0.tar.gz");
    assert_clean(&out);
    assert_eq!(out.format, "tar.gz");
    let names = paths(&out);
    for expected in [
        "six-1.16.0/PKG-INFO",
        "six-1.16.0/setup.py",
        "six-1.16.0/six.py",
        "six-1.16.0/six.egg-info/top_level.txt",
        "six-1.16.0/documentation/conf.py",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // 16 files plus 3 folders; folders are counted as entries but carry no file.
    assert_eq!(names.len(), 16, "{names:?}");
    assert_eq!(out.entries, 19);
    assert_eq!(file(&out, "six-1.16.0/six.py").len(), 34549);
}

#[test]
fn python_wheel() {
    let out = unpack("six-1.16.0-py2.py3-none-any.whl");
    assert_clean(&out);
    assert_eq!(out.format, "zip");
    assert_eq!(
        paths(&out),
        [
            "six.py",
            "six-1.16.0.dist-info/LICENSE",
            "six-1.16.0.dist-info/METADATA",
            "six-1.16.0.dist-info/WHEEL",
            "six-1.16.0.dist-info/top_level.txt",
            "six-1.16.0.dist-info/RECORD",
        ]
    );
    assert_eq!(file(&out, "six.py").len(), 34549);
    assert!(file(&out, "six-1.16.0.dist-info/WHEEL").starts_with(b"Wheel-Version: 1.0"));
}

#[test]
fn crate_with_a_build_script() {
    let out = unpack("anyhow-1.0.104.crate");
    assert_clean(&out);
    assert_eq!(out.format, "tar.gz");
    let names = paths(&out);
    for expected in [
        "anyhow-1.0.104/Cargo.toml",
        "anyhow-1.0.104/build.rs",
        "anyhow-1.0.104/src/lib.rs",
        "anyhow-1.0.104/.cargo_vcs_info.json",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let manifest = std::str::from_utf8(file(&out, "anyhow-1.0.104/Cargo.toml")).unwrap();
    assert!(manifest.contains("build = \"build.rs\""));
    assert!(names.iter().all(|n| n.starts_with("anyhow-1.0.104/")));
}

#[test]
fn proc_macro_crate() {
    let out = unpack("async-trait-0.1.92.crate");
    assert_clean(&out);
    assert_eq!(out.format, "tar.gz");
    let manifest = std::str::from_utf8(file(&out, "async-trait-0.1.92/Cargo.toml")).unwrap();
    assert!(manifest.contains("proc-macro = true"));
    assert!(paths(&out).contains(&"async-trait-0.1.92/src/expand.rs"));
    assert!(
        paths(&out)
            .iter()
            .all(|n| n.starts_with("async-trait-0.1.92/"))
    );
}

#[test]
fn unpack_file_reads_the_artifact_from_disk() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/real/left-pad-1.3.0.tgz");
    let (data, out) = palisade_archive::unpack_file(&path, &Limits::default()).unwrap();
    assert_eq!(data.len(), 3619);
    assert_clean(&out);
    assert_eq!(out.files.len(), 10);

    let small = Limits {
        max_artifact_bytes: 1000,
        ..Limits::default()
    };
    let err = palisade_archive::unpack_file(&path, &small).unwrap_err();
    assert!(err.to_string().contains("artifact size limit"), "{err}");
}
