//! The rules the unpacker reports. Each is documented here and listed by
//! `palisade rules`.

use palisade_core::{Category, RuleInfo, Severity};

pub static PATH_TRAVERSAL: RuleInfo = RuleInfo {
    id: "archive/path-traversal",
    category: Category::Archive,
    severity: Severity::High,
    summary: "An entry name climbs out of the package with `..`.",
    why: "Extracting it writes outside the target folder (a \"zip slip\"): it can overwrite \
          shell start-up files, CI configuration or other packages. Honest packaging tools \
          never produce such names.",
    example: "package/../../.bashrc",
    attack: Some("T1222"),
};

pub static ABSOLUTE_PATH: RuleInfo = RuleInfo {
    id: "archive/absolute-path",
    category: Category::Archive,
    severity: Severity::High,
    summary: "An entry name is an absolute path.",
    why: "A naive extractor writes it wherever it points, such as `/etc/cron.d` or \
          `C:\\Users\\...\\Startup`. Packaging tools only write relative names.",
    example: "/etc/cron.d/job",
    attack: Some("T1222"),
};

pub static LINK: RuleInfo = RuleInfo {
    id: "archive/link",
    category: Category::Archive,
    severity: Severity::Low,
    summary: "The archive holds a symbolic or hard link that stays inside the package.",
    why: "Links are rare in published packages and are never followed by Palisade; one that \
          stays inside the package is usually harmless but worth a look.",
    example: "package/README -> docs/README.md",
    attack: None,
};

pub static LINK_ESCAPE: RuleInfo = RuleInfo {
    id: "archive/link-escape",
    category: Category::Archive,
    severity: Severity::High,
    summary: "A symbolic or hard link points outside the package.",
    why: "Extracting a link to `/` or `../..` and then a file through it writes anywhere on \
          the machine, or makes the package read the installer's secrets.",
    example: "package/x -> /home/user/.ssh/id_rsa",
    attack: Some("T1222"),
};

pub static SPECIAL_FILE: RuleInfo = RuleInfo {
    id: "archive/special-file",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "The archive holds a device, FIFO or other special file.",
    why: "No package needs one; extracting it can create device nodes or block the installer.",
    example: "package/dev/sda (block device)",
    attack: None,
};

pub static DUPLICATE_ENTRY: RuleInfo = RuleInfo {
    id: "archive/duplicate-entry",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "Two entries have the same name.",
    why: "Tools disagree on which copy wins, so a reviewer or scanner can be shown one file \
          while the installer uses the other. Palisade analyses both.",
    example: "package/index.js twice",
    attack: Some("T1036"),
};

pub static NON_UTF8_NAME: RuleInfo = RuleInfo {
    id: "archive/non-utf8-name",
    category: Category::Archive,
    severity: Severity::Low,
    summary: "An entry name is not valid UTF-8.",
    why: "Names that decode differently in different tools can hide a file from review.",
    example: "package/\\xff.js",
    attack: None,
};

pub static COMPRESSION_BOMB: RuleInfo = RuleInfo {
    id: "archive/compression-bomb",
    category: Category::Archive,
    severity: Severity::High,
    summary: "A stream decompresses far beyond a plausible ratio.",
    why: "Decompression bombs exhaust the disk or memory of scanners and installers. \
          Palisade stops reading the stream at the ratio limit.",
    example: "a 40 KB gzip that expands to 10 GB of zeros",
    attack: Some("T1499"),
};

pub static LIMIT_EXCEEDED: RuleInfo = RuleInfo {
    id: "archive/limit-exceeded",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "The package exceeds a size, entry-count or time limit.",
    why: "Oversized packages can hide content past what a scanner reads; the part past the \
          limit was not analysed. Limits are set with `--max-*` options.",
    example: "an entry of 2 GB",
    attack: None,
};

pub static NESTING_TOO_DEEP: RuleInfo = RuleInfo {
    id: "archive/nesting-too-deep",
    category: Category::Archive,
    severity: Severity::Medium,
    summary: "Archives are nested deeper than the nesting limit.",
    why: "Deep nesting hides payloads from scanners that open one level; the innermost \
          archive was kept as an opaque file.",
    example: "a.tar.gz holding b.zip holding c.tar.gz ... 20 levels down",
    attack: Some("T1027"),
};

pub static CORRUPT: RuleInfo = RuleInfo {
    id: "archive/corrupt",
    category: Category::Archive,
    severity: Severity::Low,
    summary: "A stream is truncated or corrupt.",
    why: "Installers and scanners may read a broken archive differently; what follows the \
          damage was not analysed.",
    example: "a gzip stream cut off in the middle",
    attack: None,
};

pub static ENCRYPTED_ENTRY: RuleInfo = RuleInfo {
    id: "archive/encrypted-entry",
    category: Category::Concealment,
    severity: Severity::Medium,
    summary: "A zip entry is password-protected.",
    why: "Published packages have no reason to encrypt files; an encrypted entry can only be \
          a payload hidden from review, to be decrypted later with a key from elsewhere.",
    example: "payload.bin stored with ZipCrypto",
    attack: Some("T1027.013"),
};

pub static UNSUPPORTED_COMPRESSION: RuleInfo = RuleInfo {
    id: "archive/unsupported-compression",
    category: Category::Archive,
    severity: Severity::Low,
    summary: "An entry uses a compression method Palisade does not decode.",
    why: "Its content was not analysed. Package tools use deflate, so another method is \
          unusual in itself.",
    example: "an entry compressed with zstd inside a wheel",
    attack: None,
};

/// Every rule of this crate, for documentation.
pub static ALL: &[&RuleInfo] = &[
    &PATH_TRAVERSAL,
    &ABSOLUTE_PATH,
    &LINK,
    &LINK_ESCAPE,
    &SPECIAL_FILE,
    &DUPLICATE_ENTRY,
    &NON_UTF8_NAME,
    &COMPRESSION_BOMB,
    &LIMIT_EXCEEDED,
    &NESTING_TOO_DEEP,
    &CORRUPT,
    &ENCRYPTED_ENTRY,
    &UNSUPPORTED_COMPRESSION,
];
