//! Runs every ordering case of osv-scalibr's conformance files against the version
//! schemes, in both directions, and reports all failing lines at once.

use palisade_core::Ecosystem;
use palisade_osv::Version;
use std::cmp::Ordering;
use std::path::Path;

const CASES: &[(&str, &[Ecosystem])] = &[
    (
        "semver-versions.txt",
        &[Ecosystem::Npm, Ecosystem::Crates, Ecosystem::Go],
    ),
    ("pypi-versions.txt", &[Ecosystem::PyPI]),
    ("pypi-versions-generated.txt", &[Ecosystem::PyPI]),
    ("rubygems-versions.txt", &[Ecosystem::RubyGems]),
    ("rubygems-versions-generated.txt", &[Ecosystem::RubyGems]),
    ("maven-versions.txt", &[Ecosystem::Maven]),
    ("maven-versions-generated.txt", &[Ecosystem::Maven]),
    ("nuget-versions.txt", &[Ecosystem::NuGet]),
];

#[test]
fn every_conformance_line_orders_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/versions");
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (file, ecosystems) in CASES {
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        for &ecosystem in *ecosystems {
            let mut run = 0;
            for (index, line) in text.lines().enumerate() {
                let line = line.trim_end();
                if line.is_empty() || line.starts_with("//") || line.starts_with("# ") {
                    continue;
                }
                let at = format!("{file}:{} ({ecosystem})", index + 1);
                let pieces: Vec<&str> = line.split(' ').collect();
                let [a, op, b] = pieces[..] else {
                    failures.push(format!("{at}: malformed case `{line}`"));
                    continue;
                };
                let expected = match op {
                    "<" => Ordering::Less,
                    "=" => Ordering::Equal,
                    ">" => Ordering::Greater,
                    _ => {
                        failures.push(format!("{at}: unknown operator in `{line}`"));
                        continue;
                    }
                };
                run += 1;
                let va = Version::parse_lenient(ecosystem, a);
                let vb = Version::parse_lenient(ecosystem, b);
                let forward = va.cmp(&vb);
                let backward = vb.cmp(&va);
                if forward != expected || backward != expected.reverse() {
                    failures.push(format!(
                        "{at}: `{line}` but got {forward:?} forward, {backward:?} backward"
                    ));
                }
            }
            assert!(run > 0, "{file} has no cases");
            summary.push(format!("{file} as {ecosystem}: {run} lines"));
        }
    }
    eprintln!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} failing conformance lines:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
