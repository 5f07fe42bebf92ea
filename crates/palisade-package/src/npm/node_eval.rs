//! The JavaScript a shell command hands to a runtime on its command line:
//! `node -e "<code>"`, `node --print=<code>`, `bun -e <code>`, `deno eval <code>`.
//!
//! Only that code is JavaScript; the rest of a lifecycle script is shell, and reading it
//! as JavaScript lets shell text steer the lexer (a `/*` in `rm -rf dist/*` opens a
//! comment that would hide everything after it).

use std::ops::Range;

/// Runtimes that take code with an eval flag.
const RUNTIMES: &[&str] = &["node", "nodejs", "bun"];
const EVAL_FLAGS: &[&str] = &["-e", "-p", "-pe", "-ep", "--eval", "--print"];
const EVAL_PREFIXES: &[&str] = &["--eval=", "--print="];

/// A shell word, without one pair of surrounding quotes.
struct Word {
    text: Range<usize>,
    starts_command: bool,
}

/// Flags of the runtimes that take the next word as their value.
const VALUED_FLAGS: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "-C",
    "--conditions",
    "--title",
    "--input-type",
    "--env-file",
    "--experimental-loader",
    "--experimental-default-type",
    "--dns-result-order",
];

#[derive(Clone, Copy, PartialEq)]
enum State {
    /// Not in a runtime's options.
    Outside,
    /// After `node`, `nodejs` or `bun`, reading options.
    Options,
    /// After `deno`, expecting its subcommand.
    Deno,
    /// The next word is a flag's value.
    Value,
    /// The next word is code.
    Code,
}

/// Byte ranges of `command` holding code for a JavaScript runtime. A runtime's options
/// end at its first plain word (a script, whose own flags are its own).
pub(crate) fn node_eval_ranges(command: &[u8]) -> Vec<Range<usize>> {
    code_ranges(command, |state, text, word, out| match state {
        State::Code => {
            out.push(word);
            State::Options
        }
        State::Value => State::Options,
        State::Deno if text == b"eval" => State::Code,
        State::Options if EVAL_FLAGS.iter().any(|f| text == f.as_bytes()) => State::Code,
        State::Options if VALUED_FLAGS.iter().any(|f| text == f.as_bytes()) => State::Value,
        State::Options if text.starts_with(b"-") => {
            if let Some(prefix) = EVAL_PREFIXES
                .iter()
                .find(|p| text.starts_with(p.as_bytes()))
            {
                out.push(unquoted(command, word.start + prefix.len()..word.end));
            }
            State::Options
        }
        State::Outside => match program(text) {
            Some(b"deno") => State::Deno,
            Some(_) => State::Options,
            None => State::Outside,
        },
        State::Options | State::Deno => State::Outside,
    })
}

/// Runs `step` over the words of `command` from state to state, starting afresh at
/// each command, and returns the code ranges it collected.
fn code_ranges(
    command: &[u8],
    mut step: impl FnMut(State, &[u8], Range<usize>, &mut Vec<Range<usize>>) -> State,
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut state = State::Outside;
    for word in words(command) {
        if word.starts_command {
            state = State::Outside;
        }
        state = step(state, &command[word.text.clone()], word.text, &mut out);
    }
    out
}

/// Byte ranges of `command` holding code handed to Python with `-c` (`python3 -c
/// "<code>"`, `python -Sc<code>`). Python's options end at its first plain word (a
/// script) or at `-m` (a module), whose own flags are their own.
pub(crate) fn python_eval_ranges(command: &[u8]) -> Vec<Range<usize>> {
    code_ranges(command, |state, text, word, out| match state {
        State::Code => {
            out.push(word);
            State::Outside
        }
        State::Value => State::Options,
        State::Options if text == b"-m" || text == b"--" => State::Outside,
        State::Options if [&b"-W"[..], b"-X"].contains(&text) => State::Value,
        // `-Xdev`, `-Wignore`: the value attached, no code.
        State::Options if text.starts_with(b"-X") || text.starts_with(b"-W") => State::Options,
        // Short flags bundle, and the last may be `c` with its code attached or next:
        // `-c`, `-Sc`, `-Ic'code'`.
        State::Options if text.starts_with(b"-") && !text.starts_with(b"--") => {
            match text.iter().position(|&b| b == b'c') {
                Some(c) if text[1..c].iter().all(u8::is_ascii_alphabetic) => {
                    if c + 1 == text.len() {
                        State::Code
                    } else {
                        out.push(unquoted(command, word.start + c + 1..word.end));
                        State::Outside
                    }
                }
                _ => State::Options,
            }
        }
        State::Options if text.starts_with(b"--") => State::Options,
        State::Outside if python(text) => State::Options,
        _ => State::Outside,
    })
}

/// Whether a word names a Python interpreter (`python3`, `/usr/bin/python3.12`,
/// `py.exe`, `pypy3`).
fn python(word: &[u8]) -> bool {
    let Some(name) = word.rsplit(|&b| b == b'/' || b == b'\\').next() else {
        return false;
    };
    let name = name.strip_suffix(b".exe").unwrap_or(name);
    let version = |rest: &[u8]| rest.iter().all(|&b| b.is_ascii_digit() || b == b'.');
    name == b"py"
        || name.strip_prefix(b"python").is_some_and(version)
        || name.strip_prefix(b"pypy").is_some_and(version)
}

/// The runtime a word names (`node`, `/usr/bin/nodejs`, `bun.exe`, `deno`), if any.
fn program(word: &[u8]) -> Option<&[u8]> {
    let name = word.rsplit(|&b| b == b'/' || b == b'\\').next()?;
    let name = name.strip_suffix(b".exe").unwrap_or(name);
    (RUNTIMES.iter().any(|r| name == r.as_bytes()) || name == b"deno").then_some(name)
}

/// Whether any word of `command` names a JavaScript runtime: code may reach it in ways
/// the flags do not show (`sh -c '...'`, a pipe, a heredoc, `node -e "$CODE"`).
/// Quoted words are looked into, as a shell would run them.
pub(crate) fn mentions_runtime(command: &[u8]) -> bool {
    command
        .split(|b| !(b.is_ascii_alphanumeric() || b"._/\\-".contains(b)))
        .any(|token| program(token).is_some())
}

/// The range without one pair of surrounding quotes.
fn unquoted(command: &[u8], range: Range<usize>) -> Range<usize> {
    let text = &command[range.clone()];
    match (text.first(), text.last()) {
        (Some(&q @ (b'"' | b'\'')), Some(&last)) if text.len() >= 2 && last == q => {
            range.start + 1..range.end - 1
        }
        _ => range,
    }
}

/// Splits a command line into words at blanks and at `;`, `&`, `|`, `(`, `)`, which
/// also start a new command; quotes keep their contents in one word.
fn words(command: &[u8]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut starts_command = true;
    while i < command.len() {
        let byte = command[i];
        if byte.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b";&|()".contains(&byte) {
            starts_command = true;
            i += 1;
            continue;
        }
        let start = i;
        while i < command.len() {
            match command[i] {
                b'\'' => i = closing(command, i, b'\''),
                b'"' => i = closing(command, i, b'"'),
                b'\\' => i += 2,
                b if b.is_ascii_whitespace() || b";&|()".contains(&b) => break,
                _ => i += 1,
            }
        }
        let end = i.min(command.len());
        out.push(Word {
            text: unquoted(command, start..end),
            starts_command,
        });
        starts_command = false;
    }
    out
}

/// The offset after the quote closing the one at `open`; a backslash escapes inside
/// double quotes only, as in a shell.
fn closing(command: &[u8], open: usize, quote: u8) -> usize {
    let mut i = open + 1;
    while i < command.len() {
        match command[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    command.len()
}

#[cfg(test)]
mod tests {
    use super::{node_eval_ranges, python_eval_ranges};

    fn python_code(command: &str) -> Vec<&str> {
        python_eval_ranges(command.as_bytes())
            .into_iter()
            .map(|r| &command[r])
            .collect()
    }

    #[test]
    fn the_argument_of_python_c_is_python_code() {
        assert_eq!(
            python_code(r#"python3 -c "import os; print(os.environ)" || true"#),
            ["import os; print(os.environ)"]
        );
        assert_eq!(python_code("/usr/bin/python3.12 -S -c 'x'"), ["x"]);
        assert_eq!(python_code("python -Sc'y'"), ["y"]);
        assert_eq!(python_code("py -W ignore -c z ; pypy3 -c w"), ["z", "w"]);
        assert!(python_code("python3 -m pip install -c constraints.txt x").is_empty());
        assert!(python_code("python3 setup.py -c x").is_empty());
        assert!(python_code("pythonic -c x").is_empty());
        assert_eq!(python_code("python3 -Xpycache_prefix=/tmp -c 'v'"), ["v"]);
    }

    fn code(command: &str) -> Vec<&str> {
        node_eval_ranges(command.as_bytes())
            .into_iter()
            .map(|r| &command[r])
            .collect()
    }

    #[test]
    fn the_argument_of_an_eval_flag_is_the_code() {
        assert_eq!(
            code(r#"node -e "require('x')(process.env)" && echo ok"#),
            ["require('x')(process.env)"]
        );
        assert_eq!(code("nodejs -p 'os.homedir()'"), ["os.homedir()"]);
        assert_eq!(code("/usr/bin/node --eval='fetch(u)'"), ["fetch(u)"]);
        assert_eq!(code(r#"node --print="a b""#), ["a b"]);
        assert_eq!(
            code("bun -e 'Bun.env' ; deno eval 'Deno.env'"),
            ["Bun.env", "Deno.env"]
        );
        assert_eq!(code("rm -rf dist/* && node -e 'x'"), ["x"]);
        assert_eq!(code("node -r dotenv/config --no-warnings -e x"), ["x"]);
    }

    #[test]
    fn other_commands_hold_no_code() {
        assert!(code("node install.js -e x").is_empty());
        assert!(code("node -r ts-node/register -e").is_empty());
        assert!(code("echo node; grep -e pattern f").is_empty());
        assert!(code("node scripts/build.js && tsc -p .").is_empty());
        assert!(code("eval \"$(curl x)\"").is_empty());
    }

    #[test]
    fn flags_with_values_do_not_end_the_options() {
        assert_eq!(code("node --title x --input-type module -e 'y'"), ["y"]);
        assert!(super::mentions_runtime(b"echo x | /usr/local/bin/node"));
        assert!(super::mentions_runtime(b"sh -c 'node -e \"$C\"'"));
        assert!(!super::mentions_runtime(b"node-gyp rebuild && tsc"));
    }
}
