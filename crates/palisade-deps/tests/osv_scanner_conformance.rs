//! Conformance with osv-scanner v1.9.2's lockfile parsers: every case of its test tables
//! (converted to `testdata/osv-scanner/expectations.json`) whose format is one of ours is
//! parsed with our parser for that format and compared on the package set (name, version,
//! ecosystem, commit) and on whether it fails. All mismatches are printed at once.
//!
//! How their vocabulary maps to ours:
//! - ecosystem: their per-tool constants (`YarnEcosystem`, `PoetryEcosystem`...) name the
//!   registry's ecosystem, so `Npm`/`Yarn`/`Pnpm` are npm, `Pip`/`Poetry`/`Pipenv`/`Pdm`
//!   are PyPI, `Bundler` is RubyGems, `Cargo` is crates.io, `Maven` covers Gradle.
//! - commit: a missing or empty commit is our `None`.
//! - version: their `0.0.0` for an unpinned requirement is our `""`.
//! - dep_groups: `dev`, `optional` and Maven's `test` are ours too, and a package with no
//!   group is a normal dependency in both. For requirements files osv-scanner's group is
//!   the stem of the file that declares the package (`-r` includes give several); we
//!   record that file as `source` instead, so there their groups are compared with the
//!   stems of our sources for that package.
//!
//! Cases of other ecosystems are skipped and listed with the reason; cases where we
//! deliberately differ are in [`VERSION_DIFFERENCES`] and [`GROUP_DIFFERENCES`], each with
//! its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use palisade_deps::{Dependency, Ecosystem, LockfileKind, parse_as};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    test: String,
    parser: String,
    fixture: String,
    #[serde(default)]
    expect_error: bool,
    #[serde(default)]
    packages: Vec<Expected>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expected {
    name: String,
    version: String,
    ecosystem: Option<String>,
    commit: Option<String>,
    #[serde(default)]
    dep_groups: Vec<String>,
}

/// Their parser name to our format.
fn kind(parser: &str) -> Option<LockfileKind> {
    Some(match parser {
        "ParseNpmLock" => LockfileKind::NpmLock,
        "ParseYarnLock" => LockfileKind::YarnLock,
        "ParsePnpmLock" => LockfileKind::PnpmLock,
        "ParseRequirementsTxt" => LockfileKind::Requirements,
        "ParsePoetryLock" => LockfileKind::PoetryLock,
        "ParsePipenvLock" => LockfileKind::PipfileLock,
        "ParsePdmLock" => LockfileKind::PdmLock,
        "ParseCargoLock" => LockfileKind::CargoLock,
        "ParseGemfileLock" => LockfileKind::GemfileLock,
        "ParseGoLock" => LockfileKind::GoMod,
        "ParseNuGetLock" => LockfileKind::NugetLock,
        "ParseMavenLock" => LockfileKind::Pom,
        "ParseGradleLock" => LockfileKind::GradleLock,
        _ => return None,
    })
}

fn ecosystem(theirs: &str) -> Option<Ecosystem> {
    Some(match theirs {
        "NpmEcosystem" | "YarnEcosystem" | "PnpmEcosystem" => Ecosystem::Npm,
        "PipEcosystem" | "PoetryEcosystem" | "PipenvEcosystem" | "PdmEcosystem" => Ecosystem::PyPI,
        "BundlerEcosystem" => Ecosystem::RubyGems,
        "CargoEcosystem" => Ecosystem::Crates,
        "GoEcosystem" => Ecosystem::Go,
        "NuGetEcosystem" => Ecosystem::NuGet,
        "MavenEcosystem" => Ecosystem::Maven,
        _ => return None,
    })
}

/// Why each out-of-scope parser is skipped.
fn out_of_scope(parser: &str) -> &'static str {
    match parser {
        "ParseApkInstalled" | "ParseDpkgStatus" => {
            "OS package database, not one of the seven ecosystems"
        }
        "ParseComposerLock" => "Packagist (PHP), not one of the seven ecosystems",
        "ParseConanLock" => "ConanCenter (C/C++), not one of the seven ecosystems",
        "ParseMixLock" => "Hex (Erlang/Elixir), not one of the seven ecosystems",
        "ParsePubspecLock" => "Pub (Dart), not one of the seven ecosystems",
        "ParseRenvLock" => "CRAN (R), not one of the seven ecosystems",
        "ParseGradleVerificationMetadata" => {
            "checksum metadata, not a lockfile of resolved dependencies"
        }
        "ParseOSVScannerResults" => "osv-scanner's own output format",
        _ => "not one of the seven ecosystems' formats",
    }
}

/// One expected version we deliberately do not reproduce: (test, package, their version,
/// our version, why).
type VersionDifference = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Deliberate version differences, package by package; the rest of each case still has to
/// match.
const VERSION_DIFFERENCES: &[VersionDifference] = &[
    // Only an exact pin resolves to a version: `>=`/`~=` name a range, and reporting its
    // lower bound as "the" version would make audits match advisories the install may
    // not have. osv-scanner takes the bound.
    (
        "TestParseRequirementsTxt_FileFormatExample",
        "keyring",
        "4.1.1",
        "",
        "`>= 4.1.1` is a range",
    ),
    (
        "TestParseRequirementsTxt_FileFormatExample",
        "mopidy-dirble",
        "1.1",
        "",
        "`~= 1.1` is a range",
    ),
    (
        "TestParseRequirementsTxt_WithPerRequirementOptions",
        "barproject",
        "1.2",
        "",
        "`>= 1.2` is a range",
    ),
    // `bar == 4.5\\` + `.6`: pip strips the trailing backslashes and joins the lines,
    // giving 4.5.6; the expectation keeps backslashes and drops the `.6`.
    (
        "TestParseRequirementsTxt_LineContinuation",
        "bar",
        "4.5\\\\\\\\",
        "4.5.6",
        "pip's line joining",
    ),
    // A Maven range `[9.4.35.v20201120,9.5)` resolves to nothing in particular without
    // the repository; osv-scanner reports its lower bound.
    (
        "TestParseMavenLock_Interpolation",
        "org.mine:ranged-package",
        "9.4.35.v20201120",
        "",
        "a range is not a version",
    ),
];

/// One expected group set we deliberately do not reproduce: (test, package, their groups,
/// our groups, why).
type GroupDifference = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const GROUP_DIFFERENCES: &[GroupDifference] = &[
    // pnpm 9 moved the dev/optional flags out of `packages`; osv-scanner v1.9.2 reports no
    // groups for v9 lockfiles, we derive them from the importers' lists.
    (
        "TestParsePnpmLock_v9_OnePackageDev",
        "acorn",
        &[],
        &["dev"],
        "v9 groups from importers",
    ),
    (
        "TestParsePnpmLock_v9_MixedGroups",
        "is-number",
        &[],
        &["dev"],
        "v9 groups from importers",
    ),
    (
        "TestParsePnpmLock_v9_MixedGroups",
        "uuid",
        &[],
        &["optional"],
        "v9 groups from importers",
    ),
    // pdm.lock names its groups; osv-scanner folds every group but `dev` into `optional`,
    // we keep the name (here `tmp`), as for poetry.
    (
        "TestParsePdmLock_PackageWithOptionalDependency",
        "pyroute2",
        &["optional"],
        &["tmp"],
        "pdm group names kept",
    ),
    (
        "TestParsePdmLock_PackageWithOptionalDependency",
        "win-inet-pton",
        &["optional"],
        &["tmp"],
        "pdm group names kept",
    ),
    // A dependencyManagement entry that no dependency of the POM uses is a pin for
    // transitive dependencies and child modules, not a dependency; we list it (as
    // osv-scanner does) but in the group `managed`, so audits can tell.
    (
        "TestParseMavenLock_WithDependencyManagement",
        "com.google.code.findbugs:jsr305",
        &[],
        &["managed"],
        "managed-only pins",
    ),
    (
        "TestParseMavenLock_Interpolation",
        "org.mine:ranged-package",
        &[],
        &["managed"],
        "managed-only pins",
    ),
];

/// Cases whose converted expectation lost upstream's spot checks (`expectPackage`), where
/// upstream asserted the total separately: (test, total packages, why).
const SPOT_CHECKS: &[(&str, usize, &str)] = &[(
    "TestParseNpmLock_v1_NestedDependenciesDup",
    39,
    "upstream asserts 39 packages and spot-checks three; the conversion kept none",
)];

type Key = (String, String, Option<String>);

/// Our packages by (name, version, commit), with their groups in osv-scanner's terms.
fn ours(kind: LockfileKind, deps: &[Dependency]) -> BTreeMap<Key, BTreeSet<String>> {
    let mut out: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for d in deps {
        let groups = out
            .entry((d.name.clone(), d.version.clone(), d.commit.clone()))
            .or_default();
        if kind == LockfileKind::Requirements {
            let stem = d.source.file_stem().unwrap_or_default().to_string_lossy();
            groups.insert(stem.into_owned());
        } else {
            groups.extend(d.groups.iter().cloned());
        }
    }
    out
}

#[test]
fn osv_scanner_cases_match() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/osv-scanner");
    let text = std::fs::read_to_string(root.join("expectations.json")).unwrap();
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap();
    let (mut run, mut passed) = (0, 0);
    let mut skipped: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut mismatches: Vec<String> = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();

    for case in &cases {
        let Some(kind) = kind(&case.parser) else {
            let entry = skipped
                .entry(case.parser.as_str())
                .or_insert((0, out_of_scope(&case.parser)));
            entry.0 += 1;
            continue;
        };
        run += 1;
        let path: PathBuf = root.join(&case.fixture);
        let result = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| parse_as(kind, &path, &text).map_err(|e| e.to_string()));
        let before = mismatches.len();
        let mut fail =
            |msg: String| mismatches.push(format!("{} ({}): {msg}", case.test, case.fixture));
        match (&result, case.expect_error) {
            (Err(_), true) => {}
            (Ok(deps), true) => fail(format!("expected an error, got {} packages", deps.len())),
            (Err(e), false) => fail(format!("unexpected error: {e}")),
            (Ok(deps), false) => {
                let ours = ours(kind, deps);
                let mut theirs: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
                for p in &case.packages {
                    let eco = p.ecosystem.as_deref().and_then(ecosystem);
                    if eco != Some(kind.ecosystem()) {
                        fail(format!(
                            "{}: ecosystem {:?} does not map to {}",
                            p.name,
                            p.ecosystem,
                            kind.ecosystem()
                        ));
                    }
                    let mut version = p.version.clone();
                    if kind == LockfileKind::Requirements && version == "0.0.0" {
                        version.clear();
                    }
                    if let Some(d) = VERSION_DIFFERENCES
                        .iter()
                        .find(|d| d.0 == case.test && d.1 == p.name && d.2 == version)
                    {
                        used.insert(d.0);
                        version = d.3.to_string();
                    }
                    let mut groups: Vec<&str> = p.dep_groups.iter().map(String::as_str).collect();
                    if let Some(d) = GROUP_DIFFERENCES
                        .iter()
                        .find(|d| d.0 == case.test && d.1 == p.name && d.2 == groups.as_slice())
                    {
                        used.insert(d.0);
                        groups = d.3.to_vec();
                    }
                    let commit = p.commit.clone().filter(|c| !c.is_empty());
                    theirs
                        .entry((p.name.clone(), version, commit))
                        .or_default()
                        .extend(groups.into_iter().map(str::to_string));
                }
                for (key, groups) in &theirs {
                    match ours.get(key) {
                        None => fail(format!("missing {key:?}")),
                        Some(g) if g != groups => {
                            fail(format!("{key:?}: groups {groups:?}, ours {g:?}"))
                        }
                        Some(_) => {}
                    }
                }
                match SPOT_CHECKS.iter().find(|s| s.0 == case.test) {
                    Some(&(test, total, _)) => {
                        used.insert(test);
                        if ours.len() != total {
                            fail(format!(
                                "expected {total} packages in all, got {}",
                                ours.len()
                            ));
                        }
                    }
                    None => {
                        for extra in ours.keys().filter(|k| !theirs.contains_key(*k)) {
                            fail(format!("unexpected {extra:?}"));
                        }
                    }
                }
            }
        }
        if mismatches.len() == before {
            passed += 1;
        }
    }
    for test in VERSION_DIFFERENCES
        .iter()
        .map(|d| d.0)
        .chain(GROUP_DIFFERENCES.iter().map(|d| d.0))
        .chain(SPOT_CHECKS.iter().map(|s| s.0))
    {
        if !used.contains(test) {
            mismatches.push(format!(
                "{test}: listed in an exception table but never applied"
            ));
        }
    }

    eprintln!("osv-scanner conformance: {run} cases run, {passed} passed");
    for (parser, (count, reason)) in &skipped {
        eprintln!("  skipped {count} {parser} cases: {reason}");
    }
    eprintln!(
        "  deliberate differences: {} versions, {} group sets; spot-check totals: {} cases",
        VERSION_DIFFERENCES.len(),
        GROUP_DIFFERENCES.len(),
        SPOT_CHECKS.len()
    );
    assert!(
        run > 150,
        "only {run} in-scope cases ran: the expectations file lost cases"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
