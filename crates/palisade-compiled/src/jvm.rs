//! JVM class files (JVMS chapter 4): the constant pool, then each method's `Code`
//! attribute, replayed on the symbolic stack; `invokedynamic` call sites are named by
//! their bootstrap arguments (the method a lambda or method reference stands for, the
//! template of a string concatenation).

use crate::Format;
use crate::bytes::{Reader, Result};
use crate::machine::{Machine, Value, allocation, array, literal, name};
use crate::view::{View, quoted};

/// Longest class or member name kept; longer ones are cut, so that an instruction
/// naming a 64 KB class costs no more than one naming a short one.
const MAX_NAME: usize = 256;

#[derive(Clone, Default)]
enum Constant {
    #[default]
    Other,
    Utf8(String),
    Class(u16),
    String(u16),
    /// A field, method or interface-method reference: class and name-and-type.
    Member(u16, u16),
    /// A method handle: the member it refers to.
    Handle(u16),
    /// An invokedynamic call site or dynamic constant: bootstrap index and
    /// name-and-type.
    Dynamic(u16, u16),
    NameAndType(u16, u16),
}

struct Pool(Vec<Constant>);

fn capped(text: &str) -> &str {
    &text[..text.floor_char_boundary(MAX_NAME)]
}

impl Pool {
    fn utf8(&self, index: u16) -> Option<&str> {
        match self.0.get(usize::from(index))? {
            Constant::Utf8(text) => Some(text),
            _ => None,
        }
    }

    fn class_name(&self, index: u16) -> Option<String> {
        match self.0.get(usize::from(index))? {
            Constant::Class(name) => self.utf8(*name).map(|n| capped(n).replace('/', ".")),
            _ => None,
        }
    }

    /// (class, name, descriptor) of a member reference.
    fn member(&self, index: u16) -> Option<(String, &str, &str)> {
        let Constant::Member(class, nat) = self.0.get(usize::from(index))? else {
            return None;
        };
        let Constant::NameAndType(name, descriptor) = self.0.get(usize::from(*nat))? else {
            return None;
        };
        Some((
            self.class_name(*class)?,
            capped(self.utf8(*name)?),
            self.utf8(*descriptor)?,
        ))
    }

    /// `Class.member` of a method handle constant.
    fn handle(&self, index: u16) -> Option<String> {
        let Constant::Handle(member) = self.0.get(usize::from(index))? else {
            return None;
        };
        self.member(*member)
            .map(|(class, name, _)| format!("{class}.{name}"))
    }

    /// (bootstrap index, name, descriptor) of an invokedynamic call site.
    fn dynamic(&self, index: u16) -> Option<(u16, &str, &str)> {
        let Constant::Dynamic(bootstrap, nat) = self.0.get(usize::from(index))? else {
            return None;
        };
        let Constant::NameAndType(name, descriptor) = self.0.get(usize::from(*nat))? else {
            return None;
        };
        Some((
            *bootstrap,
            capped(self.utf8(*name)?),
            self.utf8(*descriptor)?,
        ))
    }

    fn string(&self, index: u16) -> Option<&str> {
        match self.0.get(usize::from(index))? {
            Constant::String(utf8) => self.utf8(*utf8),
            _ => None,
        }
    }
}

/// What the methods of one class share while they are read.
struct Context<'p> {
    pool: &'p Pool,
    /// Each bootstrap method: its handle and its static arguments.
    bootstraps: Vec<(u16, Vec<u16>)>,
    /// String constants quoted once, by pool index, and whether code loaded them.
    literals: Vec<Option<Value>>,
    loaded: Vec<bool>,
}

impl Context<'_> {
    fn literal(&mut self, index: u16) -> Option<Value> {
        let slot = self.literals.get_mut(usize::from(index))?;
        if slot.is_none() {
            *slot = Some(literal(quoted(self.pool.string(index)?)));
        }
        self.loaded[usize::from(index)] = true;
        slot.clone()
    }
}

pub(crate) fn read(data: &[u8]) -> Result<View> {
    let mut r = Reader::new(data);
    r.skip(8, "class file header")?;
    let pool = read_pool(&mut r)?;
    r.skip(2, "access flags")?;
    let this = r.u16be("this_class")?;
    let class = pool
        .class_name(this)
        .ok_or_else(|| format!("this_class {this} is not a class constant"))?;
    r.skip(2, "super_class")?;
    let interfaces = r.u16be("interface count")?;
    r.skip(2 * usize::from(interfaces), "interfaces")?;
    let fields = r.u16be("field count")?;
    for _ in 0..fields {
        r.skip(6, "field")?;
        skip_attributes(&mut r)?;
    }
    // Methods come before the class's attributes, which hold the bootstrap methods
    // their invokedynamic instructions need: collect the code first.
    let mut codes: Vec<(String, &[u8])> = Vec::new();
    let methods = r.u16be("method count")?;
    for _ in 0..methods {
        r.skip(2, "method access flags")?;
        let name = capped(pool.utf8(r.u16be("method name")?).unwrap_or("?")).to_string();
        r.skip(2, "method descriptor")?;
        let attributes = r.u16be("method attribute count")?;
        for _ in 0..attributes {
            let attribute = pool.utf8(r.u16be("attribute name")?).unwrap_or("");
            let length = r.u32be("attribute length")? as usize;
            let body = r.take(length, "method attribute")?;
            if attribute == "Code" {
                codes.push((name.clone(), body));
            }
        }
    }
    let mut bootstraps = Vec::new();
    // A class without attributes (or cut after its methods) has no bootstrap methods.
    if let Ok(attributes) = r.u16be("class attribute count") {
        for _ in 0..attributes {
            let attribute = pool.utf8(r.u16be("attribute name")?).unwrap_or("");
            let length = r.u32be("attribute length")? as usize;
            let body = r.take(length, "class attribute")?;
            if attribute == "BootstrapMethods" {
                bootstraps = read_bootstraps(body)?;
            }
        }
    }
    let mut context = Context {
        pool: &pool,
        bootstraps,
        literals: vec![None; pool.0.len()],
        loaded: vec![false; pool.0.len()],
    };
    let mut view = View::new(Format::Jvm);
    view.line(&format!("// class {class}"));
    for (name, body) in codes {
        if view.full() {
            break;
        }
        view.method(&format!("{class}::{name}"));
        if let Err(error) = read_code(body, &mut context, &mut view)
            && view.unreadable.len() < 16
        {
            view.unreadable
                .push(format!("method {class}::{name}: {error}"));
        }
    }
    // Strings no method loads: the templates of `+` concatenations (arguments of their
    // bootstrap method since Java 9) and constant fields. Each text once.
    let mut seen = std::collections::HashSet::new();
    let mut header = false;
    for index in 1..pool.0.len() {
        if view.full() {
            break;
        }
        let Some(Constant::String(utf8)) = pool.0.get(index) else {
            continue;
        };
        if context.loaded[index] || !seen.insert(*utf8) {
            continue;
        }
        let Some(text) = pool.utf8(*utf8) else {
            continue;
        };
        if !header {
            view.section(&format!("constants of {class}"));
            header = true;
        }
        view.line(&quoted(text));
    }
    Ok(view)
}

fn read_bootstraps(body: &[u8]) -> Result<Vec<(u16, Vec<u16>)>> {
    let mut r = Reader::new(body);
    let count = r.u16be("bootstrap method count")?;
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let handle = r.u16be("bootstrap method")?;
        let arguments = r.u16be("bootstrap argument count")?;
        let mut args = Vec::with_capacity(usize::from(arguments));
        for _ in 0..arguments {
            args.push(r.u16be("bootstrap argument")?);
        }
        out.push((handle, args));
    }
    Ok(out)
}

fn read_pool(r: &mut Reader) -> Result<Pool> {
    let count = usize::from(r.u16be("constant pool count")?);
    let mut pool = vec![Constant::Other; count];
    let mut index = 1;
    while index < count {
        let tag = r.u8("constant tag")?;
        // Longs and doubles take two entries of the pool.
        let mut width = 1;
        let constant = match tag {
            1 => {
                let length = r.u16be("UTF-8 constant length")?;
                let bytes = r.take(usize::from(length), "UTF-8 constant")?;
                Constant::Utf8(modified_utf8(bytes))
            }
            3 | 4 => {
                r.skip(4, "numeric constant")?;
                Constant::Other
            }
            5 | 6 => {
                r.skip(8, "wide numeric constant")?;
                width = 2;
                Constant::Other
            }
            7 => Constant::Class(r.u16be("class constant")?),
            8 => Constant::String(r.u16be("string constant")?),
            9..=11 => Constant::Member(r.u16be("member class")?, r.u16be("member type")?),
            12 => Constant::NameAndType(r.u16be("name")?, r.u16be("descriptor")?),
            15 => {
                r.skip(1, "method handle kind")?;
                Constant::Handle(r.u16be("method handle member")?)
            }
            16 | 19 | 20 => {
                r.skip(2, "constant")?;
                Constant::Other
            }
            17 | 18 => Constant::Dynamic(
                r.u16be("bootstrap method")?,
                r.u16be("dynamic name and type")?,
            ),
            other => {
                return Err(format!(
                    "unknown constant pool tag {other} at entry {index}"
                ));
            }
        };
        if index + width > count {
            return Err(format!("constant {index} is wider than the pool"));
        }
        pool[index] = constant;
        index += width;
    }
    Ok(Pool(pool))
}

/// Java's modified UTF-8 as the JVM decodes it: two- and three-byte sequences whatever
/// their value (old class files may spell ASCII in overlong forms), surrogate pairs
/// joined. Bytes that fit no sequence become replacement characters.
fn modified_utf8(bytes: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let continuation = |k: usize| bytes.get(i + k).filter(|&&c| c & 0xC0 == 0x80);
        if b & 0x80 == 0 {
            units.push(u16::from(b));
            i += 1;
        } else if b & 0xE0 == 0xC0
            && let Some(&c) = continuation(1)
        {
            units.push((u16::from(b & 0x1F) << 6) | u16::from(c & 0x3F));
            i += 2;
        } else if b & 0xF0 == 0xE0
            && let (Some(&c), Some(&d)) = (continuation(1), continuation(2))
        {
            units.push(
                (u16::from(b & 0x0F) << 12) | (u16::from(c & 0x3F) << 6) | u16::from(d & 0x3F),
            );
            i += 3;
        } else {
            units.push(0xFFFD);
            i += 1;
        }
    }
    String::from_utf16_lossy(&units)
}

fn skip_attributes(r: &mut Reader) -> Result<()> {
    let count = r.u16be("attribute count")?;
    for _ in 0..count {
        r.skip(2, "attribute name")?;
        let length = r.u32be("attribute length")? as usize;
        r.skip(length, "attribute")?;
    }
    Ok(())
}

fn read_code(body: &[u8], context: &mut Context, view: &mut View) -> Result<()> {
    let pool = context.pool;
    let mut r = Reader::new(body);
    r.skip(4, "max_stack and max_locals")?;
    let length = r.u32be("code length")? as usize;
    let code = r.take(length, "code")?;
    let mut m = Machine::new(view);
    let mut pc = 0;
    while pc < code.len() && !m.full() {
        m.arrive(pc);
        let op = code[pc];
        let length = operand_length(code, pc)?;
        let offset16 = || {
            code.get(pc + 1..pc + 3)
                .map(|b| i64::from(i16::from_be_bytes([b[0], b[1]])))
        };
        let target = |offset: Option<i64>| offset.and_then(|o| usize::try_from(pc as i64 + o).ok());
        let operand = |n: usize| -> u16 {
            match n {
                1 => code.get(pc + 1).map_or(0, |&b| u16::from(b)),
                _ => code
                    .get(pc + 1..pc + 3)
                    .map_or(0, |b| u16::from_be_bytes([b[0], b[1]])),
            }
        };
        match op {
            0x01 => m.push(name("null")),
            0x02..=0x08 => m.push(name((i32::from(op) - 3).to_string())),
            0x09 | 0x0B | 0x0E => m.push(name("0")),
            0x0A | 0x0C | 0x0F => m.push(name("1")),
            0x0D => m.push(name("2")),
            0x10 => m.push(name((operand(1) as u8 as i8).to_string())),
            0x11 => m.push(name((operand(2) as i16).to_string())),
            0x12..=0x14 => {
                let index = operand(if op == 0x12 { 1 } else { 2 });
                if let Some(literal) = context.literal(index) {
                    m.push(literal);
                } else if let Some(handle) = pool.handle(index) {
                    m.method_ref(handle);
                } else {
                    m.push(name("const"));
                }
            }
            0x15..=0x19 => m.push(name(format!("loc{}", operand(1)))),
            0x1A..=0x2D => m.push(name(format!("loc{}", (op - 0x1A) % 4))),
            0x2E..=0x35 => m.operate("", 2),
            0x36..=0x3A => store(&mut m, format!("loc{}", operand(1))),
            0x3B..=0x4E => store(&mut m, format!("loc{}", (op - 0x3B) % 4)),
            0x4F..=0x56 => m.store_element(),
            0x57 | 0x58 => m.consume(1),
            0x59 => {
                let top = m.pop();
                m.push(top.clone());
                m.push(top);
            }
            // dup_x1, dup_x2, dup2 and the rest: copies below the top; approximated by
            // a plain copy of the top, which keeps the operands' order readable.
            0x5A..=0x5E => {
                if let Some(top) = m.top().cloned() {
                    m.push(top);
                }
            }
            0x5F => {
                let (b, a) = (m.pop(), m.pop());
                m.push(b);
                m.push(a);
            }
            0x60..=0x73 | 0x78..=0x83 | 0x94..=0x98 => m.operate(arithmetic(op), 2),
            0x74..=0x77 | 0x85..=0x93 | 0xBE | 0xC0 | 0xC1 => m.operate("", 1),
            0x99..=0x9E | 0xC6 | 0xC7 => {
                m.consume(1);
                m.jump(pc, target(offset16()), false);
            }
            0x9F..=0xA6 => {
                m.consume(2);
                m.jump(pc, target(offset16()), false);
            }
            0xAA | 0xAB | 0xC2 | 0xC3 => m.consume(1),
            0xA7 => m.jump(pc, target(offset16()), true),
            0xC8 => {
                let offset = code
                    .get(pc + 1..pc + 5)
                    .map(|b| i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])));
                m.jump(pc, target(offset), true);
            }
            // ret, the returns, athrow: control leaves; nothing stays.
            0xA9 | 0xAC..=0xB1 | 0xBF => m.flush(),
            0xA8 | 0xC9 => m.push(name("return address")),
            0xB2 => m.push(name(field(pool, operand(2)))),
            0xB3 => {
                m.store(field(pool, operand(2)));
            }
            0xB4 => {
                m.consume(1);
                m.push(name(field(pool, operand(2))));
            }
            0xB5 => {
                let value = m.pop();
                m.consume(1);
                m.push(value);
                m.store(field(pool, operand(2)));
            }
            0xB6..=0xB9 => match pool.member(operand(2)) {
                Some((_, "<init>", descriptor)) => m.initialize(parameter_count(descriptor)),
                Some((class, name, descriptor)) => m.call(
                    format!("{class}.{name}"),
                    parameter_count(descriptor),
                    op != 0xB8,
                    !descriptor.ends_with(")V"),
                ),
                None => m.flush(),
            },
            0xBA => dynamic(operand(2), context, &mut m),
            0xBB => match pool.class_name(operand(2)) {
                Some(class) => m.push(allocation(class)),
                None => m.push(name("?")),
            },
            0xBC | 0xBD => {
                m.consume(1);
                m.push(array());
            }
            0xC4 => match code.get(pc + 1) {
                Some(0x15..=0x19) => m.push(name(format!("loc{}", operand_wide(code, pc)))),
                Some(0x36..=0x3A) => store(&mut m, format!("loc{}", operand_wide(code, pc))),
                _ => {}
            },
            0xC5 => {
                m.consume(usize::from(code.get(pc + 3).copied().unwrap_or(1)));
                m.push(array());
            }
            _ => {}
        }
        pc += 1 + length;
    }
    m.finish();
    Ok(())
}

/// An invokedynamic call site. A lambda or method reference (LambdaMetafactory) is
/// shown as a call of the method it stands for; a string concatenation
/// (StringConcatFactory) as `makeConcatWithConstants` with its template first; any
/// other as a call of the site's name.
fn dynamic(index: u16, context: &mut Context, m: &mut Machine) {
    let pool = context.pool;
    let Some((bootstrap, site, descriptor)) = pool.dynamic(index) else {
        m.flush();
        return;
    };
    let params = parameter_count(descriptor);
    let returns = !descriptor.ends_with(")V");
    let (factory, args) = match context.bootstraps.get(usize::from(bootstrap)) {
        Some((handle, args)) => (pool.handle(*handle).unwrap_or_default(), args.clone()),
        None => (String::new(), Vec::new()),
    };
    if factory.starts_with("java.lang.invoke.LambdaMetafactory.")
        && let Some(target) = args.iter().find_map(|&arg| pool.handle(arg))
    {
        // The captured values (a bound receiver) are kept as statements.
        m.consume(params);
        m.method_ref(target);
        return;
    }
    if factory.starts_with("java.lang.invoke.StringConcatFactory.")
        && let Some(template) = args.iter().find_map(|&arg| context.literal(arg))
    {
        let operands = m.pop_n(params);
        m.push(template);
        for operand in operands {
            m.push(operand);
        }
        m.call(site.to_string(), params + 1, false, returns);
        return;
    }
    m.call(site.to_string(), params, false, returns);
}

fn store(m: &mut Machine, local: String) {
    m.store(local);
}

fn operand_wide(code: &[u8], pc: usize) -> u16 {
    code.get(pc + 2..pc + 4)
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
}

fn field(pool: &Pool, index: u16) -> String {
    pool.member(index)
        .map_or_else(|| "?".into(), |(class, name, _)| format!("{class}.{name}"))
}

fn arithmetic(op: u8) -> &'static str {
    match (op - 0x60) / 4 {
        _ if op >= 0x94 => "cmp",
        0 => "+",
        1 => "-",
        2 => "*",
        3 => "/",
        4 => "%",
        _ => match op {
            0x78 | 0x79 => "<<",
            0x7A..=0x7D => ">>",
            0x7E | 0x7F => "&",
            0x80 | 0x81 => "|",
            _ => "^",
        },
    }
}

/// Bytes of operands after the opcode at `pc`.
fn operand_length(code: &[u8], pc: usize) -> Result<usize> {
    let op = code[pc];
    Ok(match op {
        0x10 | 0x12 | 0x15..=0x19 | 0x36..=0x3A | 0xA9 | 0xBC => 1,
        0x11
        | 0x13
        | 0x14
        | 0x84
        | 0x99..=0xA8
        | 0xB2..=0xB8
        | 0xBB
        | 0xBD
        | 0xC0
        | 0xC1
        | 0xC6
        | 0xC7 => 2,
        0xC5 => 3,
        0xB9 | 0xBA | 0xC8 | 0xC9 => 4,
        // wide: iinc takes 4 bytes of operands, the loads and stores 2.
        0xC4 => match code.get(pc + 1) {
            Some(0x84) => 5,
            Some(_) => 3,
            None => return Err(format!("wide at {pc} ends the code")),
        },
        0xAA | 0xAB => {
            // Operands start at the next multiple of 4 from the start of the code.
            let start = (pc + 4) & !3;
            let word = |at: usize| -> Result<i32> {
                code.get(at..at + 4)
                    .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .ok_or_else(|| format!("switch at {pc} runs past the code"))
            };
            let entries = if op == 0xAA {
                let (low, high) = (word(start + 4)?, word(start + 8)?);
                let count = i64::from(high) - i64::from(low) + 1;
                usize::try_from(count)
                    .ok()
                    .and_then(|n| n.checked_mul(4))
                    .and_then(|n| n.checked_add(12))
            } else {
                usize::try_from(word(start + 4)?)
                    .ok()
                    .and_then(|n| n.checked_mul(8))
                    .and_then(|n| n.checked_add(8))
            }
            .ok_or_else(|| format!("switch at {pc} has an invalid size"))?;
            start - pc - 1 + entries
        }
        0xCB..=0xFD => return Err(format!("unknown opcode {op:#04x} at {pc}")),
        _ => 0,
    })
}

/// Parameters in a method descriptor such as `(Ljava/lang/String;[II)V`.
fn parameter_count(descriptor: &str) -> usize {
    let Some(params) = descriptor
        .strip_prefix('(')
        .and_then(|d| d.split(')').next())
    else {
        return 0;
    };
    let mut count = 0;
    let mut chars = params.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => continue,
            'L' => {
                for c in chars.by_ref() {
                    if c == ';' {
                        break;
                    }
                }
            }
            _ => {}
        }
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_count_their_parameters() {
        assert_eq!(parameter_count("()V"), 0);
        assert_eq!(
            parameter_count("(Ljava/lang/String;)Ljava/lang/Process;"),
            1
        );
        assert_eq!(parameter_count("([Ljava/lang/String;I[[JZ)V"), 4);
    }

    #[test]
    fn switches_are_stepped_over() {
        // tableswitch at 1: padding to 4, default, low 0, high 1, two offsets.
        let mut code = vec![0x00, 0xAA, 0, 0];
        for word in [0i32, 0, 1, 0, 0] {
            code.extend_from_slice(&word.to_be_bytes());
        }
        assert_eq!(operand_length(&code, 1).unwrap(), 2 + 20);
        // A hostile high/low pair cannot overflow.
        let mut code = vec![0xAA, 0, 0, 0];
        for word in [0i32, i32::MIN, i32::MAX] {
            code.extend_from_slice(&word.to_be_bytes());
        }
        assert!(operand_length(&code, 0).unwrap() > 0);
    }
}
