//! Literals decoded by the deobfuscator: an executable hidden in one, a web address
//! hidden in one, and the rules run again over what they decode to.

use super::{Lines, Local, executable_kind};
use crate::coderules::{RuleSet, Signal};
use crate::correlate::FileSignals;
use crate::deobfuscate::{self, is_executable};
use crate::source::{Language, Role};
use palisade_core::{Category, PackageFile, RuleInfo, Severity, snippet_at_offset};
use std::collections::HashSet;

pub static ENCODED_EXECUTABLE: RuleInfo = RuleInfo {
    id: "payload/encoded-executable",
    category: Category::Payload,
    severity: Severity::Critical,
    summary: "An executable (PE, ELF or Mach-O) is hidden inside an encoded string literal.",
    why: "Encoding a binary into source code has one purpose: carrying a payload past review and scanners, to be written out and run.",
    example: "blob = 'TVqQAAMAAAAEAAAA//8AALgAAAA...'  # base64 of an .exe",
    attack: Some("T1027.009"),
};

pub static ENCODED_URL: RuleInfo = RuleInfo {
    id: "concealment/encoded-url",
    category: Category::Concealment,
    severity: Severity::Medium,
    summary: "A web address is hidden inside an encoded string literal (base64, hex, char codes).",
    why: "Honest code writes the addresses it talks to in clear; encoding one keeps the place \
          where data goes, or where a second stage comes from, out of sight of review.",
    example: "url = base64.b64decode('aHR0cDovL2V4YW1wbGUuY29tL3VwbG9hZA==')",
    attack: Some("T1027"),
};

/// A decoded literal that is nothing but one http(s) address: what an encoded endpoint
/// looks like, as opposed to a decoded document that happens to contain links.
fn is_bare_url(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let text = text.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        (4..=300).contains(&rest.len())
            && rest.contains('.')
            && rest
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'')
    })
}

pub(super) fn analyse_decoded(
    rules: &RuleSet,
    file: &PackageFile,
    text: &Lines<'_>,
    language: Language,
    role: Role,
    signals: &mut FileSignals,
    local: &mut Vec<Local>,
) {
    let data = text.data;
    let mut seen: HashSet<&str> = HashSet::new();
    // Python runs identifiers written in look-alike letters as their ASCII forms.
    let folded = (language == Language::Python)
        .then(|| deobfuscate::fold_lookalike_letters(data))
        .flatten();
    for decoded in folded.into_iter().chain(deobfuscate::decode_all(data)) {
        // Folding keeps line breaks: a hit in folded text is on the same line here.
        let is_fold = decoded.chain.iter().any(|s| s == deobfuscate::UNICODE_FOLD);
        let line = text.line(decoded.offset);
        if is_executable(&decoded.text) {
            signals.hidden_tags.insert("payload".into());
            signals.hits.push((Signal::Threat, Severity::Critical));
            let mut finding = ENCODED_EXECUTABLE
                .finding(format!(
                    "{} executable decoded from a string literal [{}]",
                    executable_kind(&decoded.text),
                    role.name()
                ))
                .at(file.path.clone(), Some(line))
                .with_snippet(snippet_at_offset(data, decoded.offset));
            finding.decoded_from = Some(decoded.chain.clone());
            local.push(Local::new(
                finding,
                Signal::Threat,
                &["payload".to_string()],
            ));
            continue;
        }
        // Code merely kept in a quoted string is not hidden; anything encoded is.
        let concealed = decoded
            .chain
            .iter()
            .any(|s| s != deobfuscate::STRING_ESCAPES);
        // Fragments of a list read as a URL once joined are often just a list of
        // prefixes (`("http://", "https://")`); only a real encoding hides one.
        let encoded = decoded
            .chain
            .iter()
            .any(|s| s != deobfuscate::STRING_ESCAPES && s != deobfuscate::JOINED_FRAGMENTS);
        if encoded && is_bare_url(&decoded.text) && seen.insert(ENCODED_URL.id) {
            // Where the code connects is hidden: that is hidden network behaviour.
            signals.hidden_tags.insert("network".into());
            signals.hits.push((Signal::Indicator, Severity::Medium));
            let mut finding = ENCODED_URL
                .finding(format!(
                    "`{}` decoded from a string literal [{}]",
                    String::from_utf8_lossy(&decoded.text).trim(),
                    role.name()
                ))
                .at(file.path.clone(), Some(line))
                .with_snippet(snippet_at_offset(data, decoded.offset));
            finding.decoded_from = Some(decoded.chain.clone());
            local.push(Local::new(
                finding,
                Signal::Indicator,
                &["obfuscation".to_string(), "network".to_string()],
            ));
        }
        // Decoded text may be of another language (a shell command inside Python).
        let languages = [language, Language::Shell, Language::PowerShell];
        for hit in rules.scan_in_any(&decoded.text, &languages) {
            let rule = &rules.rules[hit.rule];
            if !seen.insert(rule.info.id) {
                continue;
            }
            if concealed {
                signals.hidden_tags.extend(rule.tags.iter().cloned());
            } else {
                signals.tags.extend(rule.tags.iter().cloned());
            }
            signals.hits.push((rule.signal, rule.info.severity));
            let line = if is_fold {
                1 + decoded.text[..hit.start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u32
            } else {
                line
            };
            let mut finding = rule
                .info
                .finding(format!("{} [{}, decoded]", rule.info.summary, role.name()))
                .at(file.path.clone(), Some(line))
                .with_snippet(snippet_at_offset(&decoded.text, hit.start));
            finding.decoded_from = Some(decoded.chain.clone());
            local.push(Local::new(finding, rule.signal, &rule.tags));
        }
    }
}
