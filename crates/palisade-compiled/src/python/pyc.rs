//! CPython bytecode files (`.pyc`): the header, the `marshal` serialisation of the module's
//! code object, and the code objects nested in its constants.
//!
//! A `.pyc` runs as the module it was compiled from: `import m` loads a sourceless `m.pyc`
//! beside the package's files, and `importlib` or `marshal.loads` run one from anywhere.
//! Shipping bytecode instead of source keeps the code from every reader and every rule
//! written for source. The versions read are 3.6 to 3.13, whose instructions are two-byte
//! words; older bytecode is reported as not read.

use crate::bytes::{Reader, Result};
use std::rc::Rc;

/// The version of the bytecode, as `major * 100 + minor` (311 for 3.11).
pub(crate) type Version = u16;

/// The Python version a magic number belongs to, for the versions this crate knows of.
/// Magic numbers grow with every format change; each release has its own range.
pub(crate) fn version_of_magic(magic: u16) -> Option<Version> {
    Some(match magic {
        20121..=62211 => 207,
        3000..=3139 => 300,
        3140..=3229 => 302,
        3230..=3309 => 304,
        3310..=3359 => 305,
        3360..=3389 => 306,
        3390..=3399 => 307,
        3400..=3419 => 308,
        3420..=3429 => 309,
        3430..=3449 => 310,
        3450..=3499 => 311,
        3500..=3549 => 312,
        3550..=3599 => 313,
        3600..=3699 => 314,
        _ => return None,
    })
}

/// Whether `data` starts like a `.pyc`: a known magic number, `\r\n`, and for versions
/// read here a code object where the header ends.
pub(crate) fn is_pyc(data: &[u8]) -> bool {
    if data.len() < 16 || &data[2..4] != b"\r\n" {
        return false;
    }
    let Some(version) = version_of_magic(u16::from_le_bytes([data[0], data[1]])) else {
        return false;
    };
    match header_len(version) {
        Some(len) => data.get(len).is_some_and(|&b| b & 0x7f == b'c'),
        // Old formats are recognised by magic alone: 2.7's and 3.x's are exact values.
        None => true,
    }
}

fn header_len(version: Version) -> Option<usize> {
    match version {
        306 => Some(12),
        307..=313 => Some(16),
        _ => None,
    }
}

/// A value of the marshal format, as far as a view needs it.
#[derive(Debug)]
pub(crate) enum Obj {
    None,
    Bool(bool),
    Int(i128),
    BigInt,
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Rc<Obj>>),
    List(Vec<Rc<Obj>>),
    Set(Vec<Rc<Obj>>),
    Dict(Vec<(Rc<Obj>, Rc<Obj>)>),
    Code(Rc<Code>),
    Ellipsis,
    Other(&'static str),
}

/// A code object: one module, class body, function, lambda or comprehension. Its parts
/// are shared with the file's other objects: marshal lets many code objects name one
/// bytes or tuple object, and copying it into each would let a small file fill memory.
#[derive(Debug)]
pub(crate) struct Code {
    pub(crate) name: String,
    /// The dotted name from the module down (3.11 on store it; before, it is built from
    /// the names of the enclosing code objects).
    pub(crate) qualname: Option<String>,
    pub(crate) flags: u32,
    pub(crate) code: Rc<Obj>,
    pub(crate) consts: Rc<Obj>,
    pub(crate) names: Rc<Obj>,
    /// Local variable names, indexed by `LOAD_FAST`'s argument; from 3.11 also the cell
    /// and free variables, which `LOAD_DEREF` then indexes too.
    pub(crate) locals: Rc<Obj>,
    /// Before 3.11: cell then free variable names, indexed together by `LOAD_DEREF`.
    pub(crate) cells: (Rc<Obj>, Rc<Obj>),
}

impl Code {
    /// Whether the runtime runs this code as a module or class body rather than as a
    /// function's: such code has neither `CO_OPTIMIZED` nor `CO_NEWLOCALS`.
    pub(crate) fn is_body(&self) -> bool {
        self.flags & 0x3 == 0
    }

    pub(crate) fn bytecode(&self) -> &[u8] {
        match &*self.code {
            Obj::Bytes(bytes) => bytes,
            _ => &[],
        }
    }

    pub(crate) fn constant(&self, index: u32) -> Option<&Rc<Obj>> {
        item(&self.consts, index as usize)
    }

    pub(crate) fn name_at(&self, index: u32) -> String {
        name_in(&self.names, index as usize)
    }

    pub(crate) fn local(&self, index: u32) -> String {
        name_in(&self.locals, index as usize)
    }

    pub(crate) fn cell(&self, index: u32) -> String {
        let cells = match &*self.cells.0 {
            Obj::Tuple(items) => items.len(),
            _ => 0,
        };
        match (index as usize).checked_sub(cells) {
            None => name_in(&self.cells.0, index as usize),
            Some(free) => name_in(&self.cells.1, free),
        }
    }

    /// The global and attribute names the code uses.
    pub(crate) fn used_names(&self) -> impl Iterator<Item = &str> {
        let items = match &*self.names {
            Obj::Tuple(items) => items.as_slice(),
            _ => &[],
        };
        items.iter().filter_map(|item| match &**item {
            Obj::Str(text) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The code objects among the constants: the functions, classes and comprehensions
    /// this code defines.
    pub(crate) fn nested(&self) -> impl Iterator<Item = &Rc<Code>> {
        let items = match &*self.consts {
            Obj::Tuple(items) => items.as_slice(),
            _ => &[],
        };
        items.iter().filter_map(|item| match &**item {
            Obj::Code(code) => Some(code),
            _ => None,
        })
    }
}

fn item(tuple: &Obj, index: usize) -> Option<&Rc<Obj>> {
    match tuple {
        Obj::Tuple(items) => items.get(index),
        _ => None,
    }
}

fn name_in(tuple: &Obj, index: usize) -> String {
    match item(tuple, index).map(|item| &**item) {
        Some(Obj::Str(text)) => short_name(text),
        _ => format!("_{index}"),
    }
}

/// The deepest nesting of containers and code objects read: CPython's own limit
/// (`MAX_MARSHAL_STACK_DEPTH`), so that anything CPython loads is read.
const MAX_NESTING: u32 = 2000;

/// The longest name kept; longer names from the file are cut.
const MAX_NAME: usize = 256;

/// The module code object of a `.pyc`, and its version.
pub(crate) fn read(data: &[u8]) -> Result<(Version, Rc<Code>)> {
    let magic = u16::from_le_bytes([data[0], data[1]]);
    let version = version_of_magic(magic).ok_or("unknown magic number")?;
    let Some(start) = header_len(version) else {
        return Err(format!(
            "Python {}.{} bytecode is not read (3.6 to 3.13 are)",
            version / 100,
            version % 100
        ));
    };
    let mut reader = Marshal {
        reader: Reader::at(data, start),
        refs: Vec::new(),
        version,
        // Positional-only parameters arrived in 3.8's fourth alpha (magic 3410).
        positional_only: magic >= 3410,
    };
    match &*reader.object(0)? {
        Obj::Code(code) => Ok((version, code.clone())),
        _ => Err("the file does not hold a code object".into()),
    }
}

struct Marshal<'a> {
    reader: Reader<'a>,
    /// Objects flagged for reference, by index; `None` while one is still being read.
    refs: Vec<Option<Rc<Obj>>>,
    version: Version,
    positional_only: bool,
}

impl Marshal<'_> {
    fn count(&mut self, what: &str) -> Result<usize> {
        let n = self.reader.u32le(what)? as usize;
        // Every element takes at least one byte: a count beyond the data is a lie.
        if n > self.reader.remaining() {
            return Err(format!("{what} of {n} exceeds the file"));
        }
        Ok(n)
    }

    fn object(&mut self, depth: u32) -> Result<Rc<Obj>> {
        if depth > MAX_NESTING {
            return Err(format!("objects nested deeper than {MAX_NESTING}"));
        }
        let at = self.reader.pos;
        let byte = self.reader.u8("marshal type")?;
        let flagged = byte & 0x80 != 0;
        let slot = flagged.then(|| {
            self.refs.push(None);
            self.refs.len() - 1
        });
        let object = self.value(byte & 0x7f, at, depth)?;
        if let Some(slot) = slot {
            self.refs[slot] = Some(object.clone());
        }
        Ok(object)
    }

    fn items(&mut self, n: usize, depth: u32) -> Result<Vec<Rc<Obj>>> {
        (0..n).map(|_| self.object(depth + 1)).collect()
    }

    fn text(&mut self, n: usize, what: &str) -> Result<String> {
        let bytes = self.reader.take(n, what)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    fn value(&mut self, kind: u8, at: usize, depth: u32) -> Result<Rc<Obj>> {
        let object = match kind {
            b'0' => return Err(format!("unexpected NULL at {at}")),
            b'N' => Obj::None,
            b'F' => Obj::Bool(false),
            b'T' => Obj::Bool(true),
            b'.' => Obj::Ellipsis,
            b'S' => Obj::Other("StopIteration"),
            b'i' => Obj::Int(i128::from(self.reader.u32le("int")? as i32)),
            b'l' => {
                let n = self.reader.u32le("long size")? as i32;
                let digits = n.unsigned_abs() as usize;
                let raw = self.reader.take(digits.saturating_mul(2), "long digits")?;
                if digits > 8 {
                    Obj::BigInt
                } else {
                    let mut value: i128 = 0;
                    for pair in raw.chunks_exact(2).rev() {
                        value = (value << 15) | i128::from(u16::from_le_bytes([pair[0], pair[1]]));
                    }
                    Obj::Int(if n < 0 { -value } else { value })
                }
            }
            b'g' => {
                let raw = self.reader.take(8, "float")?;
                Obj::Float(f64::from_le_bytes(raw.try_into().expect("8 bytes")))
            }
            b'f' => {
                let n = self.reader.u8("float size")? as usize;
                let text = self.text(n, "float")?;
                Obj::Float(text.trim().parse().unwrap_or(0.0))
            }
            b'y' => {
                self.reader.take(16, "complex")?;
                Obj::Other("complex")
            }
            b'x' => {
                for _ in 0..2 {
                    let n = self.reader.u8("complex size")? as usize;
                    self.reader.take(n, "complex")?;
                }
                Obj::Other("complex")
            }
            b's' => {
                let n = self.count("bytes length")?;
                Obj::Bytes(self.reader.take(n, "bytes")?.to_vec())
            }
            b't' | b'u' | b'a' | b'A' => {
                let n = self.count("string length")?;
                Obj::Str(self.text(n, "string")?)
            }
            b'z' | b'Z' => {
                let n = self.reader.u8("string length")? as usize;
                Obj::Str(self.text(n, "string")?)
            }
            b')' => {
                let n = self.reader.u8("tuple size")? as usize;
                Obj::Tuple(self.items(n, depth)?)
            }
            b'(' | b'[' | b'<' | b'>' => {
                let n = self.count("container size")?;
                let items = self.items(n, depth)?;
                match kind {
                    b'(' => Obj::Tuple(items),
                    b'[' => Obj::List(items),
                    _ => Obj::Set(items),
                }
            }
            b'{' => {
                let mut pairs = Vec::new();
                loop {
                    if self.reader.peek() == Some(b'0') {
                        self.reader.u8("dict end")?;
                        break;
                    }
                    let key = self.object(depth + 1)?;
                    let value = self.object(depth + 1)?;
                    pairs.push((key, value));
                }
                Obj::Dict(pairs)
            }
            b'r' => {
                let index = self.reader.u32le("reference")? as usize;
                return match self.refs.get(index) {
                    Some(Some(object)) => Ok(object.clone()),
                    // A reference to an object still being read: a cycle no compiler writes.
                    Some(None) => Ok(Rc::new(Obj::Other("recursive reference"))),
                    None => Err(format!("reference {index} at {at} names no object")),
                };
            }
            b'c' => Obj::Code(Rc::new(self.code(depth)?)),
            other => return Err(format!("unknown marshal type {other:#04x} at {at}")),
        };
        Ok(Rc::new(object))
    }

    fn int(&mut self, what: &str) -> Result<u32> {
        self.reader.u32le(what)
    }

    fn tuple(&mut self, depth: u32, what: &str) -> Result<Rc<Obj>> {
        let object = self.object(depth + 1)?;
        match &*object {
            Obj::Tuple(_) => Ok(object),
            _ => Err(format!("{what} is not a tuple")),
        }
    }

    fn string(&mut self, depth: u32, what: &str) -> Result<String> {
        match &*self.object(depth + 1)? {
            Obj::Str(text) => Ok(short_name(text)),
            _ => Err(format!("{what} is not a string")),
        }
    }

    fn code(&mut self, depth: u32) -> Result<Code> {
        let modern = self.version >= 311;
        self.int("argcount")?;
        if self.positional_only {
            self.int("posonlyargcount")?;
        }
        self.int("kwonlyargcount")?;
        if !modern {
            self.int("nlocals")?;
        }
        self.int("stacksize")?;
        let flags = self.int("flags")?;
        let code = self.object(depth + 1)?;
        if !matches!(*code, Obj::Bytes(_)) {
            return Err("code is not bytes".into());
        }
        let consts = self.tuple(depth, "constants")?;
        let names = self.tuple(depth, "names")?;
        let locals = self.tuple(depth, "local names")?;
        let cells = if modern {
            self.object(depth + 1)?; // the kinds of the local names
            let empty = Rc::new(Obj::Tuple(Vec::new()));
            (empty.clone(), empty)
        } else {
            let free = self.tuple(depth, "free variables")?;
            let cells = self.tuple(depth, "cell variables")?;
            (cells, free)
        };
        self.object(depth + 1)?; // the file name
        let name = self.string(depth, "name")?;
        let qualname = if modern {
            Some(self.string(depth, "qualified name")?)
        } else {
            None
        };
        self.int("first line")?;
        self.object(depth + 1)?; // the line table
        if modern {
            self.object(depth + 1)?; // the exception table
        }
        Ok(Code {
            name,
            qualname,
            flags,
            code,
            consts,
            names,
            locals,
            cells,
        })
    }
}

/// A name from the file, cut to [`MAX_NAME`] bytes at a character boundary.
fn short_name(text: &str) -> String {
    text[..text.floor_char_boundary(MAX_NAME)].to_string()
}
