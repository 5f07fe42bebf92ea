//! Formats the osv-scanner fixtures do not cover (uv.lock, pylock.toml, packages.config,
//! csproj, the packages.lock.json graph), and the fields they do not check (direct,
//! parents, lines) for Cargo.lock, Gemfile.lock, go.mod, pom.xml and gradle lockfiles,
//! on small files shaped like the real ones.

mod common;

use std::path::Path;

use common::{find, parse};
use palisade_deps::{Ecosystem, LockfileKind};

const UV_LOCK: &str = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "requests" }]

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "certifi"
version = "2024.8.30"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pluggy" }]

[[package]]
name = "pluggy"
version = "1.5.0"
source = { git = "https://github.com/pytest-dev/pluggy?rev=main#0b41f18f1f1e2dd6cc5b0f4b8d1b0c4e4b1f7a9c" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "certifi" }]
"#;

#[test]
fn uv_lock_derives_direct_groups_and_parents_from_the_workspace_member() {
    let deps = parse(LockfileKind::UvLock, "uv.lock", UV_LOCK);
    assert!(
        deps.iter().all(|d| d.name != "app"),
        "the project itself is not a dependency"
    );
    assert_eq!(deps.len(), 5);
    let requests = find(&deps, "requests");
    assert_eq!((requests.direct, requests.groups.len()), (Some(true), 0));
    let certifi = find(&deps, "certifi");
    assert_eq!(
        (certifi.direct, certifi.parents.as_slice()),
        (Some(false), ["requests".to_string()].as_slice())
    );
    assert_eq!(find(&deps, "pysocks").groups, ["optional"]);
    assert_eq!(find(&deps, "pytest").groups, ["dev"]);
    let pluggy = find(&deps, "pluggy");
    assert_eq!(pluggy.groups, ["dev"], "reached only through the dev group");
    assert_eq!(
        pluggy.commit.as_deref(),
        Some("0b41f18f1f1e2dd6cc5b0f4b8d1b0c4e4b1f7a9c")
    );
    assert_eq!(certifi.line, Some(17), "the line of its `name`");
}

const PYLOCK: &str = r#"lock-version = "1.0"
environments = ["sys_platform == 'linux'"]
requires-python = ">=3.10"
extras = ["crypto"]
dependency-groups = ["dev"]
default-groups = []
created-by = "example-locker"

[[packages]]
name = "attrs"
version = "25.1.0"
index = "https://pypi.org/simple"

[[packages.wheels]]
name = "attrs-25.1.0-py3-none-any.whl"
url = "https://files.example/attrs-25.1.0-py3-none-any.whl"
hashes = { sha256 = "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a" }

[[packages]]
name = "pytest"
version = "8.3.4"
marker = "'dev' in dependency_groups"
dependencies = [{ name = "pluggy" }]

[[packages]]
name = "pluggy"
version = "1.5.0"
marker = "'dev' in dependency_groups"

[[packages]]
name = "cryptography"
marker = "'crypto' in extras"

[packages.vcs]
type = "git"
url = "https://github.com/pyca/cryptography.git"
requested-revision = "main"
commit-id = "4a5e6a3ea5f4a6c1f8b1d2e0c9a7b8d6e5f4a3b2"
"#;

#[test]
fn pylock_reads_versions_vcs_commits_and_marker_groups() {
    let deps = parse(LockfileKind::PyLock, "pylock.toml", PYLOCK);
    assert_eq!(deps.len(), 4);
    let attrs = find(&deps, "attrs");
    assert_eq!(
        (attrs.version.as_str(), attrs.groups.len(), attrs.line),
        ("25.1.0", 0, Some(10))
    );
    assert_eq!(find(&deps, "pytest").groups, ["dev"]);
    assert_eq!(find(&deps, "pluggy").parents, ["pytest"]);
    let crypto = find(&deps, "cryptography");
    assert_eq!(crypto.version, "", "a VCS package may have no version");
    assert_eq!(
        crypto.commit.as_deref(),
        Some("4a5e6a3ea5f4a6c1f8b1d2e0c9a7b8d6e5f4a3b2")
    );
    assert_eq!(crypto.groups, ["crypto"]);
    assert_eq!(
        LockfileKind::from_path(Path::new("pylock.docs.toml")),
        Some(LockfileKind::PyLock)
    );
}

#[test]
fn packages_config_lists_packages_with_lines_and_dev_flags() {
    let text = r#"<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Newtonsoft.Json" version="13.0.3" targetFramework="net472" />
  <package id="StyleCop.Analyzers" version="1.1.118" targetFramework="net472" developmentDependency="true" />
</packages>
"#;
    let deps = parse(LockfileKind::PackagesConfig, "packages.config", text);
    assert_eq!(deps.len(), 2);
    let json = find(&deps, "Newtonsoft.Json");
    assert_eq!(
        (json.ecosystem, json.version.as_str(), json.line),
        (Ecosystem::NuGet, "13.0.3", Some(3))
    );
    assert_eq!(find(&deps, "StyleCop.Analyzers").groups, ["dev"]);
}

#[test]
fn csproj_reads_attribute_and_element_versions_and_properties() {
    let text = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <SerilogVersion>3.1.1</SerilogVersion>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    <PackageReference Include="Serilog" Version="$(SerilogVersion)" />
    <PackageReference Include="xunit">
      <Version>2.9.0</Version>
    </PackageReference>
    <PackageReference Include="Roslynator.Analyzers" Version="4.12.4">
      <PrivateAssets>all</PrivateAssets>
    </PackageReference>
    <PackageReference Include="Polly" Version="[8.0.0,9.0.0)" />
    <PackageReference Include="Humanizer" Version="2.*" />
  </ItemGroup>
</Project>
"#;
    let deps = parse(LockfileKind::Csproj, "App.csproj", text);
    let v = |n: &str| find(&deps, n).version.clone();
    assert_eq!(v("Newtonsoft.Json"), "13.0.3");
    assert_eq!(v("Serilog"), "3.1.1", "$(SerilogVersion) is substituted");
    assert_eq!(v("xunit"), "2.9.0", "Version as a child element");
    assert_eq!(v("Polly"), "", "a range is not a version");
    assert_eq!(v("Humanizer"), "", "a floating version is not a version");
    assert_eq!(find(&deps, "Roslynator.Analyzers").groups, ["dev"]);
    assert_eq!(find(&deps, "xunit").line, Some(9));
    assert_eq!(
        LockfileKind::from_path(Path::new("src/Lib.fsproj")),
        Some(LockfileKind::Csproj)
    );
}

#[test]
fn nuget_lock_merges_frameworks_and_records_the_graph() {
    let text = r#"{
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Serilog.Sinks.Console": { "type": "Direct", "requested": "[5.0.1, )", "resolved": "5.0.1",
        "contentHash": "x", "dependencies": { "Serilog": "3.1.1" } },
      "Serilog": { "type": "Transitive", "resolved": "3.1.1", "contentHash": "y" },
      "MyLib": { "type": "Project" }
    },
    "net8.0": {
      "Serilog": { "type": "Transitive", "resolved": "3.1.1", "contentHash": "y" }
    }
  }
}"#;
    let deps = parse(LockfileKind::NugetLock, "packages.lock.json", text);
    assert_eq!(
        deps.len(),
        2,
        "MyLib is a project reference; Serilog is merged across frameworks"
    );
    let serilog = find(&deps, "Serilog");
    assert_eq!(
        (serilog.direct, serilog.parents.as_slice()),
        (
            Some(false),
            ["Serilog.Sinks.Console".to_string()].as_slice()
        )
    );
    assert_eq!(find(&deps, "Serilog.Sinks.Console").direct, Some(true));
}

#[test]
fn cargo_gemfile_and_go_record_direct_dependencies() {
    let cargo = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde", "rand 0.8.5"]

[[package]]
name = "serde"
version = "1.0.210"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "git+https://github.com/rust-random/rand?branch=master#937320cbfeebd4352a23086d9c6e68f067f74644"
dependencies = ["serde"]
"#;
    let deps = parse(LockfileKind::CargoLock, "Cargo.lock", cargo);
    let rand = find(&deps, "rand");
    assert_eq!(
        rand.commit.as_deref(),
        Some("937320cbfeebd4352a23086d9c6e68f067f74644")
    );
    assert_eq!((rand.direct, rand.line), (Some(true), Some(14)));
    assert_eq!(find(&deps, "serde").parents, ["app", "rand"]);

    let gemfile = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.1.7)\n    rack-test (2.1.0)\n      rack (>= 1.3)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack-test\n";
    let deps = parse(LockfileKind::GemfileLock, "Gemfile.lock", gemfile);
    assert_eq!(find(&deps, "rack").parents, ["rack-test"]);
    assert_eq!(
        (find(&deps, "rack").direct, find(&deps, "rack-test").direct),
        (Some(false), Some(true))
    );

    let gomod = "module example.com/app\n\ngo 1.22\n\ntoolchain go1.22.5\n\nrequire (\n\tgolang.org/x/text v0.16.0\n\tgolang.org/x/sys v0.21.0 // indirect\n)\n";
    let deps = parse(LockfileKind::GoMod, "go.mod", gomod);
    assert_eq!(
        find(&deps, "stdlib").version,
        "1.22.5",
        "toolchain wins over the go line"
    );
    assert_eq!(find(&deps, "golang.org/x/sys").direct, Some(false));
    assert_eq!(find(&deps, "golang.org/x/text").line, Some(8));
}

#[test]
fn pom_interpolates_project_and_parent_versions_and_managed_versions() {
    let text = r#"<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>2.0.0</version></parent>
  <artifactId>app</artifactId>
  <version>1.5.0</version>
  <properties><jackson.version>2.17.1</jackson.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.13</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>${project.groupId}</groupId><artifactId>core</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>org.example</groupId><artifactId>bom-user</artifactId><version>${parent.version}</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>[4.13.2]</version><scope>test</scope></dependency>
  </dependencies>
</project>"#;
    let deps = parse(LockfileKind::Pom, "pom.xml", text);
    let v = |n: &str| find(&deps, n).version.clone();
    assert_eq!(
        v("org.example:core"),
        "1.5.0",
        "groupId inherited from the parent, version the project's"
    );
    assert_eq!(v("org.example:bom-user"), "2.0.0");
    assert_eq!(v("com.fasterxml.jackson.core:jackson-databind"), "2.17.1");
    assert_eq!(
        v("org.slf4j:slf4j-api"),
        "2.0.13",
        "version from dependencyManagement"
    );
    assert!(
        find(&deps, "org.slf4j:slf4j-api").groups.is_empty(),
        "used, so not managed-only"
    );
    assert_eq!(
        (v("junit:junit"), find(&deps, "junit:junit").groups.clone()),
        ("4.13.2".to_string(), vec!["test".to_string()])
    );
}

#[test]
fn gradle_lockfile_marks_test_only_modules() {
    let text = "# This is a Gradle generated file for dependency locking.\norg.slf4j:slf4j-api:2.0.13=compileClasspath,runtimeClasspath\njunit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\nbroken-line\nempty=annotationProcessor\n";
    let deps = parse(LockfileKind::GradleLock, "gradle.lockfile", text);
    assert_eq!(deps.len(), 2);
    assert_eq!(find(&deps, "junit:junit").groups, ["test"]);
    assert_eq!(find(&deps, "org.slf4j:slf4j-api").line, Some(2));
    assert_eq!(
        LockfileKind::from_path(Path::new("buildscript-gradle.lockfile")),
        Some(LockfileKind::GradleLock)
    );
}
