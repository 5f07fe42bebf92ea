//! Parses every OSV record of the shared reference data when `PALISADE_SHARED_REFERENCE`
//! points at it (the folder holding `osv/`); skips quietly otherwise, as outside
//! contributors do not have that data.

use palisade_osv::{Advisory, Version};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn every_shared_reference_record_parses() {
    let Some(root) = std::env::var_os("PALISADE_SHARED_REFERENCE") else {
        return;
    };
    let mut paths = Vec::new();
    files(&Path::new(&root).join("osv"), &mut paths);
    paths.sort();
    assert!(!paths.is_empty(), "no OSV records under {:?}/osv", root);
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut advisories = Vec::new();
    for path in &paths {
        match Advisory::from_path(path) {
            Ok(advisory) => advisories.push(advisory),
            Err(e) => failures.push(e.to_string()),
        }
    }
    let parse_time = start.elapsed();
    // Every version a record names must also read in its ecosystem's scheme.
    let mut versions = 0;
    let mut unparsed = Vec::new();
    for advisory in &advisories {
        for affected in &advisory.affected {
            let Some(eco) = affected.package.as_ref().and_then(|p| p.ecosystem()) else {
                continue;
            };
            let events = affected
                .ranges
                .iter()
                .filter(|r| r.kind == palisade_osv::RangeType::Ecosystem)
                .flat_map(|r| r.events.iter().map(|e| e.version()));
            for v in affected.versions.iter().map(String::as_str).chain(events) {
                versions += 1;
                if v != "0" && Version::parse(eco, v).is_err() {
                    unparsed.push(format!("{} {eco} {v}", advisory.id));
                }
            }
        }
    }
    eprintln!(
        "parsed {} of {} records in {parse_time:?}; {} of {versions} versions outside their grammar{}",
        advisories.len(),
        paths.len(),
        unparsed.len(),
        if unparsed.is_empty() {
            String::new()
        } else {
            format!(", e.g. {:?}", &unparsed[..unparsed.len().min(10)])
        }
    );
    assert!(
        failures.is_empty(),
        "{} records failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
