//! The rules about the package's identity: no manifest, a manifest that cannot be
//! read, a manifest that disagrees with the artifact's layout. The install-time rules
//! live with the ecosystem module that recognises them.

use palisade_core::{Category, RuleInfo, Severity};

pub static UNIDENTIFIED: RuleInfo = RuleInfo {
    id: "manifest/unidentified",
    category: Category::Manifest,
    severity: Severity::Info,
    summary: "No package manifest was found; the ecosystem, name and version are unknown.",
    why: "Without a manifest Palisade cannot tell how the package would be installed, so \
          install-time entry points cannot be listed. Published artifacts always carry a \
          manifest; a bare archive of scripts is unusual for a package.",
    example: "a tar.gz holding only run.py",
    attack: None,
};

pub static UNREADABLE: RuleInfo = RuleInfo {
    id: "manifest/unreadable",
    category: Category::Manifest,
    severity: Severity::Low,
    summary: "The package manifest is too large, not UTF-8, or does not parse.",
    why: "Package tools write well-formed manifests. A broken or oversized one was made by \
          hand, possibly to confuse scanners that give up on it while the installer \
          tolerates it; the parts that could not be read were not analysed.",
    example: "package/package.json: expected `,` or `}` at line 3 column 5",
    attack: Some("T1027"),
};

pub static LAYOUT_MISMATCH: RuleInfo = RuleInfo {
    id: "manifest/layout-mismatch",
    category: Category::Manifest,
    severity: Severity::Low,
    summary: "The name or version in the manifest disagrees with the artifact's layout.",
    why: "Tools derive the folder names of crates, wheels and Go module zips from the \
          manifest, so a disagreement means the artifact was assembled or edited by hand, \
          as when a malicious copy is passed off as another package.",
    example: "serde-1.0.0/Cargo.toml declaring name = \"serde_derive\"",
    attack: Some("T1036"),
};
