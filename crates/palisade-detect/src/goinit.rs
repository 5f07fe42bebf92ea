//! Where a Go file's import-time code is. Go runs the initialisers of every imported
//! package's variables and then its `func init()` bodies before `main`, with no call
//! anywhere in the importer's code: typosquatted modules put their droppers there, in
//! `init` or in `var _ = func() int { ...; return 0 }()`. Finding them needs only
//! bracket matching that skips strings, runes and comments, which a broken or hostile
//! file cannot turn into a hang (one pass, no backtracking).

use std::ops::Range;

/// Byte ranges of the file's import-time code: the bodies of its top-level `func init()`
/// declarations and the initialisers of package-level variables that call something.
pub fn init_bodies(data: &[u8]) -> Vec<Range<usize>> {
    let mut bodies = init_functions(data);
    bodies.extend(variable_initialisers(data));
    bodies
}

fn init_functions(data: &[u8]) -> Vec<Range<usize>> {
    let mut bodies = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&data[at..], b"func init()") {
        let start = at + found;
        let line_start = start == 0 || data[start - 1] == b'\n';
        at = start + b"func init()".len();
        if !line_start {
            continue;
        }
        let Some(open) = data[at..].iter().position(|&b| b == b'{') else {
            break;
        };
        let body_start = at + open + 1;
        let end = matching_brace(data, body_start);
        bodies.push(body_start..end);
        at = end;
    }
    bodies
}

/// Initialisers of single `var name = ...` declarations at the start of a line (the
/// top level, in gofmt'd code) that contain a call: `var _ = run()`,
/// `var x = func() int { ... }()`. Literal values are left out: a URL constant is not
/// code that runs.
fn variable_initialisers(data: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&data[at..], b"var ") {
        let start = at + found;
        at = start + 4;
        if start != 0 && data[start - 1] != b'\n' {
            continue;
        }
        let line_end = data[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |p| at + p);
        let Some(eq) = data[at..line_end].iter().position(|&b| b == b'=') else {
            continue;
        };
        let value = at + eq + 1;
        let end = statement_end(data, value);
        if data[value..end].contains(&b'(') {
            out.push(value..end);
        }
        at = end.max(at);
    }
    out
}

/// The end of an expression starting at `from`: the first line break outside brackets,
/// strings and comments (or the end of the data).
fn statement_end(data: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < data.len() {
        match data[i] {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => return i,
            b'"' | b'\'' => i = skip_quoted(data, i + 1, data[i]),
            b'`' => i = skip_until(data, i + 1, b"`"),
            b'/' if data.get(i + 1) == Some(&b'/') => {
                i = skip_until(data, i + 2, b"\n");
                if depth == 0 {
                    return i;
                }
            }
            b'/' if data.get(i + 1) == Some(&b'*') => i = skip_until(data, i + 2, b"*/"),
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// The offset of the `}` closing a block whose body starts at `from` (or the end of the
/// data when it never closes).
fn matching_brace(data: &[u8], from: usize) -> usize {
    let mut depth = 1usize;
    let mut i = from;
    while i < data.len() {
        match data[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            b'"' | b'\'' => i = skip_quoted(data, i + 1, data[i]),
            b'`' => i = skip_until(data, i + 1, b"`"),
            b'/' if data.get(i + 1) == Some(&b'/') => i = skip_until(data, i + 2, b"\n"),
            b'/' if data.get(i + 1) == Some(&b'*') => i = skip_until(data, i + 2, b"*/"),
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// Past a `"` or `'` literal with backslash escapes; literals end at a line's end too.
fn skip_quoted(data: &[u8], mut i: usize, quote: u8) -> usize {
    while i < data.len() {
        match data[i] {
            b'\\' => i += 1,
            b'\n' => return i,
            b if b == quote => return i,
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// The offset of the last byte of `end` at or after `i` (or the end of the data).
fn skip_until(data: &[u8], i: usize, end: &[u8]) -> usize {
    match find(data.get(i..).unwrap_or_default(), end) {
        Some(found) => i + found + end.len() - 1,
        None => data.len(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies_text(src: &str) -> Vec<&str> {
        init_bodies(src.as_bytes())
            .into_iter()
            .map(|r| src[r].trim())
            .collect()
    }

    #[test]
    fn an_init_body_ends_at_its_own_brace_not_at_braces_in_strings_or_comments() {
        let src = "package x\n\nfunc init() {\n\ts := \"}\" + `{` + string('}')\n\t// }\n\t/* } */\n\tif true { run(s) }\n}\n\nfunc helper() { other() }\n";
        let bodies = bodies_text(src);
        assert_eq!(bodies.len(), 1);
        assert!(bodies[0].ends_with("if true { run(s) }"), "{bodies:?}");
        assert!(!bodies[0].contains("other()"));
    }

    #[test]
    fn only_top_level_init_declarations_count() {
        let src = "package x\nfunc initialise() { a() }\n// func init() { b() }\nfunc (t T) init() { c() }\nfunc init() { d() }\nfunc init() { e() }\n";
        assert_eq!(bodies_text(src), ["d()", "e()"]);
    }

    #[test]
    fn variable_initialisers_that_call_run_at_import_time() {
        let src = "package x\n\nvar url = \"https://example.com/x\" // not code\nvar _ = func() int {\n\texec.Command(\"sh\", \"-c\", \")\").Run()\n\treturn 0\n}()\nvar client = newClient(3)\n\nfunc f() {\n\tvar local = g()\n}\n";
        let bodies = bodies_text(src);
        assert_eq!(bodies.len(), 2, "{bodies:?}");
        assert!(bodies[0].starts_with("func() int {"), "{bodies:?}");
        assert!(bodies[0].ends_with("}()"), "{bodies:?}");
        assert_eq!(bodies[1], "newClient(3)");
        assert_eq!(bodies_text("var x = f(\"\\"), ["f(\"\\"]);
        assert_eq!(bodies_text("var x = ("), ["("]);
    }

    #[test]
    fn an_unclosed_body_runs_to_the_end_without_panicking() {
        assert_eq!(bodies_text("func init() { x(\"\\"), ["x(\"\\"]);
        assert_eq!(bodies_text("func init()"), Vec::<&str>::new());
    }
}
