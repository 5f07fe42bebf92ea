use super::*;
use crate::ArtifactManifest;
use palisade_core::{DeclaredDependency, Ecosystem, ReleaseInfo, VersionInfo};

const NOW: i64 = 1_750_000_000;
const YEAR: i64 = 365 * DAY;

fn person(name: &str, email: &str) -> Maintainer {
    Maintainer {
        name: Some(name.into()),
        email: Some(email.into()),
    }
}

fn version(v: &str, published: i64) -> VersionInfo {
    VersionInfo {
        version: v.into(),
        published: Some(published),
        yanked: false,
    }
}

/// An established package: five years old, several versions, a matching repository.
fn established() -> PackageMetadata {
    PackageMetadata {
        name: "tidy-colors".into(),
        created: Some(NOW - 5 * YEAR),
        versions: vec![
            version("1.0.0", NOW - 5 * YEAR),
            version("1.1.0", NOW - 4 * YEAR),
            version("1.2.0", NOW - 100 * DAY),
            version("1.3.0", NOW - 10 * DAY),
        ],
        maintainers: vec![person("ann", "ann@tidy.dev")],
        repository: Some("git+https://example.org/ann/tidy-colors.git".into()),
        release: Some(ReleaseInfo {
            version: "1.3.0".into(),
            published: Some(NOW - 10 * DAY),
            publisher: Some(person("ann", "ann@tidy.dev")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn run(
    meta: &PackageMetadata,
    prev: Option<&ReleaseInfo>,
    art: Option<&ArtifactManifest>,
) -> Vec<Finding> {
    let ctx = MetadataContext {
        metadata: Some(meta),
        previous_release: prev,
        artifact_manifest: art,
        ..MetadataContext::new(Ecosystem::Npm, &meta.name, NOW)
    };
    check(&ctx)
}

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn an_established_package_raises_nothing() {
    let meta = established();
    let prev = ReleaseInfo {
        version: "1.2.0".into(),
        publisher: Some(person("Ann", "ANN@tidy.dev")),
        ..Default::default()
    };
    assert_eq!(run(&meta, Some(&prev), None), vec![]);
}

#[test]
fn a_new_package_is_reported_with_its_age_and_version_count() {
    let mut meta = established();
    meta.created = None;
    meta.versions = vec![version("0.0.1", NOW - 2 * DAY)];
    let found = run(&meta, None, None);
    assert_eq!(rules(&found), ["registry/new-package"]);
    assert!(
        found[0].message.contains("2 days ago and has 1 version(s)"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("few versions"));
}

#[test]
fn a_change_of_publisher_between_releases_is_reported() {
    let meta = established();
    let prev = ReleaseInfo {
        version: "1.2.0".into(),
        publisher: Some(person("bob", "bob@elsewhere.dev")),
        ..Default::default()
    };
    let found = run(&meta, Some(&prev), None);
    assert_eq!(rules(&found), ["registry/new-publisher"]);
    assert!(
        found[0]
            .message
            .contains("previous version 1.2.0 by bob <bob@elsewhere.dev>")
    );
    // Without the previous release, a publisher who is no maintainer is also a change.
    let mut meta = established();
    meta.release.as_mut().unwrap().publisher = Some(person("mallory", "m@evil.dev"));
    assert_eq!(rules(&run(&meta, None, None)), ["registry/new-publisher"]);
}

#[test]
fn a_release_after_years_of_silence_is_reported() {
    let mut meta = established();
    meta.versions.retain(|v| v.version != "1.2.0");
    let found = run(&meta, None, None);
    assert_eq!(rules(&found), ["registry/dormant-revival"]);
    assert!(
        found[0].message.contains("1450 days after"),
        "{}",
        found[0].message
    );
}

#[test]
fn disposable_and_placeholder_domains_are_recognised() {
    assert!(disposable("x@mailinator.com"));
    assert!(disposable("x@eu.GuerrillaMail.com"));
    assert!(disposable("x@example.com"));
    assert!(disposable("x@host.invalid"));
    assert!(!disposable("x@gmail.com"));
    assert!(!disposable("x@notmailinator.com"));
    assert!(!disposable("no-at-sign"));
    let mut meta = established();
    meta.maintainers
        .push(person("throwaway", "a@10minutemail.com"));
    let found = run(&meta, None, None);
    assert_eq!(rules(&found), ["registry/disposable-email"]);
    assert_eq!(found[0].snippet.as_deref(), Some("a@10minutemail.com"));
}

#[test]
fn repositories_are_missing_unrelated_or_fine() {
    let mut meta = established();
    meta.repository = None;
    assert_eq!(rules(&run(&meta, None, None)), ["registry/no-repository"]);
    meta.repository = Some("https://example.org/someone/express".into());
    let found = run(&meta, None, None);
    assert_eq!(rules(&found), ["registry/repository-mismatch"]);
    assert!(
        found[0].message.contains("popular `express`"),
        "{}",
        found[0].message
    );
    // Monorepos and scoped names relate by a shared word.
    meta.name = "@tidy/colors-core".into();
    meta.repository = Some("https://example.org/tidy/tidy.git".into());
    assert_eq!(run(&meta, None, None), vec![]);
}

#[test]
fn registry_and_artifact_manifests_that_disagree_are_reported() {
    let mut meta = established();
    let release = meta.release.as_mut().unwrap();
    release.install_scripts = vec![];
    release.dependencies = vec![DeclaredDependency {
        name: "chalk".into(),
        requirement: "^5.0.0".into(),
        kind: String::new(),
    }];
    let artifact = ArtifactManifest {
        install_scripts: vec![("postinstall".into(), "node steal.js".into())],
        dependencies: vec![DeclaredDependency {
            name: "chalk".into(),
            requirement: "https://example.org/chalk.tgz".into(),
            kind: String::new(),
        }],
        ..Default::default()
    };
    let found = run(&meta, None, Some(&artifact));
    assert_eq!(
        rules(&found),
        [
            "registry/manifest-confusion",
            "registry/manifest-confusion",
            "registry/url-dependency"
        ]
    );
    assert!(
        found[0]
            .message
            .contains("runs `node steal.js`, the registry declares nothing")
    );
    assert!(
        found[1]
            .message
            .contains("chalk https://example.org/chalk.tgz")
    );
    assert_eq!(found[2].path.as_deref(), Some("manifest"));
    // Agreeing manifests say nothing.
    let same = ArtifactManifest {
        dependencies: meta.release.as_ref().unwrap().dependencies.clone(),
        ..Default::default()
    };
    assert_eq!(run(&meta, None, Some(&same)), vec![]);
}

#[test]
fn url_and_git_requirements_are_told_from_version_ranges() {
    for r in [
        "git+https://example.org/a/b.git",
        "github:user/repo",
        "user/repo#main",
        "file:../local",
        "http://10.0.0.1/x.tgz",
        "git@example.org:a/b.git",
    ] {
        assert!(manifest::url_requirement(r), "{r}");
    }
    for r in [
        "^1.2.3",
        ">=2,<3",
        "latest",
        "*",
        "~1.0",
        "npm:other@1",
        "1.0.0 - 2.0.0",
    ] {
        assert!(!manifest::url_requirement(r), "{r}");
    }
    let many: Vec<DeclaredDependency> = (0..15)
        .map(|i| DeclaredDependency {
            name: format!("d{i}"),
            requirement: format!("git://example.org/d{i}"),
            kind: String::new(),
        })
        .collect();
    let found = url_dependencies(&many, "manifest");
    assert_eq!(found.len(), 11);
    assert!(found[10].message.starts_with("5 more"));
}

#[test]
fn dependencies_over_plain_http_or_from_an_ip_address_weigh_more() {
    let dep = |requirement: &str| DeclaredDependency {
        name: "ui-styles-pkg".into(),
        requirement: requirement.into(),
        kind: String::new(),
    };
    let rule_of = |requirement: &str| {
        url_dependencies(&[dep(requirement)], "manifest")[0]
            .rule
            .clone()
    };
    for cleartext in [
        "http://packages.example.com/npm/unused-imports",
        "HTTP://example.org/x.tgz",
        "https://203.0.113.7/x.tgz",
        "git+https://[2001:db8::1]:8443/x.git",
        "ftp://example.org/x.tgz",
        "https://767640841/x.tgz",
        "https://45.61.3081/x.tgz",
        "https://0x2dc1fa09/x.tgz",
    ] {
        assert_eq!(
            rule_of(cleartext),
            "registry/cleartext-url-dependency",
            "{cleartext}"
        );
    }
    for other in [
        "https://example.org/x.tgz",
        "git+https://example.org/x/y.git",
        "git://example.org/x/y.git",
        "github:user/repo",
        "https://user:pw@example.org/x.tgz",
    ] {
        assert_eq!(rule_of(other), "registry/url-dependency", "{other}");
    }
}
