//! Audits of real-shaped lockfiles against real advisories (the PyPA, RustSec and Go
//! records copied under `crates/palisade-osv/testdata/osv`): versions the records name
//! are reported with their fixes, versions just outside the ranges are not, and the
//! malicious crate comes first. With `PALISADE_SHARED_REFERENCE` pointing at the shared
//! reference data, the same project is also audited against every record there.

use palisade_audit::{IgnoreList, Level, audit};
use palisade_osv::db::Database;
use std::path::{Path, PathBuf};

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "Django==1.8.1\nJinja2==2.10\nAccessControl==4.3\npy==1.11.0\nflask==2.0.0\nrequests>=2\n",
    )
    .unwrap();
    let package = |n: &str, v: &str| {
        format!(
            "[[package]]\nname = \"{n}\"\nversion = \"{v}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
        )
    };
    let lock = format!(
        "version = 3\n\n{}{}{}{}",
        package("claxon", "0.3.2"),
        package("claxon", "0.4.0"),
        package("rustdecimal", "1.23.1"),
        package("serde", "1.0.200")
    );
    std::fs::write(dir.join("Cargo.lock"), lock).unwrap();
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/tendermint/tendermint v0.31.0\n\tgithub.com/openfga/openfga v1.8.3\n\tgithub.com/evanphx/json-patch v0.5.1\n)\n",
    )
    .unwrap();
    dir
}

fn database(dir: &Path, source: &Path) -> Database {
    let path = dir.join("advisories.db");
    Database::import(&path, &[source.to_path_buf()], 1_700_000_000).unwrap();
    Database::open(&path).unwrap()
}

fn found(
    report: &palisade_audit::AuditReport,
) -> Vec<(String, String, Vec<String>, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| {
            let ids = f.advisories.iter().map(|a| a.id.clone()).collect();
            (
                f.dependency.name.clone(),
                f.dependency.version.clone(),
                ids,
                f.upgrade_to.clone(),
            )
        })
        .collect()
}

#[test]
fn real_advisories_flag_the_versions_they_name_and_only_those() {
    let dir = project("real");
    let (deps, errors) = palisade_deps::collect(&dir);
    assert!(errors.is_empty(), "{errors:?}");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-osv/testdata/osv");
    let db = database(&dir, &source);
    let report = audit(&db, &deps, &IgnoreList::default(), 1_700_000_000).unwrap();
    let got = found(&report);
    let s = |x: &str| x.to_string();
    assert_eq!(
        got,
        vec![
            (
                s("rustdecimal"),
                s("1.23.1"),
                vec![s("RUSTSEC-2022-0042")],
                None
            ),
            (
                s("claxon"),
                s("0.4.0"),
                vec![s("RUSTSEC-2018-0004")],
                Some(s("0.4.1"))
            ),
            // Names as the lockfile parser normalises them (PEP 503), and Go versions
            // without the `v`, as OSV's Go records write them.
            (
                s("django"),
                s("1.8.1"),
                vec![s("PYSEC-2015-19")],
                Some(s("1.8.2"))
            ),
            (
                s("github.com/evanphx/json-patch"),
                s("0.5.1"),
                vec![s("GO-2021-0076")],
                Some(s("0.5.2"))
            ),
            (
                s("github.com/tendermint/tendermint"),
                s("0.31.0"),
                vec![s("GO-2020-0037")],
                Some(s("0.31.1"))
            ),
            (
                s("jinja2"),
                s("2.10"),
                vec![s("PYSEC-2019-217")],
                Some(s("2.10.1"))
            ),
            // Closed only by `last_affected`: no fixed version is known.
            (s("py"), s("1.11.0"), vec![s("PYSEC-2022-42969")], None),
        ],
        "{report:#?}"
    );
    assert_eq!(report.findings[0].level, Some(Level::Malicious));
    assert_eq!(report.unpinned, 1, "requests>=2 is not a pin");
    assert!(report.reaches(Level::Malicious));

    // Ignoring the malicious record with a reason drops the gate below `malicious`.
    let ignores = IgnoreList::parse(
        "[[ignore]]\nid = \"RUSTSEC-2022-0042\"\nreason = \"vendored, audited copy\"\nexpires = \"2099-01-01\"\n",
        Path::new("palisade.toml"),
    )
    .unwrap();
    let report = audit(&db, &deps, &ignores, 1_700_000_000).unwrap();
    assert!(!report.reaches(Level::Malicious));
    assert_eq!(report.ignored, 1);
    // ... and an expired ignore no longer applies, and says so.
    let report = audit(&db, &deps, &ignores, 4_200_000_000).unwrap();
    assert!(report.reaches(Level::Malicious));
    assert_eq!(report.expired_ignores.len(), 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_whole_reference_set_when_available() {
    let Some(reference) = std::env::var_os("PALISADE_SHARED_REFERENCE") else {
        return;
    };
    let dir = project("reference");
    let (deps, _) = palisade_deps::collect(&dir);
    let db = database(&dir, &Path::new(&reference).join("osv"));
    assert!(db.header().records > 8_000, "{}", db.header().records);
    let report = audit(&db, &deps, &IgnoreList::default(), 1_700_000_000).unwrap();
    let names: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.dependency.name.as_str())
        .collect();
    for expected in [
        "rustdecimal",
        "django",
        "jinja2",
        "github.com/tendermint/tendermint",
        "claxon",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(!names.contains(&"serde"), "serde 1.0.200 has no advisory");
    std::fs::remove_dir_all(&dir).ok();
}
