//! Whatever the bytes, the unpacker returns: garbage, empty input, real archives cut at
//! every kind of offset or with flipped bytes, and folders holding links and FIFOs.

mod common;

use common::{finding, paths, real, rules, tar_gz};
use palisade_archive::{Limits, Unpacked, unpack_bytes, unpack_dir};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const REAL: &[&str] = &[
    "left-pad-1.3.0.tgz",
    "esbuild-0.19.0.tgz",
    "six-1.16.0.tar.gz",
    "six-1.16.0-py2.py3-none-any.whl",
    "anyhow-1.0.104.crate",
    "async-trait-0.1.92.crate",
];

/// xorshift64: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// What must hold of any result: errors name the artifact, and limits were kept.
fn check_invariants(name: &str, out: &Unpacked, limits: &Limits) {
    for error in &out.errors {
        assert!(error.starts_with(&format!("{name}: ")), "{error}");
    }
    assert!(out.unpacked_bytes <= limits.max_total_bytes + 1024 * 1024);
    assert!(out.entries <= limits.max_entries + 1);
    for f in &out.findings {
        assert!(f.rule.starts_with("archive/"), "{f:?}");
    }
}

#[test]
fn random_garbage_never_panics() {
    let prefixes: &[&[u8]] = &[
        b"",
        &[0x1f, 0x8b, 0x08, 0x00],
        &[0x1f, 0x8b],
        b"BZh9",
        b"BZh91AY&SY",
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x00, 0x04],
        &[0x28, 0xb5, 0x2f, 0xfd],
        b"PK\x03\x04",
        b"PK\x05\x06",
    ];
    let limits = Limits::default();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..400 {
        let prefix = prefixes[round % prefixes.len()];
        let len = rng.below(3000) as usize;
        let mut data = prefix.to_vec();
        data.extend(rng.bytes(len));
        let name = format!("garbage-{round}.bin");
        let out = unpack_bytes(&name, &data, &limits);
        check_invariants(&name, &out, &limits);
    }
}

#[test]
fn random_tar_headers_never_panic() {
    // Valid checksums over random fields: the tar reader has to parse every field.
    let limits = Limits::default();
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for round in 0..300 {
        let mut block = rng.bytes(512);
        block[257..263].copy_from_slice(b"ustar\0");
        if round % 3 == 0 {
            // A plausible octal size, so that the data that follows is read.
            let size = format!("{:011o}\0", rng.below(5000));
            block[124..136].copy_from_slice(size.as_bytes());
        }
        let mut header = tar::Header::from_byte_slice(&block).clone();
        header.set_cksum();
        let mut data = header.as_bytes().to_vec();
        let len = rng.below(6000) as usize;
        data.extend(rng.bytes(len));
        let name = format!("header-{round}.tar");
        let out = unpack_bytes(&name, &data, &limits);
        check_invariants(&name, &out, &limits);
        // The same, compressed: the bytes reach the tar reader through a decompressor.
        let name = format!("header-{round}.tgz");
        let out = unpack_bytes(&name, &common::gzip(&data), &limits);
        check_invariants(&name, &out, &limits);
    }
}

#[test]
fn empty_and_tiny_inputs() {
    let limits = Limits::default();
    for len in 0..64 {
        for fill in [0x00, 0xff, 0x1f, b'P'] {
            let data = vec![fill; len];
            let out = unpack_bytes("tiny", &data, &limits);
            check_invariants("tiny", &out, &limits);
        }
    }
    let out = unpack_bytes("empty", b"", &limits);
    assert_eq!(out.files.len(), 1);
    assert!(out.findings.is_empty() && out.errors.is_empty());
}

/// Offsets to cut `len` bytes at: the first and last bytes, around every 512-byte tar
/// block boundary of the first few blocks, and ~100 evenly spread.
fn cut_points(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..16).chain(len.saturating_sub(16)..len).collect();
    for block in 1..8usize {
        let at = block * 512;
        cuts.extend(at.saturating_sub(2)..(at + 2).min(len));
    }
    cuts.extend((1..100).map(|i| i * len / 100));
    cuts.sort_unstable();
    cuts.dedup();
    cuts.retain(|&c| c < len);
    cuts
}

/// The real artifacts, plus the plain tar inside each gzip'd one.
fn real_and_gunzipped() -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for artifact in REAL {
        let data = real(artifact);
        if data.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            let mut decoder = flate2::read::GzDecoder::new(data.as_slice());
            std::io::Read::read_to_end(&mut decoder, &mut plain).unwrap();
            all.push((format!("{artifact}.tar"), plain));
        }
        all.push((artifact.to_string(), data));
    }
    all
}

#[test]
fn real_archives_cut_anywhere_never_panic_and_never_pass_off_a_cut_file_as_whole() {
    let limits = Limits::default();
    for (artifact, data) in real_and_gunzipped() {
        let artifact = artifact.as_str();
        let whole = unpack_bytes(artifact, &data, &limits);
        assert!(
            whole.errors.is_empty() && whole.files.len() > 5,
            "{artifact}"
        );
        let mut reported = 0;
        for cut in cut_points(data.len()) {
            let out = unpack_bytes(artifact, &data[..cut], &limits);
            check_invariants(artifact, &out, &limits);
            if !out.errors.is_empty() || !out.findings.is_empty() {
                reported += 1;
            }
            if out.format != whole.format {
                continue;
            }
            // Whatever was read from a cut archive is exactly what the whole one holds.
            for f in &out.files {
                let original = whole.files.iter().find(|w| w.path == f.path);
                let original = original.unwrap_or_else(|| {
                    panic!("{artifact} cut at {cut}: unexpected file {}", f.path)
                });
                assert!(
                    original.data == f.data,
                    "{artifact} cut at {cut}: {} is a cut copy ({} of {} bytes) passed off as whole",
                    f.path,
                    f.data.len(),
                    original.data.len()
                );
            }
        }
        assert!(
            reported > 50,
            "{artifact}: only {reported} cuts were reported"
        );
    }
}

#[test]
fn real_archives_with_flipped_bytes_never_panic() {
    let limits = Limits::default();
    let mut rng = Rng(0x0bad_c0de_0bad_c0de);
    for artifact in REAL {
        let data = real(artifact);
        for _ in 0..60 {
            let mut damaged = data.clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(damaged.len() as u64) as usize;
                damaged[at] ^= 1 << rng.below(8);
            }
            let out = unpack_bytes(artifact, &damaged, &limits);
            check_invariants(artifact, &out, &limits);
        }
    }
}

// ------------------------------------------------------------------------- unpack_dir

/// A fresh folder under the system temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "palisade-archive-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, relative: &str, data: &[u8]) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `unpack_dir` on another thread and fails the test rather than hang.
fn unpack_dir_within(root: &Path, limits: Limits, timeout: Duration) -> Unpacked {
    let (send, receive) = mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _ = send.send(unpack_dir(&root, &limits));
    });
    receive
        .recv_timeout(timeout)
        .expect("unpack_dir hung (did it open the FIFO?)")
}

#[test]
fn unpack_dir_records_links_and_never_opens_special_files() {
    let dir = TempDir::new("links");
    dir.write("package.json", b"{\"name\":\"x\"}\n");
    dir.write("lib/index.js", b"module.exports = 1;\n");
    dir.write(
        "vendor/inner.tgz",
        &tar_gz(&[("inner/setup.py", b"print('x')\n")]),
    );
    std::os::unix::fs::symlink("/etc/passwd", dir.0.join("passwd")).unwrap();
    std::os::unix::fs::symlink("../../../etc/shadow", dir.0.join("lib/shadow")).unwrap();
    std::os::unix::fs::symlink("index.js", dir.0.join("lib/main.js")).unwrap();
    // A link to a folder outside: following it would walk the whole system.
    std::os::unix::fs::symlink("/", dir.0.join("root")).unwrap();
    let has_fifo = mkfifo(&dir.0.join("lib/pipe"));

    let out = unpack_dir_within(&dir.0, Limits::default(), Duration::from_secs(20));
    assert_eq!(out.format, "directory");
    let passwd = finding(&out, "archive/link-escape", "passwd");
    assert_eq!(passwd.snippet.as_deref(), Some("passwd -> /etc/passwd"));
    finding(&out, "archive/link-escape", "lib/shadow");
    finding(&out, "archive/link-escape", "root");
    finding(&out, "archive/link", "lib/main.js");
    if has_fifo {
        finding(&out, "archive/special-file", "lib/pipe");
        assert_eq!(out.findings.len(), 5, "{:#?}", out.findings);
    } else {
        eprintln!("mkfifo is not available: the FIFO case was not run");
        assert_eq!(out.findings.len(), 4, "{:#?}", out.findings);
    }
    // Links are not followed: nothing of /etc is read. Archives in the folder are opened.
    assert_eq!(
        paths(&out),
        [
            "lib/index.js",
            "package.json",
            "vendor/inner.tgz!/inner/setup.py"
        ]
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
}

#[test]
fn unpack_dir_keeps_its_limits() {
    let dir = TempDir::new("limits");
    for i in 0..10 {
        dir.write(&format!("f{i}.txt"), &vec![b'x'; 1000]);
    }
    dir.write("z.bin", &vec![b'y'; 5000]);

    let limits = Limits {
        max_entry_bytes: 2000,
        ..Limits::default()
    };
    let out = unpack_dir_within(&dir.0, limits, Duration::from_secs(20));
    finding(&out, "archive/limit-exceeded", "z.bin");
    assert_eq!(out.files.len(), 10);

    let limits = Limits {
        max_entries: 4,
        ..Limits::default()
    };
    let out = unpack_dir_within(&dir.0, limits, Duration::from_secs(20));
    assert_eq!(rules(&out), ["archive/limit-exceeded"]);
    assert_eq!(out.files.len(), 4);

    let limits = Limits {
        max_total_bytes: 3500,
        ..Limits::default()
    };
    let out = unpack_dir_within(&dir.0, limits, Duration::from_secs(20));
    assert_eq!(rules(&out), ["archive/limit-exceeded"]);
    assert!(out.findings[0].message.contains("total unpacked size"));
    assert_eq!(out.files.len(), 3);
}

#[test]
fn unpack_dir_on_a_missing_folder_is_an_error_naming_it() {
    let missing = std::env::temp_dir().join("palisade-archive-no-such-folder-for-sure");
    let out = unpack_dir(&missing, &Limits::default());
    assert!(out.files.is_empty());
    let name = missing.display().to_string();
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].starts_with(&name), "{:?}", out.errors);
}
