//! Reading advisories from what people have: an OSV `all.zip` as the OSV project
//! publishes per ecosystem, a folder of OSV JSON or YAML files, or a checkout of an
//! advisory repository (the PyPA, Go and GitHub advisory databases keep one record per
//! file). Files that are not OSV records (a repository's CI YAML, a README) are
//! counted as skipped with the first few reasons kept, not fatal.

use super::DbError;
use crate::{Advisory, osv_ecosystem};
use palisade_core::Ecosystem;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A single record file larger than this is refused; real records are a few KiB.
const MAX_RECORD_FILE: u64 = 16 << 20;
/// Files read from one source; the largest OSV export has a few hundred thousand.
const MAX_FILES: usize = 5_000_000;
/// Folder depth followed in a checkout.
const MAX_DEPTH: usize = 32;
/// Reasons kept for skipped files, to show the user.
const MAX_REASONS: usize = 10;

/// One parsed record: its id, its modification time, its JSON and the packages it names.
pub(crate) struct ImportedRecord {
    pub id: String,
    pub modified: i64,
    pub malicious: bool,
    pub withdrawn: bool,
    pub json: Vec<u8>,
    pub keys: Vec<(Ecosystem, String)>,
}

/// What one source gave.
#[derive(Debug, Default)]
pub struct SourceReport {
    pub records: usize,
    /// Records that name none of the seven ecosystems (Debian, Alpine...).
    pub other_ecosystems: usize,
    pub skipped: usize,
    pub skip_reasons: Vec<String>,
}

pub(crate) fn read_source(
    path: &Path,
    out: &mut Vec<ImportedRecord>,
) -> Result<SourceReport, DbError> {
    let meta = std::fs::metadata(path).map_err(|e| DbError::io(path, e))?;
    let mut report = SourceReport::default();
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, 0, &mut files)?;
        files.sort();
        for file in files {
            let origin = file.display().to_string();
            match read_limited(&file) {
                Ok(text) => take(&text, &origin, is_yaml(&file), out, &mut report),
                Err(reason) => skip(&mut report, format!("{origin}: {reason}")),
            }
        }
    } else if is_zip(path)? {
        read_zip(path, out, &mut report)?;
    } else {
        let text = read_limited(path).map_err(|r| DbError::new(path, r))?;
        let origin = path.display().to_string();
        match parse(&text, &origin, is_yaml(path)) {
            Ok(record) => push(record, out, &mut report),
            Err(reason) => return Err(DbError::new(path, reason)),
        }
    }
    Ok(report)
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn is_zip(path: &Path) -> Result<bool, DbError> {
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(|e| DbError::io(path, e))?;
    Ok(file.read(&mut magic).map_err(|e| DbError::io(path, e))? == 4 && &magic == b"PK\x03\x04")
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), DbError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| DbError::io(dir, e))? {
        let entry = entry.map_err(|e| DbError::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| DbError::io(&entry.path(), e))?;
        if kind.is_dir() {
            walk(&entry.path(), depth + 1, files)?;
        } else if kind.is_file()
            && matches!(
                Path::new(&*name).extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        {
            if files.len() >= MAX_FILES {
                return Err(DbError::new(dir, format!("more than {MAX_FILES} files")));
            }
            files.push(entry.path());
        }
    }
    Ok(())
}

fn read_limited(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = String::new();
    file.take(MAX_RECORD_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_RECORD_FILE {
        return Err(format!("larger than {MAX_RECORD_FILE} bytes"));
    }
    Ok(text)
}

fn read_zip(
    path: &Path,
    out: &mut Vec<ImportedRecord>,
    report: &mut SourceReport,
) -> Result<(), DbError> {
    let file = std::fs::File::open(path).map_err(|e| DbError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| DbError::new(path, format!("not a readable zip: {e}")))?;
    if archive.len() > MAX_FILES {
        return Err(DbError::new(path, format!("more than {MAX_FILES} entries")));
    }
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| DbError::new(path, format!("entry {index}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("entry {index}"));
        let origin = format!("{}!/{name}", path.display());
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !(yaml || name.ends_with(".json")) {
            skip(report, format!("{origin}: not a .json or .yaml file"));
            continue;
        }
        let mut text = String::new();
        match (&mut entry)
            .take(MAX_RECORD_FILE + 1)
            .read_to_string(&mut text)
        {
            Ok(n) if n as u64 <= MAX_RECORD_FILE => take(&text, &origin, yaml, out, report),
            Ok(_) => skip(
                report,
                format!("{origin}: larger than {MAX_RECORD_FILE} bytes"),
            ),
            Err(e) => skip(report, format!("{origin}: {e}")),
        }
    }
    Ok(())
}

fn skip(report: &mut SourceReport, reason: String) {
    report.skipped += 1;
    if report.skip_reasons.len() < MAX_REASONS {
        report.skip_reasons.push(reason);
    }
}

fn take(
    text: &str,
    origin: &str,
    yaml: bool,
    out: &mut Vec<ImportedRecord>,
    report: &mut SourceReport,
) {
    match parse(text, origin, yaml) {
        Ok(record) => push(record, out, report),
        Err(reason) => skip(report, reason),
    }
}

/// Re-reads a record already stored in a database (merging keeps the old ones).
pub(crate) fn read_text(
    text: &str,
    db: &Path,
    out: &mut Vec<ImportedRecord>,
    report: &mut SourceReport,
) {
    take(text, &db.display().to_string(), false, out, report);
}

fn push(record: ImportedRecord, out: &mut Vec<ImportedRecord>, report: &mut SourceReport) {
    if record.keys.is_empty() {
        report.other_ecosystems += 1;
    } else {
        report.records += 1;
        out.push(record);
    }
}

/// Parses and validates one record, and keeps its JSON (YAML is converted) for storage.
fn parse(text: &str, origin: &str, yaml: bool) -> Result<ImportedRecord, String> {
    let (advisory, json) = if yaml {
        let advisory = Advisory::from_yaml_at(text, origin).map_err(|e| e.to_string())?;
        let value: serde_json::Value =
            serde_yaml_ng::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        (
            advisory,
            serde_json::to_vec(&value).map_err(|e| format!("{origin}: {e}"))?,
        )
    } else {
        let advisory = Advisory::from_json_at(text, origin).map_err(|e| e.to_string())?;
        // Re-serialised compactly: exports are pretty-printed, and the store pays for
        // every byte of whitespace.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        (
            advisory,
            serde_json::to_vec(&value).map_err(|e| format!("{origin}: {e}"))?,
        )
    };
    let mut keys: Vec<(Ecosystem, String)> = advisory
        .affected
        .iter()
        .filter_map(|a| {
            let package = a.package.as_ref()?;
            let ecosystem = osv_ecosystem(&package.ecosystem)?;
            Some((
                ecosystem,
                crate::name::normalize(ecosystem, &package.name).into_owned(),
            ))
        })
        .collect();
    keys.sort();
    keys.dedup();
    Ok(ImportedRecord {
        modified: palisade_core::time::parse_rfc3339(&advisory.modified).unwrap_or(0),
        malicious: advisory.is_malicious(),
        withdrawn: advisory.withdrawn.is_some(),
        id: advisory.id,
        json,
        keys,
    })
}
