//! The database on real advisories (the copies under `testdata/osv`): import from a
//! folder, a zip and a loopback download; lookups by normalised name; merging by
//! `modified`; damaged files.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/osv")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-osv-db-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A zip of every record under `testdata/osv/SUB`, as the OSV exports are laid out.
fn zip_of(sub: &str) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut files: Vec<_> = std::fs::read_dir(testdata().join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&std::fs::read(&file).unwrap()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_folder_import_answers_lookups_by_normalised_name() {
    let dir = temp("folder");
    let db_path = dir.join("advisories.db");
    let reports = Database::import(&db_path, &[testdata()], 1_700_000_000).unwrap();
    assert_eq!(reports[0].1.records, 12, "{:?}", reports[0].1.skip_reasons);
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.header().records, 12);
    assert!(
        db.header().malicious >= 1,
        "RustSec marks removed malicious crates"
    );
    assert_eq!(db.header().per_ecosystem.get("PyPI"), Some(&4));

    // PEP 503: the record says `accesscontrol`, a lockfile may say `AccessControl`.
    let found = db.advisories(Ecosystem::PyPI, "AccessControl").unwrap();
    assert_eq!(
        found.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["PYSEC-2021-335"]
    );
    let go = db
        .advisories(Ecosystem::Go, "github.com/tendermint/tendermint")
        .unwrap();
    assert!(go.iter().any(|a| a.id == "GO-2020-0037"));
    assert!(go[0].affects(Ecosystem::Go, "github.com/tendermint/tendermint", "v0.31.0"));
    assert!(!go[0].affects(Ecosystem::Go, "github.com/tendermint/tendermint", "v0.31.1"));
    let malicious = db.advisories(Ecosystem::Crates, "rustdecimal").unwrap();
    assert!(malicious.iter().any(|a| a.is_malicious()));
    assert!(
        db.advisories(Ecosystem::Npm, "left-pad")
            .unwrap()
            .is_empty()
    );
    assert!(
        db.advisories(Ecosystem::Crates, "RustDecimal")
            .unwrap()
            .is_empty(),
        "crates.io names are exact"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn reimporting_merges_by_id_and_keeps_the_newer_record() {
    let dir = temp("merge");
    let db_path = dir.join("advisories.db");
    Database::import(&db_path, &[testdata().join("go")], 1).unwrap();
    let original = std::fs::read_to_string(testdata().join("go/GO-2020-0037.json")).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&original).unwrap();
    record["modified"] = "2099-01-01T00:00:00Z".into();
    record["summary"] = "updated summary".into();
    let newer = dir.join("newer.json");
    std::fs::write(&newer, serde_json::to_string(&record).unwrap()).unwrap();
    record["modified"] = "1999-01-01T00:00:00Z".into();
    record["summary"] = "stale summary".into();
    let older = dir.join("older.json");
    std::fs::write(&older, serde_json::to_string(&record).unwrap()).unwrap();

    Database::import(&db_path, &[newer], 2).unwrap();
    Database::import(&db_path, &[older, testdata().join("crates")], 3).unwrap();
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.header().records, 8, "4 Go + 4 crates, no duplicates");
    assert_eq!(db.header().sources.len(), 4, "one entry per source read");
    let found = db
        .advisories(Ecosystem::Go, "github.com/tendermint/tendermint")
        .unwrap();
    let summary = found
        .iter()
        .find(|a| a.id == "GO-2020-0037")
        .unwrap()
        .summary
        .clone();
    assert_eq!(summary.as_deref(), Some("updated summary"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zip_import_skips_what_is_not_a_record() {
    let dir = temp("zip");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("GO-2022-0617.json", options).unwrap();
    writer
        .write_all(&std::fs::read(testdata().join("go/GO-2022-0617.json")).unwrap())
        .unwrap();
    writer.start_file("broken.json", options).unwrap();
    writer.write_all(b"{\"id\": ").unwrap();
    writer.start_file("README.txt", options).unwrap();
    writer.write_all(b"hello").unwrap();
    let zip = dir.join("all.zip");
    std::fs::write(&zip, writer.finish().unwrap().into_inner()).unwrap();
    let db_path = dir.join("advisories.db");
    let reports = Database::import(&db_path, &[zip], 1).unwrap();
    let report = &reports[0].1;
    assert_eq!((report.records, report.skipped), (1, 2));
    assert!(
        report
            .skip_reasons
            .iter()
            .any(|r| r.contains("broken.json")),
        "{:?}",
        report.skip_reasons
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn damaged_or_missing_databases_are_errors_naming_the_file() {
    let dir = temp("damaged");
    let missing = Database::open(&dir.join("none.db")).err().unwrap();
    assert!(
        missing.to_string().contains("palisade db update"),
        "{missing}"
    );
    let db_path = dir.join("advisories.db");
    Database::import(&db_path, &[testdata()], 1).unwrap();
    let bytes = std::fs::read(&db_path).unwrap();
    for cut in [4, 20, bytes.len() / 2, bytes.len() - 3] {
        let damaged = dir.join(format!("cut-{cut}.db"));
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        // Opening may succeed when only record blobs are cut; a lookup must then fail cleanly.
        match Database::open(&damaged) {
            Err(err) => assert!(err.to_string().contains(&format!("cut-{cut}.db")), "{err}"),
            Ok(db) => {
                for (eco, name) in [
                    (Ecosystem::PyPI, "accesscontrol"),
                    (Ecosystem::Go, "github.com/tendermint/tendermint"),
                ] {
                    let _ = db.advisories(eco, name);
                }
            }
        }
    }
    let mut garbage = bytes.clone();
    garbage[0] = b'X';
    std::fs::write(dir.join("garbage.db"), &garbage).unwrap();
    let err = Database::open(&dir.join("garbage.db")).err().unwrap();
    assert!(
        err.to_string().contains("not a Palisade advisory database"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Where the record table starts: after the header, keys, names and postings.
fn record_table_at(bytes: &[u8]) -> usize {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut at = 12;
    at += 4 + u32_at(at);
    at += 4 + u32_at(at) * 20;
    at += 4 + u32_at(at);
    at += 4 + u32_at(at) * 4;
    at + 4
}

#[test]
fn hostile_index_values_are_errors_not_panics() {
    let dir = temp("hostile");
    let db_path = dir.join("advisories.db");
    Database::import(&db_path, &[testdata()], 1).unwrap();
    let bytes = std::fs::read(&db_path).unwrap();
    let table = record_table_at(&bytes);
    let lookups = [
        (Ecosystem::PyPI, "accesscontrol"),
        (Ecosystem::Go, "github.com/tendermint/tendermint"),
        (Ecosystem::Crates, "claxon"),
    ];
    // Every record placed at an offset that overflows when its length is added.
    let mut far = bytes.clone();
    let count = u32::from_le_bytes(far[table - 4..table].try_into().unwrap()) as usize;
    for i in 0..count {
        let at = table + i * 12;
        let blob_start = (table + count * 12) as u64;
        far[at..at + 8].copy_from_slice(&(u64::MAX - blob_start - 1).to_le_bytes());
    }
    let path = dir.join("far.db");
    std::fs::write(&path, &far).unwrap();
    let db = Database::open(&path).unwrap();
    let err = db.advisories(lookups[0].0, lookups[0].1).err().unwrap();
    assert!(
        err.to_string().contains("far.db") && err.to_string().contains("past the end"),
        "{err}"
    );
    // Any index byte set to 0xff: opening or looking up may fail, never panic.
    for at in 12..table + count * 12 {
        let mut damaged = bytes.clone();
        damaged[at] = 0xff;
        let path = dir.join("flipped.db");
        std::fs::write(&path, &damaged).unwrap();
        if let Ok(db) = Database::open(&path) {
            for (eco, name) in lookups {
                let _ = db.advisories(eco, name);
            }
            let _ = db.packages_per_ecosystem();
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Serves `/Go/all.zip` and `/crates.io/all.zip`; anything else is a 404.
fn serve_exports(requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (go, crates) = (zip_of("go"), zip_of("crates"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("");
            let body: Option<&[u8]> = match path {
                "/Go/all.zip" => Some(&go),
                "/crates.io/all.zip" => Some(&crates),
                _ => None,
            };
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", &b"no such export"[..]),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body).unwrap();
        }
    });
    base
}

#[test]
fn update_downloads_the_exports_from_a_loopback_mirror() {
    let dir = temp("update");
    let db_path = dir.join("advisories.db");
    let options = UpdateOptions {
        source: serve_exports(3),
        ecosystems: vec![Ecosystem::Go, Ecosystem::Crates],
        attempts: 1,
        ..UpdateOptions::default()
    };
    let reports = update(&db_path, &options, 5).unwrap();
    assert_eq!(reports.iter().map(|(_, r)| r.records).sum::<usize>(), 8);
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.header().records, 8);
    assert!(
        !db.advisories(Ecosystem::Crates, "rustdecimal")
            .unwrap()
            .is_empty()
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "downloads are removed: {leftovers:?}");

    // An ecosystem the mirror does not have fails the update and leaves the database as it was.
    let missing = UpdateOptions {
        ecosystems: vec![Ecosystem::Npm],
        ..options
    };
    let err = update(&db_path, &missing, 6).err().unwrap();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert_eq!(Database::open(&db_path).unwrap().header().built_at, 5);
    std::fs::remove_dir_all(&dir).ok();
}
