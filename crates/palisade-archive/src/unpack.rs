use crate::budget::Budget;
use crate::guard::{Consumed, CountingSlice, Guarded};
use crate::limits::{Limit, Limits};
use crate::rules;
use crate::sniff::{Compression, Kind, sniff};
use crate::{tarball, zipfile};
use palisade_core::{Finding, PackageFile};
use std::cell::Cell;
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::Path;

/// The result of unpacking one artifact: its files in memory, plus what was wrong.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// The outer format, e.g. `tar.gz`, `zip`, `file`, `directory`.
    pub format: String,
    pub files: Vec<PackageFile>,
    /// Anomalies of the artifact itself (links, traversal, bombs, limits).
    pub findings: Vec<Finding>,
    /// Why parts could not be read, each naming the artifact and the place.
    pub errors: Vec<String>,
    /// Entries seen, at every nesting level.
    pub entries: u64,
    /// Bytes produced by decompression, at every nesting level.
    pub unpacked_bytes: u64,
}

/// Where unpacked files go; deduplicates names as it collects.
#[derive(Default)]
pub(crate) struct Sink {
    pub files: Vec<PackageFile>,
    seen: HashSet<String>,
}

/// Unpacks an artifact held in memory. `name` names it in errors and names the single
/// file when the artifact is not an archive (a bare `.pom`, a lone script).
pub fn unpack_bytes(name: &str, data: &[u8], limits: &Limits) -> Unpacked {
    let budget = Budget::new(name, limits);
    let mut sink = Sink::default();
    let format = match sniff(data) {
        Kind::Plain => {
            emit_file(&budget, &mut sink, name.to_string(), data.to_vec(), 0);
            "file".to_string()
        }
        _ => match unpack_container(&budget, &mut sink, "", name, data, 0) {
            Ok(format) => format,
            Err(reason) => {
                budget.error("", reason);
                "unreadable".to_string()
            }
        },
    };
    finish(budget, sink, format)
}

/// Reads an artifact file (refusing one larger than the artifact limit) and unpacks it.
pub fn unpack_file(path: &Path, limits: &Limits) -> io::Result<(Vec<u8>, Unpacked)> {
    let data = read_artifact(path, limits)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let unpacked = unpack_bytes(&name, &data, limits);
    Ok((data, unpacked))
}

/// Reads a whole artifact file, bounded by [`Limits::max_artifact_bytes`].
pub fn read_artifact(path: &Path, limits: &Limits) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limits.max_artifact_bytes {
        return Err(io::Error::other(format!(
            "{len} bytes is larger than the artifact size limit of {} bytes",
            limits.max_artifact_bytes
        )));
    }
    let mut data = Vec::with_capacity(len as usize);
    file.take(limits.max_artifact_bytes + 1)
        .read_to_end(&mut data)?;
    Ok(data)
}

pub(crate) fn finish(budget: Budget<'_>, sink: Sink, format: String) -> Unpacked {
    Unpacked {
        format,
        files: sink.files,
        entries: budget.entries.get(),
        unpacked_bytes: budget.total_bytes.get(),
        findings: budget.findings.into_inner(),
        errors: budget.errors.into_inner(),
    }
}

/// Opens an archive or compressed stream and emits its files under `prefix`.
/// Returns the format name, or why nothing could be read.
pub(crate) fn unpack_container(
    budget: &Budget<'_>,
    sink: &mut Sink,
    prefix: &str,
    hint: &str,
    data: &[u8],
    depth: u32,
) -> Result<String, String> {
    match sniff(data) {
        Kind::Zip => match zipfile::read_zip(budget, sink, data, prefix, depth) {
            Ok(()) => Ok("zip".into()),
            Err(reason) => {
                budget.finding(
                    rules::CORRUPT
                        .finding(reason.clone())
                        .at(display_place(prefix, hint), None),
                );
                Err(reason)
            }
        },
        Kind::Tar => {
            let reader = Guarded::new(data, budget, Consumed::Uncompressed);
            tarball::read_tar(budget, sink, reader, prefix, depth);
            Ok("tar".into())
        }
        Kind::Compressed(Compression::Zstd) => {
            budget.finding(
                rules::UNSUPPORTED_COMPRESSION
                    .finding("zstd-compressed stream; its content was not analysed")
                    .at(display_place(prefix, hint), None),
            );
            Err("zstd compression is not supported".into())
        }
        Kind::Compressed(compression) => {
            decompress(budget, sink, prefix, hint, data, depth, compression)
        }
        Kind::Plain => Err("not an archive".into()),
    }
}

fn decompress(
    budget: &Budget<'_>,
    sink: &mut Sink,
    prefix: &str,
    hint: &str,
    data: &[u8],
    depth: u32,
    compression: Compression,
) -> Result<String, String> {
    let consumed = Cell::new(0u64);
    let source = CountingSlice {
        data,
        consumed: &consumed,
    };
    let decoder: Box<dyn Read + '_> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(source)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(source)),
        // The memory limit bounds the dictionary a hostile header can ask for.
        Compression::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            source,
            true,
            XZ_MEMORY_LIMIT_KIB,
        )),
        Compression::Zstd => unreachable!("refused by unpack_container"),
    };
    let mut stream = Guarded::new(decoder, budget, Consumed::Counted(&consumed));
    let place = display_place(prefix, hint);
    let what = format!("{compression:?}").to_lowercase();
    let mut head = Vec::with_capacity(512);
    if let Err(err) = (&mut stream).take(512).read_to_end(&mut head) {
        return Err(stream_error(budget, &place, &what, &err));
    }
    let ext = compression.extension();
    if sniff(&head) == Kind::Tar {
        // Tar reads 512-byte headers; decompress in large blocks underneath them.
        let buffered = std::io::BufReader::with_capacity(TAR_BUFFER, stream);
        tarball::read_tar(budget, sink, head.as_slice().chain(buffered), prefix, depth);
        return Ok(format!("tar.{ext}"));
    }
    // A single compressed file (a gem's metadata.gz, a .js.gz): keep it whole.
    let limit = budget.limits.max_entry_bytes;
    let mut body = head;
    let read = (&mut stream)
        .take(limit.saturating_add(1).saturating_sub(body.len() as u64))
        .read_to_end(&mut body);
    if let Err(err) = read {
        let reason = stream_error(budget, &place, &what, &err);
        if body.is_empty() {
            return Err(reason);
        }
    } else if body.len() as u64 > limit {
        budget.report_limit(Limit::EntryBytes, &place);
        return Ok(ext.to_string());
    }
    let inner_name = hint
        .strip_suffix(&format!(".{ext}"))
        .or_else(|| hint.strip_suffix(".tgz"))
        .filter(|s| !s.is_empty())
        .unwrap_or(hint);
    let inner_name = inner_name.rsplit('/').next().unwrap_or(inner_name);
    let path = if prefix.is_empty() {
        inner_name.to_string()
    } else {
        format!("{prefix}{inner_name}")
    };
    emit_file(budget, sink, path, body, depth + 1);
    Ok(ext.to_string())
}

const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;
/// Read-ahead between a decompressor and the tar reader.
const TAR_BUFFER: usize = 32 * 1024;

/// Turns a failed read of the `what` stream (`tar`, `gzip`...) into a finding and an
/// error; returns the reason.
pub(crate) fn stream_error(
    budget: &Budget<'_>,
    place: &str,
    what: &str,
    err: &io::Error,
) -> String {
    if let Some(limit) = budget.take_tripped() {
        budget.report_limit(limit, place);
        return format!("{limit} limit reached");
    }
    let reason = if err.kind() == io::ErrorKind::UnexpectedEof {
        format!("truncated {what} stream")
    } else {
        format!("corrupt {what} stream: {err}")
    };
    budget.finding(rules::CORRUPT.finding(reason.clone()).at(place, None));
    budget.error(place, &reason);
    reason
}

/// Where a nested archive's contents are reported: `outer.tar.gz!/`.
pub(crate) fn display_place(prefix: &str, hint: &str) -> String {
    if prefix.is_empty() {
        hint.to_string()
    } else {
        prefix.trim_end_matches("!/").to_string()
    }
}

/// Adds one file; opens it in turn when it is itself an archive and depth allows.
/// `depth` is the nesting level of the container the file came from.
pub(crate) fn emit_file(
    budget: &Budget<'_>,
    sink: &mut Sink,
    path: String,
    data: Vec<u8>,
    depth: u32,
) {
    if !sink.seen.insert(path.clone()) {
        budget.finding(
            rules::DUPLICATE_ENTRY
                .finding("entry name appears more than once; both copies are analysed")
                .at(path.clone(), None),
        );
    }
    let kind = sniff(&data);
    if kind.is_container() && kind != Kind::Compressed(Compression::Zstd) {
        if depth + 1 > budget.limits.max_depth {
            budget.report_limit(Limit::Depth, &path);
        } else {
            let prefix = format!("{path}!/");
            let hint = path.rsplit('/').next().unwrap_or(&path).to_string();
            match unpack_container(budget, sink, &prefix, &hint, &data, depth + 1) {
                Ok(_) => return,
                Err(reason) => budget.error(&path, format!("nested archive not read: {reason}")),
            }
        }
    }
    sink.files.push(PackageFile { path, data });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_file_is_a_one_file_package() {
        let out = unpack_bytes("pom.xml", b"<project/>", &Limits::default());
        assert_eq!(out.format, "file");
        assert_eq!(out.files[0].path, "pom.xml");
        assert!(out.errors.is_empty());
    }
}
