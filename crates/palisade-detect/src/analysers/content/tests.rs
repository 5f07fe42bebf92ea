use super::*;

#[test]
fn files_left_when_the_time_runs_out_are_reported_not_analysed() {
    let package = Package {
        files: (0..3)
            .map(|i| PackageFile {
                path: format!("p/m{i}.py"),
                data: b"exec(base64.b64decode('cHJpbnQoMSk='))".to_vec(),
            })
            .collect(),
        ..Package::default()
    };
    let analyser = ContentAnalyser::new(RuleSet::builtin(), None);
    let mut findings = Vec::new();
    let scores = analyser.analyse(&package, &mut findings, Instant::now());
    assert!(scores.is_empty());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "analysis/time-limit");
    assert!(
        findings[0].message.contains("3 of 3"),
        "{}",
        findings[0].message
    );
    let mut findings = Vec::new();
    let later = Instant::now() + std::time::Duration::from_secs(60);
    assert_eq!(analyser.analyse(&package, &mut findings, later).len(), 3);
}

#[test]
fn off_screen_code_needs_code_before_and_after_the_run() {
    let hidden = format!("import os{}os.system('x')\n", " ".repeat(200));
    assert!(off_screen(hidden.as_bytes()).is_some());
    let indented = format!("{}x = 1\n", " ".repeat(200));
    assert!(off_screen(indented.as_bytes()).is_none());
    let comment = format!("x = 1{}# note\n", " ".repeat(200));
    assert!(off_screen(comment.as_bytes()).is_none());
    // A caret under a column of the line above, in a comment.
    let caret = format!("x = 1\n    //{}^\n", " ".repeat(200));
    assert!(off_screen(caret.as_bytes()).is_none());
    let after_comment = format!("// note\nx = 1{}eval(y)\n", " ".repeat(200));
    assert!(off_screen(after_comment.as_bytes()).is_some());
    // A comment that closes, or a field, leaves the rest of the line code.
    for prefix in ["/**/ x = 1;", "#priv = 1;", "* 2;"] {
        let hidden = format!("{prefix}{}eval(payload)\n", " ".repeat(200));
        assert!(off_screen(hidden.as_bytes()).is_some(), "{prefix}");
    }
}

#[test]
fn a_pyc_without_a_bytecode_header_is_a_disguised_payload() {
    let mut real = vec![0xcb, 0x0d, b'\r', b'\n'];
    real.extend([0u8; 124]);
    assert!(!is_disguised_bytecode(
        "p/__pycache__/m.cpython-312.pyc",
        &real
    ));
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00".to_vec();
    zip.extend([0u8; 120]);
    assert!(is_disguised_bytecode("p/__pycache__/connection.pyc", &zip));
    assert!(!is_disguised_bytecode("p/data.bin", &zip));
    assert_eq!(hex_prefix(&zip), "504b030414000000");
}

#[test]
fn the_package_code_is_analysed_before_its_tests() {
    // Archive order puts the tests first. With no time at all, the first file the
    // time-limit finding names as left is the one that would have been read first:
    // the package's own module, not a test.
    let package = Package {
        files: ["p/tests/test_a.py", "p/tests/test_b.py", "p/mod.py"]
            .iter()
            .map(|path| PackageFile {
                path: path.to_string(),
                data: b"x = 1\n".to_vec(),
            })
            .collect(),
        ..Package::default()
    };
    let mut findings = Vec::new();
    let analyser = ContentAnalyser::new(RuleSet::builtin(), None);
    analyser.analyse(&package, &mut findings, Instant::now());
    assert_eq!(findings[0].path.as_deref(), Some("p/mod.py"));
}

#[test]
fn a_pycache_entry_names_the_source_it_caches() {
    assert_eq!(
        bytecode_source("pkg/sub/__pycache__/mod.cpython-311.pyc").as_deref(),
        Some("pkg/sub/mod.py")
    );
    assert_eq!(
        bytecode_source("__pycache__/setup.cpython-39.opt-1.pyc").as_deref(),
        Some("setup.py")
    );
    assert_eq!(bytecode_source("pkg/mod.pyc"), None);
    assert_eq!(
        bytecode_source("test/__pycache__/test_a.cpython-38-pytest-8.3.3.pyc"),
        None
    );
    assert_eq!(bytecode_source("pkg/__pycache__/x/mod.pyc"), None);
}
