//! What each instruction does to the stack and the view.

use super::super::Op;
use super::super::expr::{Expr, Node, Value};
use super::super::pyc::Obj;
use super::{MAX_ITEMS, MAX_UNPACKED, Replay, binary_op};
use crate::view::LineNote;
use std::rc::Rc;

impl Replay<'_, '_, '_> {
    /// Replays one instruction; whether control never falls through it.
    pub(super) fn step(&mut self, op: Op, arg: u32) -> bool {
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
            Op::Compare => {
                let index = match v {
                    ..=311 => arg,
                    312 => arg >> 4,
                    _ => arg >> 5,
                };
                const COMPARISONS: [&str; 6] = ["<", "<=", "==", "!=", ">", ">="];
                self.binary(COMPARISONS.get(index as usize).copied().unwrap_or("?"));
            }
            Op::Is => self.binary(if arg & 1 == 0 { "is" } else { "is not" }),
            Op::Contains => self.binary(if arg & 1 == 0 { "in" } else { "not in" }),
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
            Op::BuildUnpack(kind) => {
                let mut items = Vec::new();
                for part in self.pop_n(arg as usize) {
                    match &part.expr {
                        Expr::Seq(_, more) => items.extend(more.iter().cloned()),
                        Expr::Const(object) if matches!(**object, Obj::Tuple(_)) => {
                            if let Obj::Tuple(more) = &**object {
                                items.extend(
                                    more.iter()
                                        .take(MAX_ITEMS)
                                        .map(|m| Node::new(Expr::Const(m.clone()))),
                                );
                            }
                        }
                        _ => items.push(Node::new(Expr::Starred("*", part.clone()))),
                    }
                    items.truncate(MAX_ITEMS);
                }
                self.push(Expr::Seq(kind, items));
            }
            Op::BuildMapUnpack => {
                let mut pairs = Vec::new();
                for part in self.pop_n(arg as usize) {
                    match &part.expr {
                        Expr::Dict(more) => pairs.extend(more.iter().cloned()),
                        _ => pairs.push((
                            Node::new(Expr::Starred("**", part.clone())),
                            Node::new(Expr::Null),
                        )),
                    }
                    pairs.truncate(MAX_ITEMS);
                }
                self.push(Expr::Dict(pairs));
            }
            // 3.12 made `from m import *` an intrinsic (2); the others change a value in
            // place or check it.
            Op::CallIntrinsic1 => {
                if arg == 2 {
                    let module = self.pop();
                    if let Expr::Import(m, _) = &module.expr {
                        self.view.line(&format!("from {m} import *"));
                        self.view.note_last(LineNote::Inert);
                    }
                    self.push(Expr::Unknown);
                }
            }
            Op::BuildConstKeyMap => {
                let keys = self.pop();
                let values = self.pop_n(arg as usize);
                let keys: Vec<Value> = match &keys.expr {
                    Expr::Const(object) => match &**object {
                        Obj::Tuple(items) => items
                            .iter()
                            .take(MAX_ITEMS)
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
                        Obj::Code(inner) => {
                            if self.main_guard_end.is_some() {
                                self.made.guarded.insert(Rc::as_ptr(inner) as usize);
                            }
                            Expr::Function(inner.name.clone(), Rc::as_ptr(inner) as usize)
                        }
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
                for index in (0..count.min(MAX_UNPACKED)).rev() {
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
            Op::PopJumpIf | Op::PopJumpIfFalse | Op::JumpIfOrPop | Op::PopJumpBackwardIf => {
                let target = match op {
                    Op::PopJumpBackwardIf => None,
                    _ => self.forward_target(op, arg),
                };
                // `a or b` keeps `a` where it jumps to; the other jumps drop it.
                if op == Op::JumpIfOrPop
                    && let Some(target) = target
                {
                    self.carry(target);
                }
                let condition = self.pop();
                if op != Op::JumpIfOrPop
                    && let Some(target) = target
                {
                    self.carry(target);
                }
                if !condition.trivial() {
                    let mut line = String::from("if ");
                    condition.render(&mut line, &mut self.view.written);
                    line.push(':');
                    // `if __name__ == "__main__":` skips its block when false.
                    if op == Op::PopJumpIfFalse
                        && self.on_load
                        && self.main_guard_end.is_none()
                        && (line == "if (__name__ == \"__main__\"):"
                            || line == "if (\"__main__\" == __name__):")
                    {
                        self.main_guard_end = target;
                    }
                    self.view.line(&line);
                }
            }
            Op::JumpForward | Op::JumpAbsolute => {
                if let Some(target) = self.forward_target(op, arg) {
                    self.carry(target);
                }
                return true;
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
}
