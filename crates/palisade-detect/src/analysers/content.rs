//! The content analyser: runs the code rules over every text file of a package and over
//! everything the deobfuscator decodes from it, checks binaries for executables, then
//! correlates what each file shows into findings and points.

use crate::analysers::manifest::absurd_version;
use crate::coderules::{RuleSet, Signal};
use crate::correlate::{self, FileSignals, correlation_points, rule_points};
use crate::deobfuscate::{self, is_executable};
use crate::pyblocks::{LineInfo, LineKind, analyse_lines};
use crate::signatures::Signatures;
use crate::source::{
    Language, Role, entry_roles, language_of, promote_imported_modules, role_of_unnamed,
};
use palisade_core::{
    Category, Ecosystem, Evidence, Finding, LineIndex, Package, PackageFile, RuleInfo, Severity,
    snippet_at_offset,
};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

/// Bytes of one file that are scanned; the rest of a larger file is not.
const MAX_SCANNED: usize = 16 << 20;
/// Hits of one rule kept per Python file for grouping capabilities by function.
const HITS_PER_RULE: usize = 32;
/// Weight of evidence found in comments and docstrings, relative to code.
const DOCUMENTATION_WEIGHT: f64 = 0.25;
/// A line indented this far pushes its code off-screen.
const OFF_SCREEN_COLUMNS: usize = 150;

pub static EMBEDDED_EXECUTABLE: RuleInfo = RuleInfo {
    id: "payload/embedded-executable",
    category: Category::Payload,
    severity: Severity::Low,
    summary: "The package ships a compiled executable or library (PE, ELF or Mach-O).",
    why: "Native binaries cannot be reviewed as source. Many honest packages ship prebuilt binaries, so this weighs little alone; it matters next to code that runs them.",
    example: "package/bin/helper.exe",
    attack: Some("T1027.009"),
};

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

pub static OFF_SCREEN_CODE: RuleInfo = RuleInfo {
    id: "concealment/off-screen-code",
    category: Category::Concealment,
    severity: Severity::Medium,
    summary: "Code is pushed off-screen by a long run of spaces.",
    why: "Hundreds of spaces before a statement hide it past the right edge of editors and code-review pages.",
    example: "import requests                                                                     ;exec(...)",
    attack: Some("T1027"),
};

pub static ANALYSIS_TIME_LIMIT: RuleInfo = RuleInfo {
    id: "analysis/time-limit",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "The time allowed per package ran out before every file was analysed.",
    why: "Packages built to exhaust scanners can hide what they carry past what is read; the files after the finding's path were not analysed. Set the limit with --timeout.",
    example: "a package of 90,000 generated files",
    attack: Some("T1027"),
};

pub static RULES: &[&RuleInfo] = &[
    &EMBEDDED_EXECUTABLE,
    &ENCODED_EXECUTABLE,
    &ENCODED_URL,
    &OFF_SCREEN_CODE,
    &ANALYSIS_TIME_LIMIT,
];

/// Points of one file, already weighted by its role.
#[derive(Debug, Clone, PartialEq)]
pub struct FileScore {
    pub path: String,
    pub points: f64,
    /// Whether an indicator, threat or indicative combination was seen; without one the
    /// points only say where capabilities run, and do not add up across files.
    pub indicated: bool,
}

pub struct ContentAnalyser {
    rules: RuleSet,
    signatures: Option<Signatures>,
}

impl ContentAnalyser {
    pub fn new(rules: RuleSet, signatures: Option<Signatures>) -> Self {
        ContentAnalyser { rules, signatures }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn signatures(&self) -> Option<&Signatures> {
        self.signatures.as_ref()
    }

    /// Analyses every file until `deadline`; files left when it passes are reported as
    /// one finding, not analysed.
    pub fn analyse(
        &self,
        package: &Package,
        findings: &mut Vec<Finding>,
        deadline: Instant,
    ) -> Vec<FileScore> {
        let mut roles = entry_roles(package);
        if package.ecosystem == Some(Ecosystem::PyPI) {
            promote_imported_modules(package, &mut roles);
        }
        let mut scanner = self.signatures.as_ref().map(Signatures::scanner);
        let mut scores = Vec::new();
        for (index, file) in package.files.iter().enumerate() {
            if Instant::now() >= deadline {
                let left = package.files.len() - index;
                findings.push(
                    ANALYSIS_TIME_LIMIT
                        .finding(format!(
                            "time per package reached: {left} of {} files were not analysed",
                            package.files.len()
                        ))
                        .at(file.path.clone(), None),
                );
                break;
            }
            let data = &file.data[..file.data.len().min(MAX_SCANNED)];
            let language = language_of(&file.path, data);
            let role = roles
                .get(file.path.as_str())
                .copied()
                .unwrap_or_else(|| role_of_unnamed(&file.path, language, package.ecosystem));
            let context = FileContext {
                role,
                ecosystem: package.ecosystem,
                confusion_shape: package.version.as_deref().is_some_and(absurd_version),
            };
            scores.extend(self.analyse_file(
                file,
                data,
                language,
                &context,
                scanner.as_mut(),
                findings,
            ));
        }
        scores
    }

    fn analyse_file<'s>(
        &'s self,
        file: &PackageFile,
        data: &[u8],
        language: Language,
        context: &FileContext,
        scanner: Option<&mut yara_x::Scanner<'s>>,
        findings: &mut Vec<Finding>,
    ) -> Option<FileScore> {
        let role = context.role;
        let text = Lines::new(data);
        let mut signals = FileSignals::default();
        let mut local: Vec<Local> = Vec::new();
        if let (Some(signatures), Some(scanner)) = (&self.signatures, scanner) {
            for hit in signatures.scan(scanner, data) {
                let sig = hit.signature;
                signals.tags.extend(sig.tags.iter().cloned());
                signals.hits.push((sig.signal, sig.info.severity));
                let evidence = text.evidence(hit.offset);
                let finding = sig
                    .info
                    .finding(format!("{} [{}]", sig.info.summary, role.name()))
                    .at(file.path.clone(), Some(evidence.line))
                    .with_snippet(evidence.snippet);
                local.push(Local::new(finding, sig.signal, &sig.tags));
            }
        }
        if language == Language::Binary {
            if is_executable(data) {
                signals.hits.push((Signal::Indicator, Severity::Low));
                local.push(Local::new(
                    EMBEDDED_EXECUTABLE
                        .finding(format!(
                            "{} executable shipped in the package",
                            executable_kind(data)
                        ))
                        .at(file.path.clone(), None),
                    Signal::Indicator,
                    &["payload".to_string()],
                ));
            }
            return judge(file, signals, local, Vec::new(), 0.0, context, findings);
        }
        let mut documentation_points = 0.0;
        let lines: Option<Vec<LineInfo>> =
            (language == Language::Python).then(|| analyse_lines(data));
        // Python gets every hit (bounded) so that capabilities can be grouped by function;
        // other languages only need the first hit of each rule.
        let hits = match &lines {
            Some(_) => self.rules.scan_all(data, language, HITS_PER_RULE),
            None => self.rules.scan(data, language),
        };
        let mut functions: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
        let kind_at = |start: usize| {
            let line = text.line(start);
            lines
                .as_ref()
                .and_then(|l| l.get(line as usize - 1).copied())
        };
        let mut reported = vec![false; self.rules.rules.len()];
        for hit in hits {
            let rule = &self.rules.rules[hit.rule];
            let info = kind_at(hit.start);
            let kind = info.map(|i| i.kind);
            if let Some(LineInfo {
                kind,
                function: Some(function),
            }) = info
                && kind != LineKind::NotCode
            {
                functions
                    .entry(function)
                    .or_default()
                    .extend(rule.tags.iter().cloned());
            }
            // Every hit at module level counts, not only the first: `from urllib import
            // request` comes before the module-level `request.urlopen(...)`.
            if kind == Some(LineKind::ModuleLevel) && role == Role::Import {
                signals.module_level.extend(rule.tags.iter().cloned());
            }
            if std::mem::replace(&mut reported[hit.rule], true) {
                continue;
            }
            let evidence = text.evidence(hit.start);
            let mut place = role.name().to_string();
            if kind == Some(LineKind::NotCode) {
                // Evidence in a comment or docstring documents behaviour; it is not behaviour.
                documentation_points +=
                    rule_points(rule.signal, rule.info.severity) * DOCUMENTATION_WEIGHT;
                place.push_str(", in a comment or docstring");
            } else {
                signals.tags.extend(rule.tags.iter().cloned());
                signals.hits.push((rule.signal, rule.info.severity));
            }
            let finding = rule
                .info
                .finding(format!("{} [{place}]", rule.info.summary))
                .at(file.path.clone(), Some(evidence.line))
                .with_snippet(evidence.snippet);
            local.push(Local::new(finding, rule.signal, &rule.tags));
        }
        if language.is_code() || language == Language::Json {
            self.analyse_decoded(file, &text, language, role, &mut signals, &mut local);
            if let Some(offset) = off_screen(data) {
                let evidence = text.evidence(offset);
                signals.tags.insert("obfuscation".into());
                signals.hits.push((Signal::Indicator, Severity::Medium));
                local.push(Local::new(
                    OFF_SCREEN_CODE
                        .finding(format!("{} [{}]", OFF_SCREEN_CODE.summary, role.name()))
                        .at(file.path.clone(), Some(evidence.line))
                        .with_snippet(evidence.snippet),
                    Signal::Indicator,
                    &["obfuscation".to_string()],
                ));
            }
        }
        let function_tags: Vec<BTreeSet<String>> = functions.into_values().collect();
        judge(
            file,
            signals,
            local,
            function_tags,
            documentation_points,
            context,
            findings,
        )
    }

    fn analyse_decoded(
        &self,
        file: &PackageFile,
        text: &Lines<'_>,
        language: Language,
        role: Role,
        signals: &mut FileSignals,
        local: &mut Vec<Local>,
    ) {
        let data = text.data;
        let mut seen: HashSet<&str> = HashSet::new();
        for decoded in deobfuscate::decode_all(data) {
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
            for hit in self.rules.scan_in_any(&decoded.text, &languages) {
                let rule = &self.rules.rules[hit.rule];
                if !seen.insert(rule.info.id) {
                    continue;
                }
                if concealed {
                    signals.hidden_tags.extend(rule.tags.iter().cloned());
                } else {
                    signals.tags.extend(rule.tags.iter().cloned());
                }
                signals.hits.push((rule.signal, rule.info.severity));
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
}

/// A file's text with its line index, built on first use: most files have no hit.
struct Lines<'a> {
    data: &'a [u8],
    index: OnceCell<LineIndex>,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Self {
        Lines {
            data,
            index: OnceCell::new(),
        }
    }

    fn line(&self, offset: usize) -> u32 {
        self.index
            .get_or_init(|| LineIndex::new(self.data))
            .line(offset)
    }

    fn evidence(&self, offset: usize) -> Evidence {
        Evidence::indexed(
            self.data,
            self.index.get_or_init(|| LineIndex::new(self.data)),
            offset,
        )
    }
}

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

/// What is known of a file before its content is read.
pub struct FileContext {
    pub role: Role,
    pub ecosystem: Option<Ecosystem>,
    /// The package's version is a dependency-confusion shape (99.0.0).
    pub confusion_shape: bool,
}

/// Correlates what one file showed, reports it, and gives the file its points.
fn judge(
    file: &PackageFile,
    signals: FileSignals,
    local: Vec<Local>,
    function_tags: Vec<BTreeSet<String>>,
    documentation_points: f64,
    context: &FileContext,
    findings: &mut Vec<Finding>,
) -> Option<FileScore> {
    let role = context.role;
    if local.is_empty() {
        return None;
    }
    let mut correlated = correlate::correlations(&signals, context);
    for tags in &function_tags {
        for rule in correlate::function_correlations(tags) {
            if !correlated.iter().any(|r| r.id == rule.id) {
                correlated.push(rule);
            }
        }
    }
    let mut points: f64 = signals
        .hits
        .iter()
        .map(|&(s, sev)| rule_points(s, sev))
        .sum();
    points += documentation_points;
    points += correlated
        .iter()
        .map(|r| correlation_points(r))
        .sum::<f64>();
    // Where code runs and what it can do make a file suspicious; only an indicator,
    // a threat or an indicative combination makes it malicious.
    let indicated = signals.hits.iter().any(|&(s, _)| s != Signal::Capability)
        || correlated.iter().any(|r| correlate::is_indicative(r));
    if !indicated {
        points = points.min(correlate::PLACEMENT_ONLY_CAP);
    }
    let noteworthy = points > 0.0;
    for rule in &correlated {
        let evidence = best_evidence(&local, correlate::evidence_tags(rule));
        let mut finding = rule
            .finding(format!("{} [{}]", rule.summary, role.name()))
            .at(file.path.clone(), evidence.and_then(|l| l.finding.line));
        finding.snippet = evidence.and_then(|l| l.finding.snippet.clone());
        finding.decoded_from = evidence.and_then(|l| l.finding.decoded_from.clone());
        findings.push(finding);
    }
    // Capabilities are reported only where they contributed to a judgement.
    for l in local {
        if l.signal != Signal::Capability || noteworthy {
            findings.push(l.finding);
        }
    }
    Some(FileScore {
        path: file.path.clone(),
        points: points * role.weight(),
        indicated,
    })
}

/// A finding of one file, kept with what its rule means until the file is judged.
struct Local {
    finding: Finding,
    signal: Signal,
    tags: Vec<String>,
}

impl Local {
    fn new(finding: Finding, signal: Signal, tags: &[String]) -> Local {
        Local {
            finding,
            signal,
            tags: tags.to_vec(),
        }
    }
}

/// The evidence a correlation finding shows: the strongest finding carrying one of the
/// correlation's tags, so that "install-time process" points at the process call.
fn best_evidence<'a>(local: &'a [Local], tags: &[&str]) -> Option<&'a Local> {
    let relevant = |l: &&Local| l.tags.iter().any(|t| tags.contains(&t.as_str()));
    local
        .iter()
        .filter(relevant)
        .max_by_key(|l| (l.signal != Signal::Capability, l.finding.severity))
        .or_else(|| local.iter().max_by_key(|l| l.finding.severity))
}

fn executable_kind(data: &[u8]) -> &'static str {
    if data.starts_with(b"MZ") {
        "Windows PE"
    } else if data.starts_with(b"\x7fELF") {
        "ELF"
    } else {
        "Mach-O"
    }
}

/// Offset of the first statement that follows a run of spaces long enough to push it
/// out of view, on a line that has code before the run.
fn off_screen(data: &[u8]) -> Option<usize> {
    let mut run = 0usize;
    let mut code_before = false;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'\n' => {
                run = 0;
                code_before = false;
            }
            b' ' | b'\t' => run += 1,
            _ => {
                if run >= OFF_SCREEN_COLUMNS
                    && code_before
                    && !matches!(b, b'#' | b'/' | b'*' | b'"' | b'\'')
                {
                    return Some(i);
                }
                run = 0;
                code_before = true;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
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
    }
}
