//! The views of real compiled files, and what hostile bytes do to the readers.

use palisade_compiled::{Format, View, format_of, read};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn view(name: &str) -> View {
    read(&fixture(name)).unwrap().expect("a compiled format")
}

fn line_of(view: &View, wanted: &str) -> u32 {
    let index = view
        .text
        .lines()
        .position(|line| line == wanted)
        .unwrap_or_else(|| panic!("no line {wanted:?} in\n{}", view.text));
    index as u32 + 1
}

#[test]
fn a_dotnet_assembly_reads_as_calls_and_strings_per_method() {
    let view = view("Sample.dll");
    assert_eq!(view.format, Format::DotNet);
    assert!(!view.truncated);
    for line in [
        "// assembly Sample",
        "[DllImport(\"user32.dll\")] extern MessageBoxW",
        // Generic instances are named by their type; strings become arguments.
        "System.Collections.Generic.List`1.Add(\"grüße\")",
        // Nested types are named inside their enclosing type.
        "new Sample.Format.Outer.Inner()",
        // Arguments are the operands the call was given, strings or not.
        "Sample.Format.Outer.MessageBox(System.IntPtr.Zero, \"text\", \"caption\", 0)",
        "Sample.Format.Outer.Names = new System.Collections.Generic.List`1()",
        // Quotes and newlines are escaped: a string cannot end its line.
        "System.String.Concat(\"Hello, \\\"\", arg1, \"\\\"\\n\")",
    ] {
        line_of(&view, line);
    }
    // The switch's strings are read past the switch table, in order.
    let zero = line_of(&view, "\"zero\"");
    assert_eq!(line_of(&view, "\"three\""), zero + 3);
    assert_eq!(
        view.method_at_line(zero).map(|(_, name)| name),
        Some("Sample.Format.Outer::Pick")
    );
    // Base constructor calls are noise and are left out.
    assert!(!view.text.contains("System.Object..ctor"), "{}", view.text);
}

#[test]
fn a_class_file_reads_as_calls_and_strings_per_method() {
    let view = view("Sample.class");
    assert_eq!(view.format, Format::Jvm);
    for line in [
        "// class sample.format.Sample",
        "java.util.List.add(\"grüße\")",
        "new sample.format.Sample$Inner()",
        "java.lang.StringBuilder.append(\"wide\")",
        "sample.format.Sample.NAMES = new java.util.ArrayList()",
        // A constructor's arguments are filled into its `new`.
        "sample.format.Sample$Inner.greet(java.lang.String.valueOf((loc0 + const)))",
    ] {
        line_of(&view, line);
    }
    // Strings after both switches (a tableswitch and a lookupswitch) are still found.
    let many = line_of(&view, "\"many\"");
    assert_eq!(
        view.method_at_line(many).map(|(_, name)| name),
        Some("sample.format.Sample::pick")
    );
    let inner = self::view("Sample_Inner.class");
    line_of(&inner, "java.lang.StringBuilder.append(\"Hello, \\\"\")");
}

#[test]
fn other_files_are_not_read() {
    assert_eq!(format_of(b"plain text"), None);
    assert!(read(b"MZ").unwrap().is_none());
    // A Mach-O universal binary shares the class file magic; its next word is small.
    assert_eq!(
        format_of(&[0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2, 0, 0, 0, 7]),
        None
    );
    // A PE file without a CLI header is native code, not .NET.
    let mut native = fixture("Sample.dll");
    let pe = u32::from_le_bytes(native[0x3C..0x40].try_into().unwrap()) as usize;
    let cli = pe + 24 + 96 + 14 * 8;
    native[cli..cli + 8].fill(0);
    assert_eq!(format_of(&native), None);
}

/// Every prefix of a real file, and the file with each byte flipped, reads to a view or
/// an error: never a panic, never more text than the limit.
#[test]
fn truncated_and_corrupted_files_give_errors_not_panics() {
    for name in ["Sample.dll", "Sample.class", "Sample_Inner.class"] {
        let data = fixture(name);
        for end in 0..data.len() {
            let _ = read(&data[..end]);
        }
        let mut errors = 0;
        for at in 0..data.len() {
            let mut bent = data.clone();
            bent[at] ^= 0xFF;
            match read(&bent) {
                Ok(Some(view)) => assert!(view.text.len() <= palisade_compiled::MAX_VIEW),
                Ok(None) => {}
                Err(error) => {
                    errors += 1;
                    assert!(!error.reason.is_empty());
                }
            }
        }
        assert!(errors > 0, "{name}: some corruption must be refused");
    }
    let truncated = &fixture("Sample.class")[..100];
    let error = read(truncated).unwrap_err();
    assert!(
        error.to_string().starts_with("unreadable JVM class file: "),
        "{error}"
    );
}
