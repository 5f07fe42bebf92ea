//! Code rules: patterns kept as data in `rules/*.toml`, matched with one literal
//! prefilter over all rules so that a file is read once however many rules there are.
//!
//! Each rule's patterns are regular expressions. The prefilter is an Aho-Corasick
//! automaton (ASCII case-insensitive) over each rule's *atoms*: literals one of which
//! every match must contain, derived from the patterns or given by the author. Only
//! the rules whose atoms occur in a file run their regexes on it. A rule from which no
//! atom of at least three bytes can be derived is refused as slow, with its line.

mod spec;

pub use spec::Signal;

use crate::source::Language;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use palisade_core::{Category, RuleInfo, Severity};
use regex::bytes::Regex;
use spec::{RuleFile, RuleSpec, line_of};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A rule file that cannot be used, with the place and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for RuleError {}

/// A compiled rule.
#[derive(Debug)]
pub struct CodeRule {
    pub info: &'static RuleInfo,
    pub signal: Signal,
    pub tags: Vec<String>,
    /// Empty: every text file.
    pub languages: Vec<Language>,
    patterns: Vec<Regex>,
    exclude: Vec<Regex>,
    /// Lowercase literals one of which every match contains (the prefilter's atoms).
    atoms: Vec<String>,
    /// Where the rule came from, for error messages.
    pub origin: String,
}

impl CodeRule {
    pub fn applies_to(&self, language: Language) -> bool {
        if self.languages.is_empty() {
            language != Language::Binary
        } else {
            self.languages.contains(&language)
        }
    }

    /// Byte ranges of up to `max` matches in `text` that no exclusion matches.
    pub fn find_all(&self, text: &[u8], max: usize) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = self
            .patterns
            .iter()
            .flat_map(|re| {
                re.find_iter(text)
                    .take(MAX_EXCLUDED_TRIES.max(max))
                    .filter(|m| !self.exclude.iter().any(|x| x.is_match(m.as_bytes())))
                    .map(|m| (token_start(text, m.start(), m.end()), m.end()))
                    .take(max)
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found.truncate(max);
        found
    }

    /// Byte range of the first match in `text` that no exclusion matches.
    pub fn find(&self, text: &[u8]) -> Option<(usize, usize)> {
        self.patterns
            .iter()
            .filter_map(|re| {
                re.find_iter(text)
                    .take(MAX_EXCLUDED_TRIES)
                    .find(|m| !self.exclude.iter().any(|x| x.is_match(m.as_bytes())))
                    .map(|m| (token_start(text, m.start(), m.end()), m.end()))
            })
            .min()
    }
}

/// Where a match's evidence starts: patterns emulate a look-behind with `(?:^|[^.\w])`,
/// which consumes the character before the token, often the newline ending the line
/// above. Counting the match from there put the evidence, and the line's kind (code or
/// comment), on the wrong line.
fn token_start(text: &[u8], start: usize, end: usize) -> usize {
    let mut at = start;
    while at < end && text.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Matches of one pattern tried against the exclusions before the rule gives up.
const MAX_EXCLUDED_TRIES: usize = 64;

/// A hit of a rule in one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

/// Every code rule, with the shared prefilter.
pub struct RuleSet {
    pub rules: Vec<CodeRule>,
    prefilter: AhoCorasick,
    /// For each atom of the prefilter, the rules it stands for.
    atom_rules: Vec<Vec<usize>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuleSet({} rules)", self.rules.len())
    }
}

/// The rules shipped with Palisade, embedded at build time.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

impl RuleSet {
    /// The built-in rules. They are tested, so failure here is a build defect.
    pub fn builtin() -> RuleSet {
        let mut rules = Vec::new();
        for (name, text) in BUILTIN {
            rules.extend(parse_rules(name, text).unwrap_or_else(|e| panic!("built-in rule: {e}")));
        }
        RuleSet::new(rules).unwrap_or_else(|e| panic!("built-in rule: {e}"))
    }

    /// The built-in rules plus every `*.toml` rule file under each of `dirs`.
    pub fn with_user_dirs(dirs: &[PathBuf]) -> Result<RuleSet, RuleError> {
        let mut rules = Vec::new();
        for (name, text) in BUILTIN {
            rules.extend(parse_rules(name, text)?);
        }
        for dir in dirs {
            for path in rule_files(dir)? {
                let text = std::fs::read_to_string(&path).map_err(|e| RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    reason: format!("cannot read: {e}"),
                })?;
                rules.extend(parse_rules(&path.display().to_string(), &text)?);
            }
        }
        RuleSet::new(rules)
    }

    fn new(rules: Vec<CodeRule>) -> Result<RuleSet, RuleError> {
        let mut seen = HashSet::new();
        for rule in &rules {
            if !seen.insert(rule.info.id) {
                return Err(RuleError {
                    file: rule.origin.clone(),
                    line: 0,
                    reason: format!("rule id `{}` is defined twice", rule.info.id),
                });
            }
        }
        let (atoms, atom_rules) = collect_atoms(&rules);
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&atoms)
            .map_err(|e| RuleError {
                file: "rules".into(),
                line: 0,
                reason: format!("cannot build the prefilter: {e}"),
            })?;
        Ok(RuleSet {
            rules,
            prefilter,
            atom_rules,
        })
    }

    /// Up to `max` hits of each rule that applies to `language`, first hits first.
    pub fn scan_all(&self, text: &[u8], language: Language, max: usize) -> Vec<Hit> {
        self.candidates(text, &[language])
            .flat_map(|i| {
                self.rules[i]
                    .find_all(text, max)
                    .into_iter()
                    .map(move |(start, end)| Hit {
                        rule: i,
                        start,
                        end,
                    })
            })
            .collect()
    }

    /// Rules whose atoms occur in `text` and that apply to one of `languages`.
    fn candidates<'s>(
        &'s self,
        text: &[u8],
        languages: &'s [Language],
    ) -> impl Iterator<Item = usize> + 's {
        let mut candidates = vec![false; self.rules.len()];
        for m in self.prefilter.find_overlapping_iter(text) {
            for &rule in &self.atom_rules[m.pattern().as_usize()] {
                candidates[rule] = true;
            }
        }
        candidates
            .into_iter()
            .enumerate()
            .filter(move |&(i, c)| c && languages.iter().any(|&l| self.rules[i].applies_to(l)))
            .map(|(i, _)| i)
    }

    /// The first hit of each rule that applies to `language` and matches `text`.
    pub fn scan(&self, text: &[u8], language: Language) -> Vec<Hit> {
        self.scan_in_any(text, &[language])
    }

    /// The first hit of each rule that applies to any of `languages`, with one pass of
    /// the prefilter (decoded text may be Python, shell or PowerShell).
    pub fn scan_in_any(&self, text: &[u8], languages: &[Language]) -> Vec<Hit> {
        self.candidates(text, languages)
            .filter_map(|i| {
                self.rules[i].find(text).map(|(start, end)| Hit {
                    rule: i,
                    start,
                    end,
                })
            })
            .collect()
    }

    pub fn infos(&self) -> impl Iterator<Item = &'static RuleInfo> + '_ {
        self.rules.iter().map(|r| r.info)
    }
}

fn collect_atoms(rules: &[CodeRule]) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut atoms: Vec<String> = Vec::new();
    let mut atom_rules: Vec<Vec<usize>> = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        for atom in rule_atoms(rule) {
            match atoms.iter().position(|a| *a == atom) {
                Some(pos) => atom_rules[pos].push(index),
                None => {
                    atoms.push(atom);
                    atom_rules.push(vec![index]);
                }
            }
        }
    }
    (atoms, atom_rules)
}

fn rule_atoms(rule: &CodeRule) -> impl Iterator<Item = String> + '_ {
    rule.atoms.iter().cloned()
}

fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let entries = std::fs::read_dir(dir).map_err(|e| RuleError {
        file: dir.display().to_string(),
        line: 0,
        reason: format!("cannot read the rule folder: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parses and compiles one rule file; `name` names it in errors.
pub fn parse_rules(name: &str, text: &str) -> Result<Vec<CodeRule>, RuleError> {
    let err = |span: std::ops::Range<usize>, reason: String| RuleError {
        file: name.to_string(),
        line: line_of(text, span),
        reason,
    };
    let file: RuleFile = toml::from_str(text).map_err(|e| RuleError {
        file: name.to_string(),
        line: e.span().map_or(0, |s| line_of(text, s)),
        reason: e.message().to_string(),
    })?;
    let mut rules = Vec::new();
    for spanned in file.rule {
        let span = spanned.span();
        let spec = spanned.into_inner();
        rules.push(compile(spec, name, &|s, r| err(s, r)).map_err(|mut e| {
            if e.line == 0 {
                e.line = line_of(text, span.clone());
            }
            e
        })?);
    }
    Ok(rules)
}

type ErrAt<'a> = &'a dyn Fn(std::ops::Range<usize>, String) -> RuleError;

fn compile(spec: RuleSpec, origin: &str, err: ErrAt<'_>) -> Result<CodeRule, RuleError> {
    let id = spec.id.get_ref();
    let valid_id = id.split('/').count() == 2
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/');
    if !valid_id {
        return Err(err(
            spec.id.span(),
            format!("rule id `{id}` must be `family/name` in lowercase letters, digits and `-`"),
        ));
    }
    let category = Category::parse(spec.category.get_ref()).ok_or_else(|| {
        err(
            spec.category.span(),
            format!("unknown category `{}`", spec.category.get_ref()),
        )
    })?;
    let severity = Severity::parse(spec.severity.get_ref()).ok_or_else(|| {
        err(
            spec.severity.span(),
            format!(
                "unknown severity `{}` (info, low, medium, high, critical)",
                spec.severity.get_ref()
            ),
        )
    })?;
    let mut languages = Vec::new();
    for lang in &spec.languages {
        languages.push(Language::from_name(lang.get_ref()).ok_or_else(|| {
            err(
                lang.span(),
                format!("unknown language `{}`", lang.get_ref()),
            )
        })?);
    }
    if spec.patterns.is_empty() {
        return Err(err(
            spec.id.span(),
            "a rule needs at least one pattern".into(),
        ));
    }
    let mut patterns = Vec::new();
    let mut atoms: Vec<String> = Vec::new();
    for pattern in &spec.patterns {
        let regex = compile_pattern(pattern.get_ref())
            .map_err(|e| err(pattern.span(), format!("invalid pattern: {e}")))?;
        patterns.push(regex);
        if spec.atoms.is_none() {
            let derived = derive_atoms(pattern.get_ref()).ok_or_else(|| {
                err(
                    pattern.span(),
                    "slow pattern: no literal of 3 or more characters starts every match; \
                     add `atoms = [...]` naming literals one of which every match contains"
                        .into(),
                )
            })?;
            atoms.extend(derived);
        }
    }
    let mut exclude = Vec::new();
    for pattern in &spec.exclude {
        exclude.push(
            compile_pattern(pattern.get_ref())
                .map_err(|e| err(pattern.span(), format!("invalid exclude pattern: {e}")))?,
        );
    }
    if let Some(given) = &spec.atoms {
        for atom in given {
            if atom.get_ref().len() < 3 {
                return Err(err(
                    atom.span(),
                    "atoms must be at least 3 bytes long".into(),
                ));
            }
            atoms.push(atom.get_ref().to_ascii_lowercase());
        }
    }
    atoms.sort();
    atoms.dedup();
    let id_span = spec.id.span();
    let info: &'static RuleInfo = Box::leak(Box::new(RuleInfo {
        id: leak(spec.id.into_inner()),
        category,
        severity,
        summary: leak(spec.summary),
        why: leak(spec.why),
        example: leak(spec.example),
        attack: spec.attack.map(leak),
    }));
    let rule = CodeRule {
        info,
        signal: spec.signal,
        tags: spec.tags.into_iter().map(Spanned::into_inner).collect(),
        languages,
        patterns,
        exclude,
        atoms,
        origin: origin.to_string(),
    };
    check_tests(&rule, &spec.tests, err, id_span)?;
    Ok(rule)
}

/// Compiles a rule pattern with ASCII semantics for `\b`, `\w` and `\s` (code is ASCII,
/// and Unicode word boundaries force the slowest regex engine on non-ASCII input),
/// falling back to Unicode semantics for patterns that name non-ASCII characters.
fn compile_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    let build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(pattern)
            .unicode(unicode)
            .size_limit(1 << 22)
            .build()
    };
    build(false).or_else(|_| build(true))
}

/// Runs the rule's own examples: a rule that misses its positive examples or matches
/// its negative ones is refused.
fn check_tests(
    rule: &CodeRule,
    tests: &spec::Tests,
    err: ErrAt<'_>,
    span: std::ops::Range<usize>,
) -> Result<(), RuleError> {
    for text in &tests.matches {
        if rule.find(text.as_bytes()).is_none() {
            return Err(err(
                span.clone(),
                format!("`{}` does not match its test `{text}`", rule.info.id),
            ));
        }
    }
    for text in &tests.no_match {
        if rule.find(text.as_bytes()).is_some() {
            return Err(err(
                span.clone(),
                format!("`{}` matches its negative test `{text}`", rule.info.id),
            ));
        }
    }
    Ok(())
}

/// Rules are loaded once per process and live as long as it: their texts are leaked so
/// that they can be `RuleInfo`s like the built-in analysers' rules.
pub(crate) fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Prefix literals of a pattern, lowercased, each at least 3 bytes; `None` when some
/// match could start without one (the pattern would have to run on every file).
fn derive_atoms(pattern: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    // The prefilter ignores ASCII case, so case-insensitivity adds nothing to the atoms
    // but an explosion of case variants.
    let pattern = pattern.strip_prefix("(?i)").unwrap_or(pattern);
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_class(4)
        .limit_total(512)
        .limit_literal_len(12);
    let seq = extractor.extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() {
        return None;
    }
    let mut atoms: Vec<String> = literals
        .iter()
        .map(|l| String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase())
        .collect();
    if atoms.iter().any(|a| a.trim().len() < 3) {
        return None;
    }
    atoms.sort();
    atoms.dedup();
    Some(atoms)
}

#[cfg(test)]
mod tests;
