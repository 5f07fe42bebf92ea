use crate::budget::Budget;
use crate::guard::{Consumed, Guarded};
use crate::limits::Limit;
use crate::paths::inspect_name;
use crate::rules;
use crate::tarball::{report_link, report_name_issues};
use crate::unpack::{Sink, emit_file, stream_error};
use std::io::{Cursor, Read};
use zip::{CompressionMethod, ZipArchive};

/// Longest symlink target read from a zip entry.
const MAX_LINK_TARGET: u64 = 4096;

/// Reads every entry of a zip archive into `sink`. Entries are independent, so a broken
/// one is reported and the others are still read.
pub(crate) fn read_zip(
    budget: &Budget<'_>,
    sink: &mut Sink,
    data: &[u8],
    prefix: &str,
    depth: u32,
) -> Result<(), String> {
    let mut archive =
        ZipArchive::new(Cursor::new(data)).map_err(|e| format!("unreadable zip archive: {e}"))?;
    // The zip reader keys entries by name, so of two entries with one name only one is
    // listed: say so, since tools disagree on which copy wins.
    if archive.has_duplicate_names() {
        let place = if prefix.is_empty() {
            budget.artifact
        } else {
            prefix.trim_end_matches("!/")
        };
        budget.finding(
            rules::DUPLICATE_ENTRY
                .finding(
                    "the central directory lists an entry name more than once; only the last \
                     copy of each such name was analysed",
                )
                .at(place, None),
        );
    }
    for index in 0..archive.len() {
        if budget.is_stopped() {
            break;
        }
        if !budget.take_entry() {
            budget.report_limit(budget.stopped.get().unwrap_or(Limit::Entries), prefix);
            break;
        }
        let meta = match archive.by_index_raw(index) {
            Ok(raw) => EntryMeta {
                name_raw: raw.name_raw().to_vec(),
                encrypted: raw.encrypted(),
                is_dir: raw.is_dir(),
                is_symlink: raw.is_symlink(),
                size: raw.size(),
                compressed_size: raw.compressed_size(),
                compression: raw.compression(),
            },
            Err(err) => {
                budget.error(prefix, format!("zip entry #{index} unreadable: {err}"));
                continue;
            }
        };
        let (name, issues) = inspect_name(&meta.name_raw);
        let path = format!("{prefix}{name}");
        report_name_issues(budget, &path, &issues);
        if meta.is_dir {
            continue;
        }
        if meta.encrypted {
            budget.finding(
                rules::ENCRYPTED_ENTRY
                    .finding("entry is encrypted; its content cannot be analysed")
                    .at(path, None),
            );
            continue;
        }
        if !matches!(
            meta.compression,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            budget.finding(
                rules::UNSUPPORTED_COMPRESSION
                    .finding(format!(
                        "entry compressed with {:?}; not analysed",
                        meta.compression
                    ))
                    .at(path, None),
            );
            continue;
        }
        // A bomb shows in the sizes its headers declare; reading is checked as well, in
        // case they lie.
        let limits = budget.limits;
        if meta.size > limits.ratio_floor_bytes
            && meta.size > limits.max_ratio.saturating_mul(meta.compressed_size.max(1))
        {
            budget.report_limit(Limit::Ratio, &path);
            continue;
        }
        if meta.size > limits.max_entry_bytes {
            budget.report_limit(Limit::EntryBytes, &path);
            continue;
        }
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(err) => {
                budget.error(&path, format!("zip entry unreadable: {err}"));
                continue;
            }
        };
        if meta.is_symlink {
            let mut target = Vec::new();
            let _ = (&mut file).take(MAX_LINK_TARGET).read_to_end(&mut target);
            let target = String::from_utf8_lossy(&target);
            report_link(budget, &path, &name, &target, false);
            continue;
        }
        let limit = budget.limits.max_entry_bytes;
        let mut data = Vec::with_capacity(meta.size.min(1 << 20) as usize);
        let read = Guarded::new(&mut file, budget, Consumed::Known(meta.compressed_size))
            .take(limit + 1)
            .read_to_end(&mut data);
        if let Err(err) = read {
            stream_error(budget, &path, "zip entry", &err);
            continue;
        }
        if data.len() as u64 > limit {
            budget.report_limit(Limit::EntryBytes, &path);
            continue;
        }
        emit_file(budget, sink, path, data, depth);
    }
    Ok(())
}

struct EntryMeta {
    name_raw: Vec<u8>,
    encrypted: bool,
    is_dir: bool,
    is_symlink: bool,
    size: u64,
    compressed_size: u64,
    compression: CompressionMethod,
}
