//! The `{}` blocks of a JavaScript file, for the scopes of the names the flow follows:
//! a `const body` inside one callback is not the `body` of another function. One pass,
//! skipping strings, template literals (with `${}` nesting) and comments, which it
//! records as inert; a regular expression literal holding a brace or a quote can
//! mislead it, which costs only the precision of the scopes.
//!
//! Which blocks are function bodies, with their names and parameters, is worked out
//! from the text before each `{`, only for the blocks a question is asked about.

use super::text::{is_word, leading_name, skip_space, trim};
use std::cell::OnceCell;
use std::ops::Range;

/// Nesting of templates and blocks followed; deeper ones are read as flat text.
const MAX_DEPTH: usize = 512;
/// Blocks walked up from a use of a name, looking for a parameter that shadows it.
const SHADOW_DEPTH: usize = 32;
/// Bytes looked back from a `{` for the function head before it.
const HEAD: usize = 1024;

pub(super) struct Blocks<'a> {
    data: &'a [u8],
    /// Each block from its `{` to its `}` (or the file's end), in order of the `{`.
    spans: Vec<Range<usize>>,
    /// The block each block is nested in.
    parent: Vec<Option<usize>>,
    /// Whether each block is a function body, and which, once asked.
    functions: Vec<OnceCell<Option<Function>>>,
    /// String contents, template text and comments, in order.
    inert: Vec<Range<usize>>,
}

/// A function whose body is a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Function {
    /// The name it is called by: `function get(`, `get = async () =>`, `async get() {`.
    pub(super) name: Option<Vec<u8>>,
    pub(super) params: Vec<Vec<u8>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Block(usize),
    /// A `${` of a template literal: its `}` goes back into the template.
    Interpolation,
}

impl<'a> Blocks<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        let mut spans: Vec<Range<usize>> = Vec::new();
        let mut parent: Vec<Option<usize>> = Vec::new();
        let mut inert: Vec<Range<usize>> = Vec::new();
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
                b'\'' | b'"' => {
                    let end = skip_string(data, i);
                    inert.push(i..end);
                    i = end;
                }
                b'`' => {
                    let end = skip_template(data, i + 1, &mut stack);
                    inert.push(i..end);
                    i = end;
                }
                b'/' if data.get(i + 1) == Some(&b'/') => {
                    let end = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |n| i + n);
                    inert.push(i..end);
                    i = end;
                }
                b'/' if data.get(i + 1) == Some(&b'*') => {
                    let end = memchr::memmem::find(&data[i + 2..], b"*/")
                        .map_or(data.len(), |n| i + n + 3);
                    inert.push(i..end);
                    i = end;
                }
                b'{' if stack.len() < MAX_DEPTH => {
                    parent.push(innermost(&stack));
                    stack.push(Open::Block(spans.len()));
                    spans.push(i..data.len());
                }
                b'}' => match stack.pop() {
                    Some(Open::Block(b)) => spans[b].end = i + 1,
                    Some(Open::Interpolation) => {
                        let end = skip_template(data, i + 1, &mut stack);
                        inert.push(i..end);
                        i = end;
                    }
                    None => {}
                },
                _ => {}
            }
            i += 1;
        }
        let functions = (0..spans.len()).map(|_| OnceCell::new()).collect();
        Blocks {
            data,
            spans,
            parent,
            functions,
            inert,
        }
    }

    /// Whether `at` lies in a string, a template's text or a comment.
    pub(super) fn is_inert(&self, at: usize) -> bool {
        let i = self.inert.partition_point(|r| r.start <= at);
        i > 0 && self.inert[i - 1].contains(&at)
    }

    /// The innermost block holding `at`, by index.
    fn innermost_index(&self, at: usize) -> Option<usize> {
        let mut index = self.spans.partition_point(|s| s.start < at).checked_sub(1);
        while let Some(i) = index {
            if self.spans[i].end > at {
                return Some(i);
            }
            index = self.parent[i];
        }
        None
    }

    /// The innermost block holding `at`, or the whole file.
    pub(super) fn innermost(&self, at: usize) -> Range<usize> {
        self.innermost_index(at)
            .map_or(0..self.data.len(), |i| self.spans[i].clone())
    }

    /// The body of the innermost function holding `at`, or the whole file: where a
    /// `var` lives.
    pub(super) fn function_scope(&self, at: usize) -> Range<usize> {
        self.enclosing_function(at)
            .map_or(0..self.data.len(), |(i, _)| self.spans[i].clone())
    }

    /// The innermost function whose body holds `at`.
    pub(super) fn enclosing_function(&self, at: usize) -> Option<(usize, &Function)> {
        let mut index = self.innermost_index(at);
        while let Some(i) = index {
            if let Some(f) = self.function(i) {
                return Some((i, f));
            }
            index = self.parent[i];
        }
        None
    }

    /// The innermost function with a name whose body holds `at`.
    pub(super) fn named_function_around(&self, at: usize) -> Option<&Function> {
        self.named_function_block(at).map(|(_, f)| f)
    }

    /// The same, with the block of its body.
    pub(super) fn named_function_block(&self, at: usize) -> Option<(Range<usize>, &Function)> {
        let mut index = self.innermost_index(at);
        while let Some(i) = index {
            if let Some(f) = self.function(i).filter(|f| f.name.is_some()) {
                return Some((self.spans[i].clone(), f));
            }
            index = self.parent[i];
        }
        None
    }

    /// Whether a function between `at` and the block `scope` (exclusive) takes a
    /// parameter called `name`: there the name is that parameter, not the outer one.
    pub(super) fn shadowed(&self, name: &[u8], at: usize, scope: &Range<usize>) -> bool {
        let mut index = self.innermost_index(at);
        // Functions nested deeper than this around one use are read as not shadowing:
        // each use of a name must cost little however the file nests.
        for _ in 0..SHADOW_DEPTH {
            let Some(i) = index else { break };
            let span = &self.spans[i];
            if span.start <= scope.start && span.end >= scope.end {
                return false;
            }
            if self
                .function(i)
                .is_some_and(|f| f.params.iter().any(|p| p == name))
            {
                return true;
            }
            index = self.parent[i];
        }
        false
    }

    pub(super) fn span(&self, block: usize) -> Range<usize> {
        self.spans[block].clone()
    }

    /// The block opened by the `{` at `at`, if one is.
    pub(super) fn opened_at(&self, at: usize) -> Option<Range<usize>> {
        let i = self.spans.partition_point(|s| s.start < at);
        self.spans.get(i).filter(|s| s.start == at).cloned()
    }

    fn function(&self, block: usize) -> Option<&Function> {
        self.functions[block]
            .get_or_init(|| function_before(self.data, self.spans[block].start))
            .as_ref()
    }
}

/// Keywords whose `(...)` before a `{` makes it a statement block, not a function body.
const CONTROL: &[&[u8]] = &[b"if", b"for", b"while", b"switch", b"catch", b"with"];

/// The function whose body opens with the `{` at `brace`, from the text before it.
fn function_before(data: &[u8], brace: usize) -> Option<Function> {
    let head = &data[brace.saturating_sub(HEAD)..brace];
    let head = trim(head);
    if let Some(arrow) = head.strip_suffix(b"=>") {
        let arrow = trim(arrow);
        let (params, before) = if arrow.ends_with(b")") {
            let open = matching_open(arrow)?;
            (&arrow[open + 1..arrow.len() - 1], &arrow[..open])
        } else {
            let len = arrow.iter().rev().take_while(|&&b| is_word(b)).count();
            (&arrow[arrow.len() - len..], &arrow[..arrow.len() - len])
        };
        return Some(Function {
            name: assigned_name(before),
            params: names_of(params),
        });
    }
    let group = head.strip_suffix(b")")?;
    let open = matching_open(head)?;
    let params = &group[open + 1..];
    let before = trim(&head[..open]);
    let word_len = before.iter().rev().take_while(|&&b| is_word(b)).count();
    let word = &before[before.len() - word_len..];
    if CONTROL.contains(&word) || word.is_empty() {
        return None;
    }
    let name = if word == b"function" {
        assigned_name(&before[..before.len() - word_len])
    } else {
        Some(word.to_vec())
    };
    Some(Function {
        name,
        params: names_of(params),
    })
}

/// `get = async` or `get: function` before a function expression: `get`.
fn assigned_name(before: &[u8]) -> Option<Vec<u8>> {
    let before = trim(before);
    let before = trim(before.strip_suffix(b"async").unwrap_or(before));
    let before = trim(before.strip_suffix(b"function").unwrap_or(before));
    let before = before
        .strip_suffix(b"=")
        .or(before.strip_suffix(b":"))
        .map(trim)?;
    let len = before.iter().rev().take_while(|&&b| is_word(b)).count();
    (len > 0).then(|| before[before.len() - len..].to_vec())
}

/// The parameter names of a parameter list.
pub(super) fn names_of(params: &[u8]) -> Vec<Vec<u8>> {
    params
        .split(|&b| b == b',')
        .map(leading_name)
        .filter(|n| !n.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Where the `(` matching the `)` that ends `text` is.
fn matching_open(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in text.iter().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
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

/// Whether `text` right after a call's name is a definition's parameter list
/// (`request(req, res) {`), not a call.
pub(super) fn defines(text: &[u8]) -> bool {
    let close = super::text::scan(text, 1, HEAD, |_, _, _| false);
    text.first() == Some(&b'(')
        && skip_space(text.get(close + 1..).unwrap_or_default()).starts_with(b"{")
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
        assert!(blocks.is_inert(at("}'")));
        assert!(blocks.is_inert(at("// }")));
        assert!(!blocks.is_inert(at("z(")));
    }

    #[test]
    fn function_bodies_with_their_names_and_parameters() {
        let code = "function get(u, opts) { a; }\nconst load = async (x) => { b; };\nclass C { async run(s) { c; } }\nif (x) { d; }\nitems.forEach(item => { e; });\n";
        let blocks = Blocks::new(code.as_bytes());
        let at = |s: &str| code.find(s).unwrap();
        let f = |s: &str| blocks.enclosing_function(at(s)).map(|(_, f)| f.clone());
        let get = f("a;").unwrap();
        assert_eq!(get.name.as_deref(), Some(&b"get"[..]));
        assert_eq!(get.params, [b"u".to_vec(), b"opts".to_vec()]);
        assert_eq!(f("b;").unwrap().name.as_deref(), Some(&b"load"[..]));
        assert_eq!(f("c;").unwrap().name.as_deref(), Some(&b"run"[..]));
        assert_eq!(f("d;"), None);
        assert_eq!(f("e;").unwrap().params, [b"item".to_vec()]);
    }

    #[test]
    fn unclosed_input_ends() {
        let blocks = Blocks::new("{{{ `${ ${ '".as_bytes());
        assert_eq!(blocks.innermost(3).start, 2);
    }
}
