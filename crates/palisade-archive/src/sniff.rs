//! Recognising formats by magic bytes. File names are never trusted: a `.tgz` that is a
//! zip is read as a zip, and a `.png` that is a tarball is read as a tarball.

/// A compression layer around a single stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    /// Recognised but not supported by any of the seven ecosystems' artifact formats.
    Zstd,
}

impl Compression {
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Gzip => "gz",
            Compression::Bzip2 => "bz2",
            Compression::Xz => "xz",
            Compression::Zstd => "zst",
        }
    }
}

/// What a byte buffer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Compressed(Compression),
    Tar,
    Zip,
    /// Anything else: a single file.
    Plain,
}

impl Kind {
    pub fn is_container(self) -> bool {
        !matches!(self, Kind::Plain)
    }
}

/// The kind of `data`, from its first bytes.
pub fn sniff(data: &[u8]) -> Kind {
    if data.starts_with(&[0x1f, 0x8b]) {
        Kind::Compressed(Compression::Gzip)
    } else if data.starts_with(b"BZh") && data.len() > 3 && (b'1'..=b'9').contains(&data[3]) {
        Kind::Compressed(Compression::Bzip2)
    } else if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Kind::Compressed(Compression::Xz)
    } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Kind::Compressed(Compression::Zstd)
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if is_tar(data) {
        Kind::Tar
    } else {
        Kind::Plain
    }
}

/// POSIX and GNU tar headers carry `ustar` at offset 257; old v7 archives do not, so
/// fall back to the header checksum, which random data almost never satisfies.
fn is_tar(data: &[u8]) -> bool {
    if data.len() < 512 {
        return false;
    }
    let header = &data[..512];
    if &header[257..262] == b"ustar" {
        return true;
    }
    let Some(stored) = parse_octal(&header[148..156]) else {
        return false;
    };
    let computed: u64 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    // An all-zero block sums to 256 from the blank checksum field alone: not a header.
    stored == computed && header[0] != 0
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == ' ' || c == '\0');
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_magic_bytes() {
        assert_eq!(
            sniff(&[0x1f, 0x8b, 8, 0]),
            Kind::Compressed(Compression::Gzip)
        );
        assert_eq!(sniff(b"BZh91AY&SY"), Kind::Compressed(Compression::Bzip2));
        assert_eq!(sniff(b"BZhX"), Kind::Plain);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(sniff(b"<project>"), Kind::Plain);
        assert_eq!(sniff(&[0u8; 1024]), Kind::Plain);
    }

    #[test]
    fn recognises_tar_with_and_without_ustar_magic() {
        let mut header = tar::Header::new_gnu();
        header.set_path("a.txt").unwrap();
        header.set_size(0);
        header.set_cksum();
        assert_eq!(sniff(header.as_bytes()), Kind::Tar);

        let mut old = tar::Header::new_old();
        old.set_path("a.txt").unwrap();
        old.set_size(0);
        old.set_cksum();
        assert_eq!(sniff(old.as_bytes()), Kind::Tar);
    }
}
