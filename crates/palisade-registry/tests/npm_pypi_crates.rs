//! The three registries whose responses were recorded from the real services (host
//! names rewritten to the test server), with the real artifacts.

mod support;

use palisade_core::Ecosystem;
use palisade_registry::{Cache, Endpoint, Fetcher, PackageSpec, RegistryError, VerifiedBy};
use support::{Reply, Server, TempDir};

const SIX_SDIST: &str = "/packages/94/e7/b2c673351809dca68a0e064b6af791aa332cf192da575fd474ed7d6f16a2/six-1.17.0.tar.gz";

fn npm_server() -> Server {
    let server = Server::start();
    server.fixture("/npm/left-pad", "npm/left-pad.json", &[]);
    server.file("/left-pad/-/left-pad-1.3.0.tgz", "npm/left-pad-1.3.0.tgz");
    server
}

fn pypi_server() -> Server {
    let server = Server::start();
    server.fixture("/pypi/pypi/six/json", "pypi/six.json", &[]);
    server.file(SIX_SDIST, "pypi/six-1.17.0.tar.gz");
    server
}

fn crates_server() -> Server {
    let server = Server::start();
    server.fixture("/crates/api/v1/crates/itoa", "crates/itoa.json", &[]);
    server.fixture(
        "/crates/api/v1/crates/itoa/owners",
        "crates/itoa-owners.json",
        &[],
    );
    server.fixture(
        "/crates/api/v1/crates/itoa/1.0.11/dependencies",
        "crates/itoa-1.0.11-dependencies.json",
        &[],
    );
    server.file(
        "/crates_download/crates/itoa/itoa-1.0.11.crate",
        "crates/itoa-1.0.11.crate",
    );
    server
}

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

#[test]
fn npm_metadata_download_and_sha512_verification() {
    let server = npm_server();
    let cache = TempDir::new("npm");
    let fetched = server
        .fetcher(&cache)
        .fetch(&spec("npm:left-pad@1.3.0"))
        .unwrap();
    let meta = &fetched.metadata;
    assert_eq!(meta.ecosystem, Some(Ecosystem::Npm));
    assert_eq!(meta.latest.as_deref(), Some("1.3.0"));
    assert!(meta.versions.len() >= 10, "{:?}", meta.versions);
    assert!(
        meta.versions
            .windows(2)
            .all(|w| w[0].published <= w[1].published)
    );
    assert!(meta.created.is_some() && !meta.maintainers.is_empty());
    assert_eq!(meta.license.as_deref(), Some("WTFPL"));
    assert!(
        meta.repository
            .as_deref()
            .unwrap_or_default()
            .contains("left-pad")
    );
    let release = meta.release.as_ref().unwrap();
    assert_eq!(release.version, "1.3.0");
    assert_eq!(fetched.artifact.filename, "left-pad-1.3.0.tgz");
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha512".into()
        }
    );
    assert_eq!(
        fetched.sha256,
        "870c0fe1096223a58d4f8832d08a7e651ea2fcadb8e6877b2fdc26b662d481dd"
    );
    assert_eq!(
        std::fs::read(&fetched.path).unwrap(),
        std::fs::read(support::testdata("npm/left-pad-1.3.0.tgz")).unwrap()
    );
    assert!(fetched.path.starts_with(cache.path().join("87")));
    // Every request said who we are.
    let agents = server.user_agents();
    assert!(
        !agents.is_empty() && agents.iter().all(|a| a.starts_with("palisade/")),
        "{agents:?}"
    );
}

#[test]
fn npm_latest_when_no_version_and_relative_tarball_urls() {
    let server = npm_server();
    let registries = palisade_registry::Registries::new(server.config());
    let meta = registries.metadata(&spec("npm:left-pad")).unwrap();
    assert_eq!(meta.release.unwrap().version, "1.3.0");
    // 1.2.0's tarball is written relative in the fixture; it resolves against the
    // packument's URL.
    let meta = registries.metadata(&spec("npm:left-pad@1.2.0")).unwrap();
    let url = &meta.release.unwrap().artifacts[0].url;
    assert_eq!(
        url,
        &format!("{}/npm/left-pad/-/left-pad-1.2.0.tgz", server.base)
    );
}

#[test]
fn pypi_prefers_the_sdist_and_verifies_sha256() {
    let server = pypi_server();
    let cache = TempDir::new("pypi");
    let fetched = server.fetcher(&cache).fetch(&spec("pypi:six")).unwrap();
    let release = fetched.metadata.release.as_ref().unwrap();
    assert_eq!(release.version, "1.17.0");
    assert_eq!(release.artifacts.len(), 2);
    assert_eq!(fetched.artifact.kind, "sdist");
    assert_eq!(fetched.artifact.filename, "six-1.17.0.tar.gz");
    assert_eq!(release.artifacts[1].kind, "wheel");
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha256".into()
        }
    );
    assert_eq!(
        fetched.sha256,
        fetched.artifact.digest.as_ref().unwrap().hex
    );
    let versions: Vec<&str> = fetched
        .metadata
        .versions
        .iter()
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(versions, ["1.15.0", "1.16.0", "1.17.0"]);
    assert!(
        fetched
            .metadata
            .maintainers
            .iter()
            .any(|m| m.name.as_deref() == Some("Benjamin Peterson"))
    );
}

#[test]
fn pypi_older_version_falls_back_to_the_project_release_files() {
    // No per-version document is served: the files still come from `releases`.
    let server = pypi_server();
    let meta = palisade_registry::Registries::new(server.config())
        .metadata(&spec("pypi:six@1.16.0"))
        .unwrap();
    let release = meta.release.unwrap();
    assert_eq!(release.version, "1.16.0");
    assert_eq!(release.artifacts[0].filename, "six-1.16.0.tar.gz");
    assert_eq!(server.hits("/pypi/pypi/six/1.16.0/json"), 1);
}

#[test]
fn crates_metadata_owners_dependencies_and_checksum() {
    let server = crates_server();
    let cache = TempDir::new("crates");
    let fetched = server
        .fetcher(&cache)
        .fetch(&spec("crates:itoa@1.0.11"))
        .unwrap();
    let meta = &fetched.metadata;
    assert_eq!(meta.latest.as_deref(), Some("1.0.11"));
    assert_eq!(meta.versions[0].version, "1.0.10");
    assert!(meta.versions[0].yanked);
    assert_eq!(meta.maintainers[0].name.as_deref(), Some("dtolnay"));
    let release = meta.release.as_ref().unwrap();
    assert_eq!(release.dependencies.len(), 2);
    assert_eq!(release.dependencies[0].kind, "optional");
    assert_eq!(release.dependencies[1].kind, "dev");
    assert_eq!(
        release.publisher.as_ref().unwrap().name.as_deref(),
        Some("dtolnay")
    );
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha256".into()
        }
    );
    assert_eq!(
        server.hits("/crates_download/crates/itoa/itoa-1.0.11.crate"),
        1
    );
}

#[test]
fn crates_dl_path_resolves_against_a_mirrored_api() {
    let server = crates_server();
    server.file(
        "/api/v1/crates/itoa/1.0.11/download",
        "crates/itoa-1.0.11.crate",
    );
    let mut config = palisade_registry::RegistryConfig::default();
    config
        .set_base(Endpoint::Crates, &format!("{}/crates", server.base))
        .unwrap();
    let cache = TempDir::new("crates-dl");
    let fetched = Fetcher::new(config, Cache::new(cache.path()))
        .fetch(&spec("crates:itoa"))
        .unwrap();
    assert_eq!(
        fetched.artifact.url,
        format!("{}/api/v1/crates/itoa/1.0.11/download", server.base)
    );
    assert_eq!(server.hits("/api/v1/crates/itoa/1.0.11/download"), 1);
}

#[test]
fn unknown_package_and_version_are_named() {
    let server = npm_server();
    let registries = palisade_registry::Registries::new(server.config());
    let err = registries
        .metadata(&spec("npm:no-such-package"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no-such-package"));

    let err = registries
        .metadata(&spec("npm:left-pad@1.3.9"))
        .unwrap_err();
    match &err {
        RegistryError::VersionNotFound { nearby, .. } => assert_eq!(nearby[0], "1.3.0"),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("1.3.9"));

    let server = crates_server();
    let registries = palisade_registry::Registries::new(server.config());
    let err = registries.metadata(&spec("crates:itoa@9.9.9")).unwrap_err();
    assert!(
        matches!(err, RegistryError::VersionNotFound { .. }),
        "{err}"
    );
    let err = registries.metadata(&spec("crates:nope")).unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let server = pypi_server();
    let registries = palisade_registry::Registries::new(server.config());
    let err = registries.metadata(&spec("pypi:six@0.0.1")).unwrap_err();
    assert!(
        matches!(err, RegistryError::VersionNotFound { .. }),
        "{err}"
    );
}

#[test]
fn a_tampered_artifact_is_refused_and_not_cached() {
    let server = npm_server();
    server.route(
        "/left-pad/-/left-pad-1.3.0.tgz",
        Reply::Body(
            b"not the published tarball".to_vec(),
            "application/octet-stream",
        ),
    );
    let cache = TempDir::new("mismatch");
    let err = server
        .fetcher(&cache)
        .fetch(&spec("npm:left-pad@1.3.0"))
        .unwrap_err();
    match &err {
        RegistryError::DigestMismatch {
            algorithm,
            expected,
            actual,
            ..
        } => {
            assert_eq!(algorithm, "sha512");
            assert!(expected.starts_with("5c8e4c3f"), "{expected}");
            assert_ne!(expected, actual);
        }
        other => panic!("{other}"),
    }
    // Nothing but empty bookkeeping folders is left behind.
    let leftovers: Vec<_> = walk(cache.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_second_fetch_is_served_from_the_cache() {
    for (server, text, artifact) in [
        (
            npm_server(),
            "npm:left-pad@1.3.0",
            "/left-pad/-/left-pad-1.3.0.tgz",
        ),
        (pypi_server(), "pypi:six@1.17.0", SIX_SDIST),
        (
            crates_server(),
            "crates:itoa@1.0.11",
            "/crates_download/crates/itoa/itoa-1.0.11.crate",
        ),
    ] {
        let cache = TempDir::new("reuse");
        let fetcher = server.fetcher(&cache);
        let first = fetcher.fetch(&spec(text)).unwrap();
        let second = fetcher.fetch(&spec(text)).unwrap();
        assert!(!first.from_cache && second.from_cache, "{text}");
        assert_eq!(first.path, second.path);
        assert_eq!(server.hits(artifact), 1, "{text}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
