//! The replay of one code object's instructions on a symbolic stack, and the writing of
//! the statements they end in.
//!
//! An expression nested deeper than [`MAX_DEPTH`] is written as a line of its own and
//! replaced by `...`, and the whole file replays at most [`WORK_PER_BYTE`] instructions
//! per byte, since marshal lets thousands of code objects share one long instruction
//! string. What each instruction does is in `step`.

mod step;

use super::Op;
use super::expr::{Arg, Expr, Node, Value};
use super::pyc::{Code, Obj, Version};
use crate::view::{LineNote, View};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

const MAX_DEPTH: u32 = 32;
const MAX_STACK: usize = 1024;
/// Unknown operands supplied at most when an instruction takes more than the stack has.
const MISSING_OPERANDS: usize = 8;
/// Values one unpacking pushes at most: real code unpacks a few.
const MAX_UNPACKED: usize = 256;
const WORK_PER_BYTE: usize = 4;
/// Expression nodes the replay makes at most per byte of the file (unpacking makes many
/// per instruction).
const NODES_PER_BYTE: usize = 4;
/// Forward jumps whose stacks are kept at once, and the deepest stack kept.
const MAX_JUMPS: usize = 1024;
const MAX_CARRIED_STACK: usize = 32;
/// Keyword arguments named at most in one call.
const MAX_KEYWORDS: usize = 256;
/// Distinct names kept for the comparison with a source file.
const MAX_NAMES: usize = 65_536;
/// Names the compiler assigns in every class body, to constants or to names.
const CLASS_BOOKKEEPING: [&str; 5] = [
    "__module__",
    "__qualname__",
    "__firstlineno__",
    "__static_attributes__",
    "__classcell__",
];
/// Items a list, set or dict grows to by extension; past it, further items are not added.
const MAX_ITEMS: usize = 4096;

/// Writes `module` and every code object nested in it, each under a header naming it.
pub(super) fn write(
    module: &Rc<Code>,
    version: Version,
    (ops, caches): (&[Op; 256], &[u8; 256]),
    file_len: usize,
    view: &mut View,
) {
    let mut budget = file_len.saturating_mul(WORK_PER_BYTE);
    let mut nodes = file_len.saturating_mul(NODES_PER_BYTE).max(1 << 20);
    // The module runs on import whatever its flags say.
    let mut pending = vec![(module.clone(), module.name.clone(), true)];
    while let Some((code, qualname, on_load)) = pending.pop() {
        if view.full() {
            break;
        }
        // A code object that many others name is written under each of them, as each
        // runs it; every one costs at least one instruction of the budget, so sharing
        // cannot multiply the work.
        let words = (code.bytecode().len() / 2).max(1);
        if words > budget {
            view.unreadable.push(format!(
                "{qualname}: not read, the file's instructions exceed {WORK_PER_BYTE} per byte"
            ));
            break;
        }
        budget -= words;
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
        let mut made = Made::default();
        let mut replay = Replay {
            code: &code,
            version,
            on_load,
            stack: Vec::new(),
            keywords: None,
            view,
            offset: 0,
            next_offset: 0,
            main_guard_end: None,
            carried: HashMap::new(),
            made: &mut made,
            nodes: &mut nodes,
        };
        replay.run(ops, caches);
        if nodes == 0 {
            view.unreadable.push(format!(
                "{qualname}: the replay stopped, the file's expressions exceed {NODES_PER_BYTE} nodes per byte"
            ));
            break;
        }
        // Nested code in reverse, so that it is written in the order it is defined.
        let nested: Vec<_> = code.nested().cloned().collect();
        for inner in nested.into_iter().rev() {
            let name = match &inner.qualname {
                Some(qualname) => qualname.clone(),
                None if code.name == "<module>" => inner.name.clone(),
                None => format!("{qualname}.{}", inner.name),
            };
            let address = Rc::as_ptr(&inner) as usize;
            // A class body runs when its class statement does: known by what the code
            // hands `__build_class__`, not only by flags the file sets. A comprehension
            // runs where it is written, and a lambda written in a body is called from
            // there or handed to what calls it (a thread, `atexit`): in a body, either
            // counts as the body, unless made under `if __name__ == "__main__":`.
            let inline = matches!(
                inner.name.as_str(),
                "<genexpr>" | "<listcomp>" | "<setcomp>" | "<dictcomp>" | "<lambda>"
            );
            let runs = on_load
                && !made.guarded.contains(&address)
                && (made.class_bodies.contains(&address) || inline || inner.is_body());
            pending.push((inner, name, runs));
        }
    }
}

/// What a replay saw made of the code objects nested in its code.
#[derive(Default)]
struct Made {
    /// Handed to `__build_class__`: class bodies.
    class_bodies: HashSet<usize>,
    /// Made inside a script block (`__main__`).
    guarded: HashSet<usize>,
}

struct Replay<'c, 'v, 'g> {
    code: &'c Code,
    version: Version,
    /// Whether the code runs on import (a module or class body, or code inline in one).
    on_load: bool,
    stack: Vec<Value>,
    /// The keyword names `KW_NAMES` set for the next call (3.11 and 3.12).
    keywords: Option<Vec<String>>,
    view: &'v mut View,
    /// The byte offset of the instruction being replayed, and of the one after it and
    /// its cache words.
    offset: usize,
    next_offset: usize,
    /// Where the block under `if __name__ == "__main__":` ends, inside it: that code
    /// runs when the module is a script, not when it is imported.
    main_guard_end: Option<usize>,
    /// The stacks forward jumps leave at their targets, by byte offset: the `else` of a
    /// conditional expression starts from the stack before its condition, and where the
    /// branches meet, their values are merged.
    carried: HashMap<usize, Vec<Value>>,
    /// What became of the nested code objects.
    made: &'g mut Made,
    /// Nodes the whole file may still make.
    nodes: &'g mut usize,
}

impl Replay<'_, '_, '_> {
    fn run(&mut self, ops: &[Op; 256], caches: &[u8; 256]) {
        let code = self.code.bytecode();
        let words = code.len() / 2;
        let mut extended: u32 = 0;
        let mut dead = false;
        let mut index = 0;
        while index < words {
            if self.view.full() || *self.nodes == 0 {
                return;
            }
            let (byte, raw) = (code[index * 2], code[index * 2 + 1]);
            self.offset = index * 2;
            index += 1 + usize::from(caches[usize::from(byte)]);
            self.next_offset = index * 2;
            if self.main_guard_end.is_some_and(|end| self.offset >= end) {
                self.main_guard_end = None;
            }
            // Code after a return, a raise or a jump is reached only by a jump: it starts
            // from the stack the jump left, if one was seen, or from nothing.
            if let Some(saved) = self.carried.remove(&self.offset) {
                if dead {
                    self.flush();
                    self.stack = saved;
                    dead = false;
                } else {
                    self.merge(saved);
                }
            }
            let op = ops[usize::from(byte)];
            let arg = (extended << 8) | u32::from(raw);
            if op == Op::ExtendedArg {
                extended = arg;
                continue;
            }
            extended = 0;
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

    /// Where a forward jump at the current instruction goes, if it goes forward: an
    /// absolute byte offset before 3.10 and an instruction index in 3.10 for absolute
    /// jumps; a distance from the next instruction (past its cache words) otherwise, in
    /// bytes before 3.10 and in instructions from 3.10.
    pub(super) fn forward_target(&self, op: Op, arg: u32) -> Option<usize> {
        let arg = arg as usize;
        let unit = if self.version >= 310 { 2 } else { 1 };
        let relative = op == Op::JumpForward || self.version >= 311;
        let target = if relative {
            self.next_offset.checked_add(arg.checked_mul(unit)?)?
        } else {
            arg.checked_mul(unit)?
        };
        (target > self.offset).then_some(target)
    }

    /// Leaves the stack for the target of a forward jump, if none is left there yet.
    pub(super) fn carry(&mut self, target: usize) {
        if self.stack.len() <= MAX_CARRIED_STACK && self.carried.len() < MAX_JUMPS {
            self.carried
                .entry(target)
                .or_insert_with(|| self.stack.clone());
        }
    }

    /// Where two paths meet: each operand that differs becomes `(a or b)`.
    fn merge(&mut self, other: Vec<Value>) {
        if other.len() != self.stack.len() {
            return;
        }
        for (i, theirs) in other.into_iter().enumerate() {
            if !Rc::ptr_eq(&theirs, &self.stack[i]) {
                let ours = self.stack[i].clone();
                self.stack[i] = Node::new(Expr::Either(theirs, ours));
            }
        }
    }

    fn push(&mut self, expr: Expr) {
        *self.nodes = self.nodes.saturating_sub(1);
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

    /// The top `n` operands, in push order. Past what the stack holds, a few unknown
    /// operands stand for the rest: an instruction that claims a thousand operands of
    /// an empty stack must not make a thousand nodes.
    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let n = n.min(self.stack.len() + MISSING_OPERANDS);
        let mut items: Vec<Value> = (0..n).map(|_| self.pop()).collect();
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
            Expr::Function(qualname, _) if qualname.rsplit('.').next() == Some(name.as_str()) => {
                return;
            }
            Expr::Null | Expr::Unknown | Expr::Item => return,
            // A class body's bookkeeping, written by the compiler into every class.
            _ if CLASS_BOOKKEEPING.contains(&name.as_str()) && value.trivial() => return,
            // 3.6 to 3.8 write `import a.b as c` as an attribute of the import.
            Expr::Attr(module, last) if matches!(&module.expr, Expr::Import(m, true) if m.ends_with(&format!(".{last}"))) =>
            {
                let Expr::Import(m, _) = &module.expr else {
                    unreachable!()
                };
                format!("import {m} as {name}")
            }
            Expr::Const(text) if name == "__doc__" && matches!(**text, Obj::Str(_)) => {
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
        self.code
            .constant(index)
            .map_or_else(Vec::new, |c| keyword_list(c))
    }

    fn keyword_names(value: &Value) -> Vec<String> {
        match &value.expr {
            Expr::Const(object) => keyword_list(object),
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
        if matches!(&callee.expr, Expr::Name(n) if n == "__build_class__")
            && let Some(Arg::Positional(body)) = args.first()
            && let Expr::Function(_, address) = body.expr
        {
            self.made.class_bodies.insert(address);
        }
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
                            .take(MAX_ITEMS)
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
                                args.push(Arg::Keyword(cut_name(name), value.clone()));
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
                    let room = MAX_ITEMS.saturating_sub(items.len());
                    items.extend(
                        more.iter()
                            .take(room)
                            .map(|m| Node::new(Expr::Const(m.clone()))),
                    );
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

/// The keyword names a call's constant tuple gives, each cut and at most [`MAX_KEYWORDS`]:
/// marshal lets one tuple repeat a megabyte string thousands of times.
fn keyword_list(object: &Obj) -> Vec<String> {
    match object {
        Obj::Tuple(items) => items
            .iter()
            .take(MAX_KEYWORDS)
            .map(|item| match &**item {
                Obj::Str(text) => cut_name(text),
                _ => "_".into(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn cut_name(text: &str) -> String {
    text[..text.floor_char_boundary(256)].to_string()
}

/// The operator of 3.11's `BINARY_OP`, by argument (the in-place forms follow at 13).
fn binary_op(arg: u32) -> &'static str {
    const OPS: [&str; 13] = [
        "+", "&", "//", "<<", "@", "*", "%", "|", "**", ">>", "-", "/", "^",
    ];
    OPS.get(arg as usize % 13).copied().unwrap_or("+")
}
