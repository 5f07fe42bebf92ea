//! Which lines of a JavaScript or TypeScript file are comment and nothing else: JSDoc
//! blocks and `//` lines, where honest bundles quote `eval(code)`, `npm publish` and
//! `chmod +x` while documenting them. Evidence on such a line documents behaviour, as a
//! Python docstring does.
//!
//! One pass over the bytes, no backtracking: strings, template literals (with `${}`
//! nesting), regular-expression literals and comments are told apart the way a
//! JavaScript tokenizer does, with the usual rule for `/` (a regular expression where
//! an operand may start, a division after one). A line counts as comment only when the
//! lexer saw comment on it and no code, and its first visible characters open or
//! continue a comment (`//`, `/*`, `*`), so a lexer fooled by a hostile file cannot
//! pass off an ordinary line of code as documentation.
//!
//! Where the reading could differ from JavaScript's, the lexer gives up and reports no
//! comment lines at all, which costs only the down-weighting: other line terminators
//! (a lone CR, U+2028, U+2029), a string or regular expression left open at a line's
//! end (JavaScript has none), templates nested past [`MAX_TEMPLATE_DEPTH`]. The lines of a block comment opened after code
//! (`x = a / b /* ...`, where `/` might have begun a regular expression) are not
//! counted.
//! A comment line holding `${` is never counted: inside a template literal the lexer
//! lost track of, that is code.

/// Nesting of `${}` inside template literals followed before the rest is read as code.
const MAX_TEMPLATE_DEPTH: usize = 64;

/// 1-based numbers of the lines that hold only comment, in ascending order.
pub fn comment_lines(data: &[u8]) -> Vec<u32> {
    let other_line_ends = memchr::memchr_iter(b'\r', data).any(|i| data.get(i + 1) != Some(&b'\n'))
        || memchr::memmem::find(data, "\u{2028}".as_bytes()).is_some()
        || memchr::memmem::find(data, "\u{2029}".as_bytes()).is_some();
    if other_line_ends {
        return Vec::new();
    }
    // Where `/` could begin either a regular expression or a division, the two readings
    // decide differently; a line is comment only if it is in both. A hostile file that
    // misleads one reading into closing a template literal Node keeps open cannot
    // mislead the other the same way.
    let (Some(usual), Some(other)) = (read(data, false), read(data, true)) else {
        return Vec::new();
    };
    usual
        .into_iter()
        .filter(|line| other.binary_search(line).is_ok())
        .collect()
}

/// The comment-only lines of one reading; `None` where it lost JavaScript's reading.
fn read(data: &[u8], flip: bool) -> Option<Vec<u32>> {
    let mut lexer = Lexer {
        flip,
        ..Lexer::default()
    };
    // A hashbang line is a comment to Node.
    if data.starts_with(b"#!") {
        lexer.state = State::LineComment;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        if lexer.unsure {
            return None;
        }
        let b = data[i];
        if b == b'\n' {
            lexer.end_line(data, i, &mut out);
            i += 1;
            continue;
        }
        i = match lexer.state {
            State::LineComment => {
                lexer.comment = true;
                i + 1
            }
            State::BlockComment => {
                lexer.comment = true;
                if data[i..].starts_with(b"*/") {
                    lexer.state = State::Code;
                    i + 2
                } else {
                    i + 1
                }
            }
            State::Quoted(quote) => {
                lexer.code = true;
                if b == b'\\' {
                    skip_escape(data, i)
                } else {
                    if b == quote {
                        lexer.state = State::Code;
                        lexer.operand = true;
                        lexer.last = [b'a', b'a'];
                    }
                    i + 1
                }
            }
            State::Template => lexer.template(data, i),
            State::Regex { in_class } => lexer.regex(data, in_class, i),
            State::Code => lexer.code(data, i),
        };
    }
    lexer.end_line(data, data.len(), &mut out);
    (!lexer.unsure).then_some(out)
}

/// Past a backslash and the byte it escapes, but never past a line break: a line
/// continuation inside a string still ends a line, and lines must be counted.
fn skip_escape(data: &[u8], i: usize) -> usize {
    if matches!(data.get(i + 1), Some(b'\n' | b'\r')) {
        i + 1
    } else {
        i + 2
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Code,
    LineComment,
    BlockComment,
    /// A `'` or `"` string; they end at their quote (or, broken, at the line's end).
    Quoted(u8),
    Template,
    Regex {
        in_class: bool,
    },
}

#[derive(Default)]
struct Lexer {
    state: State,
    /// The line has shown code / comment so far.
    code: bool,
    comment: bool,
    line: u32,
    line_start: usize,
    /// The last token could end an operand (a name, a number, `)`, `]`, a string):
    /// a `/` after it divides.
    operand: bool,
    /// Brace depths at which a `}` returns to an enclosing template literal.
    templates: Vec<usize>,
    braces: usize,
    /// The open block comment began after code on its line.
    block_after_code: bool,
    /// The current line began inside such a block comment.
    in_doubtful_block: bool,
    /// The reading may differ from JavaScript's: report nothing.
    unsure: bool,
    /// This is the other reading: it decides every ambiguous `/` the other way.
    flip: bool,
    /// The last two bytes of code seen, latest last.
    last: [u8; 2],
}

impl Lexer {
    fn end_line(&mut self, data: &[u8], end: usize, out: &mut Vec<u32>) {
        self.line += 1;
        let text = data[self.line_start..end].trim_ascii_start();
        let opens_comment =
            text.starts_with(b"//") || text.starts_with(b"/*") || text.starts_with(b"*");
        let interpolates = memchr::memmem::find(text, b"${").is_some();
        if self.comment && !self.code && opens_comment && !interpolates && !self.in_doubtful_block {
            out.push(self.line);
        }
        // A block comment opened after code may really be inside a regular expression
        // the lexer read as a division: its lines, to the one that closes it, are not
        // trusted as comment.
        self.in_doubtful_block = self.state == State::BlockComment && self.block_after_code;
        let line = &data[self.line_start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let backslashes = line.iter().rev().take_while(|&&b| b == b'\\').count();
        let continued = backslashes % 2 == 1;
        match self.state {
            State::LineComment => self.state = State::Code,
            // A string continued by a backslash goes on.
            State::Quoted(_) if continued => {}
            // JavaScript has no string or regular expression that runs past its line
            // otherwise: the lexer has lost JavaScript's reading.
            State::Quoted(_) | State::Regex { .. } if !self.flip => self.unsure = true,
            // The other reading misreads ordinary divisions by design; it only has to
            // keep track of templates and comments.
            State::Quoted(_) | State::Regex { .. } => self.state = State::Code,
            _ => {}
        }
        self.code = false;
        self.comment = false;
        self.line_start = end + 1;
    }

    fn code(&mut self, data: &[u8], i: usize) -> usize {
        let b = data[i];
        if b.is_ascii_whitespace() {
            return i + 1;
        }
        if b == b'/' {
            match data.get(i + 1) {
                Some(b'/') => {
                    self.state = State::LineComment;
                    self.comment = true;
                    return i + 2;
                }
                Some(b'*') => {
                    self.state = State::BlockComment;
                    self.block_after_code = self.code;
                    self.comment = true;
                    return i + 2;
                }
                _ => {}
            }
        }
        // Node reads `<!--` anywhere, and `-->` first on a line, as a comment to the
        // line's end in scripts; this lexer does not.
        if data[i..].starts_with(b"<!--") || (!self.code && data[i..].starts_with(b"-->")) {
            self.unsure = true;
        }
        self.code = true;
        let last = self.last;
        self.last = [last[1], b];
        match b {
            b'\'' | b'"' => self.state = State::Quoted(b),
            b'`' => self.state = State::Template,
            b'/' => {
                let keyword = self.after_keyword(data, i);
                let usual = !self.operand || keyword;
                // After `)` (a condition or a call), `}` (a block or an object), `++`,
                // a word that is a keyword or a name (`of`, `in`), or a byte past ASCII
                // (a letter or a space to Node), either may follow.
                let ambiguous = matches!(last[1], b')' | b'}')
                    || last[1] >= 0x80
                    || (matches!(last[1], b'+' | b'-') && last[0] == last[1])
                    || keyword;
                if usual != (self.flip && ambiguous) {
                    self.state = State::Regex { in_class: false };
                } else {
                    self.operand = false;
                }
            }
            b'{' => {
                self.braces += 1;
                self.operand = false;
            }
            b'}' => {
                if self.templates.last() == Some(&self.braces) {
                    self.templates.pop();
                    self.braces -= 1;
                    self.state = State::Template;
                } else {
                    self.braces = self.braces.saturating_sub(1);
                    self.operand = false;
                }
            }
            b')' | b']' => self.operand = true,
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 => {
                self.operand = true
            }
            _ => self.operand = false,
        }
        i + 1
    }

    /// `return /x/` and `typeof /x/` start a regular expression though a word precedes.
    fn after_keyword(&self, data: &[u8], i: usize) -> bool {
        if !self.operand {
            return false;
        }
        let before = data[..i].trim_ascii_end();
        let word_start = before
            .iter()
            .rposition(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'$'))
            .map_or(0, |p| p + 1);
        matches!(
            &before[word_start..],
            b"return"
                | b"typeof"
                | b"case"
                | b"do"
                | b"else"
                | b"in"
                | b"of"
                | b"new"
                | b"delete"
                | b"void"
                | b"throw"
                | b"yield"
                | b"await"
        )
    }

    fn template(&mut self, data: &[u8], i: usize) -> usize {
        self.code = true;
        match data[i] {
            b'\\' => skip_escape(data, i),
            b'`' => {
                self.state = State::Code;
                self.operand = true;
                self.last = [b'a', b'a'];
                i + 1
            }
            b'$' if data.get(i + 1) == Some(&b'{') => {
                if self.templates.len() < MAX_TEMPLATE_DEPTH {
                    self.braces += 1;
                    self.templates.push(self.braces);
                    self.state = State::Code;
                    self.operand = false;
                } else {
                    self.unsure = true;
                }
                i + 2
            }
            _ => i + 1,
        }
    }

    fn regex(&mut self, data: &[u8], in_class: bool, i: usize) -> usize {
        self.code = true;
        match (data[i], in_class) {
            (b'\\', _) => return skip_escape(data, i),
            (b'[', false) => self.state = State::Regex { in_class: true },
            (b']', true) => self.state = State::Regex { in_class: false },
            (b'/', false) => {
                self.state = State::Code;
                self.operand = true;
                self.last = [b'a', b'a'];
            }
            _ => {}
        }
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::comment_lines;

    #[test]
    fn jsdoc_and_line_comments_are_comment_lines() {
        let source = "/**\n * Like `eval(code)`, but safe.\n */\nfunction run(code) {\n  // npm publish is the maintainer's job\n  return eval(code); // not a comment line\n}\n";
        assert_eq!(comment_lines(source.as_bytes()), [1, 2, 3, 5]);
    }

    #[test]
    fn comment_markers_inside_strings_templates_and_regexes_are_code() {
        let source = concat!(
            "const a = '/* not a comment';\n",
            "eval(a);\n",
            "const b = `${x /* c */} // still template`;\n",
            "const r = /\\/*[*/]/; eval(r);\n",
            "const d = x / 2; // divide\n",
            "function f(s) { return /[/*]/.test(s); }\n",
            "const e = `a ${`b ${c}`} */`;\n",
            "eval(e);\n",
        );
        assert!(comment_lines(source.as_bytes()).is_empty());
    }

    #[test]
    fn a_line_of_code_never_passes_as_comment() {
        // A block comment opened after code and running past its line may be a regular
        // expression the lexer took for a division: its lines are not trusted.
        let source = "x = a / b /* open\n* eval(payload)\n// */\n// note\n";
        assert_eq!(comment_lines(source.as_bytes()), [4]);
        // A division the lexer took for a regular expression leaves it open at the
        // line's end, where a string really continues.
        let source = "x = a++ / 'x\\\n// '; eval(payload)\n// note\n";
        assert!(comment_lines(source.as_bytes()).is_empty());
        // The next line must look like a comment too.
        let source = "/* open\neval(payload)\n*/\n";
        assert_eq!(comment_lines(source.as_bytes()), [1, 3]);
        assert!(comment_lines(b"").is_empty());
        assert_eq!(comment_lines(b"/* never closed\neval(x)"), [1]);
        // Readings JavaScript might not share: nothing is reported.
        for hostile in [
            &b"// docs\reval(atob(p))\n"[..],
            "// docs\u{2028}eval(atob(p))\n".as_bytes(),
            b"s = 'a\\\r\n// '; eval(payload)\r\n",
            b"if (1) /[/*]/.test('')\n* eval(payload)\n// */\n",
            b"x = a++ / 2 + `\n// ${eval(payload)}\n`\n",
        ] {
            let lines = comment_lines(hostile);
            assert!(
                lines.len() <= 1 && !lines.contains(&2),
                "{lines:?} for {hostile:?}"
            );
        }
        // A division or a regular expression that the usual reading gets wrong, closed
        // on its own line, with a template that Node keeps open into the next.
        for hostile in [
            "x = {} / `/\n// `; eval(payload)\n",
            "var a = 0; x = a++ / `/\n// `; eval(payload)\n",
            "var of = 1; x = of / `/\n// `; eval(payload)\n",
            "if (1) /`/; y = `\n// `; eval(payload)\n",
            "x =\u{a0}/`/; y = `\n// `; eval(payload)\n",
            "x = {} / `/\n/* `; eval(a)\n* eval(b)\n*/\n",
            "#!/usr/bin/env node `\ny = `\n// `; eval(payload)\n",
            "x = 1 <!-- `\ny = `\n// `; eval(payload)\n",
        ] {
            let lines = comment_lines(hostile.as_bytes());
            assert!(
                lines.iter().all(|&l| l == 1 || l == 4),
                "{lines:?} for {hostile:?}"
            );
        }
        // Leaving a nested template returns to the outer one, where `//` is text.
        let nested = b"x = `${`${a}`}\n// ${eval(payload)}\n`;\n";
        assert!(comment_lines(nested).is_empty());
        // A line continuation inside a string does not shift the count.
        assert_eq!(comment_lines(b"s = 'a\\\nb';\n// note\n"), [3]);
    }
}
