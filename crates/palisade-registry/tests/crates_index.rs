//! The crate registry's sparse index, read when the API cannot be reached or is turned
//! off: versions and yanked flags, dependencies, and the checksum the download is
//! verified against.

mod support;

use palisade_registry::{
    Cache, Endpoint, Fetcher, PackageSpec, Registries, RegistryConfig, RegistryError, VerifiedBy,
};
use support::{Reply, Server, TempDir, sha256_hex, testdata};

const INDEX_PATH: &str = "/crates_index/it/oa/itoa";
const CRATE_PATH: &str = "/crates_download/crates/itoa/itoa-1.0.11.crate";

/// An index file of three versions, the newest yanked, whose 1.0.11 entry carries
/// `cksum` as its checksum.
fn index_file(cksum: &str) -> Vec<u8> {
    [
        r#"{"name":"itoa","vers":"1.0.10","deps":[],"cksum":"00","features":{},"yanked":false,"pubtime":"2023-12-03T01:26:53Z"}"#.to_string(),
        format!(
            r#"{{"name":"itoa","vers":"1.0.11","deps":[{{"name":"no-panic","req":"^0.1","features":[],"optional":true,"default_features":true,"target":null,"kind":"normal"}},{{"name":"num","req":"^1","features":[],"optional":false,"default_features":true,"target":null,"kind":"dev","package":"num-traits"}},{{"name":"cc","req":"^1.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"build"}},{{"name":"libc","req":"^0.2","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal"}}],"cksum":"{cksum}","features":{{}},"yanked":false,"rust_version":"1.36","pubtime":"2024-03-26T06:00:49Z"}}"#
        ),
        r#"{"name":"itoa","vers":"1.0.12","deps":[],"cksum":"11","features":{},"yanked":true,"links":null,"v":2}"#.to_string(),
        String::new(),
    ]
    .join("\n")
    .into_bytes()
}

fn artifact() -> Vec<u8> {
    std::fs::read(testdata("crates/itoa-1.0.11.crate")).unwrap()
}

/// The index and the download on the loopback server; the API wherever `api` says.
fn setup(cksum: &str, api: &str) -> (Server, RegistryConfig) {
    let server = Server::start();
    server.route(INDEX_PATH, Reply::Body(index_file(cksum), "text/plain"));
    server.route(
        CRATE_PATH,
        Reply::Body(artifact(), "application/octet-stream"),
    );
    let mut config = server.config();
    config.set_base(Endpoint::Crates, api).unwrap();
    (server, config)
}

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

#[test]
fn an_unreachable_api_falls_back_to_the_index() {
    let (server, config) = setup(&sha256_hex(&artifact()), "http://127.0.0.1:1");
    let cache = TempDir::new("crates-index");
    let fetched = Fetcher::new(config, Cache::new(cache.path()))
        .fetch(&spec("crates:itoa"))
        .unwrap();
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha256".into()
        }
    );
    assert_eq!(fetched.sha256, sha256_hex(&artifact()));
    let meta = &fetched.metadata;
    assert_eq!(meta.name, "itoa");
    assert_eq!(meta.latest.as_deref(), Some("1.0.11"));
    let versions: Vec<(&str, bool)> = meta
        .versions
        .iter()
        .map(|v| (v.version.as_str(), v.yanked))
        .collect();
    assert_eq!(
        versions,
        [("1.0.10", false), ("1.0.11", false), ("1.0.12", true)]
    );
    // Publish times where the index gives them; nothing the index does not know.
    assert_eq!(meta.versions[0].published, Some(1_701_566_813));
    assert_eq!(meta.versions[2].published, None);
    assert_eq!(meta.created, Some(1_701_566_813));
    assert!(meta.maintainers.is_empty() && meta.license.is_none());
    let release = meta.release.as_ref().unwrap();
    assert_eq!(release.version, "1.0.11");
    assert_eq!(release.published, Some(1_711_432_849));
    assert!(release.publisher.is_none());
    let deps: Vec<(&str, &str, &str)> = release
        .dependencies
        .iter()
        .map(|d| (d.name.as_str(), d.requirement.as_str(), d.kind.as_str()))
        .collect();
    assert_eq!(
        deps,
        [
            ("no-panic", "^0.1", "optional"),
            ("num-traits", "^1", "dev"),
            ("cc", "^1.0", "build"),
            ("libc", "^0.2", ""),
        ]
    );
    assert_eq!(fetched.artifact.url, format!("{}{CRATE_PATH}", server.base));
    assert_eq!(server.hits(INDEX_PATH), 1);
    assert_eq!(server.hits(CRATE_PATH), 1);
}

#[test]
fn an_api_that_keeps_failing_is_asked_once_per_client() {
    let (server, mut config) = setup(&sha256_hex(&artifact()), "http://unused.test");
    config
        .set_base(Endpoint::Crates, &format!("{}/crates", server.base))
        .unwrap();
    config.retries = 1;
    server.route("/crates/api/v1/crates/itoa", Reply::Status(503));
    let registries = Registries::new(config);
    for version in ["1.0.10", "1.0.11"] {
        let meta = registries
            .metadata(&spec(&format!("crates:itoa@{version}")))
            .unwrap();
        assert_eq!(meta.release.unwrap().version, version);
    }
    assert_eq!(server.hits("/crates/api/v1/crates/itoa"), 2);
    assert_eq!(server.hits(INDEX_PATH), 2);
}

#[test]
fn with_the_api_off_only_the_index_is_asked() {
    let (server, mut config) = setup(&sha256_hex(&artifact()), "http://unused.test");
    config
        .apply_toml("[registries]\ncrates = \"off\"\n")
        .unwrap();
    let meta = Registries::new(config)
        .metadata(&spec("crates:itoa@1.0.12"))
        .unwrap();
    assert!(
        meta.versions
            .iter()
            .any(|v| v.version == "1.0.12" && v.yanked)
    );
    assert_eq!(meta.release.unwrap().version, "1.0.12");
    assert_eq!(server.hits(INDEX_PATH), 1);
}

#[test]
fn a_crate_missing_from_the_index_is_not_found() {
    let (server, config) = setup("00", "http://127.0.0.1:1");
    let registries = Registries::new(config);
    let err = registries.metadata(&spec("crates:nope")).unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
    assert_eq!(server.hits("/crates_index/3/n/nope"), 0);
    assert_eq!(server.hits("/crates_index/no/pe/nope"), 1);
    let err = registries.metadata(&spec("crates:itoa@9.9.9")).unwrap_err();
    match &err {
        RegistryError::VersionNotFound { nearby, .. } => assert!(nearby.contains(&"1.0.11".into())),
        other => panic!("{other}"),
    }
}

#[test]
fn a_404_from_the_api_does_not_ask_the_index() {
    let (server, mut config) = setup("00", "http://unused.test");
    config
        .set_base(Endpoint::Crates, &format!("{}/crates", server.base))
        .unwrap();
    let err = Registries::new(config)
        .metadata(&spec("crates:itoa"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
    assert_eq!(server.hits(INDEX_PATH), 0);
}

#[test]
fn a_checksum_mismatch_from_the_index_is_refused() {
    let wrong = sha256_hex(b"something else");
    let (_server, config) = setup(&wrong, "http://127.0.0.1:1");
    let cache = TempDir::new("crates-index-bad");
    let err = Fetcher::new(config, Cache::new(cache.path()))
        .fetch(&spec("crates:itoa@1.0.11"))
        .unwrap_err();
    match &err {
        RegistryError::DigestMismatch {
            algorithm,
            expected,
            ..
        } => {
            assert_eq!(algorithm, "sha256");
            assert!(expected.contains(&wrong), "{expected}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn when_index_and_api_are_both_unreachable_the_error_names_both() {
    let mut config = RegistryConfig::default();
    config.retries = 0;
    config
        .set_base(Endpoint::Crates, "http://127.0.0.1:1")
        .unwrap();
    config
        .set_base(Endpoint::CratesIndex, "http://127.0.0.1:1/index")
        .unwrap();
    let err = Registries::new(config)
        .metadata(&spec("crates:itoa"))
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("/index/it/oa/itoa"), "{err}");
    assert!(
        err.to_string().contains("API at http://127.0.0.1:1"),
        "{err}"
    );
}
