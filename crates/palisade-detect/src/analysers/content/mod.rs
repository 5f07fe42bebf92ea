//! The content analyser: runs the code rules over every text file of a package and over
//! everything the deobfuscator decodes from it, checks binaries for executables, then
//! correlates what each file shows into findings and points.

use crate::analysers::manifest::absurd_version;
use crate::coderules::{Hit, RuleSet, Signal};
use crate::correlate::{FileSignals, rule_points};
use crate::deobfuscate::is_executable;
use crate::goinit::init_bodies;
use crate::jscomments::comment_lines;
use crate::jsflow;
use crate::pyblocks::{LineInfo, LineKind, analyse_lines};
use crate::pycalls::import_time_functions;
use crate::signatures::Signatures;
use crate::source::{
    Language, Role, entry_roles, language_of, promote_imported_modules, promote_started_scripts,
    role_of_unnamed,
};
use palisade_core::{
    Category, Ecosystem, Evidence, Finding, LineIndex, Package, PackageFile, RuleInfo, Severity,
};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

/// Bytes of one file that are scanned; the rest of a larger file is not.
mod compiled;
mod decoded;
mod dropper;
mod judge;
mod loaders;

pub use decoded::{ENCODED_EXECUTABLE, ENCODED_URL};
use judge::{Local, judge};

const MAX_SCANNED: usize = 16 << 20;
/// Hits of one rule kept per Python file for grouping capabilities by function.
const HITS_PER_RULE: usize = 32;
/// Hits per rule read when the first [`HITS_PER_RULE`] of one rule all fell in comments
/// or on-demand scripts, before the file's demotions are given up as a possible screen.
const SCREEN_HITS: usize = 1024;
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

pub static DISGUISED_BYTECODE: RuleInfo = RuleInfo {
    id: "payload/disguised-bytecode",
    category: Category::Payload,
    severity: Severity::Critical,
    summary: "A `.pyc` file is not Python bytecode: its header is missing, so it holds something else under a compiled-code name.",
    why: "Python writes and loads `.pyc` files itself, always with a bytecode header. A file named like bytecode that is an archive or an encrypted blob is a payload hidden where reviewers do not look, for custom code in the package to unpack and run.",
    example: "aiohttp_helper/__pycache__/staggered.pyc: 290 KB of encrypted bytes",
    attack: Some("T1027.013"),
};

pub static BYTECODE_NOT_FROM_SOURCE: RuleInfo = RuleInfo {
    id: "payload/bytecode-not-from-source",
    category: Category::Payload,
    severity: Severity::Medium,
    summary: "A `__pycache__` entry uses names that its source file never mentions: the bytecode was not compiled from the source shipped beside it.",
    why: "Python runs the cached bytecode instead of the source when the cache says it is current, and an unchecked hash-based `.pyc` is run without looking at the source at all. Bytecode that calls what its source never names is code a reviewer reading the `.py` does not see.",
    example: "colorlogx/__pycache__/__init__.cpython-311.pyc uses names that colorlogx/__init__.py never mentions: urlopen, exec, compile",
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
    &DISGUISED_BYTECODE,
    &BYTECODE_NOT_FROM_SOURCE,
    &ENCODED_EXECUTABLE,
    &ENCODED_URL,
    &OFF_SCREEN_CODE,
    &dropper::RUNS_DOWNLOAD,
    &dropper::RUNS_RECEIVED_COMMAND,
    &dropper::INSTALL_DROPS_AND_RUNS,
    &loaders::RUNS_RESPONSE,
    &loaders::RUNS_DOWNLOAD,
    &ANALYSIS_TIME_LIMIT,
    &compiled::UNREADABLE_COMPILED,
    &compiled::COMPILED_VIEW_LIMIT,
];

/// Points of one file, already weighted by its role.
#[derive(Debug, Clone, PartialEq)]
pub struct FileScore {
    pub path: String,
    pub points: f64,
    /// Whether an indicator, threat or indicative combination was seen; without one the
    /// points only say where capabilities run, and do not add up across files.
    pub indicated: bool,
    /// Tests, documentation, examples and tooling: code that runs only if the package's
    /// own code starts it.
    pub auxiliary: bool,
    /// The rules whose evidence gave the points (indicators, threats, correlations): a
    /// file that shows only what a worse file already showed adds nothing.
    pub rules: BTreeSet<String>,
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
            crate::importable::promote_importable_package(package, &mut roles);
            promote_imported_modules(package, &mut roles);
        }
        promote_started_scripts(package, &mut roles);
        let on_demand = palisade_package::npm_on_demand_script_lines(package);
        let mut scanner = self.signatures.as_ref().map(Signatures::scanner);
        let mut scores = Vec::new();
        // npm's install-time commands are shell code: read them as such, at their lines
        // in the manifest, first, since they are small and the whole attack at times.
        if let (Some(view), Some(manifest)) = (
            palisade_package::npm_install_script_view(package),
            package.manifest(),
        ) {
            let context = FileContext {
                role: Role::Install,
                ecosystem: package.ecosystem,
                confusion_shape: package.version.as_deref().is_some_and(absurd_version),
                on_demand_lines: Vec::new(),
                structure: None,
                foreign_bytecode: None,
            };
            // `node -e "..."` puts JavaScript on the command line: only that is read as
            // JavaScript, so that shell text cannot steer the JavaScript lexer.
            let readings = [
                (Some(view.shell), Language::Shell),
                (view.javascript, Language::JavaScript),
                (view.python, Language::Python),
            ];
            for (text, language) in readings {
                let Some(text) = text else { continue };
                let data = &text[..text.len().min(MAX_SCANNED)];
                scores
                    .extend(self.analyse_file(manifest, data, language, &context, None, findings));
            }
        }
        // Install-time code first, then the package's own code, then the rest: a file
        // built to use up the time must not push the code that runs past the limit.
        let role_of = |file: &PackageFile, language: Language| {
            roles
                .get(file.path.as_str())
                .copied()
                .unwrap_or_else(|| role_of_unnamed(&file.path, language, package.ecosystem))
        };
        let mut order: Vec<(Role, usize, Language)> = package
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| {
                let data = &file.data[..file.data.len().min(MAX_SCANNED)];
                let language = language_of(&file.path, data);
                (role_of(file, language), index, language)
            })
            .collect();
        order.sort_by_key(|&(role, index, _)| (role, index));
        let mut files_by_path: Option<HashMap<&str, &PackageFile>> = None;
        for (done, &(role, index, language)) in order.iter().enumerate() {
            let file = &package.files[index];
            if Instant::now() >= deadline {
                let left = package.files.len() - done;
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
            let context = FileContext {
                role,
                ecosystem: package.ecosystem,
                confusion_shape: package.version.as_deref().is_some_and(absurd_version),
                on_demand_lines: if package.manifest_path.as_deref() == Some(file.path.as_str()) {
                    on_demand.clone()
                } else {
                    Vec::new()
                },
                structure: None,
                foreign_bytecode: None,
            };
            scores.extend(self.analyse_file(
                file,
                data,
                language,
                &context,
                scanner.as_mut(),
                findings,
            ));
            if language == Language::Binary {
                // Indexed once, when the first cache is met: a package of thousands of
                // `__pycache__` entries must not search its files for each.
                let source = bytecode_source(&file.path).and_then(|path| {
                    files_by_path
                        .get_or_insert_with(|| {
                            package.files.iter().map(|f| (f.path.as_str(), f)).collect()
                        })
                        .get(path.as_str())
                        .copied()
                });
                scores.extend(self.analyse_compiled(file, data, source, &context, findings));
            }
            // node-gyp hands `<!(node -e "...")` to Node and `<!(python3 -c "...")` to
            // Python: read those as JavaScript and Python too.
            let gyp = [".gyp", ".gypi"].iter().any(|ext| file.path.ends_with(ext));
            let views = [
                (
                    gyp.then(|| palisade_package::gyp_javascript_view(data))
                        .flatten(),
                    Language::JavaScript,
                ),
                (
                    gyp.then(|| palisade_package::gyp_python_view(data))
                        .flatten(),
                    Language::Python,
                ),
            ];
            for (view, language) in views {
                let Some(view) = view else { continue };
                scores.extend(self.analyse_file(file, &view, language, &context, None, findings));
            }
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
        // Text or binary: a payload stored as base64 under a `.pyc` name is as disguised.
        // A compiled file's view is not the file.
        if context.structure.is_none() && is_disguised_bytecode(&file.path, data) {
            signals.hits.push((Signal::Indicator, Severity::Critical));
            local.push(Local::new(
                DISGUISED_BYTECODE
                    .finding(format!(
                        "{} bytes without a bytecode header, starting {}",
                        data.len(),
                        hex_prefix(data)
                    ))
                    .at(file.path.clone(), None),
                Signal::Indicator,
                &["payload".to_string(), "obfuscation".to_string()],
            ));
        }
        if let Some((source, names)) = &context.foreign_bytecode {
            // Medium: a cache left from an older version of the source differs as well;
            // what poisoned bytecode does is judged by its own view.
            signals.hits.push((Signal::Indicator, Severity::Medium));
            local.push(Local::new(
                BYTECODE_NOT_FROM_SOURCE
                    .finding(format!(
                        "uses {} that {source} never mentions: {}",
                        if names.len() == 1 { "a name" } else { "names" },
                        names.join(", ")
                    ))
                    .at(file.path.clone(), None),
                Signal::Indicator,
                &["payload".to_string(), "obfuscation".to_string()],
            ));
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
        let python = language == Language::Python;
        // The structure a compiled view comes with is borrowed, Python's worked out.
        let python_lines = (python && context.structure.is_none()).then(|| analyse_lines(data));
        let lines: Option<&[LineInfo]> = context.structure.as_deref().or(python_lines.as_deref());
        // Go runs `func init()` of every imported package unasked: its body is import-time
        // code as a Python module body is.
        let go_init = if language == Language::Go && role == Role::Import {
            init_bodies(data)
        } else {
            Vec::new()
        };
        // Python gets every hit (bounded) so that capabilities can be grouped by function,
        // and Go with `init` bodies so that a hit inside one is seen after one outside;
        // other languages only need the first hit of each rule.
        let mut on_demand: &[u32] = &context.on_demand_lines;
        let mut hits = if lines.is_some() || !go_init.is_empty() || !on_demand.is_empty() {
            self.rules.scan_all(data, language, HITS_PER_RULE)
        } else {
            self.rules.scan(data, language)
        };
        // JavaScript comments: worked out only for a file with hits, and every hit read
        // only when a first one fell in a comment (the rule may have one in code too).
        // JSX mixes markup with code in ways a JavaScript lexer does not follow.
        let jsx = [".jsx", ".tsx"].iter().any(|ext| file.path.ends_with(ext));
        let mut comments = if language == Language::JavaScript && !jsx && !hits.is_empty() {
            comment_lines(data)
        } else {
            Vec::new()
        };
        let in_comment = |start: usize| comments.binary_search(&text.line(start)).is_ok();
        if lines.is_none() && hits.iter().any(|h| in_comment(h.start)) {
            hits = self.rules.scan_all(data, language, HITS_PER_RULE);
        }
        // Only the first hits of a rule are kept; had they filled up with commented or
        // on-demand copies, one in code could hide behind them. Then nothing is demoted.
        // Python comments and docstrings are demoted the same way, and screened the same.
        let mut distrust_python_docs = false;
        let demoted = |start: usize| {
            let line = text.line(start);
            comments.binary_search(&line).is_ok()
                || on_demand.binary_search(&line).is_ok()
                || lines
                    .as_ref()
                    .and_then(|l| l.get(line as usize - 1))
                    .is_some_and(|info| !info.kind.runs())
        };
        if screened(&hits, HITS_PER_RULE, demoted) {
            // Read further before giving up: generated declarations repeat a phrase
            // in hundreds of doc comments.
            hits = self.rules.scan_all(data, language, SCREEN_HITS);
            if screened(&hits, SCREEN_HITS, demoted) {
                comments.clear();
                on_demand = &[];
                distrust_python_docs = true;
            }
        }
        let mut functions: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
        let kind_at = |start: usize| {
            let line = text.line(start);
            if on_demand.binary_search(&line).is_ok() {
                return Some(LineInfo {
                    kind: LineKind::MaintainerCommand,
                    function: None,
                });
            }
            if comments.binary_search(&line).is_ok() {
                return Some(LineInfo {
                    kind: LineKind::NotCode,
                    function: None,
                });
            }
            let info = lines
                .as_ref()
                .and_then(|l| l.get(line as usize - 1).copied());
            match info {
                Some(info) if distrust_python_docs && !info.kind.runs() => Some(LineInfo {
                    kind: LineKind::Other,
                    function: info.function,
                }),
                _ => info,
            }
        };
        // Each rule is reported once, at its first hit in code; a hit in a comment or
        // docstring is reported only when the rule has none in code. A licence header
        // naming `.pypirc` must not hide the line below that reads it.
        let mut module_body: BTreeSet<String> = BTreeSet::new();
        let mut detached_starts: Vec<usize> = Vec::new();
        let mut chosen: Vec<Option<(usize, Option<LineKind>)>> = vec![None; self.rules.rules.len()];
        for hit in hits {
            let rule = &self.rules.rules[hit.rule];
            let info = kind_at(hit.start);
            let kind = info.map(|i| i.kind);
            if let Some(LineInfo {
                kind,
                function: Some(function),
            }) = info
                && kind.runs()
            {
                functions
                    .entry(function)
                    .or_default()
                    .extend(rule.tags.iter().cloned());
            }
            // Every hit at module level counts, not only the first: `from urllib import
            // request` comes before the module-level `request.urlopen(...)`.
            if kind == Some(LineKind::ModuleLevel) {
                module_body.extend(rule.tags.iter().cloned());
                if role == Role::Import {
                    signals.module_level.extend(rule.tags.iter().cloned());
                }
            }
            if go_init.iter().any(|body| body.contains(&hit.start)) {
                signals.module_level.extend(rule.tags.iter().cloned());
            }
            if language == Language::JavaScript
                && role == Role::Import
                && kind.is_none_or(LineKind::runs)
                && rule.tags.iter().any(|t| t == "detached")
            {
                detached_starts.push(hit.start);
            }
            let slot = &mut chosen[hit.rule];
            let better = match *slot {
                None => true,
                Some((start, previous)) => {
                    let in_code = |k: Option<LineKind>| k.is_none_or(LineKind::runs);
                    (in_code(kind) && !in_code(previous))
                        || (in_code(kind) == in_code(previous) && hit.start < start)
                }
            };
            if better {
                *slot = Some((hit.start, kind));
            }
        }
        let mut chosen: Vec<(usize, usize, Option<LineKind>)> = chosen
            .into_iter()
            .enumerate()
            .filter_map(|(rule, c)| c.map(|(start, kind)| (start, rule, kind)))
            .collect();
        chosen.sort_unstable_by_key(|&(start, rule, _)| (start, rule));
        for (start, rule_index, kind) in chosen {
            let rule = &self.rules.rules[rule_index];
            let evidence = text.evidence(start);
            let mut place = role.name().to_string();
            if let Some(kind) = kind.filter(|k| !k.runs()) {
                // Evidence in a comment or docstring documents behaviour; it is not
                // behaviour. Nor is a maintainer's release command, which pip never runs.
                documentation_points +=
                    rule_points(rule.signal, rule.info.severity) * DOCUMENTATION_WEIGHT;
                place.push_str(if kind == LineKind::MaintainerCommand && language == Language::Json {
                    ", in a package.json script npm runs only when asked (`npm run`), never on install"
                } else if kind == LineKind::MaintainerCommand {
                    ", in a setup.py command that pip never runs (`setup.py publish`)"
                } else {
                    ", in a comment or docstring"
                });
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
            decoded::analyse_decoded(
                &self.rules,
                file,
                &text,
                language,
                role,
                &mut signals,
                &mut local,
            );
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
        if role == Role::Import
            && python
            && !functions.is_empty()
            && let Some(lines) = lines
        {
            // `def run(): ...` followed by `run()` runs `run` on import.
            for function in import_time_functions(data, lines) {
                if let Some(tags) = functions.get(&function) {
                    signals.module_level.extend(tags.iter().cloned());
                }
            }
        }
        // A JavaScript module that starts a program detached when it is loaded (not in
        // a function it only defines) does what a Python module body would; Node
        // started again on the package's own file is an update check unless the file
        // also fetches or writes.
        if !detached_starts.is_empty()
            && signals.runs_other()
            && jsflow::starts_on_load(data, &detached_starts)
        {
            signals.module_level.insert("detached".into());
        }
        let confirmed = lines.filter(|_| python).map(|lines| {
            dropper::confirm(
                data,
                lines,
                role,
                &signals.tags,
                &mut functions,
                &module_body,
            )
        });
        signals.flow_followed = confirmed.as_ref().is_some_and(|c| c.complete);
        if let Some(found) = confirmed.and_then(|c| c.found) {
            let evidence = text.evidence(text.offset_of_line(found.run_line));
            let finding = dropper::finding(&found, role);
            let tag = dropper::tag(&found);
            signals.tags.insert(tag.into());
            signals.hits.push((Signal::Indicator, finding.severity));
            local.push(Local::new(
                finding
                    .at(file.path.clone(), Some(evidence.line))
                    .with_snippet(evidence.snippet),
                Signal::Indicator,
                &[tag.to_string()],
            ));
        }
        if language == Language::JavaScript {
            let mut flows = jsflow::analyse(data);
            // A run on a line of comment only is documentation. JSX mixes markup with
            // code in ways the comment lexer does not follow.
            let lexed = OnceCell::new();
            let comment = |line: u32| {
                !jsx && lexed
                    .get_or_init(|| comment_lines(data))
                    .binary_search(&line)
                    .is_ok()
            };
            flows.remote_run = flows.remote_run.filter(|r| !comment(r.run_line));
            flows.download_run = flows.download_run.filter(|r| !comment(r.run_line));
            let place = |finding: Finding, line: u32| {
                let evidence = text.evidence(text.offset_of_line(line));
                finding
                    .at(file.path.clone(), Some(evidence.line))
                    .with_snippet(evidence.snippet)
            };
            loaders::report(&flows, role, place, &mut signals, &mut local);
        }
        let function_tags: Vec<BTreeSet<String>> = functions.into_values().collect();
        if lines.is_some() {
            let in_context = |tags: &BTreeSet<String>| {
                tags.contains("credentials")
                    && (tags.contains("sysinfo") || tags.contains("ci-tokens"))
            };
            signals.credentials_with_context_in_one_scope =
                Some(in_context(&module_body) || function_tags.iter().any(in_context));
            let decode_exec =
                |tags: &BTreeSet<String>| tags.contains("exec") && tags.contains("decode");
            signals.exec_near_decode = Some(
                module_body.contains("exec")
                    || signals.module_level.contains("exec")
                    || function_tags.iter().any(decode_exec),
            );
        } else if signals.has("credentials") && (signals.has("sysinfo") || signals.has("ci-tokens"))
        {
            signals.credentials_with_context_in_one_scope =
                credentials_near_context(&self.rules, data, language);
        }
        // A drainer hooks the page and swaps addresses in one place; a bundle may hold a
        // fetch polyfill and, far from it, an explorer's address linkifier.
        if signals.has("api-hook") && signals.has("address-swap") {
            signals.hook_near_swap = tags_near(
                &self.rules,
                data,
                language,
                &["api-hook"],
                &["address-swap"],
            );
        }
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
}

/// Whether some rule reached `cap` hits, so that later ones went unread,
/// with every hit read `screened` (in a comment, say): one after them may be the real one.
fn screened(hits: &[Hit], cap: usize, screened: impl Fn(usize) -> bool) -> bool {
    let mut counts: BTreeMap<usize, (usize, bool)> = BTreeMap::new();
    for hit in hits {
        let (count, all) = counts.entry(hit.rule).or_insert((0, true));
        *count += 1;
        *all &= screened(hit.start);
    }
    counts.values().any(|&(count, all)| count >= cap && all)
}

/// How close, in bytes, a credential file's name and host data or a token variable must
/// be to count as one piece of code where no function scopes are known: a stealer's
/// inventory sits in one function, while a bundle of fifteen thousand lines (a
/// publishing tool listing `.npmrc` among lockfiles, its release code reading
/// `GITHUB_TOKEN` eleven kilobytes later) holds both in unrelated places.
const CONTEXT_WINDOW: usize = 4096;

/// Whether some hit of a credentials rule lies within [`CONTEXT_WINDOW`] of a hit of a
/// host-data or token-variable rule; `None` when the code rules saw one side only (a
/// signature or decoded text supplied the other) or a rule's hits filled up (decoys
/// could push the near pair out), so the file-level reading stands.
fn credentials_near_context(rules: &RuleSet, data: &[u8], language: Language) -> Option<bool> {
    tags_near(
        rules,
        data,
        language,
        &["credentials"],
        &["sysinfo", "ci-tokens"],
    )
}

/// Whether a hit of a rule tagged with one of `first` lies within [`CONTEXT_WINDOW`]
/// bytes of a hit tagged with one of `second`; `None` when either is missing or the
/// hits fill the screen of copies (then nothing is known about where they lie).
fn tags_near(
    rules: &RuleSet,
    data: &[u8],
    language: Language,
    first: &[&str],
    second: &[&str],
) -> Option<bool> {
    let has = |hit: &Hit, wanted: &[&str]| {
        rules.rules[hit.rule]
            .tags
            .iter()
            .any(|t| wanted.contains(&t.as_str()))
    };
    let hits: Vec<_> = rules
        .scan_all(data, language, HITS_PER_RULE)
        .into_iter()
        .filter(|hit| has(hit, first) || has(hit, second))
        .collect();
    let (ones, others): (Vec<&Hit>, Vec<&Hit>) = hits.iter().partition(|hit| has(hit, first));
    if ones.is_empty() || others.is_empty() || screened(&hits, HITS_PER_RULE, |_| true) {
        return None;
    }
    Some(ones.iter().any(|one| {
        others
            .iter()
            .any(|other| one.start.abs_diff(other.start) <= CONTEXT_WINDOW)
    }))
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

    /// Byte offset where 1-based `line` starts.
    fn offset_of_line(&self, line: u32) -> usize {
        self.data
            .split(|&b| b == b'\n')
            .take(line.saturating_sub(1) as usize)
            .map(|l| l.len() + 1)
            .sum::<usize>()
            .min(self.data.len())
    }

    fn evidence(&self, offset: usize) -> Evidence {
        Evidence::indexed(
            self.data,
            self.index.get_or_init(|| LineIndex::new(self.data)),
            offset,
        )
    }
}

/// What is known of a file before its content is read.
pub struct FileContext {
    pub role: Role,
    pub ecosystem: Option<Ecosystem>,
    /// The package's version is a dependency-confusion shape (99.0.0).
    pub confusion_shape: bool,
    /// 1-based lines that hold only code nobody runs on install or import: in an npm
    /// manifest, the scripts npm runs only when asked (`npm run release`).
    pub on_demand_lines: Vec<u32>,
    /// What each line is and which function it belongs to, where the reader of the
    /// file's format knows (the view of compiled code); Python's is worked out from
    /// its text.
    pub structure: Option<Vec<LineInfo>>,
    /// For a `__pycache__` entry: the names its code uses that the source beside it
    /// never mentions, with that source's path.
    pub foreign_bytecode: Option<(String, Vec<String>)>,
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
    // A line that opens as a line comment (`//`, `# `) is not code wherever its text
    // is: a caret under a column in an explanatory comment is no hidden call.
    let mut comment_line = false;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'\n' => {
                run = 0;
                code_before = false;
                comment_line = false;
            }
            b' ' | b'\t' => run += 1,
            _ if comment_line => {}
            _ => {
                // Only comments that run to the line's end: `/* */` may close, `*` may
                // multiply, `#priv` is a JavaScript field.
                let line_comment = match b {
                    b'/' => data.get(i + 1) == Some(&b'/'),
                    b'#' => matches!(
                        data.get(i + 1),
                        None | Some(b' ' | b'\t' | b'#' | b'!' | b'\n')
                    ),
                    _ => false,
                };
                if !code_before && line_comment {
                    comment_line = true;
                    continue;
                }
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
mod tests;

/// The source a `__pycache__` entry is the compiled form of: `p/__pycache__/m.TAG.pyc`
/// caches `p/m.py`.
fn bytecode_source(path: &str) -> Option<String> {
    let (dir, name) = path
        .rsplit_once("/__pycache__/")
        .or_else(|| path.strip_prefix("__pycache__/").map(|name| ("", name)))?;
    let module = name.strip_suffix(".pyc")?.split('.').next()?;
    // pytest caches test modules with their asserts rewritten, under its own tag, and
    // loads them only to run the tests.
    if module.is_empty() || name.contains('/') || name.contains("-pytest-") {
        return None;
    }
    Some(if dir.is_empty() {
        format!("{module}.py")
    } else {
        format!("{dir}/{module}.py")
    })
}

/// Whether a file named like Python bytecode lacks the header every `.pyc` has: a
/// two-byte magic number followed by `\r\n`.
fn is_disguised_bytecode(path: &str, data: &[u8]) -> bool {
    path.ends_with(".pyc") && data.len() >= 64 && data.get(2..4) != Some(b"\r\n")
}

/// The first bytes of a file in hex, for evidence a reader can compare with `xxd`.
fn hex_prefix(data: &[u8]) -> String {
    data.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
