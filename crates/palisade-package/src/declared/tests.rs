use super::*;

fn package(ecosystem: Ecosystem, path: &str, data: &str) -> Package {
    Package {
        ecosystem: Some(ecosystem),
        manifest_path: Some(path.into()),
        files: vec![PackageFile {
            path: path.into(),
            data: data.as_bytes().to_vec(),
        }],
        ..Package::default()
    }
}

fn names(deps: &[DeclaredDependency]) -> Vec<String> {
    deps.iter()
        .map(|d| format!("{}|{}|{}", d.name, d.requirement, d.kind))
        .collect()
}

#[test]
fn npm_groups_are_kept() {
    let p = package(
        Ecosystem::Npm,
        "package/package.json",
        r#"{"name":"x","dependencies":{"a":"^1.0.0","b":"github:u/b"},
           "devDependencies":{"t":"1"},"scripts":{"postinstall":"node i.js"}}"#,
    );
    assert_eq!(
        names(&declared_dependencies(&p)),
        ["a|^1.0.0|", "b|github:u/b|", "t|1|dev"]
    );
    assert_eq!(
        declared_npm_scripts(&p),
        [("postinstall".to_string(), "node i.js".to_string())]
    );
}

#[test]
fn python_requires_dist_stops_at_the_body() {
    let p = package(
        Ecosystem::PyPI,
        "x-1/PKG-INFO",
        "Metadata-Version: 2.1\nName: x\nRequires-Dist: requests (>=2.0)\n\
         Requires-Dist: pytest; extra == \"test\"\n\nRequires-Dist: not-a-header\n",
    );
    assert_eq!(
        names(&declared_dependencies(&p)),
        ["requests|>=2.0|", "pytest||optional"]
    );
}

#[test]
fn cargo_tables_git_and_renames() {
    let p = package(
        Ecosystem::Crates,
        "x-1.0.0/Cargo.toml",
        "[package]\nname='x'\n[dependencies]\nserde = '1'\nfoo = { git = 'https://e.invalid/foo' }\n\
         bar = { package = 'real-bar', version = '2' }\n[build-dependencies]\ncc = '1'\n",
    );
    assert_eq!(
        names(&declared_dependencies(&p)),
        [
            "real-bar|2|",
            "foo|git+https://e.invalid/foo|",
            "serde|1|",
            "cc|1|build"
        ]
    );
}

#[test]
fn go_mod_single_and_block_requires() {
    let p = package(
        Ecosystem::Go,
        "go.mod",
        "module m\nrequire a.io/x v1.0.0\nrequire (\n\tb.io/y v0.2.0 // indirect\n)\n",
    );
    assert_eq!(
        names(&declared_dependencies(&p)),
        ["a.io/x|v1.0.0|", "b.io/y|v0.2.0|"]
    );
}

#[test]
fn nuspec_and_pom() {
    let nuspec = package(
        Ecosystem::NuGet,
        "x.nuspec",
        r#"<package><metadata><dependencies><group targetFramework="net8.0">
           <dependency id="Newtonsoft.Json" version="13.0.3" /></group></dependencies></metadata></package>"#,
    );
    assert_eq!(
        names(&declared_dependencies(&nuspec)),
        ["Newtonsoft.Json|13.0.3|"]
    );
    let pom = package(
        Ecosystem::Maven,
        "pom.xml",
        "<project><dependencyManagement><dependencies><dependency><groupId>m</groupId>\
         <artifactId>managed</artifactId></dependency></dependencies></dependencyManagement>\
         <dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId>\
         <version>1.0</version></dependency><dependency><groupId>junit</groupId>\
         <artifactId>junit</artifactId><scope>test</scope></dependency></dependencies></project>",
    );
    assert_eq!(
        names(&declared_dependencies(&pom)),
        ["g:a|1.0|", "junit:junit||dev"]
    );
}

#[test]
fn gem_spec_dependencies() {
    let spec = "--- !ruby/object:Gem::Specification\nname: x\ndependencies:\n\
- !ruby/object:Gem::Dependency\n  name: rack\n  requirement: !ruby/object:Gem::Requirement\n    requirements:\n    - - \"~>\"\n      - !ruby/object:Gem::Version\n        version: '2.0'\n  type: :runtime\n\
- !ruby/object:Gem::Dependency\n  name: rspec\n  requirement: !ruby/object:Gem::Requirement\n    requirements:\n    - - \">=\"\n      - !ruby/object:Gem::Version\n        version: '0'\n  type: :development\n\
description: x\n";
    let p = package(Ecosystem::RubyGems, "metadata.gz!/metadata", spec);
    assert_eq!(
        names(&declared_dependencies(&p)),
        ["rack|~> 2.0|", "rspec|>= 0|dev"]
    );
}

#[test]
fn unreadable_manifests_declare_nothing() {
    for eco in Ecosystem::ALL {
        let p = package(eco, "m", "\u{0}{[<<not a manifest");
        assert!(declared_dependencies(&p).is_empty(), "{eco}");
    }
}
