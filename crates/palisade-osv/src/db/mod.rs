//! The local advisory database: OSV vulnerability and malicious-package (`MAL-`)
//! records for the seven ecosystems, in one embedded file that opens in milliseconds
//! and answers "which advisories name this package?" with a binary search, parsing
//! only the records it returns.
//!
//! [`Database::import`] merges sources into the file (a newer `modified` wins for the
//! same id); [`update`] downloads the OSV project's per-ecosystem exports first.

mod import;
mod store;
mod update;

pub use import::SourceReport;
pub use update::{DEFAULT_SOURCE, UpdateOptions, update};

use crate::Advisory;
use palisade_core::Ecosystem;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use store::{RecordToWrite, Store};

/// An error about the database file or a source, naming it.
#[derive(Debug)]
pub struct DbError {
    pub path: PathBuf,
    pub reason: String,
}

impl DbError {
    pub(crate) fn new(path: &Path, reason: impl Into<String>) -> DbError {
        DbError {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: &Path, err: std::io::Error) -> DbError {
        DbError::new(path, err.to_string())
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for DbError {}

/// What the database holds, stored in its header so that `db status` reads nothing else.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbHeader {
    /// When the file was written, Unix seconds.
    pub built_at: i64,
    /// The newest `modified` among the records, Unix seconds: how fresh the data is.
    pub newest_record: i64,
    pub records: usize,
    pub malicious: usize,
    pub withdrawn: usize,
    /// Records per ecosystem (a record naming two ecosystems counts in both).
    pub per_ecosystem: BTreeMap<String, usize>,
    /// Every import that built this file, oldest first.
    pub sources: Vec<SourceInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceInfo {
    pub source: String,
    pub imported_at: i64,
    pub records: usize,
    pub skipped: usize,
}

/// An open advisory database.
pub struct Database {
    path: PathBuf,
    store: Store,
}

/// Where the database lives unless `--db` or `PALISADE_DB` says otherwise: the user's
/// data directory (`$XDG_DATA_HOME/palisade/advisories.db`, else
/// `~/.local/share/palisade/advisories.db`).
pub fn default_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(db) = var("PALISADE_DB") {
        return Some(PathBuf::from(db));
    }
    let data = var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".local/share")))?;
    Some(data.join("palisade/advisories.db"))
}

impl Database {
    pub fn open(path: &Path) -> Result<Database, DbError> {
        if !path.exists() {
            return Err(DbError::new(
                path,
                "no advisory database here: run `palisade db update` or `palisade db import PATH` first",
            ));
        }
        Ok(Database {
            path: path.to_path_buf(),
            store: Store::open(path)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn header(&self) -> &DbHeader {
        &self.store.header
    }

    /// Distinct package names with at least one record, per ecosystem.
    pub fn packages_per_ecosystem(&self) -> Vec<(Ecosystem, usize)> {
        self.store.key_count_by_ecosystem()
    }

    /// Every record naming `name` in `ecosystem` (names normalised as the ecosystem
    /// does), withdrawn ones included; [`Advisory::affects`] ignores those.
    pub fn advisories(&self, ecosystem: Ecosystem, name: &str) -> Result<Vec<Advisory>, DbError> {
        let key = crate::name::normalize(ecosystem, name);
        let mut out = Vec::new();
        for number in self.store.postings(ecosystem, &key) {
            let json = self.store.record_json(&self.path, number)?;
            let text = String::from_utf8(json).map_err(|_| {
                DbError::new(&self.path, format!("damaged: record {number} is not UTF-8"))
            })?;
            let advisory =
                Advisory::from_json_at(&text, &format!("{}#{number}", self.path.display()))
                    .map_err(|e| DbError::new(&self.path, format!("damaged: {e}")))?;
            out.push(advisory);
        }
        Ok(out)
    }

    /// Merges the records of `sources` into the database at `path` (created if
    /// missing) and returns what each source gave. For the same id, the record with
    /// the newer `modified` wins. A source that cannot be read at all is an error and
    /// nothing is written.
    pub fn import(
        path: &Path,
        sources: &[PathBuf],
        now: i64,
    ) -> Result<Vec<(PathBuf, SourceReport)>, DbError> {
        let mut records = Vec::new();
        let mut reports = Vec::new();
        for source in sources {
            let report = import::read_source(source, &mut records)?;
            reports.push((source.clone(), report));
        }
        let mut header = if path.exists() {
            let existing = Database::open(path)?;
            let mut old = Vec::with_capacity(existing.store.record_count());
            for number in 0..existing.store.record_count() as u32 {
                let json = existing.store.record_json(path, number)?;
                let text = String::from_utf8_lossy(&json).into_owned();
                let mut report = SourceReport::default();
                import::read_text(&text, path, &mut old, &mut report);
            }
            old.append(&mut records);
            records = old;
            existing.store.header.clone()
        } else {
            DbHeader::default()
        };
        // Later entries win ties, so a re-import of the same data replaces the old copy.
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<Option<import::ImportedRecord>> = Vec::new();
        for record in records {
            match by_id.get(&record.id) {
                Some(&at)
                    if kept[at]
                        .as_ref()
                        .is_some_and(|k| k.modified > record.modified) => {}
                Some(&at) => kept[at] = Some(record),
                None => {
                    by_id.insert(record.id.clone(), kept.len());
                    kept.push(Some(record));
                }
            }
        }
        let mut kept: Vec<_> = kept.into_iter().flatten().collect();
        kept.sort_by(|a, b| a.id.cmp(&b.id));
        header.built_at = now;
        header.records = kept.len();
        header.malicious = kept.iter().filter(|r| r.malicious).count();
        header.withdrawn = kept.iter().filter(|r| r.withdrawn).count();
        header.newest_record = kept.iter().map(|r| r.modified).max().unwrap_or(0);
        header.per_ecosystem.clear();
        for record in &kept {
            let mut ecosystems: Vec<_> = record.keys.iter().map(|(e, _)| *e).collect();
            ecosystems.dedup();
            for e in ecosystems {
                *header.per_ecosystem.entry(e.to_string()).or_default() += 1;
            }
        }
        for (source, report) in &reports {
            header.sources.push(SourceInfo {
                source: source.display().to_string(),
                imported_at: now,
                records: report.records,
                skipped: report.skipped,
            });
        }
        let to_write: Vec<RecordToWrite> = kept
            .into_iter()
            .map(|r| RecordToWrite {
                json: r.json,
                keys: r.keys,
            })
            .collect();
        store::write(path, &header, &to_write)?;
        Ok(reports)
    }
}

#[cfg(test)]
mod tests;
