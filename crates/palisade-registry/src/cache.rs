//! The artifact cache: files named by their sha256 (`ab/abcdef...`), written through a
//! temporary file and a rename so that a reader never sees half a file, plus a small
//! index from other published digests (sha512, sha1, Go `h1:`) to the sha256 of a file
//! already verified against them.

use crate::RegistryError;
use crate::digest::to_hex;
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A content-addressed store of downloaded artifacts.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// `$PALISADE_CACHE_DIR`, else `$XDG_CACHE_HOME/palisade/artifacts`, else
    /// `~/.cache/palisade/artifacts`.
    pub fn from_env() -> Result<Self, RegistryError> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = var("PALISADE_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| var("XDG_CACHE_HOME").map(|d| Path::new(&d).join("palisade/artifacts")))
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache/palisade/artifacts")))
            .ok_or_else(|| {
                RegistryError::Config(
                    "no cache directory: set PALISADE_CACHE_DIR, XDG_CACHE_HOME or HOME".into(),
                )
            })?;
        Ok(Cache::new(dir))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file with this sha256 (lower-case hex) lives, whether or not it is there.
    pub fn path_for(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    /// The cached file with this sha256, if it is there and still has that sha256 (a
    /// damaged or altered file is removed and reported absent).
    pub fn get(&self, sha256: &str) -> Result<Option<PathBuf>, RegistryError> {
        if !is_sha256_hex(sha256) {
            return Ok(None);
        }
        let path = self.path_for(sha256);
        if !path.is_file() {
            return Ok(None);
        }
        let (actual, _) = crate::digest::hash_file(&path, None)?;
        if actual == sha256 {
            Ok(Some(path))
        } else {
            let _ = std::fs::remove_file(&path);
            Ok(None)
        }
    }

    /// A new temporary file inside the cache, removed on drop unless committed.
    pub(crate) fn temp_file(&self) -> Result<TempFile, RegistryError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| RegistryError::io(&tmp, e))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = tmp.join(format!(
            "{}-{}-{nanos}.part",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| RegistryError::io(&path, e))?;
        Ok(TempFile { file, path })
    }

    /// Moves a verified temporary file to its place. A file already there has the same
    /// content by construction, so either copy may win.
    pub(crate) fn commit(&self, temp: TempFile, sha256: &str) -> Result<PathBuf, RegistryError> {
        let target = self.path_for(sha256);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| RegistryError::io(parent, e))?;
        }
        // On failure the temporary file goes when `temp` is dropped; after success its
        // old path no longer exists and that drop does nothing.
        std::fs::rename(&temp.path, &target).map_err(|e| RegistryError::io(&target, e))?;
        Ok(target)
    }

    /// The sha256 of the file earlier verified against the published digest `key`.
    pub(crate) fn index_get(&self, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.index_path(key)).ok()?;
        let sha256 = text.trim();
        is_sha256_hex(sha256).then(|| sha256.to_string())
    }

    /// Records that the file `sha256` was verified against the published digest `key`.
    pub(crate) fn index_put(&self, key: &str, sha256: &str) -> Result<(), RegistryError> {
        let path = self.index_path(key);
        let dir = self.dir.join("index");
        std::fs::create_dir_all(&dir).map_err(|e| RegistryError::io(&dir, e))?;
        let mut temp = self.temp_file()?;
        std::io::Write::write_all(&mut temp.file, sha256.as_bytes())
            .map_err(|e| RegistryError::io(&temp.path, e))?;
        std::fs::rename(&temp.path, &path).map_err(|e| RegistryError::io(&path, e))
    }

    fn index_path(&self, key: &str) -> PathBuf {
        // Keys hold `:` and arbitrary registry text; their hash is a safe file name.
        self.dir
            .join("index")
            .join(to_hex(&Sha256::digest(key.as_bytes())))
    }
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A temporary file in the cache directory; deleted when dropped uncommitted.
#[derive(Debug)]
pub(crate) struct TempFile {
    pub file: std::fs::File,
    pub path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // After a commit the path no longer exists and this fails harmlessly.
        let _ = std::fs::remove_file(&self.path);
    }
}
