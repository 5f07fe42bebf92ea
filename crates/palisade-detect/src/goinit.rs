//! Where a Go file's `func init()` bodies are. Go runs every `init` of every imported
//! package before `main`, with no call anywhere in the importer's code: it is Go's
//! import-time code, and typosquatted modules put their droppers there. Finding the
//! bodies needs only brace matching that skips strings, runes and comments, which a
//! broken or hostile file cannot turn into a hang (one pass, no backtracking).

use std::ops::Range;

/// Byte ranges of the bodies of the file's top-level `func init()` declarations.
pub fn init_bodies(data: &[u8]) -> Vec<Range<usize>> {
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
    fn an_unclosed_body_runs_to_the_end_without_panicking() {
        assert_eq!(bodies_text("func init() { x(\"\\"), ["x(\"\\"]);
        assert_eq!(bodies_text("func init()"), Vec::<&str>::new());
    }
}
