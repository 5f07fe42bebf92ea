//! The command line itself: batch mode, output formats, exit codes, user rules, and the
//! rule documentation generated from the code.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn batch_gives_one_jsonl_report_per_file_even_for_hostile_ones() {
    let dir = temp_dir("batch");
    std::fs::copy(
        repo_root().join("testdata/real/left-pad-1.3.0.tgz"),
        dir.join("a.tgz"),
    )
    .unwrap();
    let good = std::fs::read(repo_root().join("testdata/real/six-1.16.0.tar.gz")).unwrap();
    std::fs::write(dir.join("cut.tar.gz"), &good[..good.len() / 2]).unwrap();
    std::fs::write(dir.join("garbage.bin"), [0x1f, 0x8b, 0xff, 0x00, 0x13]).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/notes.txt"), "just text\n").unwrap();
    let out_file = dir.join("out.jsonl");
    let out = palisade(&[
        "scan",
        "--batch",
        dir.to_str().unwrap(),
        "--format",
        "jsonl",
        "-q",
        "-j",
        "2",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&out_file).unwrap();
    let reports: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 4, "{text}");
    let by_name = |n: &str| {
        reports
            .iter()
            .find(|r| r["target"].as_str().unwrap().ends_with(n))
            .unwrap()
    };
    assert_eq!(by_name("a.tgz")["verdict"], "clean");
    let cut = by_name("cut.tar.gz");
    assert!(
        cut["errors"][0].as_str().unwrap().contains("cut.tar.gz"),
        "{cut:#}"
    );
    assert!(rules_of(cut).contains(&"archive/corrupt".to_string()));
    let garbage = by_name("garbage.bin");
    assert_eq!(garbage["verdict"], "error");
    assert!(
        garbage["errors"][0]
            .as_str()
            .unwrap()
            .contains("garbage.bin")
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable target gives exit 2"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn exit_codes_follow_fail_on() {
    let esbuild = repo_root().join("testdata/real/esbuild-0.19.0.tgz");
    let esbuild = esbuild.to_str().unwrap();
    let default = palisade(&["scan", esbuild]);
    assert_eq!(default.status.code(), Some(0));
    let human = String::from_utf8(default.stdout).unwrap();
    assert!(
        human.lines().next().unwrap().starts_with("CLEAN")
            || human.lines().next().unwrap().starts_with("SUSPICIOUS"),
        "{human}"
    );
    assert!(human.contains("install/npm-script") && human.contains("package/package.json:"));
    let missing = palisade(&["scan", "/nonexistent/thing.tgz"]);
    assert_eq!(missing.status.code(), Some(2));
    let usage = palisade(&["scan", "--format", "yaml", esbuild]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn sarif_output_is_2_1_0_with_rules_for_every_result() {
    let crate_path = repo_root().join("testdata/real/anyhow-1.0.104.crate");
    let out = palisade(&["scan", "--format", "sarif", crate_path.to_str().unwrap()]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert!(rule_ids.contains(&result["ruleId"].as_str().unwrap()));
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.contains("anyhow-1.0.104.crate/anyhow-1.0.104/"),
            "{uri}"
        );
    }
}

/// Scans `target` with the rule folder `rules`: exit code, JSON report (if any), stderr.
fn scan_with_rules(
    rules: &std::path::Path,
    target: &std::path::Path,
) -> (Option<i32>, Value, String) {
    let out = palisade(&[
        "scan",
        "--format",
        "json",
        "--rules",
        rules.to_str().unwrap(),
        target.to_str().unwrap(),
    ]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn user_rules_are_added_and_a_bad_one_names_its_file_and_line() {
    let dir = temp_dir("rules");
    std::fs::write(
        dir.join("mine.toml"),
        "[[rule]]\nid = \"local/left-pad\"\ncategory = \"metadata\"\nseverity = \"high\"\nsignal = \"threat\"\nsummary = \"s\"\nwhy = \"w\"\nexample = \"e\"\nlanguages = [\"javascript\"]\npatterns = ['module\\.exports\\s*=\\s*leftPad']\n",
    )
    .unwrap();
    let left_pad = repo_root().join("testdata/real/left-pad-1.3.0.tgz");
    let (_, report, _) = scan_with_rules(&dir, &left_pad);
    assert!(
        rules_of(&report).contains(&"local/left-pad".to_string()),
        "{report:#}"
    );
    std::fs::write(
        dir.join("mine.toml"),
        "[[rule]]\nid = \"local/x\"\nseverity = \"huge\"\n",
    )
    .unwrap();
    let (code, _, stderr) = scan_with_rules(&dir, &left_pad);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("mine.toml:"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn docs_rules_md_is_generated_from_the_code() {
    let out = palisade(&["rules", "--format", "markdown"]);
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(repo_root().join("docs/rules.md")).unwrap();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run -p palisade -- rules --format markdown > docs/rules.md`"
    );
    for id in [
        "archive/path-traversal",
        "install/npm-script",
        "correlate/hidden-behaviour",
        "exfil/oast-domain",
    ] {
        assert!(generated.contains(&format!("## `{id}`")), "{id}");
    }
}

#[test]
fn yara_rules_from_a_rule_folder_match_text_and_binaries() {
    let dir = temp_dir("yara");
    std::fs::write(
        dir.join("sigs.yar"),
        "rule left_pad_export : obfuscation {\n  meta:\n    severity = \"high\"\n    signal = \"threat\"\n    category = \"payload\"\n    summary = \"left-pad's export\"\n  strings:\n    $a = \"module.exports = leftPad\"\n  condition:\n    $a\n}\n\nrule implant_marker {\n  meta:\n    id = \"local/implant\"\n  strings:\n    $m = { 13 37 C0 DE }\n  condition:\n    $m\n}\n",
    )
    .unwrap();
    let left_pad = repo_root().join("testdata/real/left-pad-1.3.0.tgz");
    let (_, report, _) = scan_with_rules(&dir, &left_pad);
    let hit = finding(&report, "yara/left-pad-export");
    assert_eq!(hit["path"], "package/index.js");
    assert_eq!(report["verdict"], "malicious", "a threat signature decides");
    assert!(!rules_of(&report).contains(&"local/implant".to_string()));

    let binary = [
        b"\x7fELF\x02\x01\x01\x00".as_slice(),
        &[0u8; 64],
        &[0x13, 0x37, 0xc0, 0xde],
        &[0u8; 16],
    ]
    .concat();
    let package = gzip(&tar(&[
        (
            "package/package.json",
            br#"{"name": "bin-pkg", "version": "1.0.0"}"#.as_slice(),
        ),
        ("package/bin/tool", &binary),
    ]));
    let path = dir.join("bin-pkg-1.0.0.tgz");
    std::fs::write(&path, package).unwrap();
    let (_, report, _) = scan_with_rules(&dir, &path);
    assert_eq!(
        finding(&report, "local/implant")["path"],
        "package/bin/tool"
    );

    let rules =
        String::from_utf8(palisade(&["rules", "--rules", dir.to_str().unwrap()]).stdout).unwrap();
    assert!(rules.contains("yara/left-pad-export") && rules.contains("local/implant"));
    std::fs::write(
        dir.join("sigs.yar"),
        "rule broken {\n  condition:\n    $nope\n}\n",
    )
    .unwrap();
    let (code, _, stderr) = scan_with_rules(&dir, &left_pad);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("sigs.yar:3"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}
