use super::*;
use palisade_core::{Ecosystem, Phase};

const MANIFEST: &str = r#"{
  "name": "@scope/evil",
  "version": "1.0.1",
  "scripts": {
    "test": "node test.js",
    "build": "sh ./scripts/build.sh",
    "preinstall": "node scripts/setup",
    "postinstall": "npm run build && cross-env A=1 node -r ./hook.js index.js"
  }
}"#;

#[test]
fn lifecycle_scripts_are_entry_points_with_the_files_they_run() {
    let package = identify(
        "tar.gz",
        &[
            ("package/package.json", MANIFEST.as_bytes()),
            ("package/scripts/setup.js", b"x"),
            ("package/scripts/build.sh", b"x"),
            ("package/hook.js", b"x"),
            ("package/index.js", b"x"),
            ("package/test.js", b"x"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::Npm,
        "@scope/evil",
        Some("1.0.1"),
        "npm tarball",
        "package/",
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some("package/package.json")
    );
    assert!(package.findings.is_empty());
    assert_eq!(
        rules(&package),
        vec!["install/npm-script", "install/npm-script"]
    );

    let pre = &package.entry_points[0];
    assert_eq!(pre.phase, Phase::Install);
    assert_eq!(pre.path, "package/package.json");
    assert_eq!(pre.line, line_of(MANIFEST, "\"preinstall\""));
    assert_eq!(
        pre.snippet.as_deref(),
        Some(r#""preinstall": "node scripts/setup","#)
    );
    assert_eq!(pre.runs_files, vec!["package/scripts/setup.js"]);
    assert!(pre.message.contains("\"preinstall\"") && pre.message.contains("node scripts/setup"));

    let post = &package.entry_points[1];
    assert_eq!(post.line, line_of(MANIFEST, "\"postinstall\""));
    assert_eq!(
        post.runs_files,
        vec![
            "package/scripts/build.sh",
            "package/hook.js",
            "package/index.js"
        ]
    );
}

#[test]
fn binding_gyp_is_an_implicit_install_script() {
    let manifest = br#"{"name": "native", "version": "2.0.0"}"#;
    let package = identify(
        "tar.gz",
        &[
            ("package/package.json", manifest),
            ("package/binding.gyp", b"{}"),
        ],
    );
    let gyp = only(&package, "install/npm-node-gyp");
    assert_eq!(gyp.path, "package/binding.gyp");
    assert_eq!(gyp.runs_files, vec!["package/binding.gyp"]);

    // An explicit install script replaces it, and `gypfile: false` turns it off.
    for manifest in [
        &br#"{"name": "n", "scripts": {"install": "prebuild-install || node-gyp rebuild"}}"#[..],
        &br#"{"name": "n", "gypfile": false}"#[..],
    ] {
        let package = identify(
            "tar.gz",
            &[
                ("package/package.json", manifest),
                ("package/binding.gyp", b"{}"),
            ],
        );
        assert!(!rules(&package).contains(&"install/npm-node-gyp"));
    }

    // An install script that runs node-gyp itself runs the same binding.gyp.
    let package = identify(
        "tar.gz",
        &[
            (
                "package/package.json",
                &br#"{"name": "n", "scripts": {"install": "prebuild-install || node-gyp rebuild"}}"#[..],
            ),
            ("package/binding.gyp", b"{}"),
        ],
    );
    let script = only(&package, "install/npm-script");
    assert_eq!(script.runs_files, vec!["package/binding.gyp"]);
}

#[test]
fn a_package_without_hooks_has_no_entry_points() {
    let manifest = br#"{"name": "left-pad", "version": "1.3.0", "main": "index.js",
        "scripts": {"test": "node test.js", "prepublishOnly": "npm test", "install_": "x"}}"#;
    let package = identify(
        "tar.gz",
        &[
            ("package/package.json", manifest),
            ("package/index.js", b"module.exports = 1"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::Npm,
        "left-pad",
        Some("1.3.0"),
        "npm tarball",
        "package/",
    );
    assert!(package.entry_points.is_empty());
    assert!(package.findings.is_empty());
}

#[test]
fn another_top_folder_and_a_directory_are_recognised() {
    let manifest = br#"{"name": "x", "version": "0.1.0", "scripts": {"prepare": "husky install"}}"#;
    let package = identify(
        "tar.gz",
        &[("node-x/package.json", manifest), ("node-x/a.js", b"")],
    );
    assert_identity(
        &package,
        Ecosystem::Npm,
        "x",
        Some("0.1.0"),
        "npm tarball",
        "node-x/",
    );
    let prepare = only(&package, "install/npm-prepare");
    assert_eq!(prepare.rule.severity, palisade_core::Severity::Info);
    assert!(prepare.message.contains("from git"), "{}", prepare.message);
    assert!(prepare.runs_files.is_empty());

    let package = identify(
        "directory",
        &[("package.json", manifest), ("src/a.js", b"")],
    );
    assert_identity(
        &package,
        Ecosystem::Npm,
        "x",
        Some("0.1.0"),
        "directory",
        "",
    );
}

#[test]
fn scripts_that_escape_the_package_resolve_to_nothing() {
    let manifest =
        br#"{"name": "x", "scripts": {"postinstall": "node ../../x.js; bash -c 'node ./a'"}}"#;
    let package = identify(
        "tar.gz",
        &[("package/package.json", manifest), ("package/a.js", b"")],
    );
    assert_eq!(
        only(&package, "install/npm-script").runs_files,
        vec!["package/a.js"]
    );
}

#[test]
fn a_script_key_spelled_with_escapes_still_points_at_the_scripts() {
    let manifest = "{\"name\": \"x\",\n\"scripts\": {\n\"post\\u0069nstall\": \"node a.js\"}}";
    let package = identify("tar.gz", &[("package/package.json", manifest.as_bytes())]);
    let point = only(&package, "install/npm-script");
    assert_eq!(point.line, Some(2));
}
