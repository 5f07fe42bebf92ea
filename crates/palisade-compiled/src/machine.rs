//! A symbolic operand stack: each instruction's effect on the stack is replayed with
//! expressions instead of values, so that a call is written with the arguments it was
//! really given (`Process.Start("powershell.exe", String.Concat("-Command ", loc0))`)
//! and a string is shown where it is used. Branches are not followed: the sweep is
//! linear and the stack is emptied after every unconditional jump, which is right for
//! compiled statement code and harmless where it is not (a missing operand reads `?`).
//!
//! Expressions are shared, immutable trees (`dup` copies a reference, not a tree): an
//! array or object built in place is a new node that replaces the old one on the stack,
//! so no tree can hold itself. A subexpression deeper than [`MAX_DEPTH`] is written as
//! a statement of its own and replaced by `...`, and rendering is cut at [`MAX_LINE`]
//! bytes, so hostile code can make neither the recursion nor the work explode.

use crate::view::View;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The longest line a statement is written as.
const MAX_LINE: usize = 256 * 1024;
/// Operands kept at most; a method that pushes more is flushed and starts again.
const MAX_STACK: usize = 1024;
/// Elements of an array initializer shown at most.
const MAX_ELEMENTS: usize = 64;
/// Nesting kept in one expression.
const MAX_DEPTH: u32 = 32;
/// Operands carried across a forward jump, and jumps remembered at once: more are
/// written out as statements instead.
const MAX_CARRIED: usize = 16;
const MAX_JUMPS: usize = 1024;
/// String constants longer than this are written in full only the first time.
const REPEATED_LITERAL: usize = 1024;

pub(crate) type Value = Rc<Node>;

pub(crate) struct Node {
    expr: Expr,
    /// Whether the expression holds a call or a string: what a statement line is kept
    /// for. Arithmetic on locals is not worth a line.
    notable: bool,
    depth: u32,
}

enum Expr {
    /// A string constant, already quoted.
    Literal(String),
    /// A local, an argument, a number, a field, `null`, `?`.
    Name(String),
    Call {
        target: String,
        constructor: bool,
        args: Vec<Value>,
    },
    /// A JVM `new` whose constructor has not run yet.
    Allocation(String),
    Binary(&'static str, Value, Value),
    Array(Vec<Value>),
}

impl Node {
    fn new(expr: Expr) -> Value {
        let children: &[Value] = match &expr {
            Expr::Call { args, .. } => args,
            Expr::Array(elements) => elements,
            _ => &[],
        };
        let (mut notable, mut depth) = (false, 0);
        for child in children {
            notable |= child.notable;
            depth = depth.max(child.depth + 1);
        }
        if let Expr::Binary(_, a, b) = &expr {
            notable = a.notable || b.notable;
            depth = a.depth.max(b.depth) + 1;
        }
        notable |= matches!(
            expr,
            Expr::Literal(_) | Expr::Call { .. } | Expr::Allocation(_)
        );
        Rc::new(Node {
            expr,
            notable,
            depth,
        })
    }

    /// Whether the node is an allocation still waiting for its constructor.
    pub(crate) fn is_pending_allocation(&self) -> bool {
        matches!(self.expr, Expr::Allocation(_))
    }

    /// Writes the expression; a long string constant already written in this view (a
    /// padding string loaded again and again) is written once, then shortened.
    fn render(&self, out: &mut String, written: &mut HashSet<usize>) {
        if out.len() >= MAX_LINE {
            return;
        }
        match &self.expr {
            Expr::Literal(text) if text.len() > REPEATED_LITERAL => {
                if written.insert(self as *const Node as usize) {
                    out.push_str(text);
                } else {
                    out.push_str(&format!(
                        "{}...\" (again, {} bytes)",
                        &text[..text.floor_char_boundary(48)],
                        text.len()
                    ));
                }
            }
            Expr::Literal(text) | Expr::Name(text) => out.push_str(text),
            Expr::Call {
                target,
                constructor,
                args,
            } => {
                if *constructor {
                    out.push_str("new ");
                }
                out.push_str(target);
                render_list(out, "(", args, ")", written);
            }
            Expr::Allocation(class) => {
                out.push_str("new ");
                out.push_str(class);
                out.push_str("(?)");
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
            Expr::Array(elements) => render_list(out, "new[] {", elements, "}", written),
        }
        if out.len() > MAX_LINE {
            out.truncate(out.floor_char_boundary(MAX_LINE));
            out.push_str("...");
        }
    }
}

fn render_list(
    out: &mut String,
    open: &str,
    items: &[Value],
    close: &str,
    written: &mut HashSet<usize>,
) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.render(out, written);
        if out.len() >= MAX_LINE {
            break;
        }
    }
    out.push_str(close);
}

pub(crate) fn literal(quoted: String) -> Value {
    Node::new(Expr::Literal(quoted))
}

pub(crate) fn name(text: impl Into<String>) -> Value {
    Node::new(Expr::Name(text.into()))
}

pub(crate) fn array() -> Value {
    Node::new(Expr::Array(Vec::new()))
}

pub(crate) fn allocation(class: String) -> Value {
    Node::new(Expr::Allocation(class))
}

/// The operand stack of one method, writing statements into the view.
pub(crate) struct Machine<'v> {
    stack: Vec<Value>,
    view: &'v mut View,
    /// The stack at the targets of forward jumps: a jump over nothing, or over the
    /// other arm of a condition, must not part a call from its arguments.
    carried: HashMap<usize, Vec<Value>>,
    /// The last value stored in each local or field of the method: a delegate or lambda
    /// kept there and invoked later is shown as the call of the method it stands for.
    stored: HashMap<String, Value>,
}

impl<'v> Machine<'v> {
    pub(crate) fn new(view: &'v mut View) -> Machine<'v> {
        Machine {
            stack: Vec::new(),
            view,
            carried: HashMap::new(),
            stored: HashMap::new(),
        }
    }

    /// Stores the top operand in a local or field, written as an assignment.
    pub(crate) fn store(&mut self, place: String) {
        let value = self.pop();
        self.statement(&format!("{place} = "), &value);
        if self.stored.len() < MAX_JUMPS || self.stored.contains_key(&place) {
            self.stored.insert(place, value);
        }
    }

    /// The method a delegate or functional object stands for: a method reference, or
    /// a delegate constructed over one (`new Action(obj, &Type.Method)`), directly or
    /// through the local or field it was stored in.
    fn referenced_method(&self, value: &Value) -> Option<String> {
        let value = match &value.expr {
            Expr::Name(place) => self.stored.get(place)?,
            _ => value,
        };
        let Expr::Call { target, args, .. } = &value.expr else {
            return None;
        };
        let is_reference = |args: &[Value]| matches!(args, [only] if matches!(&only.expr, Expr::Name(n) if n == "<ref>"));
        if is_reference(args) {
            return Some(target.clone());
        }
        match args.last().map(|last| &last.expr) {
            Some(Expr::Call { target, args, .. }) if is_reference(args) => Some(target.clone()),
            _ => None,
        }
    }

    /// Called at each instruction: an empty stack (after an unconditional jump) takes
    /// the operands a forward jump carried to this offset.
    pub(crate) fn arrive(&mut self, offset: usize) {
        let Some(carried) = self.carried.remove(&offset) else {
            return;
        };
        if self.stack.is_empty() {
            self.stack = carried;
        } else {
            // Both arms left operands (a conditional expression): the carried ones
            // are kept as statements rather than lost.
            for value in carried {
                self.statement("", &value);
            }
        }
    }

    /// A jump from `from` to `to`; `always` when control cannot fall through. Forward
    /// jumps carry the stack to their target; backward ones end the straight line.
    pub(crate) fn jump(&mut self, from: usize, to: Option<usize>, always: bool) {
        match to {
            Some(to)
                if to > from
                    && self.stack.len() <= MAX_CARRIED
                    && self.carried.len() < MAX_JUMPS =>
            {
                self.carried.entry(to).or_insert_with(|| self.stack.clone());
                if always {
                    self.stack.clear();
                }
            }
            _ if always => self.flush(),
            _ => {}
        }
    }

    /// A method named but not called here (a delegate, a method reference, a lambda's
    /// body): written as a call, since that is what it will be.
    pub(crate) fn method_ref(&mut self, target: String) {
        self.push(Node::new(Expr::Call {
            target,
            constructor: false,
            args: vec![name("<ref>")],
        }));
    }

    pub(crate) fn full(&self) -> bool {
        self.view.full()
    }

    pub(crate) fn push(&mut self, value: Value) {
        if self.stack.len() >= MAX_STACK {
            self.flush();
        }
        self.stack.push(value);
    }

    pub(crate) fn pop(&mut self) -> Value {
        self.stack.pop().unwrap_or_else(|| name("?"))
    }

    /// The top `n` operands, deepest first.
    pub(crate) fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let mut values: Vec<Value> = (0..n.min(MAX_STACK)).map(|_| self.pop()).collect();
        values.reverse();
        values
    }

    pub(crate) fn top(&self) -> Option<&Value> {
        self.stack.last()
    }

    /// Discards `n` operands, keeping those worth a line as statements.
    pub(crate) fn consume(&mut self, n: usize) {
        for value in self.pop_n(n) {
            self.statement("", &value);
        }
    }

    /// Pushes the result of an operation on the top `n` operands that keeps nothing of
    /// them worth showing but their calls and strings (arithmetic, comparisons).
    pub(crate) fn operate(&mut self, op: &'static str, n: usize) {
        let values = self.pop_n(n);
        let result = match values.as_slice() {
            [a, b] => {
                let (a, b) = (self.shallow(a.clone()), self.shallow(b.clone()));
                Node::new(Expr::Binary(op, a, b))
            }
            [only] => only.clone(),
            _ => name("?"),
        };
        self.push(result);
    }

    /// The value, or `...` after writing it as a statement when it is too deep to nest.
    fn shallow(&mut self, value: Value) -> Value {
        if value.depth < MAX_DEPTH {
            return value;
        }
        self.statement("", &value);
        name("...")
    }

    fn shallow_all(&mut self, values: Vec<Value>) -> Vec<Value> {
        values.into_iter().map(|v| self.shallow(v)).collect()
    }

    /// Replaces `old` by `new` near the top of the stack, where `dup` left its copy.
    fn replace(&mut self, old: &Value, new: &Value) -> bool {
        let len = self.stack.len();
        let mut replaced = false;
        for slot in &mut self.stack[len.saturating_sub(4)..] {
            if Rc::ptr_eq(slot, old) {
                *slot = new.clone();
                replaced = true;
            }
        }
        replaced
    }

    /// Writes `prefix` and the value as a line, if the value holds a call or a string.
    pub(crate) fn statement(&mut self, prefix: &str, value: &Value) {
        if !value.notable || self.view.full() {
            return;
        }
        let mut line = String::from(prefix);
        value.render(&mut line, &mut self.view.written);
        self.view.line(&line);
    }

    /// A call: pops its arguments (and its receiver, for an instance call), writes a
    /// receiver worth a line first, and pushes the result when there is one, or writes
    /// the call as a statement when there is none.
    pub(crate) fn call(&mut self, target: String, params: usize, has_this: bool, returns: bool) {
        let args = self.pop_n(params);
        let args = self.shallow_all(args);
        let mut target = target;
        if has_this {
            let receiver = self.pop();
            // Invoking a delegate or a functional interface calls the method it holds.
            let invocation = target.rsplit('.').next().is_some_and(|name| {
                matches!(
                    name,
                    "Invoke"
                        | "BeginInvoke"
                        | "DynamicInvoke"
                        | "apply"
                        | "accept"
                        | "run"
                        | "call"
                        | "get"
                        | "test"
                )
            });
            if let Some(method) = invocation
                .then(|| self.referenced_method(&receiver))
                .flatten()
            {
                // A constructor reference (`URL::new`) builds an object.
                if let Some(class) = method
                    .strip_suffix(".<init>")
                    .or_else(|| method.strip_suffix("..ctor"))
                {
                    self.push_or_state(
                        Node::new(Expr::Call {
                            target: class.to_string(),
                            constructor: true,
                            args,
                        }),
                        returns,
                    );
                    return;
                }
                target = method;
            } else if !receiver.is_pending_allocation() {
                self.statement("", &receiver);
            }
        }
        let call = Node::new(Expr::Call {
            target,
            constructor: false,
            args,
        });
        self.push_or_state(call, returns);
    }

    /// A call's result is an operand; without one, the call is a statement.
    fn push_or_state(&mut self, call: Value, returns: bool) {
        if returns {
            self.push(call);
        } else {
            self.statement("", &call);
        }
    }

    /// A .NET `newobj`: the constructor's arguments make the new object.
    pub(crate) fn construct(&mut self, class: String, params: usize) {
        let args = self.pop_n(params);
        let args = self.shallow_all(args);
        self.push(Node::new(Expr::Call {
            target: class,
            constructor: true,
            args,
        }));
    }

    /// A .NET constructor called on an address (`call .ctor`): a value type built in a
    /// local is written as an assignment; on `arg0` (`this`) it is the base type's
    /// constructor, and only its arguments worth a line are kept.
    pub(crate) fn construct_in_place(&mut self, class: String, params: usize) {
        let args = self.pop_n(params);
        let args = self.shallow_all(args);
        let target = self.pop();
        if !matches!(&target.expr, Expr::Name(_)) {
            self.statement("", &target);
        }
        if matches!(&target.expr, Expr::Name(name) if name != "arg0") {
            let mut place = String::new();
            target.render(&mut place, &mut self.view.written);
            let built = Node::new(Expr::Call {
                target: class,
                constructor: true,
                args,
            });
            self.statement(&format!("{place} = "), &built);
            return;
        }
        for arg in args {
            self.statement("", &arg);
        }
    }

    /// A JVM constructor call: the allocation it runs on (and the copy `dup` left of
    /// it) becomes the constructed object; a constructor calling its superclass's keeps
    /// only the arguments worth a line.
    pub(crate) fn initialize(&mut self, params: usize) {
        let args = self.pop_n(params);
        let args = self.shallow_all(args);
        let receiver = self.pop();
        if let Expr::Allocation(class) = &receiver.expr {
            let constructed = Node::new(Expr::Call {
                target: class.clone(),
                constructor: true,
                args,
            });
            // Without the copy `dup` usually leaves, the object is built and dropped.
            if !self.replace(&receiver, &constructed) {
                self.statement("", &constructed);
            }
            return;
        }
        self.statement("", &receiver);
        for arg in args {
            self.statement("", &arg);
        }
    }

    /// Stores into an array element: an array built in place keeps its elements.
    pub(crate) fn store_element(&mut self) {
        let value = self.pop();
        let index = self.pop();
        self.statement("", &index);
        let target = self.pop();
        if let Expr::Array(elements) = &target.expr
            && elements.len() < MAX_ELEMENTS
        {
            let value = self.shallow(value);
            let mut grown = elements.clone();
            grown.push(value);
            let grown = Node::new(Expr::Array(grown));
            self.replace(&target, &grown);
            return;
        }
        self.statement("", &target);
        self.statement("", &value);
    }

    /// Writes what is left on the stack, at a jump, a return or the method's end.
    pub(crate) fn flush(&mut self) {
        let values = std::mem::take(&mut self.stack);
        for value in values {
            self.statement("", &value);
        }
    }

    /// At the method's end: what is left, and what jumps carried to no instruction.
    pub(crate) fn finish(&mut self) {
        self.flush();
        let mut carried: Vec<(usize, Vec<Value>)> = self.carried.drain().collect();
        carried.sort_by_key(|(offset, _)| *offset);
        for (_, values) in carried {
            for value in values {
                self.statement("", &value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    #[test]
    fn calls_take_their_arguments_and_nest() {
        let mut view = View::new(Format::DotNet);
        let mut m = Machine::new(&mut view);
        m.push(literal("\"powershell.exe\"".into()));
        m.push(literal("\"-Command \"".into()));
        m.push(name("loc0"));
        m.call("System.String.Concat".into(), 2, false, true);
        m.call("System.Diagnostics.Process.Start".into(), 2, false, true);
        m.consume(1);
        m.flush();
        assert_eq!(
            view.text,
            "System.Diagnostics.Process.Start(\"powershell.exe\", System.String.Concat(\"-Command \", loc0))\n"
        );
    }

    #[test]
    fn a_shared_tree_renders_within_the_line_limit() {
        let mut view = View::new(Format::DotNet);
        let mut m = Machine::new(&mut view);
        m.push(literal("\"ab\"".into()));
        // dup + concat doubles the rendered size each round: 2^60 bytes unbounded.
        for _ in 0..60 {
            let top = m.top().unwrap().clone();
            m.push(top);
            m.call("Concat".into(), 2, false, true);
        }
        m.flush();
        assert!(view.text.lines().all(|line| line.len() <= MAX_LINE + 3));
        assert!(view.text.len() < 8 * MAX_LINE, "{}", view.text.len());
    }

    #[test]
    fn arrays_keep_the_elements_stored_into_them() {
        let mut view = View::new(Format::Jvm);
        let mut m = Machine::new(&mut view);
        m.push(array());
        for (i, s) in ["\"sh\"", "\"-c\""].into_iter().enumerate() {
            // dup, index, value, store: the copy left below becomes the grown array.
            let top = m.top().unwrap().clone();
            m.push(top);
            m.push(name(i.to_string()));
            m.push(literal(s.into()));
            m.store_element();
        }
        m.call("java.lang.Runtime.exec".into(), 1, false, true);
        m.flush();
        assert_eq!(
            view.text,
            "java.lang.Runtime.exec(new[] {\"sh\", \"-c\"})\n"
        );
    }

    #[test]
    fn a_delegate_invoked_through_a_local_calls_its_method() {
        let mut view = View::new(Format::DotNet);
        let mut m = Machine::new(&mut view);
        m.push(name("loc1"));
        m.method_ref("System.Net.WebClient.DownloadFile".into());
        m.construct("System.Action`2".into(), 2);
        m.store("loc2".into());
        m.push(name("loc2"));
        m.push(literal("\"http://203.0.113.9/x\"".into()));
        m.push(name("loc0"));
        m.call("System.Action`2.Invoke".into(), 2, true, false);
        m.finish();
        assert!(
            view.text
                .ends_with("System.Net.WebClient.DownloadFile(\"http://203.0.113.9/x\", loc0)\n"),
            "{}",
            view.text
        );
    }

    #[test]
    fn deep_nesting_is_spilled_not_recursed() {
        let mut view = View::new(Format::DotNet);
        let mut m = Machine::new(&mut view);
        m.push(literal("\"x\"".into()));
        for _ in 0..100_000 {
            m.call("F".into(), 1, false, true);
        }
        m.flush();
        assert!(view.text.lines().count() >= 100_000 / MAX_DEPTH as usize);
    }
}
