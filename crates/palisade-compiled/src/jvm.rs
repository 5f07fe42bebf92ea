//! JVM class files (JVMS chapter 4): the constant pool, then each method's `Code`
//! attribute, whose `ldc` of strings and `invoke*` instructions make the view.

use crate::Format;
use crate::bytes::{Reader, Result};
use crate::machine::{Machine, allocation, array, literal, name};
use crate::view::{View, quoted};

#[derive(Clone, Default)]
enum Constant {
    #[default]
    Other,
    Utf8(String),
    Class(u16),
    String(u16),
    /// A field, method or interface-method reference: class and name-and-type.
    Member(u16, u16),
    /// An invokedynamic call site: bootstrap method and name-and-type.
    Dynamic(u16),
    NameAndType(u16, u16),
}

struct Pool(Vec<Constant>);

impl Pool {
    fn utf8(&self, index: u16) -> Option<&str> {
        match self.0.get(usize::from(index))? {
            Constant::Utf8(text) => Some(text),
            _ => None,
        }
    }

    fn class_name(&self, index: u16) -> Option<String> {
        match self.0.get(usize::from(index))? {
            Constant::Class(name) => self.utf8(*name).map(|n| n.replace('/', ".")),
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
            self.utf8(*name)?,
            self.utf8(*descriptor)?,
        ))
    }

    /// (name, descriptor) of an invokedynamic call site: `makeConcatWithConstants`
    /// for string concatenation, the interface method for a lambda.
    fn dynamic(&self, index: u16) -> Option<(&str, &str)> {
        let Constant::Dynamic(nat) = self.0.get(usize::from(index))? else {
            return None;
        };
        let Constant::NameAndType(name, descriptor) = self.0.get(usize::from(*nat))? else {
            return None;
        };
        Some((self.utf8(*name)?, self.utf8(*descriptor)?))
    }

    fn string(&self, index: u16) -> Option<&str> {
        match self.0.get(usize::from(index))? {
            Constant::String(utf8) => self.utf8(*utf8),
            _ => None,
        }
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
    let mut view = View::new(Format::Jvm);
    view.line(&format!("// class {class}"));
    let fields = r.u16be("field count")?;
    for _ in 0..fields {
        r.skip(6, "field")?;
        skip_attributes(&mut r)?;
    }
    let mut loaded = vec![false; pool.0.len()];
    let methods = r.u16be("method count")?;
    for _ in 0..methods {
        if view.full() {
            break;
        }
        r.skip(2, "method access flags")?;
        let name = pool
            .utf8(r.u16be("method name")?)
            .unwrap_or("?")
            .to_string();
        r.skip(2, "method descriptor")?;
        let attributes = r.u16be("method attribute count")?;
        for _ in 0..attributes {
            let attribute = pool.utf8(r.u16be("attribute name")?).unwrap_or("");
            let length = r.u32be("attribute length")? as usize;
            let body = r.take(length, "method attribute")?;
            if attribute == "Code" {
                view.method(&format!("{class}::{name}"));
                read_code(body, &pool, &mut loaded, &mut view)
                    .map_err(|e| format!("method {class}::{name}: {e}"))?;
            }
        }
    }
    // Strings no method loads: the templates of `+` concatenations (arguments of their
    // bootstrap method since Java 9) and constant fields.
    let unloaded: Vec<String> = (1..pool.0.len())
        .filter(|&i| !loaded[i])
        .filter_map(|i| pool.string(i as u16))
        .map(quoted)
        .collect();
    if !unloaded.is_empty() {
        view.section(&format!("constants of {class}"));
        for literal in unloaded {
            view.line(&literal);
        }
    }
    Ok(view)
}

fn read_pool(r: &mut Reader) -> Result<Pool> {
    let count = r.u16be("constant pool count")?;
    let mut pool = vec![Constant::Other; usize::from(count)];
    let mut index = 1;
    while index < usize::from(count) {
        let tag = r.u8("constant tag")?;
        pool[index] = match tag {
            1 => {
                let length = r.u16be("UTF-8 constant length")?;
                let bytes = r.take(usize::from(length), "UTF-8 constant")?;
                // Modified UTF-8 differs from UTF-8 only in NUL and supplementary
                // characters, which a lossy reading shows as replacement characters.
                Constant::Utf8(String::from_utf8_lossy(bytes).into_owned())
            }
            3 | 4 => {
                r.skip(4, "numeric constant")?;
                Constant::Other
            }
            5 | 6 => {
                r.skip(8, "wide numeric constant")?;
                // Longs and doubles take two entries of the pool.
                index += 1;
                Constant::Other
            }
            7 => Constant::Class(r.u16be("class constant")?),
            8 => Constant::String(r.u16be("string constant")?),
            9..=11 => Constant::Member(r.u16be("member class")?, r.u16be("member type")?),
            12 => Constant::NameAndType(r.u16be("name")?, r.u16be("descriptor")?),
            15 => {
                r.skip(3, "method handle")?;
                Constant::Other
            }
            16 | 19 | 20 => {
                r.skip(2, "constant")?;
                Constant::Other
            }
            17 | 18 => {
                r.skip(2, "bootstrap method")?;
                Constant::Dynamic(r.u16be("dynamic name and type")?)
            }
            other => {
                return Err(format!(
                    "unknown constant pool tag {other} at entry {index}"
                ));
            }
        };
        index += 1;
    }
    Ok(Pool(pool))
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

fn read_code(body: &[u8], pool: &Pool, loaded: &mut [bool], view: &mut View) -> Result<()> {
    let mut r = Reader::new(body);
    r.skip(4, "max_stack and max_locals")?;
    let length = r.u32be("code length")? as usize;
    let code = r.take(length, "code")?;
    let mut m = Machine::new(view);
    let mut pc = 0;
    while pc < code.len() && !m.full() {
        let op = code[pc];
        let length = operand_length(code, pc)?;
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
            0x09..=0x0F => m.push(name("0")),
            0x10 => m.push(name((operand(1) as u8 as i8).to_string())),
            0x11 => m.push(name((operand(2) as i16).to_string())),
            0x12..=0x14 => {
                let index = operand(if op == 0x12 { 1 } else { 2 });
                match pool.string(index) {
                    Some(text) => {
                        loaded[usize::from(index)] = true;
                        m.push(literal(quoted(text)));
                    }
                    None => m.push(name("const")),
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
            0x99..=0x9E | 0xAA | 0xAB | 0xC2 | 0xC3 | 0xC6 | 0xC7 => m.consume(1),
            0x9F..=0xA6 => m.consume(2),
            // goto, ret, the returns, athrow: control leaves; nothing stays.
            0xA7 | 0xA9 | 0xAC..=0xB1 | 0xBF | 0xC8 => m.flush(),
            0xA8 | 0xC9 => m.push(name("return address")),
            0xB2 => m.push(name(field(pool, operand(2)))),
            0xB3 => {
                let value = m.pop();
                m.statement(&format!("{} = ", field(pool, operand(2))), &value);
            }
            0xB4 => {
                m.consume(1);
                m.push(name(field(pool, operand(2))));
            }
            0xB5 => {
                let value = m.pop();
                m.consume(1);
                m.statement(&format!("{} = ", field(pool, operand(2))), &value);
            }
            0xB6..=0xB9 => match pool.member(operand(2)) {
                Some((class, "<init>", descriptor)) => {
                    m.initialize(parameter_count(descriptor));
                    let _ = class;
                }
                Some((class, name, descriptor)) => m.call(
                    format!("{class}.{name}"),
                    parameter_count(descriptor),
                    op != 0xB8,
                    !descriptor.ends_with(")V"),
                ),
                None => m.flush(),
            },
            0xBA => match pool.dynamic(operand(2)) {
                Some((name, descriptor)) => m.call(
                    name.to_string(),
                    parameter_count(descriptor),
                    false,
                    !descriptor.ends_with(")V"),
                ),
                None => m.flush(),
            },
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
    m.flush();
    Ok(())
}

fn store(m: &mut Machine, local: String) {
    let value = m.pop();
    m.statement(&format!("{local} = "), &value);
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
