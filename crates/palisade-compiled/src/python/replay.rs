//! The replay of one code object's instructions on a symbolic stack, and the writing of
//! the statements they end in.
//!
//! Expressions are shared, immutable trees, as in the .NET and JVM replay (`crate::machine`):
//! a `DUP_TOP` copies a reference, a list extended in place becomes a new node, and so no
//! tree holds itself. An expression nested deeper than [`MAX_DEPTH`] is written as a line
//! of its own and replaced by `...`; lines stop at [`MAX_LINE`] bytes; and the whole file
//! replays at most [`WORK_PER_BYTE`] instructions per byte, since marshal lets thousands
//! of code objects share one long instruction string.

use super::pyc::{Code, Obj, Version};
use super::{Op, Seq};
use crate::view::{LineNote, View, quoted};
use std::collections::HashSet;
use std::rc::Rc;

const MAX_LINE: usize = 256 * 1024;
const MAX_DEPTH: u32 = 32;
const MAX_STACK: usize = 1024;
const WORK_PER_BYTE: usize = 4;
/// String constants longer than this are written in full only the first time.
const REPEATED_LITERAL: usize = 1024;
/// Distinct names kept for the comparison with a source file.
const MAX_NAMES: usize = 65_536;
/// Items a list, set or dict grows to by extension; past it, further items are not added.
const MAX_ITEMS: usize = 4096;

type Value = Rc<Node>;

struct Node {
    expr: Expr,
    /// Whether the expression holds a call: such an expression is written even when the
    /// stack it is on is thrown away.
    calls: bool,
    depth: u32,
}

enum Arg {
    Positional(Value),
    Keyword(String, Value),
    Star(Value),
    StarStar(Value),
}

enum Expr {
    /// The marker `PUSH_NULL` and method loads leave below a callable.
    Null,
    /// An operand the replay does not know (after a reset, or pushed by an exception).
    Unknown,
    Const(Rc<Obj>),
    Name(String),
    Attr(Value, String),
    Call(Value, Vec<Arg>),
    Binary(&'static str, Value, Value),
    Unary(&'static str, Value),
    Subscript(Value, Value),
    Slice(Vec<Value>),
    Seq(Seq, Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// An f-string: its constant parts and `Formatted` values in order.
    FString(Vec<Value>),
    Formatted(Value),
    /// A module `IMPORT_NAME` loaded; `true` when it was imported whole (`import a.b`,
    /// `import a.b as c`), not for `from a.b import ...`.
    Import(String, bool),
    From(String, String),
    /// The `__exit__` a `with` statement calls when its block ends.
    WithExit,
    Function(String),
    /// The value a `for` loop takes on each turn.
    Item,
    /// An iterable unpacked into a list or call (`*`), or a mapping into a dict (`**`).
    Starred(&'static str, Value),
}

impl Node {
    fn new(expr: Expr) -> Value {
        let children: Vec<&Value> = match &expr {
            Expr::Attr(a, _) | Expr::Unary(_, a) | Expr::Formatted(a) | Expr::Starred(_, a) => {
                vec![a]
            }
            Expr::Binary(_, a, b) | Expr::Subscript(a, b) => vec![a, b],
            Expr::Call(callee, args) => std::iter::once(callee)
                .chain(args.iter().map(|arg| match arg {
                    Arg::Positional(v) | Arg::Keyword(_, v) | Arg::Star(v) | Arg::StarStar(v) => v,
                }))
                .collect(),
            Expr::Slice(items) | Expr::Seq(_, items) | Expr::FString(items) => {
                items.iter().collect()
            }
            Expr::Dict(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => Vec::new(),
        };
        let calls = matches!(expr, Expr::Call(..)) || children.iter().any(|c| c.calls);
        let depth = 1 + children.iter().map(|c| c.depth).max().unwrap_or(0);
        Rc::new(Node { expr, calls, depth })
    }

    fn is(&self, test: fn(&Expr) -> bool) -> bool {
        test(&self.expr)
    }

    /// Whether a statement of this expression alone says nothing: a name, a constant, a
    /// marker.
    fn trivial(&self) -> bool {
        matches!(
            self.expr,
            Expr::Null
                | Expr::Unknown
                | Expr::Const(_)
                | Expr::Name(_)
                | Expr::Item
                | Expr::Import(..)
                | Expr::From(..)
                | Expr::WithExit
                | Expr::Function(_)
        )
    }

    fn render(&self, out: &mut String, written: &mut HashSet<usize>) {
        if out.len() >= MAX_LINE {
            return;
        }
        match &self.expr {
            Expr::Null => {}
            Expr::Unknown => out.push('?'),
            Expr::Item => out.push('_'),
            Expr::Const(object) => render_const(object, out, written),
            Expr::Name(name) => out.push_str(name),
            Expr::Attr(object, name) => {
                object.render(out, written);
                if !object.is(|e| matches!(e, Expr::Null)) {
                    out.push('.');
                }
                out.push_str(name);
            }
            Expr::Call(callee, args) => {
                callee.render(out, written);
                out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    match arg {
                        Arg::Positional(v) => v.render(out, written),
                        Arg::Keyword(name, v) => {
                            out.push_str(name);
                            out.push('=');
                            v.render(out, written);
                        }
                        Arg::Star(v) => {
                            out.push('*');
                            v.render(out, written);
                        }
                        Arg::StarStar(v) => {
                            out.push_str("**");
                            v.render(out, written);
                        }
                    }
                    if out.len() >= MAX_LINE {
                        break;
                    }
                }
                out.push(')');
            }
            Expr::Binary(op, a, b) => {
                out.push('(');
                a.render(out, written);
                out.push(' ');
                out.push_str(op);
                out.push(' ');
                b.render(out, written);
                out.push(')');
            }
            Expr::Unary(op, a) => {
                out.push_str(op);
                a.render(out, written);
            }
            Expr::Subscript(a, b) => {
                a.render(out, written);
                out.push('[');
                b.render(out, written);
                out.push(']');
            }
            Expr::Slice(items) => render_items(out, "", items, "", ":", written),
            Expr::Seq(kind, items) => {
                let (open, close) = match kind {
                    Seq::Tuple => ("(", if items.len() == 1 { ",)" } else { ")" }),
                    Seq::List => ("[", "]"),
                    Seq::Set => ("{", "}"),
                };
                render_items(out, open, items, close, ", ", written);
            }
            Expr::Dict(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.render(out, written);
                    if !v.is(|e| matches!(e, Expr::Null)) {
                        out.push_str(": ");
                        v.render(out, written);
                    }
                    if out.len() >= MAX_LINE {
                        break;
                    }
                }
                out.push('}');
            }
            Expr::FString(parts) => {
                out.push_str("f\"");
                for part in parts {
                    match &part.expr {
                        Expr::Const(object) if matches!(**object, Obj::Str(_)) => {
                            let Obj::Str(text) = &**object else {
                                unreachable!()
                            };
                            let literal = quoted(&text.replace('{', "{{").replace('}', "}}"));
                            out.push_str(&literal[1..literal.len() - 1]);
                        }
                        Expr::Formatted(value) => {
                            out.push('{');
                            value.render(out, written);
                            out.push('}');
                        }
                        _ => {
                            out.push('{');
                            part.render(out, written);
                            out.push('}');
                        }
                    }
                    if out.len() >= MAX_LINE {
                        break;
                    }
                }
                out.push('"');
            }
            Expr::Formatted(value) => {
                out.push_str("str(");
                value.render(out, written);
                out.push(')');
            }
            Expr::Import(module, _) => out.push_str(module),
            Expr::WithExit => out.push_str("__exit__"),
            Expr::From(module, name) => {
                out.push_str(module);
                out.push('.');
                out.push_str(name);
            }
            Expr::Function(name) => out.push_str(name),
            Expr::Starred(prefix, value) => {
                out.push_str(prefix);
                value.render(out, written);
            }
        }
        if out.len() > MAX_LINE {
            out.truncate(out.floor_char_boundary(MAX_LINE));
            out.push_str("...");
        }
    }
}

fn render_items(
    out: &mut String,
    open: &str,
    items: &[Value],
    close: &str,
    separator: &str,
    written: &mut HashSet<usize>,
) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        item.render(out, written);
        if out.len() >= MAX_LINE {
            break;
        }
    }
    out.push_str(close);
}

/// A constant as Python source writes it.
fn render_const(object: &Rc<Obj>, out: &mut String, written: &mut HashSet<usize>) {
    match &**object {
        Obj::None => out.push_str("None"),
        Obj::Bool(true) => out.push_str("True"),
        Obj::Bool(false) => out.push_str("False"),
        Obj::Ellipsis => out.push_str("..."),
        Obj::Int(n) => out.push_str(&n.to_string()),
        Obj::BigInt => out.push('0'),
        Obj::Float(f) => out.push_str(&format!("{f:?}")),
        Obj::Str(text) => {
            if text.len() > REPEATED_LITERAL && !written.insert(Rc::as_ptr(object) as usize) {
                let start = &text[..text.floor_char_boundary(48)];
                out.push_str(&quoted(start));
                out.push_str(&format!(" # again, {} bytes", text.len()));
            } else {
                out.push_str(&quoted(text));
            }
        }
        Obj::Bytes(bytes) => {
            out.push_str("b\"");
            for &b in bytes.iter() {
                match b {
                    b'"' => out.push_str("\\\""),
                    b'\\' => out.push_str("\\\\"),
                    0x20..=0x7e => out.push(b as char),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
                if out.len() >= MAX_LINE {
                    break;
                }
            }
            out.push('"');
        }
        Obj::Tuple(items) | Obj::List(items) | Obj::Set(items) => {
            let (open, close) = match &**object {
                Obj::Tuple(_) if items.len() == 1 => ("(", ",)"),
                Obj::Tuple(_) => ("(", ")"),
                Obj::List(_) => ("[", "]"),
                _ => ("{", "}"),
            };
            out.push_str(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_const(item, out, written);
                if out.len() >= MAX_LINE {
                    break;
                }
            }
            out.push_str(close);
        }
        Obj::Dict(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_const(k, out, written);
                out.push_str(": ");
                render_const(v, out, written);
                if out.len() >= MAX_LINE {
                    break;
                }
            }
            out.push('}');
        }
        Obj::Code(code) => out.push_str(&code.name),
        Obj::Other(what) => out.push_str(what),
    }
}

/// Writes `module` and every code object nested in it, each under a header naming it.
pub(super) fn write(
    module: &Rc<Code>,
    version: Version,
    ops: &[Op; 256],
    file_len: usize,
    view: &mut View,
) {
    let mut budget = file_len.saturating_mul(WORK_PER_BYTE);
    let mut seen = HashSet::new();
    let mut pending = vec![(module.clone(), module.name.clone(), true)];
    while let Some((code, qualname, on_load)) = pending.pop() {
        if view.full() || !seen.insert(Rc::as_ptr(&code) as usize) {
            continue;
        }
        let bytecode = code.bytecode();
        if bytecode.len() / 2 > budget {
            view.unreadable.push(format!(
                "{qualname}: not read, the file's instructions exceed {WORK_PER_BYTE} per byte"
            ));
            break;
        }
        budget -= bytecode.len() / 2;
        for name in code.used_names() {
            if view.names.len() >= MAX_NAMES {
                break;
            }
            if !view.names.contains(name) {
                view.names
                    .insert(name[..name.floor_char_boundary(256)].to_string());
            }
        }
        if on_load {
            view.method_on_load(&qualname);
        } else {
            view.method(&qualname);
        }
        Replay {
            code: &code,
            version,
            stack: Vec::new(),
            keywords: None,
            view,
            offset: 0,
            main_guard_end: None,
        }
        .run(ops);
        // Nested code in reverse, so that it is written in the order it is defined.
        let nested: Vec<_> = code.nested().cloned().collect();
        for inner in nested.into_iter().rev() {
            let name = match &inner.qualname {
                Some(qualname) => qualname.clone(),
                None if code.is_body() && code.name == "<module>" => inner.name.clone(),
                None => format!("{qualname}.{}", inner.name),
            };
            // A comprehension runs where it is written: in a body, on load.
            let comprehension = matches!(
                inner.name.as_str(),
                "<genexpr>" | "<listcomp>" | "<setcomp>" | "<dictcomp>"
            );
            let runs = inner.is_body() || (comprehension && code.is_body());
            pending.push((inner, name, runs));
        }
    }
}

struct Replay<'c, 'v> {
    code: &'c Code,
    version: Version,
    stack: Vec<Value>,
    /// The keyword names `KW_NAMES` set for the next call (3.11 and 3.12).
    keywords: Option<Vec<String>>,
    view: &'v mut View,
    /// The byte offset of the instruction being replayed.
    offset: usize,
    /// Where the block under `if __name__ == "__main__":` ends, inside it: that code
    /// runs when the module is a script, not when it is imported.
    main_guard_end: Option<usize>,
}

impl Replay<'_, '_> {
    fn run(&mut self, ops: &[Op; 256]) {
        let code = self.code.bytecode();
        let mut extended: u32 = 0;
        let mut dead = false;
        for (index, word) in code.chunks_exact(2).enumerate() {
            if self.view.full() {
                return;
            }
            self.offset = index * 2;
            if self.main_guard_end.is_some_and(|end| self.offset >= end) {
                self.main_guard_end = None;
            }
            let op = ops[usize::from(word[0])];
            let arg = (extended << 8) | u32::from(word[1]);
            if op == Op::ExtendedArg {
                extended = arg;
                continue;
            }
            extended = 0;
            // Code after a return, a raise or a jump is reached only by a jump: the
            // stack it starts with is not the one left here.
            if dead && op == Op::Nop {
                continue;
            }
            let written = self.view.line_count();
            if dead {
                self.flush();
            }
            dead = self.step(op, arg);
            if self.main_guard_end.is_some() {
                self.view.note_after(written, LineNote::Inert);
            }
            if self.stack.len() > MAX_STACK {
                self.flush();
            }
        }
        self.flush();
    }

    fn push(&mut self, expr: Expr) {
        let node = Node::new(expr);
        if node.depth > MAX_DEPTH {
            self.statement("", &node);
            self.stack.push(Node::new(Expr::Name("...".into())));
        } else {
            self.stack.push(node);
        }
    }

    fn pop(&mut self) -> Value {
        self.stack.pop().unwrap_or_else(|| Node::new(Expr::Unknown))
    }

    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let mut items: Vec<Value> = (0..n.min(MAX_STACK + 1)).map(|_| self.pop()).collect();
        items.reverse();
        items
    }

    /// The callable below a call's arguments, with the `NULL` that versions from 3.11
    /// keep beside it (below it before 3.13, above it from 3.13) taken away too. From
    /// 3.11, two operands with no `NULL` are a method and the first argument it is
    /// called with (a comprehension's function and the iterator it is handed).
    fn pop_callee(&mut self) -> (Value, Option<Value>) {
        let first = self.pop();
        if first.is(|e| matches!(e, Expr::Null)) {
            return (self.pop(), None);
        }
        if self
            .stack
            .last()
            .is_some_and(|v| v.is(|e| matches!(e, Expr::Null)))
        {
            self.stack.pop();
            return (first, None);
        }
        if self.version >= 311 {
            return (self.pop(), Some(first));
        }
        (first, None)
    }

    fn statement(&mut self, prefix: &str, value: &Value) {
        let mut line = String::from(prefix);
        value.render(&mut line, &mut self.view.written);
        self.view.line(&line);
    }

    /// Throws the stack away, writing each call on it first.
    fn flush(&mut self) {
        let stack = std::mem::take(&mut self.stack);
        let mut last: Option<&Value> = None;
        for value in &stack {
            if value.calls && !last.is_some_and(|l| Rc::ptr_eq(l, value)) {
                self.statement("", value);
            }
            last = Some(value);
        }
    }

    fn store(&mut self, name: String, value: Value) {
        let line = match &value.expr {
            Expr::Import(module, _) => {
                if *module == name || module.starts_with(&format!("{name}.")) {
                    format!("import {module}")
                } else {
                    format!("import {module} as {name}")
                }
            }
            Expr::From(module, imported) if *imported == name => {
                format!("from {module} import {imported}")
            }
            Expr::From(module, imported) => format!("from {module} import {imported} as {name}"),
            Expr::Function(qualname) if qualname.rsplit('.').next() == Some(name.as_str()) => {
                return;
            }
            Expr::Null | Expr::Unknown | Expr::Item => return,
            // A class body's bookkeeping, written by the compiler into every class.
            _ if name == "__module__" || name == "__qualname__" => return,
            _ if name == "__doc__" => {
                self.statement("__doc__ = ", &value);
                self.view.note_last(LineNote::Data);
                return;
            }
            Expr::Call(callee, args) if matches!(&callee.expr, Expr::Name(n) if n == "__build_class__") =>
            {
                let mut line = format!("class {name}(");
                for (i, arg) in args.iter().skip(2).enumerate() {
                    if i > 0 {
                        line.push_str(", ");
                    }
                    if let Arg::Positional(base) | Arg::Keyword(_, base) = arg {
                        base.render(&mut line, &mut self.view.written);
                    }
                }
                line.push_str("):");
                line
            }
            _ => return self.statement(&format!("{name} = "), &value),
        };
        self.view.line(&line);
        self.view.note_last(LineNote::Inert);
    }

    fn name_const(&self, index: u32) -> Vec<String> {
        match self.code.constant(index).map(|c| &**c) {
            Some(Obj::Tuple(items)) => items
                .iter()
                .map(|item| match &**item {
                    Obj::Str(text) => text.clone(),
                    _ => "_".into(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn keyword_names(value: &Value) -> Vec<String> {
        match &value.expr {
            Expr::Const(object) => match &**object {
                Obj::Tuple(items) => items
                    .iter()
                    .map(|item| match &**item {
                        Obj::Str(text) => text.clone(),
                        _ => "_".into(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn call(&mut self, count: usize, keywords: Vec<String>) {
        let values = self.pop_n(count);
        let (callee, this) = self.pop_callee();
        let split = values.len().saturating_sub(keywords.len());
        let mut args = Vec::with_capacity(values.len() + 1);
        args.extend(this.map(Arg::Positional));
        for (i, value) in values.into_iter().enumerate() {
            args.push(match keywords.get(i.wrapping_sub(split)) {
                Some(name) if i >= split => Arg::Keyword(name.clone(), value),
                _ => Arg::Positional(value),
            });
        }
        self.push_call(callee, args);
    }

    /// A call, except a `with` block's exit: the compiler's, not the code's.
    fn push_call(&mut self, callee: Value, args: Vec<Arg>) {
        if callee.is(|e| matches!(e, Expr::WithExit)) {
            self.push(Expr::Unknown);
        } else {
            self.push(Expr::Call(callee, args));
        }
    }

    fn call_ex(&mut self, flags: u32) {
        let keywords = (flags & 1 != 0).then(|| self.pop());
        let positional = self.pop();
        let (callee, this) = self.pop_callee();
        let mut args: Vec<Arg> = this.into_iter().map(Arg::Positional).collect();
        match &positional.expr {
            Expr::Seq(_, items) => args.extend(items.iter().cloned().map(Arg::Positional)),
            Expr::Const(object) if matches!(**object, Obj::Tuple(_)) => {
                if let Obj::Tuple(items) = &**object {
                    args.extend(
                        items
                            .iter()
                            .map(|item| Arg::Positional(Node::new(Expr::Const(item.clone())))),
                    );
                }
            }
            _ => args.push(Arg::Star(positional.clone())),
        }
        if let Some(keywords) = keywords {
            match &keywords.expr {
                Expr::Dict(pairs) => {
                    for (key, value) in pairs {
                        match &key.expr {
                            Expr::Const(k) if matches!(&**k, Obj::Str(_)) => {
                                let Obj::Str(name) = &**k else { unreachable!() };
                                args.push(Arg::Keyword(name.clone(), value.clone()));
                            }
                            Expr::Starred(..) => args.push(Arg::Positional(key.clone())),
                            _ => args.push(Arg::StarStar(keywords.clone())),
                        }
                    }
                }
                _ => args.push(Arg::StarStar(keywords.clone())),
            }
        }
        self.push_call(callee, args);
    }

    fn constant(&self, index: u32) -> Expr {
        match self.code.constant(index) {
            Some(object) => Expr::Const(object.clone()),
            None => Expr::Unknown,
        }
    }

    fn deref(&self, index: u32) -> String {
        if self.version >= 311 {
            self.code.local(index)
        } else {
            self.code.cell(index)
        }
    }

    /// Replays one instruction; whether control never falls through it.
    fn step(&mut self, op: Op, arg: u32) -> bool {
        let v = self.version;
        match op {
            Op::Nop | Op::ExtendedArg => {}
            Op::Other => self.flush(),
            Op::PopTop => {
                let value = self.pop();
                if !value.trivial() {
                    self.statement("", &value);
                }
            }
            Op::RotTwo => self.rotate(2),
            Op::RotThree => self.rotate(3),
            Op::RotFour => self.rotate(4),
            Op::Swap => {
                let n = self.stack.len();
                let i = arg as usize;
                if i >= 2 && i <= n {
                    self.stack.swap(n - 1, n - i);
                }
            }
            Op::DupTop => self.copy(1),
            Op::Copy => self.copy(arg as usize),
            Op::DupTopTwo => {
                self.copy(2);
                self.copy(2);
            }
            Op::PushNull => self.push(Expr::Null),
            Op::LoadConst => self.push(self.constant(arg)),
            Op::ReturnConst => {
                let value = Node::new(self.constant(arg));
                self.write_return(value);
                return true;
            }
            Op::LoadName => self.push(Expr::Name(self.code.name_at(arg))),
            Op::LoadGlobal => {
                if v >= 311 {
                    let name = Expr::Name(self.code.name_at(arg >> 1));
                    let null = arg & 1 != 0;
                    if null && v < 313 {
                        self.push(Expr::Null);
                    }
                    self.push(name);
                    if null && v >= 313 {
                        self.push(Expr::Null);
                    }
                } else {
                    self.push(Expr::Name(self.code.name_at(arg)));
                }
            }
            Op::LoadFast => self.push(Expr::Name(self.code.local(arg))),
            Op::LoadFastLoadFast => {
                self.push(Expr::Name(self.code.local(arg >> 4)));
                self.push(Expr::Name(self.code.local(arg & 15)));
            }
            Op::LoadDeref => self.push(Expr::Name(self.deref(arg))),
            Op::LoadFromDictOrGlobals => {
                self.pop();
                self.push(Expr::Name(self.code.name_at(arg)));
            }
            Op::LoadFromDictOrDeref => {
                self.pop();
                self.push(Expr::Name(self.deref(arg)));
            }
            Op::LoadLocals => self.push(Expr::Name("locals()".into())),
            Op::LoadAssertionError => self.push(Expr::Name("AssertionError".into())),
            Op::LoadBuildClass => self.push(Expr::Name("__build_class__".into())),
            Op::StoreName | Op::StoreFast | Op::StoreDeref => {
                let name = match op {
                    Op::StoreName => self.code.name_at(arg),
                    Op::StoreFast => self.code.local(arg),
                    _ => self.deref(arg),
                };
                let value = self.pop();
                self.store(name, value);
            }
            Op::StoreFastStoreFast => {
                let value = self.pop();
                self.store(self.code.local(arg >> 4), value);
                let value = self.pop();
                self.store(self.code.local(arg & 15), value);
            }
            Op::StoreFastLoadFast => {
                let value = self.pop();
                self.store(self.code.local(arg >> 4), value);
                self.push(Expr::Name(self.code.local(arg & 15)));
            }
            Op::StoreAttr => {
                let object = self.pop();
                let value = self.pop();
                let mut prefix = String::new();
                object.render(&mut prefix, &mut self.view.written);
                prefix.push_str(&format!(".{} = ", self.code.name_at(arg)));
                self.statement(&prefix, &value);
            }
            Op::StoreSubscr => {
                let key = self.pop();
                let container = self.pop();
                let value = self.pop();
                let target = Node::new(Expr::Subscript(container, key));
                let mut prefix = String::new();
                target.render(&mut prefix, &mut self.view.written);
                prefix.push_str(" = ");
                self.statement(&prefix, &value);
            }
            Op::StoreSlice => {
                self.pop_n(3);
                let value = self.pop();
                if value.calls {
                    self.statement("", &value);
                }
            }
            Op::DeleteSubscr => {
                self.pop_n(2);
            }
            Op::DeleteAttr => {
                self.pop();
            }
            Op::LoadAttr | Op::LoadMethod => {
                let (index, method) = if op == Op::LoadMethod {
                    (arg, true)
                } else if v >= 312 {
                    (arg >> 1, arg & 1 != 0)
                } else {
                    (arg, false)
                };
                let object = self.pop();
                if method {
                    self.push(Expr::Null);
                }
                self.push(Expr::Attr(object, self.code.name_at(index)));
            }
            Op::LoadSuperAttr => {
                self.pop_n(3);
                if arg & 1 != 0 {
                    self.push(Expr::Null);
                }
                let zuper = Node::new(Expr::Name("super()".into()));
                self.push(Expr::Attr(zuper, self.code.name_at(arg >> 2)));
            }
            Op::ImportName => {
                let from = self.pop();
                self.pop(); // the level of a relative import
                let whole = matches!(&from.expr, Expr::Const(o) if matches!(**o, Obj::None));
                self.push(Expr::Import(self.code.name_at(arg), whole));
            }
            Op::ImportFrom => {
                let module = self
                    .stack
                    .last()
                    .cloned()
                    .unwrap_or_else(|| Node::new(Expr::Unknown));
                let name = self.code.name_at(arg);
                match &module.expr {
                    // `import a.b as c` takes `b` from `a` after importing `a.b`.
                    Expr::Import(m, true) if m.ends_with(&format!(".{name}")) => {
                        self.push(Expr::Import(m.clone(), true))
                    }
                    Expr::Import(m, _) => self.push(Expr::From(m.clone(), name)),
                    _ => self.push(Expr::Attr(module.clone(), name)),
                }
            }
            Op::ImportStar => {
                let module = self.pop();
                if let Expr::Import(m, _) = &module.expr {
                    self.view.line(&format!("from {m} import *"));
                    self.view.note_last(LineNote::Inert);
                }
            }
            Op::CallFunction | Op::Call => {
                let keywords = if op == Op::Call {
                    self.keywords.take().unwrap_or_default()
                } else {
                    Vec::new()
                };
                self.call(arg as usize, keywords);
            }
            Op::KwNames => self.keywords = Some(self.name_const(arg)),
            Op::CallFunctionKw | Op::CallKw => {
                let names = self.pop();
                let keywords = Self::keyword_names(&names);
                self.call(arg as usize, keywords);
            }
            Op::CallFunctionEx => self.call_ex(arg),
            Op::Binary(symbol) => self.binary(symbol),
            Op::BinaryOperator => self.binary(binary_op(arg)),
            Op::Compare => self.binary("=="),
            Op::Unary(symbol) => {
                let value = self.pop();
                self.push(Expr::Unary(symbol, value));
            }
            Op::BinarySubscr => {
                let key = self.pop();
                let container = self.pop();
                self.push(Expr::Subscript(container, key));
            }
            Op::BinarySlice => {
                let bounds = self.pop_n(2);
                let container = self.pop();
                let slice = Node::new(Expr::Slice(bounds));
                self.push(Expr::Subscript(container, slice));
            }
            Op::BuildSlice => {
                let bounds = self.pop_n(arg as usize);
                self.push(Expr::Slice(bounds));
            }
            Op::Build(kind) => {
                let items = self.pop_n(arg as usize);
                self.push(Expr::Seq(kind, items));
            }
            Op::BuildMap => {
                let flat = self.pop_n((arg as usize).saturating_mul(2));
                let mut flat = flat.into_iter();
                let mut pairs = Vec::new();
                while let (Some(k), Some(value)) = (flat.next(), flat.next()) {
                    pairs.push((k, value));
                }
                self.push(Expr::Dict(pairs));
            }
            Op::BuildConstKeyMap => {
                let keys = self.pop();
                let values = self.pop_n(arg as usize);
                let keys: Vec<Value> = match &keys.expr {
                    Expr::Const(object) => match &**object {
                        Obj::Tuple(items) => items
                            .iter()
                            .map(|k| Node::new(Expr::Const(k.clone())))
                            .collect(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                self.push(Expr::Dict(keys.into_iter().zip(values).collect()));
            }
            Op::BuildString => {
                let parts = self.pop_n(arg as usize);
                self.push(Expr::FString(parts));
            }
            Op::FormatValue => {
                if arg & 4 != 0 {
                    self.pop();
                }
                let value = self.pop();
                self.push(Expr::Formatted(value));
            }
            Op::FormatSimple => {
                let value = self.pop();
                self.push(Expr::Formatted(value));
            }
            Op::FormatWithSpec => {
                self.pop();
                let value = self.pop();
                self.push(Expr::Formatted(value));
            }
            Op::Extend => self.extend(arg as usize),
            // A comprehension's element: what it calls is written.
            Op::Append | Op::MapAdd => {
                let count = if op == Op::MapAdd { 2 } else { 1 };
                for value in self.pop_n(count) {
                    if value.calls {
                        self.statement("", &value);
                    }
                }
            }
            Op::MakeFunction => {
                let extras = if v >= 313 {
                    0
                } else {
                    (arg & 0xF).count_ones() as usize
                };
                if v < 311 {
                    self.pop(); // the qualified name
                }
                let code = self.pop();
                self.pop_n(extras);
                let function = match &code.expr {
                    Expr::Const(object) => match &**object {
                        Obj::Code(inner) => Expr::Function(inner.name.clone()),
                        _ => Expr::Unknown,
                    },
                    _ => Expr::Unknown,
                };
                self.push(function);
            }
            Op::SetFunctionAttribute => {
                let function = self.pop();
                self.pop();
                self.stack.push(function);
            }
            Op::UnpackSequence | Op::UnpackEx => {
                let count = if op == Op::UnpackEx {
                    (arg & 0xFF) as usize + (arg >> 8) as usize + 1
                } else {
                    arg as usize
                };
                let value = self.pop();
                for index in (0..count.min(MAX_STACK)).rev() {
                    let index = Node::new(Expr::Name(index.to_string()));
                    self.push(Expr::Subscript(value.clone(), index));
                }
            }
            Op::ForIter => {
                let iterable = self.stack.last().cloned();
                if let Some(iterable) = iterable.filter(|i| !i.trivial()) {
                    let mut line = String::from("for _ in ");
                    iterable.render(&mut line, &mut self.view.written);
                    line.push(':');
                    self.view.line(&line);
                }
                self.push(Expr::Item);
            }
            Op::BeforeWith => {
                let context = self.pop();
                self.push(Expr::WithExit);
                self.stack.push(context);
            }
            Op::PopJumpIf | Op::JumpIfOrPop => {
                let condition = self.pop();
                if !condition.trivial() {
                    let mut line = String::from("if ");
                    condition.render(&mut line, &mut self.view.written);
                    line.push(':');
                    if op == Op::PopJumpIf
                        && self.code.is_body()
                        && self.main_guard_end.is_none()
                        && line == "if (__name__ == \"__main__\"):"
                    {
                        self.main_guard_end = Some(self.jump_target(arg));
                    }
                    self.view.line(&line);
                }
            }
            Op::Jump => return true,
            Op::ReturnValue => {
                let value = self.pop();
                self.write_return(value);
                return true;
            }
            Op::Raise => {
                let values = self.pop_n(arg as usize);
                match values.first() {
                    Some(value) => self.statement("raise ", value),
                    None => self.view.line("raise"),
                }
                return true;
            }
            Op::Reraise => return true,
            Op::YieldValue => {
                let value = self.pop();
                if !value.trivial() {
                    self.statement("yield ", &value);
                }
                self.push(Expr::Unknown);
            }
        }
        false
    }

    /// Where a forward conditional jump at the current instruction goes: an absolute
    /// byte offset before 3.10, an instruction index in 3.10, and from 3.11 a distance
    /// in instructions from the next one (past the jump's one cache entry in 3.13).
    fn jump_target(&self, arg: u32) -> usize {
        let arg = arg as usize;
        match self.version {
            ..=309 => arg,
            310 => arg * 2,
            311 | 312 => self.offset + 2 + arg * 2,
            _ => self.offset + 4 + arg * 2,
        }
    }

    fn write_return(&mut self, value: Value) {
        let none = matches!(&value.expr, Expr::Const(o) if matches!(**o, Obj::None));
        if !none && !value.is(|e| matches!(e, Expr::Null | Expr::Unknown)) {
            self.statement("return ", &value);
        }
    }

    fn binary(&mut self, symbol: &'static str) {
        let right = self.pop();
        let left = self.pop();
        self.push(Expr::Binary(symbol, left, right));
    }

    fn rotate(&mut self, n: usize) {
        let len = self.stack.len();
        if n <= len {
            self.stack[len - n..].rotate_right(1);
        }
    }

    fn copy(&mut self, n: usize) {
        let len = self.stack.len();
        if n >= 1 && n <= len {
            let value = self.stack[len - n].clone();
            self.stack.push(value);
        }
    }

    /// `LIST_EXTEND`, `SET_UPDATE` and the dict merges: a list of three or more constants
    /// compiles to an empty list extended by a constant tuple.
    fn extend(&mut self, depth: usize) {
        let addition = self.pop();
        let len = self.stack.len();
        if depth == 0 || depth > len {
            return;
        }
        let target = self.stack[len - depth].clone();
        let full = match &target.expr {
            Expr::Seq(_, items) => items.len() >= MAX_ITEMS,
            Expr::Dict(pairs) => pairs.len() >= MAX_ITEMS,
            _ => false,
        };
        if full {
            return;
        }
        let merged = match (&target.expr, &addition.expr) {
            (Expr::Seq(kind, items), Expr::Const(object)) => match &**object {
                Obj::Tuple(more) | Obj::Set(more) | Obj::List(more) => {
                    let mut items = items.clone();
                    items.extend(more.iter().map(|m| Node::new(Expr::Const(m.clone()))));
                    Some(Expr::Seq(*kind, items))
                }
                _ => None,
            },
            (Expr::Seq(kind, items), Expr::Seq(_, more)) => {
                let mut items = items.clone();
                items.extend(more.iter().cloned());
                Some(Expr::Seq(*kind, items))
            }
            (Expr::Dict(pairs), Expr::Dict(more)) => {
                let mut pairs = pairs.clone();
                pairs.extend(more.iter().cloned());
                Some(Expr::Dict(pairs))
            }
            (Expr::Seq(kind, items), _) => {
                let mut items = items.clone();
                items.push(Node::new(Expr::Starred("*", addition.clone())));
                Some(Expr::Seq(*kind, items))
            }
            (Expr::Dict(pairs), _) => {
                let mut pairs = pairs.clone();
                let spread = Node::new(Expr::Starred("**", addition.clone()));
                pairs.push((spread, Node::new(Expr::Null)));
                Some(Expr::Dict(pairs))
            }
            _ => None,
        };
        if let Some(merged) = merged {
            self.stack[len - depth] = Node::new(merged);
        } else if addition.calls {
            self.statement("", &addition);
        }
    }
}

/// The operator of 3.11's `BINARY_OP`, by argument (the in-place forms follow at 13).
fn binary_op(arg: u32) -> &'static str {
    const OPS: [&str; 13] = [
        "+", "&", "//", "<<", "@", "*", "%", "|", "**", ">>", "-", "/", "^",
    ];
    OPS.get(arg as usize % 13).copied().unwrap_or("+")
}
