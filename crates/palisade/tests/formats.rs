//! Every artifact format through the real binary: real published artifacts where a
//! registry reachable here provides one, and artifacts built in the real layout for gem,
//! nupkg, Go module zip, jar and bare pom.

mod common;

use common::*;
use sha2::{Digest, Sha256};

/// Asserts the identity a report gives a package.
fn assert_identity(
    report: &serde_json::Value,
    ecosystem: &str,
    name: &str,
    version: &str,
    format: &str,
) {
    let got = (
        &report["ecosystem"],
        &report["name"],
        &report["version"],
        &report["format"],
    );
    assert_eq!(
        got,
        (
            &ecosystem.into(),
            &name.into(),
            &version.into(),
            &format.into()
        ),
        "{report:#}"
    );
}

fn real(name: &str) -> std::path::PathBuf {
    repo_root().join("testdata/real").join(name)
}

#[test]
fn real_npm_tarball_is_clean_with_its_identity_and_digest() {
    let path = real("left-pad-1.3.0.tgz");
    let (code, report) = scan_json(&path);
    assert_eq!(code, 0);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["ecosystem"], "npm");
    assert_eq!(report["name"], "left-pad");
    assert_eq!(report["version"], "1.3.0");
    assert_eq!(report["format"], "npm tarball");
    assert_eq!(report["verdict"], "clean");
    let digest: String = Sha256::digest(std::fs::read(&path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(report["sha256"], digest);
}

#[test]
fn real_npm_install_script_is_reported_with_its_line() {
    let (code, report) = scan_json(&real("esbuild-0.19.0.tgz"));
    assert_eq!(code, 0, "an install script alone is not malicious");
    let hook = finding(&report, "install/npm-script");
    assert_eq!(hook["path"], "package/package.json");
    assert!(
        hook["snippet"]
            .as_str()
            .unwrap()
            .contains("node install.js")
    );
    assert!(hook["line"].as_u64().unwrap() > 1);
}

#[test]
fn real_python_sdist_and_wheel() {
    let (_, sdist) = scan_json(&real("six-1.16.0.tar.gz"));
    assert_identity(&sdist, "PyPI", "six", "1.16.0", "sdist");
    assert!(rules_of(&sdist).contains(&"install/setup-py".to_string()));
    assert_eq!(sdist["verdict"], "clean");
    let (_, wheel) = scan_json(&real("six-1.16.0-py2.py3-none-any.whl"));
    assert_eq!(
        (&wheel["name"], &wheel["format"]),
        (&"six".into(), &"wheel".into())
    );
    assert!(!rules_of(&wheel).contains(&"install/setup-py".to_string()));
}

#[test]
fn real_crates_with_build_script_and_proc_macro() {
    let (_, anyhow) = scan_json(&real("anyhow-1.0.104.crate"));
    assert_eq!(
        (&anyhow["ecosystem"], &anyhow["name"]),
        (&"crates.io".into(), &"anyhow".into())
    );
    assert!(rules_of(&anyhow).contains(&"install/cargo-build-script".to_string()));
    let (_, macro_crate) = scan_json(&real("async-trait-0.1.92.crate"));
    assert!(rules_of(&macro_crate).contains(&"install/proc-macro".to_string()));
    assert_eq!(macro_crate["verdict"], "clean");
}

#[test]
fn gem_with_an_extension() {
    let metadata = b"--- !ruby/object:Gem::Specification\nname: nativething\nversion: !ruby/object:Gem::Version\n  version: 2.1.0\nextensions:\n- ext/nativething/extconf.rb\n";
    let data = tar(&[
        ("lib/nativething.rb", b"module Nativething; end\n"),
        (
            "ext/nativething/extconf.rb",
            b"require 'mkmf'\ncreate_makefile('nativething')\n",
        ),
    ]);
    let gem = tar(&[
        ("metadata.gz", &gzip(metadata)),
        ("data.tar.gz", &gzip(&data)),
        ("checksums.yaml.gz", &gzip(b"---\n")),
    ]);
    let dir = temp_dir("gem");
    let path = dir.join("nativething-2.1.0.gem");
    std::fs::write(&path, gem).unwrap();
    let (_, report) = scan_json(&path);
    assert_identity(&report, "RubyGems", "nativething", "2.1.0", "gem");
    let ext = finding(&report, "install/gem-extension");
    assert!(ext["message"].as_str().unwrap().contains("extconf.rb"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn nupkg_with_install_script_and_msbuild_targets() {
    let nuspec = br#"<?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>Contoso.Tools</id><version>1.4.2</version><authors>c</authors></metadata></package>"#;
    let nupkg = zip(&[
        ("Contoso.Tools.nuspec", nuspec),
        ("lib/net8.0/Contoso.Tools.dll", b"MZ not really"),
        ("tools/install.ps1", b"param($installPath)\nWrite-Host 'hi'\n"),
        ("build/Contoso.Tools.targets", b"<Project><Target Name=\"X\" BeforeTargets=\"Build\"><Exec Command=\"echo\" /></Target></Project>"),
    ]);
    let dir = temp_dir("nupkg");
    let path = dir.join("contoso.tools.1.4.2.nupkg");
    std::fs::write(&path, nupkg).unwrap();
    let (_, report) = scan_json(&path);
    assert_identity(&report, "NuGet", "Contoso.Tools", "1.4.2", "nupkg");
    let rules = rules_of(&report);
    assert!(
        rules.contains(&"install/nuget-powershell".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"install/msbuild-targets".to_string()),
        "{rules:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn go_module_zip_with_init_function() {
    let prefix = "example.com/widgets@v1.2.3";
    let go_mod = format!("{prefix}/go.mod");
    let main = format!("{prefix}/widgets.go");
    let module_zip = zip(&[
        (go_mod.as_str(), b"module example.com/widgets\n\ngo 1.22\n"),
        (
            main.as_str(),
            b"package widgets\n\nfunc init() {\n\tregister()\n}\n",
        ),
    ]);
    let dir = temp_dir("gozip");
    let path = dir.join("v1.2.3.zip");
    std::fs::write(&path, module_zip).unwrap();
    let (_, report) = scan_json(&path);
    assert_identity(
        &report,
        "Go",
        "example.com/widgets",
        "v1.2.3",
        "go module zip",
    );
    let init = finding(&report, "install/go-init");
    assert_eq!(init["line"], 3);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn maven_jar_and_bare_pom_with_plugin_execution() {
    let pom = br#"<project xmlns="http://maven.apache.org/POM/4.0.0"><groupId>org.example</groupId><artifactId>thing</artifactId><version>3.0.1</version>
<build><plugins><plugin><artifactId>exec-maven-plugin</artifactId><executions><execution><phase>compile</phase><goals><goal>exec</goal></goals></execution></executions></plugin></plugins></build></project>"#;
    let jar = zip(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        (
            "META-INF/maven/org.example/thing/pom.properties",
            b"groupId=org.example\nartifactId=thing\nversion=3.0.1\n",
        ),
        ("META-INF/maven/org.example/thing/pom.xml", pom),
        ("org/example/Thing.class", b"\xca\xfe\xba\xbe"),
    ]);
    let dir = temp_dir("maven");
    let jar_path = dir.join("thing-3.0.1.jar");
    std::fs::write(&jar_path, jar).unwrap();
    let (_, report) = scan_json(&jar_path);
    assert_identity(&report, "Maven", "org.example:thing", "3.0.1", "jar");
    let pom_path = dir.join("thing-3.0.1.pom");
    std::fs::write(&pom_path, pom).unwrap();
    let (_, bare) = scan_json(&pom_path);
    assert_eq!(
        (&bare["format"], &bare["name"]),
        (&"pom".into(), &"org.example:thing".into())
    );
    assert!(rules_of(&bare).contains(&"install/maven-plugin".to_string()));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unpacked_folder_is_a_package_too() {
    let dir = temp_dir("folder");
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("pkg/package.json"),
        r#"{"name": "folder-pkg", "version": "0.1.0", "scripts": {"preinstall": "node setup.js"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("pkg/setup.js"), "console.log('hi')\n").unwrap();
    let (_, report) = scan_json(&dir.join("pkg"));
    assert_eq!(
        (&report["name"], &report["format"]),
        (&"folder-pkg".into(), &"directory".into())
    );
    assert!(report["sha256"].is_null());
    assert!(rules_of(&report).contains(&"install/npm-script".to_string()));
    std::fs::remove_dir_all(dir).unwrap();
}
