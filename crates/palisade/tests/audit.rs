//! `palisade db` and `palisade audit` through the binary, on the real advisories copied
//! under `crates/palisade-osv/testdata/osv` and real-shaped lockfiles.

mod common;

use common::{repo_root, temp_dir};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn palisade_with_db(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("PALISADE_DB", db)
        .output()
        .expect("the palisade binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A database of the real test advisories, and a project pinning affected versions.
fn setup(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = temp_dir(name);
    let db = dir.join("db/advisories.db");
    let source = repo_root().join("crates/palisade-osv/testdata/osv");
    let out = palisade_with_db(&db, &["db", "import", source.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("12 records"), "{}", text(&out));
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("requirements.txt"),
        "Jinja2==2.10\nflask==2.0.0\n",
    )
    .unwrap();
    std::fs::write(
        project.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"claxon\"\nversion = \"0.4.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    (db, project)
}

#[test]
fn status_reports_what_was_imported() {
    let (db, _) = setup("status");
    let out = palisade_with_db(&db, &["db", "status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["header"]["records"], 12);
    assert_eq!(status["header"]["per_ecosystem"]["PyPI"], 4);
    assert!(status["header"]["malicious"].as_u64().unwrap() >= 1);
    let human = palisade_with_db(&db, &["db", "status"]);
    assert!(text(&human).contains("12 records"), "{}", text(&human));
}

#[test]
fn audit_gates_on_the_threshold_and_an_ignore_with_a_reason_passes_it() {
    let (db, project) = setup("gate");
    let p = project.to_str().unwrap();
    let out = palisade_with_db(&db, &["audit", p, "--fail-on", "medium"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("3 dependencies from 2 lockfiles against 12 advisories"),
        "{report}"
    );
    assert!(
        report.contains("jinja2@2.10") && report.contains("PYSEC-2019-217"),
        "{report}"
    );
    assert!(report.contains("upgrade to 2.10.1"), "{report}");
    assert!(
        report.contains("claxon@0.4.0") && report.contains("Cargo.lock:"),
        "{report}"
    );
    // Below the default threshold (high) the same findings pass.
    let claxon_is_high =
        report.contains("HIGH       claxon") || report.contains("CRITICAL   claxon");
    let default = palisade_with_db(&db, &["audit", p]);
    assert_eq!(
        default.status.code(),
        Some(if claxon_is_high { 1 } else { 0 }),
        "{}",
        text(&default)
    );

    std::fs::write(
        project.join("palisade.toml"),
        "[[ignore]]\nid = \"CVE-2019-10906\"\nreason = \"templates are not user input here\"\nexpires = \"2099-12-31\"\n\n\
         [[ignore]]\nid = \"RUSTSEC-2018-0004\"\nreason = \"only decodes our own files\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    let ignored = palisade_with_db(&db, &["audit", p, "--fail-on", "low"]);
    assert_eq!(ignored.status.code(), Some(0), "{}", text(&ignored));
    assert!(text(&ignored).contains("ignored until 2099-12-31: templates are not user input here"));

    std::fs::write(
        project.join("palisade.toml"),
        "[[ignore]]\nid = \"CVE-2019-10906\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    let bad = palisade_with_db(&db, &["audit", p]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("palisade.toml:1") && text(&bad).contains("reason"),
        "{}",
        text(&bad)
    );
}

#[test]
fn audit_formats_json_sarif_and_markdown() {
    let (db, project) = setup("formats");
    let p = project.to_str().unwrap();
    let json = palisade_with_db(&db, &["audit", p, "--format", "json", "--fail-on", "never"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["dependencies"], 3);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert!(
        findings
            .iter()
            .any(|f| f["dependency"]["name"] == "jinja2" && f["upgrade_to"] == "2.10.1")
    );

    let sarif = palisade_with_db(
        &db,
        &["audit", p, "--format", "sarif", "--fail-on", "never"],
    );
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "PYSEC-2019-217"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1));

    let md = palisade_with_db(
        &db,
        &["audit", p, "--format", "markdown", "--fail-on", "never"],
    );
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| level | package |") && md.contains("`jinja2` (PyPI)"),
        "{md}"
    );
}

#[test]
fn a_broken_lockfile_is_named_and_the_others_are_still_audited() {
    let (db, project) = setup("broken");
    std::fs::write(
        project.join("package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
    )
    .unwrap();
    let out = palisade_with_db(
        &db,
        &["audit", project.to_str().unwrap(), "--fail-on", "never"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("package-lock.json:"), "{report}");
    assert!(report.contains("jinja2@2.10"), "{report}");
}

#[test]
fn a_missing_database_says_how_to_get_one() {
    let dir = temp_dir("nodb");
    std::fs::write(dir.join("requirements.txt"), "six==1.16.0\n").unwrap();
    let out = palisade_with_db(&dir.join("none.db"), &["audit", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("palisade db update"), "{}", text(&out));
}
