//! Every supported compression and container, recognised by its bytes, never by its name.

mod common;

use common::{assert_clean, bzip2, file, gzip, paths, tar, xz, zip};
use palisade_archive::{Compression, Kind, Limits, sniff, unpack_bytes};

const FILES: &[(&str, &[u8])] = &[
    ("pkg/index.js", b"module.exports = 42;\n"),
    ("pkg/lib/util.js", b"exports.pad = (s) => ' ' + s;\n"),
    (
        "pkg/package.json",
        b"{\"name\":\"pkg\",\"version\":\"1.0.0\"}\n",
    ),
];

fn assert_three_files(out: &palisade_archive::Unpacked) {
    assert_clean(out);
    assert_eq!(
        paths(out),
        ["pkg/index.js", "pkg/lib/util.js", "pkg/package.json"]
    );
    for (name, data) in FILES {
        assert_eq!(file(out, name), *data);
    }
    assert_eq!(out.entries, 3);
}

#[test]
fn plain_tar() {
    let data = tar(FILES);
    assert_eq!(sniff(&data), Kind::Tar);
    let out = unpack_bytes("pkg.tar", &data, &Limits::default());
    assert_eq!(out.format, "tar");
    assert_three_files(&out);
}

#[test]
fn tar_gz() {
    let data = gzip(&tar(FILES));
    assert_eq!(sniff(&data), Kind::Compressed(Compression::Gzip));
    let out = unpack_bytes("pkg.tar.gz", &data, &Limits::default());
    assert_eq!(out.format, "tar.gz");
    assert_three_files(&out);
}

#[test]
fn tar_bz2() {
    let data = bzip2(&tar(FILES));
    assert_eq!(sniff(&data), Kind::Compressed(Compression::Bzip2));
    let out = unpack_bytes("pkg.tar.bz2", &data, &Limits::default());
    assert_eq!(out.format, "tar.bz2");
    assert_three_files(&out);
}

#[test]
fn tar_xz() {
    let data = xz(&tar(FILES));
    assert_eq!(sniff(&data), Kind::Compressed(Compression::Xz));
    let out = unpack_bytes("pkg.tar.xz", &data, &Limits::default());
    assert_eq!(out.format, "tar.xz");
    assert_three_files(&out);
}

#[test]
fn zip_archive() {
    let data = zip(FILES);
    assert_eq!(sniff(&data), Kind::Zip);
    let out = unpack_bytes("pkg.zip", &data, &Limits::default());
    assert_eq!(out.format, "zip");
    assert_three_files(&out);
}

#[test]
fn stored_zip_entries_are_read_too() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in FILES {
        writer.start_file(*name, stored).unwrap();
        std::io::Write::write_all(&mut writer, data).unwrap();
    }
    let data = writer.finish().unwrap().into_inner();
    let out = unpack_bytes("pkg.zip", &data, &Limits::default());
    assert_three_files(&out);
}

#[test]
fn single_compressed_files_keep_their_inner_name() {
    let text = b"#!/bin/sh\necho hello\n".repeat(40);
    for (name, data, format, inner) in [
        ("install.sh.gz", gzip(&text), "gz", "install.sh"),
        ("install.sh.bz2", bzip2(&text), "bz2", "install.sh"),
        ("install.sh.xz", xz(&text), "xz", "install.sh"),
        // A name that does not end in the extension is kept as it is.
        ("blob", gzip(&text), "gz", "blob"),
    ] {
        let out = unpack_bytes(name, &data, &Limits::default());
        assert_clean(&out);
        assert_eq!(out.format, format, "{name}");
        assert_eq!(paths(&out), [inner], "{name}");
        assert_eq!(file(&out, inner), text.as_slice(), "{name}");
    }
}

#[test]
fn a_zip_named_tgz_is_read_as_a_zip() {
    let out = unpack_bytes("pkg-1.0.0.tgz", &zip(FILES), &Limits::default());
    assert_eq!(out.format, "zip");
    assert_three_files(&out);
}

#[test]
fn a_tarball_named_png_is_read_as_a_tarball() {
    let out = unpack_bytes("logo.png", &gzip(&tar(FILES)), &Limits::default());
    assert_eq!(out.format, "tar.gz");
    assert_three_files(&out);
}

#[test]
fn a_text_file_named_tgz_is_one_plain_file() {
    let out = unpack_bytes("pkg.tgz", b"not really a tarball\n", &Limits::default());
    assert_clean(&out);
    assert_eq!(out.format, "file");
    assert_eq!(paths(&out), ["pkg.tgz"]);
}

#[test]
fn empty_input_is_one_empty_file() {
    let out = unpack_bytes("empty.tgz", b"", &Limits::default());
    assert_clean(&out);
    assert_eq!(out.format, "file");
    assert_eq!(out.files.len(), 1);
    assert!(out.files[0].data.is_empty());
}

#[test]
fn archives_inside_archives_are_opened_with_a_bang_path() {
    let inner_zip = zip(&[("inner/a.py", b"print('a')\n")]);
    let inner_tgz = gzip(&tar(&[("b/b.js", b"b()\n")]));
    let outer = gzip(&tar(&[
        ("pkg/vendor/inner.zip", &inner_zip),
        ("pkg/vendor/inner.tgz", &inner_tgz),
        ("pkg/README", b"readme\n"),
    ]));
    let out = unpack_bytes("outer.tgz", &outer, &Limits::default());
    assert_clean(&out);
    assert_eq!(
        paths(&out),
        [
            "pkg/vendor/inner.zip!/inner/a.py",
            "pkg/vendor/inner.tgz!/b/b.js",
            "pkg/README",
        ]
    );
}

#[test]
fn zstd_is_recognised_and_reported_as_unsupported() {
    // A zstd frame header: magic, then an (unsupported here) frame.
    let data = [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05, 0x29, 0x00, 0x00];
    let out = unpack_bytes("x.tar.zst", &data, &Limits::default());
    assert_eq!(common::rules(&out), ["archive/unsupported-compression"]);
    assert_eq!(out.format, "unreadable");
    common::assert_errors_name(&out, "x.tar.zst");
}
