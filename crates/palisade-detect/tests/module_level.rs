//! Module-level behaviour is judged on every hit of a rule, not only its first: the
//! import line that names a capability comes before the module-level call that uses it.

use palisade_archive::Unpacked;
use palisade_core::PackageFile;
use palisade_detect::{Engine, ScanOptions};
use std::time::{Duration, Instant};

fn rules_for(source: &str) -> Vec<String> {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    let unpacked = Unpacked {
        format: "directory".into(),
        files: vec![PackageFile {
            path: "pkg/__init__.py".into(),
            data: source.as_bytes().to_vec(),
        }],
        ..Default::default()
    };
    let analysis = engine.analyse_unpacked(unpacked, Instant::now() + Duration::from_secs(30));
    analysis.findings.into_iter().map(|f| f.rule).collect()
}

#[test]
fn a_call_at_module_level_counts_after_the_import_that_names_it() {
    // The shape of a real recon package: `from urllib import request`, then a
    // module-level request.
    let rules = rules_for("from urllib import request\nk = request.urlopen(r)\n");
    assert!(
        rules.iter().any(|r| r == "correlate/import-time-network"),
        "{rules:?}"
    );
}

#[test]
fn the_same_call_inside_a_function_is_not_module_level() {
    let rules =
        rules_for("from urllib import request\ndef fetch(r):\n    return request.urlopen(r)\n");
    assert!(
        !rules.iter().any(|r| r == "correlate/import-time-network"),
        "{rules:?}"
    );
}
