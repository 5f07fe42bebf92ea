//! The text a compiled file is read into, and which method each of its lines belongs to.

use crate::{Format, MAX_VIEW};

/// Pseudo-source of a compiled file: one header line per method, then one line per call
/// or string constant, in instruction order.
#[derive(Debug, Clone)]
pub struct View {
    pub format: Format,
    pub text: String,
    /// (first line, name) of each method, in line order; `None` starts lines that belong
    /// to no method (a class's constants).
    methods: Vec<(u32, Option<String>)>,
    lines: u32,
    /// Whether the view stopped at [`MAX_VIEW`] before the file was read to its end.
    pub truncated: bool,
    /// A header not yet written: a method that writes no line (an empty constructor, a
    /// getter) is left out of the view altogether.
    header: Option<(Option<String>, String)>,
    /// Methods whose first line is code the runtime runs when the file loads (a .NET
    /// module initializer), by index in `methods`.
    on_load: Vec<usize>,
    pending_on_load: bool,
    /// Why method bodies could not be read, for the ones that could not (the rest of
    /// the file still is).
    pub unreadable: Vec<String>,
    /// Long string constants already written, by node (see `machine`).
    pub(crate) written: std::collections::HashSet<usize>,
    /// Lines that are not plain statements of their method, by line number, in order.
    notes: Vec<(u32, LineNote)>,
    /// The global and attribute names the code uses (Python bytecode only), so that
    /// they can be checked against the source the file claims to be compiled from.
    pub names: std::collections::BTreeSet<String>,
}

/// What a line of a view is, when it is not a plain statement of its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineNote {
    /// Data the code holds but does not run, such as a docstring.
    Data,
    /// A definition or import, or a statement under `if __name__ == "__main__":`: in a
    /// body that runs on load, it runs without acting, or does not run on import.
    Inert,
}

/// The longest string constant written out, in characters; longer ones are cut, with the
/// length said, so that one encoded blob cannot fill the view.
const MAX_LITERAL: usize = 64 * 1024;

impl View {
    pub(crate) fn new(format: Format) -> View {
        View {
            format,
            text: String::new(),
            methods: Vec::new(),
            lines: 0,
            truncated: false,
            header: None,
            on_load: Vec::new(),
            pending_on_load: false,
            unreadable: Vec::new(),
            written: std::collections::HashSet::new(),
            notes: Vec::new(),
            names: std::collections::BTreeSet::new(),
        }
    }

    /// Whether there is room for more text.
    pub(crate) fn full(&self) -> bool {
        self.truncated
    }

    pub(crate) fn line(&mut self, line: &str) {
        if let Some((method, header)) = self.header.take() {
            if std::mem::take(&mut self.pending_on_load) {
                self.on_load.push(self.methods.len());
            }
            self.methods.push((self.lines + 1, method));
            self.line(&header);
        }
        if self.truncated {
            return;
        }
        // Names come from the file and may hold line breaks; a line must stay one.
        let escaped;
        let line = if line.contains(['\n', '\r']) {
            escaped = line.replace('\n', "\\n").replace('\r', "\\r");
            escaped.as_str()
        } else {
            line
        };
        if self.text.len() + line.len() + 1 > MAX_VIEW {
            self.truncated = true;
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
        self.lines += 1;
    }

    /// Tags the line written last, if it was written.
    pub(crate) fn note_last(&mut self, note: LineNote) {
        if !self.truncated
            && self.lines > 0
            && self.notes.last().is_none_or(|(l, _)| *l < self.lines)
        {
            self.notes.push((self.lines, note));
        }
    }

    /// Lines written so far.
    pub(crate) fn line_count(&self) -> u32 {
        self.lines
    }

    /// Tags the lines written after line `after` that have no note yet.
    pub(crate) fn note_after(&mut self, after: u32, note: LineNote) {
        let first = self.notes.last().map_or(0, |(l, _)| *l).max(after) + 1;
        for line in first..=self.lines {
            self.notes.push((line, note));
        }
    }

    /// What line `line` (1-based) is, if it is not a plain statement.
    pub fn note_at(&self, line: u32) -> Option<LineNote> {
        self.notes
            .binary_search_by_key(&line, |(l, _)| *l)
            .ok()
            .map(|i| self.notes[i].1)
    }

    pub(crate) fn method(&mut self, name: &str) {
        self.start_method(name, true);
    }

    fn start_method(&mut self, name: &str, function: bool) {
        let name = name.replace(['\n', '\r'], " ");
        // A Python function defined at the top of its module is headed as Python defines
        // it, so that the calls of it in the module body are seen to run it.
        let plain = function
            && !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        let header = match self.format {
            Format::Pyc if plain => format!("def {name}():"),
            Format::Pyc => format!("# code {name}"),
            _ => format!("// method {name}"),
        };
        self.header = Some((Some(name), header));
        self.pending_on_load = false;
    }

    /// Starts a method the runtime runs when the file is loaded.
    pub(crate) fn method_on_load(&mut self, name: &str) {
        self.start_method(name, false);
        self.pending_on_load = true;
    }

    /// Whether the method at `index` (from [`View::method_at_line`]) runs on load.
    pub fn runs_on_load(&self, index: usize) -> bool {
        self.on_load.binary_search(&index).is_ok()
    }

    /// The header line (1-based) of the method at `index`.
    pub fn method_line(&self, index: usize) -> Option<u32> {
        self.methods.get(index).map(|(first, _)| *first)
    }

    /// Starts lines that belong to no method, under a header comment.
    pub(crate) fn section(&mut self, header: &str) {
        self.header = Some((None, format!("// {header}").replace(['\n', '\r'], " ")));
        self.pending_on_load = false;
    }

    /// The method that line `line` (1-based) of [`View::text`] belongs to: its index in
    /// the view and its name.
    pub fn method_at_line(&self, line: u32) -> Option<(usize, &str)> {
        let after = self.methods.partition_point(|(first, _)| *first <= line);
        let index = after.checked_sub(1)?;
        self.methods[index].1.as_deref().map(|name| (index, name))
    }

    /// Whether line `line` is the header that opens a method or a section.
    pub fn is_header(&self, line: u32) -> bool {
        self.methods
            .binary_search_by_key(&line, |(first, _)| *first)
            .is_ok()
    }
}

/// A string constant as a double-quoted literal with `\` `"` and control characters
/// escaped, so that a string cannot end its line or its quotes early.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_LITERAL) + 2);
    out.push('"');
    for (count, c) in text.chars().enumerate() {
        if count == MAX_LITERAL {
            out.push_str(&format!("...({} characters)", text.chars().count()));
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || invisible(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that show as nothing or reorder the text around them: written as escapes,
/// as a reader of source would see them, so that a view shows what a string holds.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_know_their_method() {
        let mut view = View::new(Format::Jvm);
        view.line("// class A");
        view.method("A::run");
        view.line("x()");
        view.method("A::empty");
        view.method("A::stop");
        view.line("y()");
        view.section("constants of A");
        view.line("\"k\"");
        assert_eq!(view.method_at_line(1), None);
        assert_eq!(view.method_at_line(2), Some((0, "A::run")));
        assert_eq!(view.method_at_line(3), Some((0, "A::run")));
        assert_eq!(view.method_at_line(5), Some((1, "A::stop")));
        assert_eq!(view.method_at_line(7), None);
        assert!(view.is_header(4) && !view.is_header(5));
    }

    #[test]
    fn quoting_keeps_a_string_on_its_line() {
        assert_eq!(quoted("a\"b\nc\\"), r#""a\"b\nc\\""#);
        assert_eq!(quoted("\u{1}"), r#""\u{1}""#);
        assert_eq!(quoted("a\u{202e}b"), r#""a\u{202e}b""#);
    }
}
