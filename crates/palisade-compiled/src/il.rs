//! CIL method bodies (ECMA-335 II.25.4 and III): each instruction is replayed on a
//! symbolic stack ([`crate::machine`]) by its operand size and stack effect, so that
//! calls are written with the arguments they were given.

use crate::bytes::{Reader, Result};
use crate::dotnet::Metadata;
use crate::machine::{Machine, Value, array, literal, name};
use crate::view::{View, quoted};
use std::collections::HashMap;

/// String constants already quoted, by user-string index: a string loaded a thousand
/// times is decoded and quoted once, and shared.
pub(crate) type Literals = HashMap<u32, Value>;

/// Reads the body that starts at `data[0]` into the view; returns the bytes of code.
pub(crate) fn read_body(
    data: &[u8],
    metadata: &Metadata,
    literals: &mut Literals,
    view: &mut View,
) -> Result<usize> {
    let mut r = Reader::new(data);
    let first = r.u8("method header")?;
    let code_size = match first & 3 {
        // Tiny header: the size is in the upper six bits.
        2 => usize::from(first >> 2),
        3 => {
            let flags = u16::from(first) | (u16::from(r.u8("method header")?) << 8);
            let header = usize::from(flags >> 12) * 4;
            r.skip(2, "max stack")?;
            let size = r.u32le("code size")? as usize;
            if header < 12 {
                return Err(format!("fat method header of {header} bytes"));
            }
            r.pos = header;
            size
        }
        _ => return Err(format!("invalid method header {first:#04x}")),
    };
    let code = r.take(code_size, "method code")?;
    let mut m = Machine::new(view);
    let mut pc = 0;
    while pc < code.len() && !m.full() {
        m.arrive(pc);
        let (op, prefixed) = match code[pc] {
            0xFE => (
                *code.get(pc + 1).ok_or("two-byte opcode ends the code")?,
                true,
            ),
            op => (op, false),
        };
        let at = pc + 1 + usize::from(prefixed);
        let operands = if prefixed {
            two_byte_operands(op).ok_or_else(|| format!("unknown opcode 0xfe {op:#04x} at {pc}"))?
        } else {
            one_byte_operands(code, pc)?
        };
        let operand = code
            .get(at..at + operands.min(8))
            .ok_or_else(|| format!("instruction at {pc} runs past the code"))?;
        let small = |bytes: &[u8]| -> u32 {
            let mut word = [0u8; 4];
            let n = bytes.len().min(4);
            word[..n].copy_from_slice(&bytes[..n]);
            u32::from_le_bytes(word)
        };
        let value = small(operand);
        let next = at + operands;
        if prefixed {
            two_byte(op, value, metadata, &mut m);
        } else if let Some((pops, always)) = branch(op) {
            let offset = match operands {
                1 => i64::from(value as u8 as i8),
                _ => i64::from(value as i32),
            };
            let to = usize::try_from(next as i64 + offset).ok();
            m.consume(pops);
            m.jump(pc, to, always);
        } else if op == 0x72 {
            let literal = match literals.get(&value) {
                Some(literal) => literal.clone(),
                None => {
                    let made = match metadata.user_string(value & 0x00FF_FFFF) {
                        Some(text) if value >> 24 == 0x70 => literal(quoted(&text)),
                        _ => name("?"),
                    };
                    literals.insert(value, made.clone());
                    made
                }
            };
            m.push(literal);
        } else {
            one_byte(op, value, operand, metadata, &mut m);
        }
        pc = next;
    }
    m.finish();
    Ok(code.len())
}

/// The operands a branch pops and whether it always jumps, for br, the conditional
/// branches and their short forms.
fn branch(op: u8) -> Option<(usize, bool)> {
    Some(match op {
        0x2B | 0x38 => (0, true),
        0x2C | 0x2D | 0x39 | 0x3A => (1, false),
        0x2E..=0x37 | 0x3B..=0x44 => (2, false),
        _ => return None,
    })
}

fn one_byte(op: u8, value: u32, operand: &[u8], metadata: &Metadata, m: &mut Machine) {
    match op {
        0x02..=0x05 => m.push(name(format!("arg{}", op - 0x02))),
        0x06..=0x09 => m.push(name(format!("loc{}", op - 0x06))),
        0x0A..=0x0D => store(m, format!("loc{}", op - 0x0A)),
        0x0E | 0x0F => m.push(name(format!("arg{value}"))),
        0x10 => store(m, format!("arg{value}")),
        0x11 | 0x12 => m.push(name(format!("loc{value}"))),
        0x13 => store(m, format!("loc{value}")),
        0x14 => m.push(name("null")),
        0x15..=0x1E => m.push(name((i32::from(op) - 0x16).to_string())),
        0x1F => m.push(name((value as u8 as i8).to_string())),
        0x20 => m.push(name((value as i32).to_string())),
        0x21 => m.push(name(
            i64::from_le_bytes(operand.try_into().unwrap_or_default()).to_string(),
        )),
        0x22 | 0x23 => m.push(name("0.0")),
        0x25 => {
            let top = m.pop();
            m.push(top.clone());
            m.push(top);
        }
        0x26 => m.consume(1),
        // jmp: the method named takes over with the same arguments.
        0x27 => {
            method_ref(value, metadata, m);
            m.flush();
        }
        // ret, throw, leave, endfinally: control leaves; nothing stays.
        0x2A | 0x7A | 0xDC..=0xDE => m.flush(),
        0x28 | 0x6F => call(value, metadata, m),
        // calli: a function pointer (from ldftn, shown as the method it names) called
        // with the arguments its StandAloneSig says.
        0x29 => {
            let pointer = m.pop();
            m.statement("", &pointer);
            match metadata.standalone_signature(value) {
                Some(signature) => {
                    m.call("calli".into(), signature.params, false, signature.returns)
                }
                None => m.flush(),
            }
        }
        0x45 => m.consume(1),
        0x46..=0x50
        | 0x65..=0x6E
        | 0x71
        | 0x74..=0x76
        | 0x79
        | 0x82..=0x8C
        | 0x8E
        | 0xA5
        | 0xB3..=0xBA
        | 0xC2
        | 0xC3
        | 0xC6
        | 0xD1..=0xD5
        | 0xE0 => m.operate("", 1),
        0x51..=0x57 | 0x70 | 0x81 | 0xDF => m.consume(2),
        0x58..=0x64 | 0xD6..=0xDB => m.operate(arithmetic(op), 2),
        0x73 => match metadata.method(value) {
            Some((owner, _, signature)) => m.construct(owner, signature.params),
            None => {
                m.flush();
                m.push(name("?"));
            }
        },
        0x7B | 0x7C => {
            m.consume(1);
            m.push(name(metadata.field(value)));
        }
        0x7D => {
            let stored = m.pop();
            m.consume(1);
            m.push(stored);
            m.store(metadata.field(value));
        }
        0x7E | 0x7F => m.push(name(metadata.field(value))),
        0x80 => {
            m.store(metadata.field(value));
        }
        0x8D => {
            m.consume(1);
            m.push(array());
        }
        0x8F..=0x9A | 0xA3 => m.operate("", 2),
        0x9B..=0xA2 | 0xA4 => m.store_element(),
        // ldtoken of a method: a handle for reflection to call it by.
        0xD0 => match (value >> 24) as u8 {
            0x06 | 0x0A | 0x2B => method_ref(value, metadata, m),
            0x04 => m.push(name(metadata.field(value))),
            _ => m.push(name("token")),
        },
        _ => {}
    }
}

fn two_byte(op: u8, value: u32, metadata: &Metadata, m: &mut Machine) {
    match op {
        0x00 => m.push(name("arglist")),
        0x01..=0x05 => m.operate("==", 2),
        // ldftn, ldvirtftn: a method to call later (a delegate's), shown as a call.
        0x06 | 0x07 => {
            if op == 0x07 {
                m.consume(1);
            }
            method_ref(value, metadata, m);
        }
        0x09 | 0x0A => m.push(name(format!("arg{value}"))),
        0x0B => store(m, format!("arg{value}")),
        0x0C | 0x0D => m.push(name(format!("loc{value}"))),
        0x0E => store(m, format!("loc{value}")),
        0x0F | 0x1D => m.operate("", 1),
        0x11 | 0x15 => m.consume(1),
        0x17 | 0x18 => m.consume(3),
        0x1A => m.flush(),
        0x1C => m.push(name("sizeof")),
        _ => {}
    }
}

fn method_ref(token: u32, metadata: &Metadata, m: &mut Machine) {
    match metadata.method(token) {
        Some((owner, name, _)) => m.method_ref(format!("{owner}.{name}")),
        None => m.push(name("?")),
    }
}

fn store(m: &mut Machine, local: String) {
    m.store(local);
}

fn call(token: u32, metadata: &Metadata, m: &mut Machine) {
    match metadata.method(token) {
        // A constructor called on an address: a value type built in place
        // (`new DateTime(2027, 8, 8)` into a local), or, on `this`, the base type's
        // constructor every constructor calls, which is noise.
        Some((owner, ".ctor", signature)) => m.construct_in_place(owner, signature.params),
        Some((owner, name, signature)) => m.call(
            format!("{owner}.{name}"),
            signature.params,
            signature.has_this,
            signature.returns,
        ),
        None => m.flush(),
    }
}

fn arithmetic(op: u8) -> &'static str {
    match op {
        0x58 | 0xD6 | 0xD7 => "+",
        0x59 | 0xDA | 0xDB => "-",
        0x5A | 0xD8 | 0xD9 => "*",
        0x5B | 0x5C => "/",
        0x5D | 0x5E => "%",
        0x5F => "&",
        0x60 => "|",
        0x61 => "^",
        0x62 => "<<",
        _ => ">>",
    }
}

/// Operand bytes of a one-byte opcode at `pc`.
fn one_byte_operands(code: &[u8], pc: usize) -> Result<usize> {
    let op = code[pc];
    Ok(match op {
        0x00..=0x0D
        | 0x14..=0x1E
        | 0x25
        | 0x26
        | 0x2A
        | 0x46..=0x6E
        | 0x76
        | 0x7A
        | 0x82..=0x8B
        | 0x8E
        | 0x90..=0xA2
        | 0xB3..=0xBA
        | 0xC3
        | 0xD1..=0xDC
        | 0xDF
        | 0xE0 => 0,
        0x0E..=0x13 | 0x1F | 0x2B..=0x37 | 0xDE => 1,
        0x20
        | 0x22
        | 0x27..=0x29
        | 0x38..=0x44
        | 0x6F..=0x75
        | 0x79
        | 0x7B..=0x81
        | 0x8C
        | 0x8D
        | 0x8F
        | 0xA3..=0xA5
        | 0xC2
        | 0xC6
        | 0xD0
        | 0xDD => 4,
        0x21 | 0x23 => 8,
        // switch: a count, then that many 4-byte targets.
        0x45 => {
            let count = code
                .get(pc + 1..pc + 5)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or_else(|| format!("switch at {pc} runs past the code"))?;
            count.saturating_mul(4).saturating_add(4)
        }
        _ => return Err(format!("unknown opcode {op:#04x} at {pc}")),
    })
}

/// Operand bytes of the opcode after an 0xFE prefix.
fn two_byte_operands(op: u8) -> Option<usize> {
    Some(match op {
        0x00..=0x05 | 0x0F | 0x11 | 0x13 | 0x14 | 0x17 | 0x18 | 0x1A | 0x1D | 0x1E => 0,
        0x12 | 0x19 => 1,
        0x09..=0x0E => 2,
        0x06 | 0x07 | 0x15 | 0x16 | 0x1C => 4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_one_byte_opcode_has_a_size() {
        // The gaps in the one-byte table are 0x24, 0x77, 0x78, 0xA6..=0xB2, 0xBB..=0xC1,
        // 0xC4, 0xC5, 0xC7..=0xCF and 0xE1 up (ECMA-335 III.1.2.1).
        let gaps: Vec<u8> = (0x00..=0xFFu8)
            .filter(|&op| op != 0xFE && one_byte_operands(&[op, 0, 0, 0, 0], 0).is_err())
            .collect();
        let mut expected = vec![0x24, 0x77, 0x78];
        expected.extend(0xA6..=0xB2);
        expected.extend(0xBB..=0xC1);
        expected.extend([0xC4, 0xC5]);
        expected.extend(0xC7..=0xCF);
        expected.extend(0xE1..=0xFD);
        expected.push(0xFF);
        assert_eq!(gaps, expected);
    }

    #[test]
    fn a_hostile_switch_count_cannot_overflow() {
        let code = [0x45, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(one_byte_operands(&code, 0).unwrap() > code.len());
    }
}
