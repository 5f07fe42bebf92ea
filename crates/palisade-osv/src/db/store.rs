//! The on-disk layout of the advisory database: one file, an index that is read whole
//! when the database opens, and compressed records read one by one when a lookup needs
//! them. An audit touches a few dozen records out of hundreds of thousands, so opening
//! must not parse them.
//!
//! ```text
//! "PALOSVDB" | u32 format | u32 header length | header JSON
//! u32 key count | keys: (u8 ecosystem, 3 pad, u32 name offset, u32 name length,
//!                        u32 first posting, u32 posting count), sorted by (ecosystem, name)
//! u32 names length | names (normalised package names, UTF-8)
//! u32 posting count | postings: u32 record numbers
//! u32 record count | records: (u64 offset, u32 length) into the blob area
//! blob area: each record's OSV JSON, deflate-compressed
//! ```
//! Integers are little-endian. Every offset read back is checked against the file, so
//! a damaged file is an error naming it, never a panic or an out-of-bounds read.

use super::{DbError, DbHeader};
use flate2::Compression;
use flate2::write::DeflateEncoder;
use flate2::{Decompress, FlushDecompress, Status};
use palisade_core::Ecosystem;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"PALOSVDB";
pub(crate) const FORMAT: u32 = 1;
const KEY_SIZE: usize = 20;
/// A record larger than this when inflated is refused; real ones are a few KiB.
const MAX_RECORD: u64 = 16 << 20;

/// One record ready to be written: its JSON and the packages it names.
pub(crate) struct RecordToWrite {
    pub json: Vec<u8>,
    pub keys: Vec<(Ecosystem, String)>,
}

pub(crate) fn ecosystem_code(e: Ecosystem) -> u8 {
    Ecosystem::ALL.iter().position(|x| *x == e).unwrap_or(0) as u8
}

fn ecosystem_of(code: u8) -> Option<Ecosystem> {
    Ecosystem::ALL.get(code as usize).copied()
}

/// Writes a complete database to `path`, atomically (a temporary file renamed over it).
pub(crate) fn write(
    path: &Path,
    header: &DbHeader,
    records: &[RecordToWrite],
) -> Result<(), DbError> {
    let mut keys: Vec<(u8, &str, u32)> = Vec::new();
    for (number, record) in records.iter().enumerate() {
        for (ecosystem, name) in &record.keys {
            keys.push((ecosystem_code(*ecosystem), name.as_str(), number as u32));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut key_table = Vec::new();
    let mut names = Vec::new();
    let mut postings: Vec<u32> = Vec::new();
    let mut i = 0;
    let mut key_count = 0u32;
    while i < keys.len() {
        let (code, name, _) = keys[i];
        let first = postings.len() as u32;
        while i < keys.len() && keys[i].0 == code && keys[i].1 == name {
            postings.push(keys[i].2);
            i += 1;
        }
        key_table.push(code);
        key_table.extend_from_slice(&[0, 0, 0]);
        key_table.extend_from_slice(&(names.len() as u32).to_le_bytes());
        key_table.extend_from_slice(&(name.len() as u32).to_le_bytes());
        key_table.extend_from_slice(&first.to_le_bytes());
        key_table.extend_from_slice(&(postings.len() as u32 - first).to_le_bytes());
        names.extend_from_slice(name.as_bytes());
        key_count += 1;
    }
    let mut blobs = Vec::new();
    let mut table = Vec::with_capacity(records.len() * 12);
    for record in records {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&record.json)
            .map_err(|e| DbError::io(path, e))?;
        let compressed = encoder.finish().map_err(|e| DbError::io(path, e))?;
        table.extend_from_slice(&(blobs.len() as u64).to_le_bytes());
        table.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        blobs.extend_from_slice(&compressed);
    }
    let header_json = serde_json::to_vec(header).map_err(|e| DbError::new(path, e.to_string()))?;

    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| DbError::io(parent, e))?;
    }
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut out = BufWriter::new(File::create(&temp)?);
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT.to_le_bytes())?;
        out.write_all(&(header_json.len() as u32).to_le_bytes())?;
        out.write_all(&header_json)?;
        out.write_all(&key_count.to_le_bytes())?;
        out.write_all(&key_table)?;
        out.write_all(&(names.len() as u32).to_le_bytes())?;
        out.write_all(&names)?;
        out.write_all(&(postings.len() as u32).to_le_bytes())?;
        for p in &postings {
            out.write_all(&p.to_le_bytes())?;
        }
        out.write_all(&(records.len() as u32).to_le_bytes())?;
        out.write_all(&table)?;
        out.write_all(&blobs)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(DbError::io(&temp, err));
    }
    std::fs::rename(&temp, path).map_err(|e| DbError::io(path, e))
}

/// An opened database file: the index in memory, the records on disk.
pub(crate) struct Store {
    pub header: DbHeader,
    keys: Vec<u8>,
    names: Vec<u8>,
    postings: Vec<u32>,
    records: Vec<(u64, u32)>,
    blob_start: u64,
    file_len: u64,
    open: Mutex<(File, Decompress)>,
}

fn read_u32(file: &mut impl Read) -> std::io::Result<u32> {
    let mut buf = [0u8; 4];
    file.read_exact(&mut buf)?;
    Ok(u32::from_le_bytes(buf))
}

fn read_vec(file: &mut impl Read, len: u64, remaining: u64) -> std::io::Result<Vec<u8>> {
    if len > remaining {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a section is longer than the file",
        ));
    }
    let mut buf = vec![0u8; len as usize];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, DbError> {
        let mut file = File::open(path).map_err(|e| DbError::io(path, e))?;
        let file_len = file.metadata().map_err(|e| DbError::io(path, e))?.len();
        let damaged = |what: &str| {
            DbError::new(
                path,
                format!("not a Palisade advisory database, or damaged: {what}"),
            )
        };
        let mut reader = std::io::BufReader::new(&mut file);
        let mut magic = [0u8; 8];
        reader
            .read_exact(&mut magic)
            .map_err(|_| damaged("too short"))?;
        if &magic != MAGIC {
            return Err(damaged("wrong magic bytes"));
        }
        let format = read_u32(&mut reader).map_err(|_| damaged("no format"))?;
        if format != FORMAT {
            return Err(DbError::new(
                path,
                format!(
                    "database format {format}, this Palisade reads {FORMAT}: run `palisade db update` or `db import` again"
                ),
            ));
        }
        let io = |e: std::io::Error| DbError::new(path, format!("damaged: {e}"));
        let len = read_u32(&mut reader).map_err(io)? as u64;
        let header_bytes = read_vec(&mut reader, len, file_len).map_err(io)?;
        let header: DbHeader =
            serde_json::from_slice(&header_bytes).map_err(|e| damaged(&e.to_string()))?;
        let key_count = read_u32(&mut reader).map_err(io)? as u64;
        let keys = read_vec(&mut reader, key_count * KEY_SIZE as u64, file_len).map_err(io)?;
        let names_len = read_u32(&mut reader).map_err(io)? as u64;
        let names = read_vec(&mut reader, names_len, file_len).map_err(io)?;
        let posting_count = read_u32(&mut reader).map_err(io)? as u64;
        let raw = read_vec(&mut reader, posting_count * 4, file_len).map_err(io)?;
        let postings = raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let record_count = read_u32(&mut reader).map_err(io)? as u64;
        let raw = read_vec(&mut reader, record_count * 12, file_len).map_err(io)?;
        let records: Vec<(u64, u32)> = raw
            .chunks_exact(12)
            .map(|c| {
                let mut off = [0u8; 8];
                off.copy_from_slice(&c[..8]);
                (
                    u64::from_le_bytes(off),
                    u32::from_le_bytes([c[8], c[9], c[10], c[11]]),
                )
            })
            .collect();
        let blob_start = 8
            + 4
            + 4
            + len
            + 4
            + key_count * KEY_SIZE as u64
            + 4
            + names_len
            + 4
            + posting_count * 4
            + 4
            + record_count * 12;
        drop(reader);
        Ok(Store {
            header,
            keys,
            names,
            postings,
            records,
            blob_start,
            file_len,
            open: Mutex::new((file, Decompress::new(false))),
        })
    }

    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    fn key(&self, index: usize) -> Option<(u8, &[u8], u32, u32)> {
        let k = self.keys.get(index * KEY_SIZE..(index + 1) * KEY_SIZE)?;
        let word = |at: usize| u32::from_le_bytes([k[at], k[at + 1], k[at + 2], k[at + 3]]);
        let (name_off, name_len) = (word(4) as usize, word(8) as usize);
        let name = self.names.get(name_off..name_off.checked_add(name_len)?)?;
        Some((k[0], name, word(12), word(16)))
    }

    /// Record numbers of the advisories naming (`ecosystem`, normalised `name`).
    pub fn postings(&self, ecosystem: Ecosystem, name: &str) -> Vec<u32> {
        let wanted = (ecosystem_code(ecosystem), name.as_bytes());
        let (mut low, mut high) = (0usize, self.keys.len() / KEY_SIZE);
        while low < high {
            let mid = (low + high) / 2;
            let Some((code, key_name, first, count)) = self.key(mid) else {
                return Vec::new();
            };
            match (code, key_name).cmp(&wanted) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => {
                    let (first, count) = (first as usize, count as usize);
                    return self
                        .postings
                        .get(first..first.saturating_add(count))
                        .map(<[u32]>::to_vec)
                        .unwrap_or_default();
                }
            }
        }
        Vec::new()
    }

    /// Every (ecosystem, name) key, for status and merging.
    pub fn key_count_by_ecosystem(&self) -> Vec<(Ecosystem, usize)> {
        let mut counts = vec![0usize; Ecosystem::ALL.len()];
        for i in 0..self.keys.len() / KEY_SIZE {
            if let Some((code, ..)) = self.key(i)
                && let Some(slot) = counts.get_mut(code as usize)
            {
                *slot += 1;
            }
        }
        counts
            .into_iter()
            .enumerate()
            .filter_map(|(i, n)| Some((ecosystem_of(i as u8)?, n)))
            .collect()
    }

    /// The JSON of record `number`, inflated.
    pub fn record_json(&self, path: &Path, number: u32) -> Result<Vec<u8>, DbError> {
        let &(offset, len) = self.records.get(number as usize).ok_or_else(|| {
            DbError::new(
                path,
                format!("damaged: record {number} is not in the table"),
            )
        })?;
        let start = self.blob_start.checked_add(offset).filter(|s| {
            s.checked_add(len as u64)
                .is_some_and(|end| end <= self.file_len)
        });
        let start = start.ok_or_else(|| {
            DbError::new(
                path,
                format!("damaged: record {number} lies past the end of the file"),
            )
        })?;
        let mut compressed = vec![0u8; len as usize];
        // One lock for the file and the inflater: a lookup is a short read, and the
        // inflater's 32 KiB window is reused instead of allocated and cleared per record.
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let (file, inflater) = &mut *open;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| DbError::io(path, e))?;
        file.read_exact(&mut compressed)
            .map_err(|e| DbError::io(path, e))?;
        inflater.reset(false);
        let damaged = |why: String| DbError::new(path, format!("damaged: record {number}: {why}"));
        let mut json: Vec<u8> =
            Vec::with_capacity((len as usize).saturating_mul(4).min(MAX_RECORD as usize));
        loop {
            let consumed = inflater.total_in() as usize;
            let status = inflater
                .decompress_vec(
                    compressed.get(consumed..).unwrap_or_default(),
                    &mut json,
                    FlushDecompress::Finish,
                )
                .map_err(|e| damaged(e.to_string()))?;
            if json.len() as u64 > MAX_RECORD {
                return Err(damaged(format!("inflates past {MAX_RECORD} bytes")));
            }
            match status {
                Status::StreamEnd => break,
                _ if json.len() == json.capacity() => json.reserve(json.capacity().max(4096)),
                // No room was missing and no end was reached: the stream is cut short.
                _ => return Err(damaged("the compressed record ends early".into())),
            }
        }
        Ok(json)
    }
}
