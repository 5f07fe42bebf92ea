//! The Go module proxy and Maven, unreachable from the machines this
//! was written on: their fixtures follow each registry's documented response format,
//! and the artifacts are built here so that every digest is a real one.

mod support;

use base64::Engine;
use palisade_registry::{PackageSpec, Registries, RegistryError, VerifiedBy};
use sha2::Digest;
use support::{Reply, Server, TempDir, sha256_hex, zip_of};

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

const MODULE_FILES: [(&str, &[u8]); 3] = [
    (
        "example.com/Demo/mod@v1.1.0/main.go",
        b"package mod\n\nfunc init() {}\n",
    ),
    (
        "example.com/Demo/mod@v1.1.0/go.mod",
        b"module example.com/Demo/mod\n\ngo 1.22\n",
    ),
    ("example.com/Demo/mod@v1.1.0/LICENSE", b"MIT\n"),
];

/// Go's `h1:` written out from the file contents, independently of the zip reader.
fn expected_h1() -> String {
    let mut lines: Vec<String> = MODULE_FILES
        .iter()
        .map(|(name, content)| format!("{}  {name}\n", sha256_hex(content)))
        .collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    let sum = sha2::Sha256::digest(lines.concat().as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(sum)
    )
}

fn go_server(zip: Vec<u8>, h1: &str) -> Server {
    let server = Server::start();
    let module = "/go/example.com/!demo/mod";
    server.fixture(&format!("{module}/@v/list"), "go/list.txt", &[]);
    server.fixture(&format!("{module}/@v/v1.1.0.info"), "go/v1.1.0.info", &[]);
    server.route(
        &format!("{module}/@v/v1.1.0.zip"),
        Reply::Body(zip, "application/zip"),
    );
    server.fixture(
        "/go_sumdb/lookup/example.com/!demo/mod@v1.1.0",
        "go/lookup.txt",
        &[("{{GO_H1}}", h1)],
    );
    server
}

#[test]
fn go_module_is_verified_against_the_checksum_database() {
    let zip = zip_of(&MODULE_FILES);
    let server = go_server(zip.clone(), &expected_h1());
    let cache = TempDir::new("go");
    let fetched = server
        .fetcher(&cache)
        .fetch(&spec("pkg:golang/example.com/Demo/mod"))
        .unwrap();
    let meta = &fetched.metadata;
    let versions: Vec<&str> = meta.versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(versions, ["v1.0.0", "v1.1.0-rc.1", "v1.1.0"]);
    assert_eq!(meta.latest.as_deref(), Some("v1.1.0"));
    assert_eq!(
        meta.release.as_ref().unwrap().published,
        Some(1_714_979_289)
    );
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "h1".into()
        }
    );
    assert_eq!(std::fs::read(&fetched.path).unwrap(), zip);

    // Second fetch: the h1 index finds the file; the zip is not asked for again.
    let again = server
        .fetcher(&cache)
        .fetch(&spec("go:example.com/Demo/mod@v1.1.0"))
        .unwrap();
    assert!(again.from_cache);
    assert_eq!(server.hits("/go/example.com/!demo/mod/@v/v1.1.0.zip"), 1);
}

#[test]
fn go_module_with_other_content_is_refused() {
    let mut files = MODULE_FILES;
    files[0].1 = b"package mod\n\nfunc init() { steal() }\n";
    let server = go_server(zip_of(&files), &expected_h1());
    let cache = TempDir::new("go-bad");
    let err = server
        .fetcher(&cache)
        .fetch(&spec("go:example.com/Demo/mod@v1.1.0"))
        .unwrap_err();
    match &err {
        RegistryError::DigestMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &expected_h1());
            assert!(actual.starts_with("h1:") && actual != expected);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn go_without_a_checksum_database_fails_unless_turned_off() {
    let zip = zip_of(&MODULE_FILES);
    let server = go_server(zip, &expected_h1());
    server.route(
        "/go_sumdb/lookup/example.com/!demo/mod@v1.1.0",
        Reply::Status(503),
    );
    let mut config = server.config();
    config.retries = 0;
    let err = Registries::new(config.clone())
        .metadata(&spec("go:example.com/Demo/mod@v1.1.0"))
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("/go_sumdb/lookup/"), "{err}");

    config
        .set_base(palisade_registry::Endpoint::GoSumDb, "off")
        .unwrap();
    let cache = TempDir::new("go-off");
    let fetched =
        palisade_registry::Fetcher::new(config, palisade_registry::Cache::new(cache.path()))
            .fetch(&spec("go:example.com/Demo/mod@v1.1.0"))
            .unwrap();
    assert!(!fetched.verified.is_verified(), "{}", fetched.verified);
    let err = Registries::new(server.config())
        .metadata(&spec("go:example.com/Demo/mod@v9.0.0"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::VersionNotFound { .. }),
        "{err}"
    );
    let err = Registries::new(server.config())
        .metadata(&spec("go:example.com/none"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
}

fn maven_server(jar: &[u8], sha256_file: bool) -> Server {
    let server = Server::start();
    let dir = "/maven/maven2/org/example/demo-lib";
    server.fixture(
        &format!("{dir}/maven-metadata.xml"),
        "maven/maven-metadata.xml",
        &[],
    );
    server.fixture(
        &format!("{dir}/1.1/demo-lib-1.1.pom"),
        "maven/demo-lib-1.1.pom",
        &[],
    );
    server.route(
        &format!("{dir}/1.1/demo-lib-1.1.jar"),
        Reply::Body(jar.to_vec(), "application/java-archive"),
    );
    let sha1 = palisade_registry::digest::to_hex(&sha1_of(jar));
    server.route(
        &format!("{dir}/1.1/demo-lib-1.1.jar.sha1"),
        Reply::Body(
            format!("{sha1}  demo-lib-1.1.jar\n").into_bytes(),
            "text/plain",
        ),
    );
    if sha256_file {
        server.route(
            &format!("{dir}/1.1/demo-lib-1.1.jar.sha256"),
            Reply::Body(sha256_hex(jar).into_bytes(), "text/plain"),
        );
    }
    server
}

fn sha1_of(bytes: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(bytes).to_vec()
}

#[test]
fn maven_metadata_pom_and_sha1_or_sha256() {
    let jar = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n")]);
    for (sha256_file, algorithm) in [(false, "sha1"), (true, "sha256")] {
        let server = maven_server(&jar, sha256_file);
        let cache = TempDir::new("maven");
        let fetched = server
            .fetcher(&cache)
            .fetch(&spec("pkg:maven/org.example/demo-lib"))
            .unwrap();
        let meta = &fetched.metadata;
        assert_eq!(meta.latest.as_deref(), Some("1.1"));
        assert_eq!(meta.versions.len(), 2);
        assert_eq!(
            meta.description.as_deref(),
            Some("A demo library & friends.")
        );
        assert_eq!(
            meta.repository.as_deref(),
            Some("https://git.example/demo/lib")
        );
        assert_eq!(
            meta.maintainers[0].email.as_deref(),
            Some("jane@demo.example")
        );
        let release = meta.release.as_ref().unwrap();
        assert_eq!(release.dependencies[0].name, "org.slf4j:slf4j-api");
        assert_eq!(release.dependencies[1].kind, "dev");
        assert_eq!(fetched.artifact.kind, "jar");
        assert_eq!(
            fetched.verified,
            VerifiedBy::Digest {
                algorithm: algorithm.into()
            }
        );
    }
    let server = maven_server(&jar, false);
    let err = Registries::new(server.config())
        .metadata(&spec("maven:org.example:demo-lib@2.0"))
        .unwrap_err();
    match err {
        RegistryError::VersionNotFound { nearby, .. } => {
            assert!(nearby.contains(&"1.1".to_string()))
        }
        other => panic!("{other}"),
    }
    let err = Registries::new(server.config())
        .metadata(&spec("maven:org.example:other"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
}

#[test]
fn maven_jar_that_does_not_match_its_sha1_is_refused() {
    let jar = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n")]);
    let server = maven_server(&jar, false);
    server.route(
        "/maven/maven2/org/example/demo-lib/1.1/demo-lib-1.1.jar",
        Reply::Body(b"PK-not-it".to_vec(), "application/java-archive"),
    );
    let cache = TempDir::new("maven-bad");
    let err = server
        .fetcher(&cache)
        .fetch(&spec("maven:org.example:demo-lib@1.1"))
        .unwrap_err();
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
}
