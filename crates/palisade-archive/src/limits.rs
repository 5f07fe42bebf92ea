use std::fmt;
use std::time::Duration;

/// Hard bounds on what one package may cost to unpack. Reaching one is a finding, never
/// a crash; what was read until then is still analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest artifact file read from disk.
    pub max_artifact_bytes: u64,
    /// Total bytes produced by decompression, over every stream and nesting level.
    pub max_total_bytes: u64,
    /// Number of archive entries (files, folders, links), over every nesting level.
    pub max_entries: u64,
    /// Largest single file kept; a larger one is skipped with a finding.
    pub max_entry_bytes: u64,
    /// How deep archives inside archives are opened (the artifact itself is depth 0).
    pub max_depth: u32,
    /// Largest ratio of decompressed to compressed bytes of one stream...
    pub max_ratio: u64,
    /// ...checked once that stream has produced this many bytes (small files compress
    /// well without being bombs).
    pub ratio_floor_bytes: u64,
    /// Wall-clock time allowed for unpacking one package.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_artifact_bytes: 512 * MIB,
            max_total_bytes: 512 * MIB,
            max_entries: 100_000,
            max_entry_bytes: 64 * MIB,
            max_depth: 4,
            max_ratio: 200,
            ratio_floor_bytes: 4 * MIB,
            max_time: Duration::from_secs(60),
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    ArtifactBytes,
    TotalBytes,
    Entries,
    EntryBytes,
    Depth,
    Ratio,
    Time,
}

impl Limit {
    /// Limits after which nothing more of the package is read.
    pub fn stops_everything(self) -> bool {
        matches!(self, Limit::TotalBytes | Limit::Entries | Limit::Time)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::ArtifactBytes => "artifact size",
            Limit::TotalBytes => "total unpacked size",
            Limit::Entries => "number of entries",
            Limit::EntryBytes => "size of one entry",
            Limit::Depth => "nesting depth",
            Limit::Ratio => "compression ratio",
            Limit::Time => "time per package",
        })
    }
}
