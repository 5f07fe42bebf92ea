//! The same seven cases against every registry client, on the loopback server: happy
//! path, unknown package, unknown version, digest mismatch, malformed metadata, timeout
//! and cache reuse. Every cell of the matrix runs, failures are collected, and the
//! matrix is printed before the one assertion at the end, so that one run shows it all.

#[path = "every_registry/served.rs"]
mod served;
mod support;

use palisade_registry::{
    Cache, Fetcher, PackageSpec, Registries, RegistryConfig, RegistryError, VerifiedBy,
};
use served::{Served, crates, go, maven, npm, nuget, pypi, rubygems};
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};
use support::{Reply, TempDir, sha256_hex};

/// One registry as the table sees it.
struct Registry {
    label: &'static str,
    /// Builds a fresh server answering the happy path; every case gets its own.
    start: fn() -> Served,
    /// A spec naming an existing version, and that version.
    spec: &'static str,
    /// The package name the registry knows and one it does not (as a spec).
    missing_package: (&'static str, &'static str),
    /// A spec naming a version that was never published, and that version.
    missing_version: (&'static str, &'static str),
    /// The digest algorithm a happy fetch is verified with.
    algorithm: &'static str,
    /// The metadata request the timeout case slows down.
    timeout_paths: &'static [&'static str],
    /// A JSON (or XML) metadata document the malformed case truncates.
    malformed_path: &'static str,
}

const REGISTRIES: [Registry; 7] = [
    Registry {
        label: "npm",
        start: npm,
        spec: "npm:left-pad@1.3.0",
        missing_package: ("no-such-pad", "npm:no-such-pad"),
        missing_version: ("npm:left-pad@1.3.9", "1.3.9"),
        algorithm: "sha512",
        timeout_paths: &["/npm/left-pad"],
        malformed_path: "/npm/left-pad",
    },
    Registry {
        label: "pypi",
        start: pypi,
        spec: "pypi:six@1.17.0",
        missing_package: ("no-such-six", "pypi:no-such-six"),
        missing_version: ("pypi:six@9.9.9", "9.9.9"),
        algorithm: "sha256",
        timeout_paths: &["/pypi/pypi/six/json"],
        malformed_path: "/pypi/pypi/six/json",
    },
    Registry {
        label: "crates",
        start: crates,
        spec: "crates:itoa@1.0.11",
        missing_package: ("no-such-itoa", "crates:no-such-itoa"),
        missing_version: ("crates:itoa@9.9.9", "9.9.9"),
        algorithm: "sha256",
        // An API that times out sends the client to the sparse index: slow both, as a
        // registry that is down would be.
        timeout_paths: &["/crates/api/v1/crates/itoa", "/crates_index/it/oa/itoa"],
        malformed_path: "/crates/api/v1/crates/itoa",
    },
    Registry {
        label: "rubygems",
        start: rubygems,
        spec: "gem:tinygem@0.2.0",
        missing_package: ("nosuchgem", "gem:nosuchgem"),
        missing_version: ("gem:tinygem@0.3.0", "0.3.0"),
        algorithm: "sha256",
        timeout_paths: &["/rubygems/api/v1/gems/tinygem.json"],
        malformed_path: "/rubygems/api/v1/gems/tinygem.json",
    },
    Registry {
        label: "nuget",
        start: nuget,
        spec: "nuget:Demo.Lib@1.1.0",
        missing_package: ("No.Such.Lib", "nuget:No.Such.Lib"),
        missing_version: ("nuget:Demo.Lib@3.0.0", "3.0.0"),
        algorithm: "sha512",
        timeout_paths: &["/nuget/v3-flatcontainer/demo.lib/index.json"],
        malformed_path: "/nuget/v3-flatcontainer/demo.lib/index.json",
    },
    Registry {
        label: "go",
        start: go,
        spec: "go:example.com/Demo/mod@v1.1.0",
        missing_package: ("example.com/none", "go:example.com/none"),
        missing_version: ("go:example.com/Demo/mod@v9.0.0", "v9.0.0"),
        algorithm: "h1",
        timeout_paths: &["/go/example.com/!demo/mod/@v/list"],
        // The version list is plain text; the version's `.info` is the JSON.
        malformed_path: "/go/example.com/!demo/mod/@v/v1.1.0.info",
    },
    Registry {
        label: "maven",
        start: maven,
        spec: "maven:org.example:demo-lib@1.1",
        missing_package: ("org.example:other", "maven:org.example:other"),
        missing_version: ("maven:org.example:demo-lib@2.0", "2.0"),
        algorithm: "sha256",
        timeout_paths: &["/maven/maven2/org/example/demo-lib/maven-metadata.xml"],
        malformed_path: "/maven/maven2/org/example/demo-lib/maven-metadata.xml",
    },
];

type Case = fn(&Registry) -> Result<(), String>;

const CASES: [(&str, Case); 8] = [
    ("happy", happy),
    ("no-package", unknown_package),
    ("no-version", unknown_version),
    ("digest", digest_mismatch),
    ("garbage", garbage_artifact),
    ("malformed", malformed),
    ("timeout", timeout),
    ("cache", cache_reuse),
];

#[test]
fn every_registry_passes_every_case() {
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut matrix = format!("{:<10}", "");
    for (case, _) in CASES {
        matrix.push_str(&format!(" {case:<11}"));
    }
    matrix.push('\n');
    for registry in &REGISTRIES {
        matrix.push_str(&format!("{:<10}", registry.label));
        for (case, run) in CASES {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(registry)))
                .unwrap_or_else(|panic| Err(format!("panicked: {}", panic_text(&*panic))));
            let cell = match outcome {
                Ok(()) => "ok",
                Err(message) => {
                    failures.push(format!("{} / {case}: {message}", registry.label));
                    "FAIL"
                }
            };
            matrix.push_str(&format!(" {cell:<11}"));
        }
        matrix.push('\n');
    }
    eprintln!("{matrix}");
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(failures.is_empty(), "{} failing cells", failures.len());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the whole table took {:?}",
        started.elapsed()
    );
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

/// Fails the case with a message unless `condition` holds.
fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

fn fetcher(config: RegistryConfig, cache: &TempDir) -> Fetcher {
    Fetcher::new(config, Cache::new(cache.path()))
}

// ---------------------------------------------------------------------------------
// The cases.

fn happy(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    let cache = TempDir::new("every-happy");
    let fetched = served
        .server
        .fetcher(&cache)
        .fetch(&spec(registry.spec))
        .map_err(|e| format!("fetch: {e}"))?;
    let meta = &fetched.metadata;
    check(!meta.name.is_empty(), || "empty name".into())?;
    check(!meta.versions.is_empty(), || "no versions".into())?;
    let release = meta.release.as_ref().ok_or("no release")?;
    let wanted = registry.spec.rsplit('@').next().unwrap_or_default();
    check(release.version == wanted, || {
        format!("release {} instead of {wanted}", release.version)
    })?;
    let artifact = release.artifacts.first().ok_or("no artifact")?;
    check(artifact.digest.is_some(), || {
        format!("no digest on {}", artifact.url)
    })?;
    let expected = VerifiedBy::Digest {
        algorithm: registry.algorithm.into(),
    };
    check(fetched.verified == expected, || {
        format!("verified by {}, not {expected}", fetched.verified)
    })?;
    check(!fetched.from_cache, || "first fetch from the cache".into())?;
    let bytes = std::fs::read(&fetched.path).map_err(|e| e.to_string())?;
    check(bytes == served.artifact, || {
        "the cached file is not the served artifact".into()
    })?;
    check(fetched.sha256 == sha256_hex(&served.artifact), || {
        format!("sha256 {}", fetched.sha256)
    })?;
    check(served.server.hits(&served.artifact_path) == 1, || {
        format!(
            "{} hits on the artifact",
            served.server.hits(&served.artifact_path)
        )
    })
}

fn unknown_package(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    let (name, text) = registry.missing_package;
    match Registries::new(served.server.config()).metadata(&spec(text)) {
        Ok(_) => Err("metadata for a package that does not exist".into()),
        Err(err @ RegistryError::PackageNotFound { .. }) => {
            check(err.to_string().contains(name), || {
                format!("`{err}` names no {name}")
            })
        }
        Err(other) => Err(format!("not PackageNotFound: {other:?}")),
    }
}

fn unknown_version(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    let (text, version) = registry.missing_version;
    match Registries::new(served.server.config()).metadata(&spec(text)) {
        Ok(meta) => Err(format!(
            "metadata for an unpublished version: release {:?}",
            meta.release.map(|r| r.version)
        )),
        Err(err @ RegistryError::VersionNotFound { .. }) => {
            check(err.to_string().contains(&format!("`{version}`")), || {
                format!("`{err}` names no {version}")
            })
        }
        Err(other) => Err(format!("not VersionNotFound: {other:?}")),
    }
}

fn digest_mismatch(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    served.server.route(
        &served.artifact_path,
        Reply::Body(served.tampered.clone(), "application/octet-stream"),
    );
    let cache = TempDir::new("every-digest");
    match served.server.fetcher(&cache).fetch(&spec(registry.spec)) {
        Ok(fetched) => Err(format!("tampered bytes accepted, {}", fetched.verified)),
        Err(RegistryError::DigestMismatch {
            url,
            algorithm,
            expected,
            actual,
        }) => {
            check(url.ends_with(&served.artifact_path), || {
                format!("names {url}")
            })?;
            check(algorithm == registry.algorithm, || {
                format!("algorithm {algorithm}")
            })?;
            check(expected != actual, || "expected == actual".into())?;
            let left = files_under(cache.path());
            check(left.is_empty(), || format!("left in the cache: {left:?}"))
        }
        Err(other) => Err(format!("not DigestMismatch: {other:?}")),
    }
}

/// Bytes that are not even an archive: refused, naming the URL they came from (for Go,
/// whose `h1:` is over the zip's entries, as a malformed zip rather than a mismatch).
fn garbage_artifact(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    served.server.route(
        &served.artifact_path,
        Reply::Body(b"<html>not found</html>".to_vec(), "text/html"),
    );
    let cache = TempDir::new("every-garbage");
    match served.server.fetcher(&cache).fetch(&spec(registry.spec)) {
        Ok(fetched) => Err(format!("garbage accepted, {}", fetched.verified)),
        Err(err @ (RegistryError::DigestMismatch { .. } | RegistryError::Malformed { .. })) => {
            check(err.to_string().contains(&served.artifact_path), || {
                format!("`{err}` does not name {}", served.artifact_path)
            })?;
            let left = files_under(cache.path());
            check(left.is_empty(), || format!("left in the cache: {left:?}"))
        }
        Err(other) => Err(format!("not refused as a mismatch: {other:?}")),
    }
}

fn malformed(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    let path = registry.malformed_path;
    let truncated: &[u8] = if path.ends_with(".xml") {
        b"<?xml version=\"1.0\"?>\n<metadata><groupId>org.example</groupId><versioning><versions><version>1.1</vers"
    } else {
        b"{\"name\": \"truncated\", \"versions\": {\"1.0"
    };
    served
        .server
        .route(path, Reply::Body(truncated.to_vec(), "application/json"));
    match Registries::new(served.server.config()).metadata(&spec(registry.spec)) {
        Ok(_) => Err(format!("metadata from a truncated {path}")),
        Err(err @ RegistryError::Malformed { .. }) => check(err.to_string().contains(path), || {
            format!("`{err}` does not name {path}")
        }),
        Err(other) => Err(format!("not Malformed: {other:?}")),
    }
}

fn timeout(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    for path in registry.timeout_paths {
        served.server.route(
            path,
            Reply::Slow(Duration::from_secs(3), Box::new(Reply::Status(404))),
        );
    }
    let mut config = served.server.config();
    config.timeout = Duration::from_millis(300);
    config.connect_timeout = Duration::from_millis(300);
    config.retries = 0;
    let started = Instant::now();
    let result = Registries::new(config).metadata(&spec(registry.spec));
    let elapsed = started.elapsed();
    check(elapsed < Duration::from_secs(2), || {
        format!("took {elapsed:?}")
    })?;
    match result {
        Ok(_) => Err("metadata from a registry that never answered".into()),
        Err(err @ RegistryError::Unreachable { .. }) => {
            let text = err.to_string();
            check(
                registry.timeout_paths.iter().any(|p| text.contains(p)),
                || format!("`{text}` names none of {:?}", registry.timeout_paths),
            )?;
            check(
                text.to_lowercase().contains("timeout") || text.contains("timed out"),
                || format!("`{text}` does not say it timed out"),
            )
        }
        Err(other) => Err(format!("not Unreachable: {other:?}")),
    }
}

fn cache_reuse(registry: &Registry) -> Result<(), String> {
    let served = (registry.start)();
    let cache = TempDir::new("every-cache");
    let fetcher = fetcher(served.server.config(), &cache);
    let first = fetcher
        .fetch(&spec(registry.spec))
        .map_err(|e| format!("first fetch: {e}"))?;
    let second = fetcher
        .fetch(&spec(registry.spec))
        .map_err(|e| format!("second fetch: {e}"))?;
    check(!first.from_cache && second.from_cache, || {
        format!("from_cache {} then {}", first.from_cache, second.from_cache)
    })?;
    check(first.path == second.path, || "two cached paths".into())?;
    check(second.verified == first.verified, || {
        format!("verified {} then {}", first.verified, second.verified)
    })?;
    let hits = served.server.hits(&served.artifact_path);
    check(hits == 1, || format!("{hits} artifact requests"))
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

// ---------------------------------------------------------------------------------
// The servers: the recorded fixtures for npm, PyPI and crates, the documented formats
// with artifacts built here (so every digest is real) for the other four.
