//! `palisade diff` through the binary, on real consecutive releases.

mod common;

use common::{palisade, repo_root};

#[test]
fn diff_of_real_releases_reports_no_new_risk_and_exits_zero() {
    let real = repo_root().join("testdata/real");
    let old = real.join("left-pad-1.2.0.tgz");
    let new = real.join("left-pad-1.3.0.tgz");
    let out = palisade(&[
        "diff",
        "--format",
        "json",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diff["risk"], "none");
    assert_eq!(diff["old"]["version"], "1.2.0");
    assert_eq!(diff["new"]["version"], "1.3.0");
    assert_eq!(diff["files"]["removed"], 1);

    let human = palisade(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.starts_with("NO NEW RISK  left-pad@1.2.0 -> left-pad@1.3.0"),
        "{text}"
    );
    assert!(text.contains("new dependency (dev) fast-check"), "{text}");
}

#[test]
fn diff_of_a_missing_target_is_a_usage_error_naming_it() {
    let out = palisade(&["diff", "no-such-old.tgz", "no-such-new.tgz"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-old.tgz"), "{err}");
}
