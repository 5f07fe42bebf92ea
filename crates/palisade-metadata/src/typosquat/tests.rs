use super::*;
use crate::popular::{TARGETS, word_set};

/// Realistic squats of top-100 packages, most of them names that were really published.
const SQUATS: &[(Ecosystem, &str, &str)] = &[
    (Ecosystem::PyPI, "reqeusts", "requests"),
    (Ecosystem::PyPI, "python-dateutils", "python-dateutil"),
    (Ecosystem::PyPI, "colourama", "colorama"),
    (Ecosystem::PyPI, "urlib3", "urllib3"),
    (Ecosystem::PyPI, "crypt0graphy", "cryptography"),
    (Ecosystem::PyPI, "rеquests", "requests"),
    (Ecosystem::PyPI, "python_dateutil2", "python-dateutil"),
    (Ecosystem::PyPI, "numpyy", "numpy"),
    (Ecosystem::PyPI, "pandsa", "pandas"),
    (Ecosystem::PyPI, "botocore-dev", "botocore"),
    (Ecosystem::PyPI, "setuptoolz", "setuptools"),
    // A 2024 campaign against a cloud vendor's SDK: its words in another order.
    (
        Ecosystem::PyPI,
        "python-aliyun-sdk-core",
        "aliyun-python-sdk-core",
    ),
    (Ecosystem::Npm, "crossenv", "cross-env"),
    (Ecosystem::Npm, "electorn", "electron"),
    (Ecosystem::Npm, "loadsh", "lodash"),
    (Ecosystem::Npm, "discord.js-selfbot", "discord.js"),
    (Ecosystem::Npm, "axois", "axios"),
    (Ecosystem::Npm, "chalkk", "chalk"),
    (Ecosystem::Npm, "comander", "commander"),
    (Ecosystem::Npm, "types-node", "@types/node"),
    (Ecosystem::Npm, "@typess/node", "@types/node"),
    (Ecosystem::Npm, "@evil-corp/lodash", "lodash"),
    (Ecosystem::Npm, "node-typescript", "typescript"),
    (Ecosystem::RubyGems, "rials", "rails"),
    (Ecosystem::RubyGems, "nokogri", "nokogiri"),
    (Ecosystem::RubyGems, "activesuport", "activesupport"),
    (
        Ecosystem::Go,
        "github.com/stretchr/testfiy",
        "github.com/stretchr/testify",
    ),
    (
        Ecosystem::Go,
        "github.com/sirupsen/logruss",
        "github.com/sirupsen/logrus",
    ),
    (Ecosystem::Go, "golang.org/x/crpyto", "golang.org/x/crypto"),
    (Ecosystem::Crates, "serde_jsno", "serde_json"),
    (Ecosystem::Crates, "tokioo", "tokio"),
    (Ecosystem::NuGet, "Newtonsoft.Jsn", "Newtonsoft.Json"),
    (
        Ecosystem::Maven,
        "com.google.guava:guvaa",
        "com.google.guava:guava",
    ),
];

#[test]
fn realistic_typosquats_name_their_target() {
    let mut missed = Vec::new();
    for &(eco, squat, target) in SQUATS {
        match typosquat_target(eco, squat) {
            Some(found) if found.target == target => {}
            other => missed.push(format!("{eco} {squat}: {other:?}")),
        }
    }
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
}

#[test]
fn messages_give_the_technique_and_the_rank() {
    let finding = check(Ecosystem::PyPI, "reqeusts").expect("flagged");
    assert_eq!(finding.rule, "name/typosquat");
    assert!(
        finding.message.contains("`reqeusts` is one transposition"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("`requests` (PyPI rank 6)"));
    assert_eq!(finding.path.as_deref(), Some("name"));
    let lookalike = check(Ecosystem::PyPI, "rеquests").expect("flagged");
    assert_eq!(lookalike.rule, "name/lookalike");
    let affix = check(Ecosystem::Npm, "discord.js-selfbot").expect("flagged");
    assert_eq!(affix.rule, "name/affix-squat");
    assert!(affix.message.contains("`-selfbot` added to `discord.js`"));
    let rubygems = typosquat_target(Ecosystem::RubyGems, "rials").unwrap();
    assert_eq!(rubygems.standing, "in the RubyGems popular list");
}

/// The requirement: no popular name is ever reported, whatever its neighbours.
#[test]
fn no_name_of_the_top_1000_of_any_list_is_flagged() {
    let mut checked = 0;
    for eco in Ecosystem::ALL {
        for name in list(eco).names.iter().take(1000) {
            checked += 1;
            assert_eq!(typosquat_target(eco, name), None, "{eco} {name}");
            // Case and separators are the registry's business, not a new name.
            assert_eq!(
                typosquat_target(eco, &name.to_uppercase()),
                None,
                "{eco} {name}"
            );
        }
    }
    assert!(checked > 4000, "{checked}");
}

/// Honest names just below the targets, screened as if they were unknown: a measure of
/// the false-positive rate on real, less popular packages.
#[test]
fn few_honest_less_popular_names_look_like_squats() {
    for eco in [Ecosystem::PyPI, Ecosystem::Npm] {
        let popular = list(eco);
        let honest = &popular.names[TARGETS..];
        let flagged = honest
            .iter()
            .filter(|n| screen(popular, &normalise(eco, n)).is_some())
            .count();
        let rate = flagged as f64 / honest.len() as f64;
        assert!(rate < 0.12, "{eco}: {flagged} of {} flagged", honest.len());
    }
}

#[test]
fn only_names_of_three_words_or_more_are_compared_word_by_word() {
    let reordered = check(Ecosystem::PyPI, "python-aliyun-sdk-kms").expect("flagged");
    assert_eq!(reordered.rule, "name/typosquat");
    assert!(
        reordered
            .message
            .contains("the words, rearranged, of `aliyun-python-sdk-kms`"),
        "{}",
        reordered.message
    );
    // Two-word names swap honestly (`python-ffmpeg` and `ffmpeg-python` are different
    // projects), so a swapped pair alone is no imitation.
    assert_eq!(typosquat_target(Ecosystem::PyPI, "utils-sqlalchemy"), None);
    assert_eq!(word_set("a-b"), None);
    assert_eq!(word_set("json-schema-to-zod"), None);
    assert_eq!(word_set("@scope/a-b-c"), None);
    assert_eq!(
        word_set("sdk-core-aliyun").as_deref(),
        Some("aliyun-core-sdk")
    );
}

#[test]
fn unrelated_and_short_names_are_left_alone() {
    for (eco, name) in [
        (Ecosystem::PyPI, "palisade-scanner"),
        (Ecosystem::PyPI, "qx"),
        (Ecosystem::Npm, "my-tiny-helper-lib-xyz"),
        (Ecosystem::Npm, "mss"),
        (Ecosystem::Npm, "@types/some-package-nobody-uses"),
        (Ecosystem::Crates, "palisade-metadata"),
    ] {
        assert_eq!(typosquat_target(eco, name), None, "{eco} {name}");
    }
}

#[test]
fn hostile_names_do_not_panic_and_are_not_flagged() {
    let huge = "a".repeat(100_000);
    for name in [
        "",
        " ",
        "@",
        "@/",
        "/",
        "--",
        "\u{0}",
        "🦀🦀🦀🦀🦀",
        huge.as_str(),
    ] {
        for eco in Ecosystem::ALL {
            assert_eq!(typosquat_target(eco, name), None, "{eco} {name:.20}");
        }
    }
}

#[test]
fn the_index_finds_what_a_full_scan_finds() {
    let popular = list(Ecosystem::PyPI);
    for name in [
        "reqeusts",
        "python-datutils",
        "colourama",
        "numpyy",
        "zzzzzzz",
    ] {
        let chars: Vec<char> = name.chars().collect();
        let all = 0..popular.target_chars.len() as u32;
        assert_eq!(
            nearest_typo(popular, name),
            best_typo(popular, &chars, all),
            "{name}"
        );
    }
}
