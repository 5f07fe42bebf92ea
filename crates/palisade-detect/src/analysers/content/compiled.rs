//! Compiled code: .NET assemblies (NuGet's `lib/`) and JVM class files (Maven's jars)
//! are read into the calls and strings of each method (`palisade-compiled`) and that
//! view is scanned with the C# and Java rules. Each method is a function body for the
//! correlations that need one piece of code (a download, a write and a start in one
//! method), and a .NET module initializer runs when the assembly loads, as a Python
//! module body runs on import. Evidence names the method, not a line of the binary.

use super::{ContentAnalyser, FileContext, FileScore};
use crate::pyblocks::{LineInfo, LineKind};
use crate::source::Language;
use palisade_compiled::{Format, View};
use palisade_core::{Category, Finding, PackageFile, RuleInfo, Severity};

pub static UNREADABLE_COMPILED: RuleInfo = RuleInfo {
    id: "analysis/unreadable-compiled-code",
    category: Category::Archive,
    severity: Severity::Info,
    summary: "A .NET assembly or JVM class file could not be read; its code was not analysed.",
    why: "Compiled code is read back into its calls and strings to be analysed. A file that claims the format but breaks its structure was either damaged or built so that analysis fails while the runtime, which reads less strictly, still loads it.",
    example: "lib/net8.0/Foo.dll: metadata table 0x2 runs past its stream",
    attack: Some("T1027"),
};

/// The runtime's name for the method that runs when a .NET assembly loads.
const MODULE_INITIALIZER: &str = "<Module>::.cctor";

impl ContentAnalyser {
    pub(super) fn analyse_compiled(
        &self,
        file: &PackageFile,
        data: &[u8],
        context: &FileContext,
        findings: &mut Vec<Finding>,
    ) -> Option<FileScore> {
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
        };
        let context = FileContext {
            role: context.role,
            ecosystem: context.ecosystem,
            confusion_shape: context.confusion_shape,
            on_demand_lines: Vec::new(),
            structure: Some(line_structure(&view)),
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
/// lines run on load, and every other method is a function of its own.
fn line_structure(view: &View) -> Vec<LineInfo> {
    let lines = view.text.lines().count() as u32;
    (1..=lines)
        .map(|line| {
            if view.is_header(line) {
                return LineInfo {
                    kind: LineKind::NotCode,
                    function: None,
                };
            }
            match view.method_at_line(line) {
                Some((_, name)) if name == MODULE_INITIALIZER => LineInfo {
                    kind: LineKind::ModuleLevel,
                    function: None,
                },
                Some((index, _)) => LineInfo {
                    kind: LineKind::Other,
                    function: Some(index as u32),
                },
                None => LineInfo {
                    kind: LineKind::Other,
                    function: None,
                },
            }
        })
        .collect()
}
