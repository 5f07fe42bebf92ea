//! The OSV evaluation algorithm on hand-made records.

use palisade_core::Ecosystem;
use palisade_osv::{Advisory, AffectedMatcher, Version, smallest_upgrade};

fn adv(eco: &str, name: &str, ranges: &str, versions: &str) -> Advisory {
    Advisory::from_json(&format!(
        r#"{{"id":"T-1","affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},
        "ranges":[{ranges}],"versions":[{versions}]}}]}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn unsorted_events_are_sorted_before_evaluation() {
    let a = adv(
        "npm",
        "left-pad",
        r#"{"type":"SEMVER","events":[{"fixed":"2.0.0"},{"introduced":"1.5.0"},{"fixed":"1.2.0"},{"introduced":"0"}]}"#,
        "",
    );
    for (v, expected) in [
        ("0.1.0", true),
        ("1.2.0", false),
        ("1.4.9", false),
        ("1.5.0", true),
        ("2.0.0", false),
    ] {
        assert_eq!(a.affects(Ecosystem::Npm, "left-pad", v), expected, "{v}");
    }
}

#[test]
fn last_affected_and_limit() {
    let a = adv(
        "PyPI",
        "Foo_Bar",
        r#"{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.4"}]},
           {"type":"ECOSYSTEM","events":[{"introduced":"3.0"},{"limit":"3.5"}]}"#,
        "",
    );
    let name = "foo-bar";
    assert!(a.affects(Ecosystem::PyPI, name, "1.4"));
    assert!(a.affects(Ecosystem::PyPI, name, "1.4.0"));
    assert!(!a.affects(Ecosystem::PyPI, name, "1.4.post1"));
    assert!(!a.affects(Ecosystem::PyPI, name, "0.9"));
    assert!(a.affects(Ecosystem::PyPI, "FOO.bar", "3.4"));
    assert!(!a.affects(Ecosystem::PyPI, name, "3.5"));
    assert!(!a.affects(Ecosystem::PyPI, name, "4.0"));
}

#[test]
fn explicit_versions_and_git_ranges() {
    let a = adv(
        "RubyGems",
        "rack",
        r#"{"type":"GIT","repo":"https://example.invalid/rack","events":[{"introduced":"0"}]}"#,
        r#""1.2.3", "2.0.0.rc1""#,
    );
    assert!(a.affects(Ecosystem::RubyGems, "rack", "1.2.3"));
    assert!(a.affects(Ecosystem::RubyGems, "rack", "2.0.0.rc1"));
    assert!(!a.affects(Ecosystem::RubyGems, "rack", "1.2.4"));
    assert!(!a.affects(Ecosystem::RubyGems, "Rack", "1.2.3"));
}

#[test]
fn maven_and_nuget_schemes_and_names() {
    let m = adv(
        "Maven",
        "org.example:lib",
        r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}"#,
        "",
    );
    assert!(m.affects(Ecosystem::Maven, "org.example:lib", "2.0-SNAPSHOT"));
    assert!(m.affects(Ecosystem::Maven, "org.example:lib", "2.0-rc1"));
    assert!(!m.affects(Ecosystem::Maven, "org.example:lib", "2.0.0.GA"));
    let n = adv(
        "NuGet",
        "Newtonsoft.Json",
        r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"13.0.1"}]}"#,
        "",
    );
    assert!(n.affects(Ecosystem::NuGet, "newtonsoft.json", "13.0.0.9"));
    assert!(!n.affects(Ecosystem::NuGet, "NEWTONSOFT.JSON", "13.0.1.0"));
}

#[test]
fn matcher_is_reusable_and_withdrawn_records_affect_nothing() {
    let a = adv(
        "crates.io",
        "foo",
        r#"{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}"#,
        "",
    );
    let m = AffectedMatcher::new(&a.affected[0]);
    assert!(m.is_for(Ecosystem::Crates, "foo"));
    assert!(m.affects(&Version::parse_lenient(Ecosystem::Crates, "0.9.9")));
    assert!(!m.affects(&Version::parse_lenient(Ecosystem::Crates, "1.0.0")));
    assert!(a.affected[0].affects("0.1.0"));
    let mut w = a.clone();
    w.withdrawn = Some("2024-01-01T00:00:00Z".into());
    assert!(!w.affects(Ecosystem::Crates, "foo", "0.1.0"));
}

#[test]
fn smallest_upgrade_clears_every_advisory() {
    let a = adv(
        "npm",
        "pkg",
        r#"{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}"#,
        "",
    );
    // 1.2.0 fixes the first advisory but is inside the second one.
    let b = adv(
        "npm",
        "pkg",
        r#"{"type":"SEMVER","events":[{"introduced":"1.1.0"},{"fixed":"1.3.1"}]}"#,
        "",
    );
    let up = |current: &str, avail: &[String]| {
        smallest_upgrade(Ecosystem::Npm, "pkg", current, &[&a, &b], avail)
    };
    assert_eq!(up("1.0.0", &[]).as_deref(), Some("1.3.1"));
    assert_eq!(up("1.3.1", &[]), None);
    let avail = [
        "1.3.0".to_string(),
        "1.4.0-beta.1".to_string(),
        "1.3.2".to_string(),
    ];
    assert_eq!(up("1.0.0", &avail).as_deref(), Some("1.3.1"));
    assert_eq!(up("2.0.0", &avail), None);
}
