//! The `{}` blocks of a JavaScript file, for the scopes of the names the flow follows:
//! a `const body` inside one callback is not the `body` of another function. One pass,
//! skipping strings, template literals (with `${}` nesting) and comments; a regular
//! expression literal holding a brace can mislead it, which costs only the precision
//! of the scopes.

use std::ops::Range;

/// Nesting of templates and blocks followed; deeper ones are read as flat text.
const MAX_DEPTH: usize = 512;

pub(super) struct Blocks {
    /// Each block from its `{` to its `}` (or the file's end), in order of the `{`.
    spans: Vec<Range<usize>>,
    /// The block each block is nested in.
    parent: Vec<Option<usize>>,
    len: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Block(usize),
    /// A `${` of a template literal: its `}` goes back into the template.
    Interpolation,
}

impl Blocks {
    pub(super) fn new(data: &[u8]) -> Self {
        let mut spans: Vec<Range<usize>> = Vec::new();
        let mut parent: Vec<Option<usize>> = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        let innermost = |stack: &[Open]| {
            stack.iter().rev().find_map(|o| match o {
                Open::Block(i) => Some(*i),
                Open::Interpolation => None,
            })
        };
        let mut i = 0;
        while i < data.len() {
            match data[i] {
                b'\'' | b'"' => i = skip_string(data, i),
                b'`' => i = skip_template(data, i + 1, &mut stack),
                b'/' if data.get(i + 1) == Some(&b'/') => {
                    i = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |n| i + n);
                }
                b'/' if data.get(i + 1) == Some(&b'*') => {
                    i = memchr::memmem::find(&data[i + 2..], b"*/")
                        .map_or(data.len(), |n| i + n + 3);
                }
                b'{' if stack.len() < MAX_DEPTH => {
                    parent.push(innermost(&stack));
                    stack.push(Open::Block(spans.len()));
                    spans.push(i..data.len());
                }
                b'}' => match stack.pop() {
                    Some(Open::Block(b)) => spans[b].end = i + 1,
                    Some(Open::Interpolation) => i = skip_template(data, i + 1, &mut stack),
                    None => {}
                },
                _ => {}
            }
            i += 1;
        }
        Blocks {
            spans,
            parent,
            len: data.len(),
        }
    }

    /// The innermost block holding `at`, or the whole file.
    pub(super) fn innermost(&self, at: usize) -> Range<usize> {
        let mut index = self.spans.partition_point(|s| s.start < at).checked_sub(1);
        while let Some(i) = index {
            if self.spans[i].end > at {
                return self.spans[i].clone();
            }
            index = self.parent[i];
        }
        0..self.len
    }

    /// The block opened by the `{` at `at`, if one is.
    pub(super) fn opened_at(&self, at: usize) -> Option<Range<usize>> {
        let i = self.spans.partition_point(|s| s.start < at);
        self.spans.get(i).filter(|s| s.start == at).cloned()
    }
}

/// Past a quoted string starting at `at` (its closing quote, or the line's end).
fn skip_string(data: &[u8], at: usize) -> usize {
    let quote = data[at];
    let mut i = at + 1;
    while i < data.len() && data[i] != quote && data[i] != b'\n' {
        i += if data[i] == b'\\' { 2 } else { 1 };
    }
    i.min(data.len())
}

/// Reads template text from `at` up to its closing backtick (returned), or up to a
/// `${`, which is pushed so that its `}` comes back here.
fn skip_template(data: &[u8], at: usize, stack: &mut Vec<Open>) -> usize {
    let mut i = at;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 1,
            b'`' => return i,
            b'$' if data.get(i + 1) == Some(&b'{') && stack.len() < MAX_DEPTH => {
                stack.push(Open::Interpolation);
                return i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::Blocks;

    #[test]
    fn innermost_blocks_skip_strings_templates_and_comments() {
        let code = "a; function f() { let x = '}'; // }\n if (y) { z(`${ {k:1}.k }`) } }\nb;";
        let blocks = Blocks::new(code.as_bytes());
        let at = |s: &str| code.find(s).unwrap();
        let outer = blocks.innermost(at("let x"));
        assert_eq!(
            &code[outer.clone()],
            &code[at("{ let")..code.rfind('}').unwrap() + 1]
        );
        let inner = blocks.innermost(at("z("));
        assert_eq!(&code[inner], "{ z(`${ {k:1}.k }`) }");
        assert_eq!(blocks.innermost(at("b;")), 0..code.len());
        assert_eq!(
            blocks.opened_at(at("{ z")).map(|r| r.start),
            Some(at("{ z"))
        );
    }

    #[test]
    fn unclosed_input_ends() {
        let blocks = Blocks::new("{{{ `${ ${ '".as_bytes());
        assert_eq!(blocks.innermost(3).start, 2);
    }
}
