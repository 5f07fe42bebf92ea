//! The expressions the replay builds: shared, immutable trees, as in the .NET and JVM
//! replay (`crate::machine`). A `DUP_TOP` copies a reference and a list extended in place
//! becomes a new node, so no tree holds itself; rendering stops at [`MAX_LINE`] bytes a
//! line, however much a shared tree would repeat.

use super::Seq;
use super::pyc::Obj;
use crate::view::quoted;
use std::collections::HashSet;
use std::rc::Rc;

pub(super) const MAX_LINE: usize = 256 * 1024;
/// String constants longer than this are written in full only the first time.
const REPEATED_LITERAL: usize = 1024;
/// Bytes of one constant part of an f-string written; the rest is cut.
const MAX_PART: usize = 64 * 1024;

pub(super) type Value = Rc<Node>;

pub(super) struct Node {
    pub(super) expr: Expr,
    /// Whether the expression holds a call: such an expression is written even when the
    /// stack it is on is thrown away.
    pub(super) calls: bool,
    pub(super) depth: u32,
}

pub(super) enum Arg {
    Positional(Value),
    Keyword(String, Value),
    Star(Value),
    StarStar(Value),
}

pub(super) enum Expr {
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
    /// A function or class body made from a code object: its name, and the code object
    /// (by address) it was made from.
    Function(String, usize),
    /// The value a `for` loop takes on each turn.
    Item,
    /// An iterable unpacked into a list or call (`*`), or a mapping into a dict (`**`).
    Starred(&'static str, Value),
    /// A value that depends on a branch: either of two.
    Either(Value, Value),
}

impl Node {
    pub(super) fn new(expr: Expr) -> Value {
        // Folded over the children without collecting them: nodes are made by the million.
        let (mut calls, mut depth) = (matches!(expr, Expr::Call(..)), 0);
        let mut see = |child: &Value| {
            calls |= child.calls;
            depth = depth.max(child.depth);
        };
        match &expr {
            Expr::Attr(a, _) | Expr::Unary(_, a) | Expr::Formatted(a) | Expr::Starred(_, a) => {
                see(a)
            }
            Expr::Binary(_, a, b) | Expr::Subscript(a, b) | Expr::Either(a, b) => {
                see(a);
                see(b);
            }
            Expr::Call(callee, args) => {
                see(callee);
                for arg in args {
                    match arg {
                        Arg::Positional(v)
                        | Arg::Keyword(_, v)
                        | Arg::Star(v)
                        | Arg::StarStar(v) => see(v),
                    }
                }
            }
            Expr::Slice(items) | Expr::Seq(_, items) | Expr::FString(items) => {
                items.iter().for_each(&mut see)
            }
            Expr::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
                see(k);
                see(v);
            }),
            _ => {}
        }
        Rc::new(Node {
            expr,
            calls,
            depth: depth + 1,
        })
    }

    pub(super) fn is(&self, test: fn(&Expr) -> bool) -> bool {
        test(&self.expr)
    }

    /// Whether a statement of this expression alone says nothing: a name, a constant, a
    /// marker.
    pub(super) fn trivial(&self) -> bool {
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
                | Expr::Function(..)
        )
    }

    pub(super) fn render(&self, out: &mut String, written: &mut HashSet<usize>) {
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
                            // Cut before escaping: one long part may be repeated many times.
                            let text = &text[..text.floor_char_boundary(MAX_PART)];
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
            Expr::Function(name, _) => out.push_str(name),
            Expr::Either(a, b) => {
                out.push('(');
                a.render(out, written);
                out.push_str(" or ");
                b.render(out, written);
                out.push(')');
            }
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
        // Over 120 bits (eight marshal digits): not written out, and not written as a number it is not.
        Obj::BigInt => out.push_str("<big int>"),
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
