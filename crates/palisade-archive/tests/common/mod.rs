//! Builders for real archives, made in memory with the real writers of each format, plus
//! byte-level surgery for what the writers refuse to produce (`../` names, absolute paths,
//! links out of the package, non-UTF-8 names).

#![allow(dead_code)] // each test binary uses its own part of these helpers

use palisade_archive::Unpacked;
use std::io::Write;
use std::path::PathBuf;
use tar::{EntryType, Header};

/// One real artifact of `testdata/real/`.
pub fn real(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/real")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A tar entry described by hand; the header is written byte by byte, so any name or
/// link target goes in as given.
pub struct Raw<'a> {
    pub name: &'a [u8],
    pub kind: EntryType,
    pub link: &'a [u8],
    pub data: &'a [u8],
    /// Size written in the header; `None` for the true size of `data`.
    pub declared: Option<u64>,
}

impl<'a> Raw<'a> {
    pub fn file(name: &'a [u8], data: &'a [u8]) -> Self {
        Raw {
            name,
            kind: EntryType::Regular,
            link: b"",
            data,
            declared: None,
        }
    }

    pub fn link(name: &'a [u8], kind: EntryType, target: &'a [u8]) -> Self {
        Raw {
            name,
            kind,
            link: target,
            data: b"",
            declared: None,
        }
    }

    pub fn dir(name: &'a [u8]) -> Self {
        Raw {
            name,
            kind: EntryType::Directory,
            link: b"",
            data: b"",
            declared: None,
        }
    }
}

/// A ustar header holding exactly these bytes as name and link target.
pub fn raw_header(entry: &Raw<'_>) -> Header {
    assert!(entry.name.len() <= 100 && entry.link.len() <= 100);
    let mut header = Header::new_ustar();
    header.set_entry_type(entry.kind);
    header.set_mode(if entry.kind == EntryType::Directory {
        0o755
    } else {
        0o644
    });
    header.set_mtime(1_700_000_000);
    header.set_size(entry.declared.unwrap_or(entry.data.len() as u64));
    let old = header.as_old_mut();
    old.name[..entry.name.len()].copy_from_slice(entry.name);
    old.linkname[..entry.link.len()].copy_from_slice(entry.link);
    header.set_cksum();
    header
}

/// A whole tar archive of hand-made entries (header, data padded to 512, then the two
/// zero blocks that end the archive).
pub fn raw_tar(entries: &[Raw<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        out.extend_from_slice(raw_header(entry).as_bytes());
        out.extend_from_slice(entry.data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

/// A tar archive of regular files, written by the `tar` crate's own builder.
pub fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(EntryType::Regular);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    gzip(&tar(files))
}

/// A zip archive of deflated files, written by the `zip` crate.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Rule ids of the findings, in order.
pub fn rules(out: &Unpacked) -> Vec<&str> {
    out.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// Paths of the unpacked files, in order.
pub fn paths(out: &Unpacked) -> Vec<&str> {
    out.files.iter().map(|f| f.path.as_str()).collect()
}

/// The finding of `rule` whose path is `path`; panics with the whole result otherwise.
pub fn finding<'a>(out: &'a Unpacked, rule: &str, path: &str) -> &'a palisade_core::Finding {
    out.findings
        .iter()
        .find(|f| f.rule == rule && f.path.as_deref() == Some(path))
        .unwrap_or_else(|| panic!("no {rule} finding at {path:?} in {:#?}", out.findings))
}

/// The content of the unpacked file `path`.
pub fn file<'a>(out: &'a Unpacked, path: &str) -> &'a [u8] {
    &out.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no file {path:?} in {:?}", paths(out)))
        .data
}

/// Asserts a clean unpacking: no finding, no error.
pub fn assert_clean(out: &Unpacked) {
    assert!(out.findings.is_empty(), "findings: {:#?}", out.findings);
    assert!(out.errors.is_empty(), "errors: {:#?}", out.errors);
}

/// Asserts that every error names the artifact first, and that there is at least one.
pub fn assert_errors_name(out: &Unpacked, artifact: &str) {
    assert!(
        !out.errors.is_empty(),
        "no error; findings: {:#?}",
        out.findings
    );
    for error in &out.errors {
        assert!(
            error.starts_with(&format!("{artifact}: ")),
            "error does not name {artifact}: {error}"
        );
    }
}
