//! Helpers shared by the integration tests that analyse whole packages built in memory.
// Each test crate uses its own subset of these.
#![allow(dead_code)]

use palisade_archive::Unpacked;
use palisade_core::{PackageFile, Verdict};
use palisade_detect::{Analysis, Engine, ScanOptions};
use std::time::{Duration, Instant};

/// The analysis of an archive holding `files` at their paths.
pub fn analyse_files(files: &[(&str, &[u8])]) -> Analysis {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    let unpacked = Unpacked {
        format: "tar".into(),
        files: files
            .iter()
            .map(|(path, data)| PackageFile {
                path: path.to_string(),
                data: data.to_vec(),
            })
            .collect(),
        ..Default::default()
    };
    engine.analyse_unpacked(unpacked, Instant::now() + Duration::from_secs(30))
}

/// The analysis of an npm tarball holding `files` under `package/`.
pub fn analyse_npm(files: &[(&str, &str)]) -> Analysis {
    let paths: Vec<String> = files.iter().map(|(p, _)| format!("package/{p}")).collect();
    let files: Vec<(&str, &[u8])> = paths
        .iter()
        .zip(files)
        .map(|(path, (_, source))| (path.as_str(), source.as_bytes()))
        .collect();
    analyse_files(&files)
}

/// A `package.json` whose `scripts` object holds the lines `scripts`.
pub fn npm_manifest(scripts: &str) -> String {
    format!(
        "{{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \"scripts\": {{\n{scripts}\n  }}\n}}\n"
    )
}

pub fn has(analysis: &Analysis, id: &str) -> bool {
    analysis.findings.iter().any(|f| f.rule == id)
}

pub fn rule_ids(analysis: &Analysis) -> Vec<String> {
    analysis.findings.iter().map(|f| f.rule.clone()).collect()
}

/// Asserts that rule `id` fired, showing the rules that did when it did not.
#[track_caller]
pub fn assert_has(analysis: &Analysis, id: &str) {
    assert!(has(analysis, id), "no {id} in {:?}", rule_ids(analysis));
}

/// Asserts that rule `id` did not fire.
#[track_caller]
pub fn assert_lacks(analysis: &Analysis, id: &str) {
    assert!(!has(analysis, id), "{id} in {:?}", rule_ids(analysis));
}

/// Asserts the verdict, showing the rules found when it differs.
#[track_caller]
pub fn assert_verdict(analysis: &Analysis, verdict: Verdict) {
    assert_eq!(analysis.score.verdict, verdict, "{:?}", rule_ids(analysis));
}

#[track_caller]
pub fn assert_not_verdict(analysis: &Analysis, verdict: Verdict) {
    assert_ne!(analysis.score.verdict, verdict, "{:?}", rule_ids(analysis));
}
