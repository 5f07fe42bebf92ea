//! Digests as registries publish them (hex, base64, Subresource Integrity, Go's `h1:`)
//! turned into one form, [`palisade_core::Digest`] with lower-case hex, and computed
//! over downloaded files.

use crate::RegistryError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use palisade_core::Digest;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use std::io::Read;
use std::path::Path;

/// Algorithm name of Go's directory hash (`h1:` in go.sum and the checksum database).
pub const GO_H1: &str = "h1";

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A digest from lower- or upper-case hex, `None` unless it has the algorithm's length.
pub fn from_hex(algorithm: &str, hex: &str) -> Option<Digest> {
    let hex = hex.trim().to_ascii_lowercase();
    let expected = match algorithm {
        "sha1" => 40,
        "sha256" | GO_H1 => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    (hex.len() == expected && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Digest {
        algorithm: algorithm.to_string(),
        hex,
    })
}

/// A digest from standard base64 (NuGet's `packageHash`, SRI, `h1:`).
pub fn from_base64(algorithm: &str, b64: &str) -> Option<Digest> {
    let bytes = STANDARD.decode(b64.trim()).ok()?;
    from_hex(algorithm, &to_hex(&bytes))
}

/// The strongest digest of a Subresource Integrity string (`sha512-... sha1-...`).
pub fn from_sri(integrity: &str) -> Option<Digest> {
    let rank = |a: &str| match a {
        "sha512" => 3,
        "sha384" => 2,
        "sha256" => 1,
        _ => 0,
    };
    integrity
        .split_whitespace()
        .filter_map(|part| {
            let (algorithm, rest) = part.split_once('-')?;
            // SRI allows `?options` after the hash.
            let b64 = rest.split('?').next()?;
            from_base64(algorithm, b64)
        })
        .max_by_key(|d| rank(&d.algorithm))
}

/// A Go checksum (`h1:base64`) as a digest.
pub fn from_go_h1(text: &str) -> Option<Digest> {
    from_base64(GO_H1, text.trim().strip_prefix("h1:")?)
}

/// How a digest is shown to people: hex, except Go's hash in its own `h1:` form.
pub fn display(digest: &Digest) -> String {
    if digest.algorithm == GO_H1 {
        let bytes: Vec<u8> = (0..digest.hex.len() / 2)
            .filter_map(|i| u8::from_str_radix(digest.hex.get(2 * i..2 * i + 2)?, 16).ok())
            .collect();
        format!("h1:{}", STANDARD.encode(bytes))
    } else {
        digest.hex.clone()
    }
}

/// A second hash computed alongside sha256.
enum Second {
    None,
    Sha1(Sha1),
    Sha384(Sha384),
    Sha512(Sha512),
}

/// The sha256 of a file and, in the same pass, its digest under `other` (one of
/// sha1, sha256, sha384, sha512), both in hex.
pub fn hash_file(
    path: &Path,
    other: Option<&str>,
) -> Result<(String, Option<String>), RegistryError> {
    let mut file = std::fs::File::open(path).map_err(|e| RegistryError::io(path, e))?;
    let mut sha256 = Sha256::new();
    let mut second = match other {
        Some("sha1") => Second::Sha1(Sha1::new()),
        Some("sha384") => Second::Sha384(Sha384::new()),
        Some("sha512") => Second::Sha512(Sha512::new()),
        _ => Second::None,
    };
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| RegistryError::io(path, e))?;
        if n == 0 {
            break;
        }
        let chunk = &buffer[..n];
        sha256.update(chunk);
        match &mut second {
            Second::None => {}
            Second::Sha1(h) => h.update(chunk),
            Second::Sha384(h) => h.update(chunk),
            Second::Sha512(h) => h.update(chunk),
        }
    }
    let sha256 = to_hex(&sha256.finalize());
    let other = match second {
        Second::Sha1(h) => Some(to_hex(&h.finalize())),
        Second::Sha384(h) => Some(to_hex(&h.finalize())),
        Second::Sha512(h) => Some(to_hex(&h.finalize())),
        Second::None => (other == Some("sha256")).then(|| sha256.clone()),
    };
    Ok((sha256, other))
}

/// Go's `dirhash.Hash1` of a module zip, as hex of the raw hash: sha256 over the lines
/// `"{sha256 hex}  {name}\n"` of every entry, sorted by name. Reading stops at
/// `limit` decompressed bytes so that a zip bomb cannot exhaust memory or time.
pub fn go_h1_of_zip(path: &Path, limit: u64) -> Result<String, RegistryError> {
    let malformed = |detail: String| RegistryError::Malformed {
        url: path.display().to_string(),
        detail,
    };
    let file = std::fs::File::open(path).map_err(|e| RegistryError::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| malformed(format!("not a zip file: {e}")))?;
    let mut lines: Vec<(String, String)> = Vec::with_capacity(archive.len());
    let mut budget = limit;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| malformed(format!("zip entry {index}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| malformed(format!("zip entry {index}: {e}")))?
            .to_string();
        if name.contains('\n') {
            return Err(malformed(format!(
                "zip entry name with a newline: {name:?}"
            )));
        }
        let mut hasher = Sha256::new();
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| malformed(format!("zip entry {name}: {e}")))?;
            if n == 0 {
                break;
            }
            budget = budget
                .checked_sub(n as u64)
                .ok_or_else(|| RegistryError::TooLarge {
                    url: path.display().to_string(),
                    limit,
                })?;
            hasher.update(&buffer[..n]);
        }
        lines.push((name, to_hex(&hasher.finalize())));
    }
    lines.sort();
    let mut summary = Sha256::new();
    for (name, hex) in &lines {
        summary.update(format!("{hex}  {name}\n").as_bytes());
    }
    Ok(to_hex(&summary.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_keeps_the_strongest_hash() {
        // sha1 and sha512 of the empty string.
        let sri = "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        let d = from_sri(sri).unwrap();
        assert_eq!(d.algorithm, "sha512");
        assert!(d.hex.starts_with("cf83e1357eefb8bd"));
        assert!(from_sri("md5-1B2M2Y8AsgTpgAmY7PhCfg==").is_none());
    }

    #[test]
    fn hex_digests_are_checked_for_length() {
        assert!(from_hex("sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709").is_some());
        assert!(from_hex("sha1", "da39").is_none());
        assert!(from_hex("md5", "d41d8cd98f00b204e9800998ecf8427e").is_none());
    }

    #[test]
    fn hashes_a_file_with_two_algorithms_in_one_pass() {
        let dir = std::env::temp_dir().join(format!("palisade-digest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let (sha256, sha1) = hash_file(&path, Some("sha1")).unwrap();
        assert_eq!(
            sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha1.unwrap(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn go_h1_round_trips_through_display() {
        let d = from_go_h1("h1:ungpyfDngQdTBE5a9C5eXtZ1FDCfoAnHYVGlpCj6JmE=").unwrap();
        assert_eq!(d.algorithm, GO_H1);
        assert_eq!(
            display(&d),
            "h1:ungpyfDngQdTBE5a9C5eXtZ1FDCfoAnHYVGlpCj6JmE="
        );
        assert!(from_go_h1("h2:abc").is_none());
    }
}
