//! Real advisories of each ecosystem: versions named in their ranges are affected,
//! versions just outside are not.

use palisade_core::Ecosystem;
use palisade_osv::{Advisory, SeverityLevel, smallest_upgrade};
use std::path::Path;

fn load(rel: &str) -> Advisory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/osv")
        .join(rel);
    Advisory::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn check(adv: &Advisory, eco: Ecosystem, name: &str, affected: &[&str], clear: &[&str]) {
    for v in affected {
        assert!(
            adv.affects(eco, name, v),
            "{} should affect {name} {v}",
            adv.id
        );
    }
    for v in clear {
        assert!(
            !adv.affects(eco, name, v),
            "{} should not affect {name} {v}",
            adv.id
        );
    }
}

#[test]
fn pypi_ranges_versions_and_last_affected() {
    let ac = load("pypi/PYSEC-2021-335.yaml");
    check(
        &ac,
        Ecosystem::PyPI,
        "AccessControl",
        &["4.0", "4.2", "4.2.9", "5.0", "5.1"],
        &["3.9", "4.3", "4.4", "4.99", "5.2", "0"],
    );
    assert_eq!(
        ac.fixed_versions(Ecosystem::PyPI, "accesscontrol"),
        ["4.3", "5.2"]
    );
    assert_eq!(
        smallest_upgrade(Ecosystem::PyPI, "accesscontrol", "4.1", &[&ac], &[]).as_deref(),
        Some("4.3")
    );

    let django = load("pypi/PYSEC-2015-19.yaml");
    check(
        &django,
        Ecosystem::PyPI,
        "Django",
        &["1.8", "1.8.1", "1.8.0"],
        &["1.7.11", "1.8.2", "1.8rc1"],
    );

    let py = load("pypi/PYSEC-2022-42969.yaml");
    check(
        &py,
        Ecosystem::PyPI,
        "py",
        &["0.9.0", "1.11.0", "1.11.0rc1"],
        &["1.11.1", "1.12"],
    );
    // last_affected names no fix: without the list of releases there is no candidate.
    assert_eq!(
        smallest_upgrade(Ecosystem::PyPI, "py", "1.10.0", &[&py], &[]),
        None
    );
    let releases = [
        "1.11.0".to_string(),
        "1.12.0rc1".to_string(),
        "1.12.0".to_string(),
    ];
    assert_eq!(
        smallest_upgrade(Ecosystem::PyPI, "py", "1.10.0", &[&py], &releases).as_deref(),
        Some("1.12.0")
    );

    let jinja = load("pypi/PYSEC-2019-217.yaml");
    check(
        &jinja,
        Ecosystem::PyPI,
        "jinja2",
        &["2.0rc1", "2.10", "2.10.0"],
        &["2.10.1", "2.11"],
    );
    assert!(!jinja.affects(Ecosystem::PyPI, "jinja3", "2.10"));
    assert!(!jinja.affects(Ecosystem::Npm, "jinja2", "2.10"));
    assert!(!jinja.is_malicious());
}

#[test]
fn crates_ranges_and_malicious_crates() {
    let claxon = load("crates/RUSTSEC-2018-0004.json");
    check(
        &claxon,
        Ecosystem::Crates,
        "claxon",
        &["0.0.1", "0.3.1", "0.4.0", "0.4.0-beta"],
        &["0.3.2", "0.3.9", "0.4.1", "1.0.0"],
    );
    // 0.4.0 is in the second range, fixed by 0.4.1; 0.3.5 is between the ranges.
    assert_eq!(
        smallest_upgrade(Ecosystem::Crates, "claxon", "0.3.0", &[&claxon], &[]).as_deref(),
        Some("0.3.2")
    );
    let level = claxon.severity_assessment();
    assert_eq!(level.level, Some(SeverityLevel::Medium));
    assert!((level.score.unwrap() - 6.5).abs() < 1e-4);
    assert!(!claxon.is_malicious());

    for (file, name) in [
        ("crates/RUSTSEC-2022-0042.json", "rustdecimal"),
        ("crates/RUSTSEC-2023-0097.json", "lazystatic"),
    ] {
        let mal = load(file);
        assert!(mal.is_malicious(), "{file}");
        check(
            &mal,
            Ecosystem::Crates,
            name,
            &["0.0.0", "1.0.0", "99.0.0-rc.1"],
            &[],
        );
        assert!(!mal.affects(Ecosystem::Crates, "rust_decimal", "1.0.0"));
        assert_eq!(
            smallest_upgrade(Ecosystem::Crates, name, "1.0.0", &[&mal], &[]),
            None
        );
    }
    let unsound = load("crates/RUSTSEC-2025-0029.json");
    assert!(!unsound.is_malicious());
    assert!(unsound.affects(Ecosystem::Crates, "totally-safe", "0.1.0"));
    // crates.io names are matched exactly.
    assert!(!unsound.affects(Ecosystem::Crates, "totally_safe", "0.1.0"));
}

#[test]
fn go_ranges_pseudo_versions_incompatible_and_withdrawn() {
    let tm = load("go/GO-2020-0037.json");
    check(
        &tm,
        Ecosystem::Go,
        "github.com/tendermint/tendermint",
        &[
            "v0.0.1",
            "v0.31.0",
            "0.31.1-rc1",
            "v0.0.0-20190101000000-abcdefabcdef",
        ],
        &["v0.31.1", "v0.32.0"],
    );

    let patch = load("go/GO-2021-0076.json");
    let name = "github.com/evanphx/json-patch";
    check(
        &patch,
        Ecosystem::Go,
        name,
        &[
            "v0.5.1",
            "v3.0.0+incompatible",
            "v3.0.1-0.20180101000000-aaaaaaaaaaaa+incompatible",
        ],
        &[
            "v0.5.2",
            "v2.9.9+incompatible",
            "v3.0.1-0.20180525145409-4c9aadca8f89+incompatible",
            "v3.0.1+incompatible",
        ],
    );

    let fga = load("go/GO-2025-3384.json");
    check(
        &fga,
        Ecosystem::Go,
        "github.com/openfga/openfga",
        &["v1.3.8", "v1.8.2"],
        &["v1.3.7", "v1.8.3", "v1.3.8-rc1"],
    );

    let withdrawn = load("go/GO-2022-0617.json");
    assert!(withdrawn.withdrawn.is_some());
    assert!(!withdrawn.affects(Ecosystem::Go, "k8s.io/kubernetes", "v1.0.0"));
}
