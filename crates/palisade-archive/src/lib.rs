//! Identify an artifact by its bytes (never by its name) and unpack it into memory,
//! within hard limits.
//!
//! Every input is assumed hostile. The unpacker never writes to disk, never follows a
//! link, and stops at the limits in [`Limits`]: total unpacked bytes, number of entries,
//! bytes per entry, nesting depth of archives inside archives, compression ratio and
//! time. Whatever goes wrong — a path that climbs out of the package, a link, a bomb, a
//! truncated stream — becomes a [`Finding`](palisade_core::Finding) or an error naming
//! the file, and the rest of the artifact is still read.
//!
//! ```
//! use palisade_archive::{unpack_bytes, Limits};
//! let unpacked = unpack_bytes("not-an-archive.txt", b"print('hi')\n", &Limits::default());
//! assert_eq!(unpacked.files.len(), 1);
//! ```

mod budget;
mod dir;
mod guard;
mod limits;
mod paths;
pub mod rules;
mod sniff;
mod tarball;
mod unpack;
mod zipfile;

pub use dir::unpack_dir;
pub use limits::{Limit, Limits};
pub use sniff::{Compression, Kind, sniff};
pub use unpack::{Unpacked, read_artifact, unpack_bytes, unpack_file};
