//! The upgrade an audit advises clears every advisory of the package, including those
//! that do not affect the installed version.

use palisade_audit::{IgnoreList, audit};
use palisade_core::Ecosystem;
use palisade_deps::Dependency;
use palisade_osv::db::Database;
use std::path::Path;

fn record(id: &str, introduced: &str, fixed: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z",
            "affected": [{{"package": {{"ecosystem": "PyPI", "name": "demo"}},
              "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "{introduced}"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
}

#[test]
fn the_upgrade_skips_versions_that_another_advisory_affects() {
    let dir = std::env::temp_dir().join(format!("palisade-audit-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let records = dir.join("records");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(records.join("a.json"), record("PYSEC-0-1", "0", "1.5")).unwrap();
    std::fs::write(records.join("b.json"), record("PYSEC-0-2", "1.5", "1.7")).unwrap();
    let path = dir.join("advisories.db");
    Database::import(&path, &[records], 0).unwrap();
    let db = Database::open(&path).unwrap();
    let dependency = Dependency::new(
        Ecosystem::PyPI,
        "demo",
        "1.0",
        Path::new("requirements.txt"),
    );
    let report = audit(&db, &[dependency], &IgnoreList::default(), 0).unwrap();
    assert_eq!(report.findings.len(), 1);
    let finding = &report.findings[0];
    assert_eq!(finding.advisories.len(), 1, "only PYSEC-0-1 affects 1.0");
    assert_eq!(finding.upgrade_to.as_deref(), Some("1.7"));
    let _ = std::fs::remove_dir_all(&dir);
}
