//! Compiled code: .NET assemblies (NuGet's `lib/`), JVM class files (Maven's jars) and
//! CPython bytecode (`.pyc`) are read into the calls and strings of each method
//! (`palisade-compiled`) and that view is scanned with the C#, Java and Python rules. Each method is a function body for the
//! correlations that need one piece of code (a download, a write and a start in one
//! method), and a .NET module initializer runs when the assembly loads, as a Python
//! module body runs on import (the runtime runs the first type's initializer, whatever
//! that type is called). Evidence names the method, not a line of the binary.

use super::{ContentAnalyser, FileContext, FileScore};
use crate::pyblocks::{LineInfo, LineKind};
use crate::source::Language;
use palisade_compiled::{Format, LineNote, View};
use palisade_core::{Category, Finding, PackageFile, RuleInfo, Severity};

pub static UNREADABLE_COMPILED: RuleInfo = RuleInfo {
    id: "analysis/unreadable-compiled-code",
    category: Category::Archive,
    severity: Severity::Info,
    summary: "A .NET assembly, JVM class file or Python bytecode file, or some of its methods, could not be read; that code was not analysed.",
    why: "Compiled code is read back into its calls and strings to be analysed. A file that claims the format but breaks its structure, or a method body of invalid instructions, was either damaged or built so that analysis fails while the runtime, which compiles only the methods it calls, still runs the rest. Python bytecode older than 3.6 is recognised but not read.",
    example: "lib/net8.0/Foo.dll: method Foo.Bar::Run: unknown opcode 0x24 at 12",
    attack: Some("T1027"),
};

pub static COMPILED_VIEW_LIMIT: RuleInfo = RuleInfo {
    id: "analysis/compiled-view-limit",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "A .NET assembly, JVM class file or Python bytecode file holds more code than is read; its methods after the limit were not analysed.",
    why: "The calls and strings of compiled code are read up to 8 MB of text per file, or code of four times the file's size. Padding an assembly with long strings or many copies of one method body pushes what follows past that limit. Type initializers, which run first, are read first.",
    example: "lib/net8.0/Foo.dll: the view stopped at 8 MB",
    attack: Some("T1027.001"),
};

/// The most of a `.pyc` file read.
const MAX_BYTECODE: usize = 64 << 20;

impl ContentAnalyser {
    pub(super) fn analyse_compiled(
        &self,
        file: &PackageFile,
        data: &[u8],
        source: Option<&PackageFile>,
        context: &FileContext,
        findings: &mut Vec<Finding>,
    ) -> Option<FileScore> {
        // Bytecode is read whole, to a bound of its own: padding a `.pyc` with an unused
        // constant past the text limit must not cut off the code after it. The view,
        // not the file, is what the rules scan.
        let whole = &file.data[..file.data.len().min(MAX_BYTECODE)];
        let data = if data.len() < whole.len()
            && palisade_compiled::format_of(whole) == Some(Format::Pyc)
        {
            whole
        } else {
            data
        };
        let view = match palisade_compiled::read(data) {
            Ok(view) => view?,
            Err(error) => {
                findings.push(
                    UNREADABLE_COMPILED
                        .finding(error.to_string())
                        .at(file.path.clone(), None),
                );
                return None;
            }
        };
        let language = match view.format {
            Format::DotNet => Language::CSharp,
            Format::Jvm => Language::Java,
            Format::Pyc => Language::Python,
        };
        if !view.unreadable.is_empty() {
            findings.push(
                UNREADABLE_COMPILED
                    .finding(view.unreadable.join("; "))
                    .at(file.path.clone(), None),
            );
        }
        if view.truncated {
            findings.push(
                COMPILED_VIEW_LIMIT
                    .finding(format!(
                        "the view of this {} stopped at its limit ({} bytes of text)",
                        match view.format {
                            Format::DotNet => ".NET assembly",
                            Format::Jvm => "class file",
                            Format::Pyc => "Python bytecode file",
                        },
                        view.text.len()
                    ))
                    .at(file.path.clone(), None),
            );
        }
        let context = FileContext {
            role: context.role,
            ecosystem: context.ecosystem,
            confusion_shape: context.confusion_shape,
            on_demand_lines: Vec::new(),
            structure: Some(line_structure(&view)),
            foreign_bytecode: source.and_then(|source| {
                foreign_names(&view, &source.data).map(|n| (source.path.clone(), n))
            }),
        };
        let before = findings.len();
        let score = self.analyse_file(
            file,
            view.text.as_bytes(),
            language,
            &context,
            None,
            findings,
        );
        for finding in &mut findings[before..] {
            if finding.path.as_deref() != Some(file.path.as_str()) {
                continue;
            }
            if let Some(line) = finding.line.take()
                && let Some((_, method)) = view.method_at_line(line)
            {
                let snippet = finding.snippet.take().unwrap_or_default();
                finding.snippet = Some(format!("in {method}: {snippet}"));
            }
        }
        score
    }
}

/// What each line of the view is: method headers are comments, a module initializer's
/// (or Python module or class body's) lines run on load, and every other method is a
/// function of its own, known by its header line as a Python function is by its `def`.
/// Docstrings are not code; definitions, imports and a script's `__main__` block run
/// without acting on import.
fn line_structure(view: &View) -> Vec<LineInfo> {
    let lines = view.text.lines().count() as u32;
    (1..=lines)
        .map(|line| {
            if view.is_header(line) || view.note_at(line) == Some(LineNote::Data) {
                return LineInfo {
                    kind: LineKind::NotCode,
                    function: None,
                };
            }
            let inert = view.note_at(line) == Some(LineNote::Inert);
            match view.method_at_line(line) {
                Some((index, _)) if view.runs_on_load(index) => LineInfo {
                    kind: if inert {
                        LineKind::Other
                    } else {
                        LineKind::ModuleLevel
                    },
                    function: None,
                },
                Some((index, _)) => LineInfo {
                    kind: LineKind::Other,
                    function: view.method_line(index).map(|first| first - 1),
                },
                None => LineInfo {
                    kind: LineKind::Other,
                    function: None,
                },
            }
        })
        .collect()
}

/// The names compiled code uses that its source never mentions, when there are at least
/// two: a cache left from an older version of a file misses a name or so; bytecode
/// compiled from other code misses what that code calls. Names the compiler adds
/// (`__name__`, `__qualname__`, ...) are not compared.
fn foreign_names(view: &View, source: &[u8]) -> Option<Vec<String>> {
    let words: std::collections::HashSet<&[u8]> = source
        .split(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
        .filter(|w| !w.is_empty())
        .collect();
    let missing: Vec<String> = view
        .names
        .iter()
        .filter(|name| !(name.starts_with("__") && name.ends_with("__")))
        // `import a.b` names the module `a.b`; the source spells its parts. In class `C`
        // the compiler writes `self.__x` as `_C__x`.
        .filter(|name| {
            name.split('.').any(|part| {
                let unmangled = part
                    .strip_prefix('_')
                    .and_then(|rest| rest.find("__").map(|at| &rest[at..]))
                    .filter(|private| private.len() > 2);
                !part.is_empty()
                    && !words.contains(part.as_bytes())
                    && !unmangled.is_some_and(|private| words.contains(private.as_bytes()))
            })
        })
        .cloned()
        .collect();
    (missing.len() >= 2).then(|| missing.into_iter().take(8).collect())
}
