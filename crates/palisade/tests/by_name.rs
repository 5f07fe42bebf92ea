//! `palisade scan NAME` end to end, against a real HTTP server on loopback that serves
//! an npm-registry packument and the real left-pad 1.2.0 and 1.3.0 tarballs: the
//! download is verified, cached and scanned, and --diff-previous compares the two
//! releases. No public registry is touched.

mod common;

use base64::Engine as _;
use common::{repo_root, temp_dir};
use sha2::{Digest, Sha512};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Serves `routes` until the test ends; counts requests per path.
fn serve(routes: HashMap<String, Vec<u8>>) -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            *counted.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
            let (status, body) = match routes.get(&path) {
                Some(body) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"{}".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, hits)
}

fn integrity(data: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(data))
    )
}

#[test]
fn a_package_named_from_a_registry_is_verified_cached_scanned_and_diffed() {
    let real = repo_root().join("testdata/real");
    let old = std::fs::read(real.join("left-pad-1.2.0.tgz")).unwrap();
    let new = std::fs::read(real.join("left-pad-1.3.0.tgz")).unwrap();
    // Tarball URLs are written relative (`base` is empty): the client resolves them
    // against the packument's own URL, so the document needs no port.
    let packument = |base: &str| {
        serde_json::json!({
            "name": "left-pad",
            "dist-tags": {"latest": "1.3.0"},
            "time": {"created": "2014-03-14T00:00:00Z", "1.2.0": "2017-11-24T00:00:00Z", "1.3.0": "2018-04-09T00:00:00Z"},
            "maintainers": [{"name": "stevemao", "email": "maintainer@example.org"}],
            "repository": {"type": "git", "url": "git+https://example.org/left-pad.git"},
            "versions": {
                "1.2.0": {"name": "left-pad", "version": "1.2.0",
                    "dist": {"tarball": format!("{base}/left-pad/-/left-pad-1.2.0.tgz"), "integrity": integrity(&old)}},
                "1.3.0": {"name": "left-pad", "version": "1.3.0",
                    "dist": {"tarball": format!("{base}/left-pad/-/left-pad-1.3.0.tgz"), "integrity": integrity(&new)}},
            }
        })
        .to_string()
        .into_bytes()
    };
    let mut routes = HashMap::new();
    routes.insert("/left-pad/-/left-pad-1.2.0.tgz".to_string(), old.clone());
    routes.insert("/left-pad/-/left-pad-1.3.0.tgz".to_string(), new.clone());
    routes.insert("/left-pad".to_string(), packument(""));
    let (base, hits) = serve(routes);
    let cache = temp_dir("by-name-cache");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("PALISADE_REGISTRY_NPM", &base)
            .env("PALISADE_CACHE_DIR", &cache)
            .output()
            .expect("the palisade binary runs")
    };

    let out = run(&[
        "scan",
        "npm:left-pad",
        "--diff-previous",
        "--format",
        "json",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["target"], "npm:left-pad");
    assert_eq!(report["version"], "1.3.0", "no version means the latest");
    assert_eq!(report["origin"]["verified_by"], "published sha512 digest");
    assert_eq!(report["origin"]["cached"], false);
    assert_eq!(report["diff"]["old"]["version"], "1.2.0");
    assert_eq!(report["diff"]["risk"], "none", "{}", report["diff"]);
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{}",
        report["errors"]
    );

    // Again: the artifact comes from the cache, and each tarball was downloaded once.
    let again = run(&["scan", "npm:left-pad@1.3.0", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["origin"]["cached"], true);
    let hits = hits.lock().unwrap();
    assert_eq!(
        hits.get("/left-pad/-/left-pad-1.3.0.tgz"),
        Some(&1),
        "{hits:?}"
    );
    assert_eq!(
        hits.get("/left-pad/-/left-pad-1.2.0.tgz"),
        Some(&1),
        "{hits:?}"
    );
    drop(hits);

    // A package the registry does not have is that target's error, exit 2.
    let missing = run(&["scan", "npm:no-such-package-here"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stdout).contains("no-such-package-here"),
        "{}",
        String::from_utf8_lossy(&missing.stdout)
    );
    std::fs::remove_dir_all(&cache).ok();
}
