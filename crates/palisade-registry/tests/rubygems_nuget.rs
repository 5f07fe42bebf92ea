//! RubyGems and NuGet, unreachable from the machines this
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

fn gem_bytes() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in [
        (
            "metadata.gz",
            &b"--- !ruby/object:Gem::Specification\nname: tinygem\n"[..],
        ),
        ("data.tar.gz", &b"puts 'hello'\n"[..]),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, content).unwrap();
    }
    builder.into_inner().unwrap()
}

fn rubygems_server() -> (Server, Vec<u8>) {
    let server = Server::start();
    let gem = gem_bytes();
    let sha = sha256_hex(&gem);
    let subs = [("{{GEM_SHA256}}", sha.as_str())];
    server.fixture(
        "/rubygems/api/v1/gems/tinygem.json",
        "rubygems/tinygem.json",
        &subs,
    );
    server.fixture(
        "/rubygems/api/v1/versions/tinygem.json",
        "rubygems/tinygem-versions.json",
        &subs,
    );
    server.fixture(
        "/rubygems/api/v1/gems/tinygem/owners.json",
        "rubygems/tinygem-owners.json",
        &subs,
    );
    server.fixture(
        "/rubygems/api/v2/rubygems/tinygem/versions/0.1.0.json",
        "rubygems/tinygem-0.1.0.json",
        &subs,
    );
    server.route(
        "/rubygems/gems/tinygem-0.2.0.gem",
        Reply::Body(gem.clone(), "application/octet-stream"),
    );
    (server, gem)
}

#[test]
fn rubygems_metadata_download_and_sha256() {
    let (server, gem) = rubygems_server();
    let cache = TempDir::new("gem");
    let fetched = server.fetcher(&cache).fetch(&spec("gem:tinygem")).unwrap();
    let meta = &fetched.metadata;
    assert_eq!(meta.latest.as_deref(), Some("0.2.0"));
    let versions: Vec<&str> = meta.versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(
        versions,
        ["0.1.0", "0.2.0"],
        "platform gems are not separate versions"
    );
    assert_eq!(meta.maintainers[0].name.as_deref(), Some("janedoe"));
    assert_eq!(meta.license.as_deref(), Some("MIT"));
    let release = meta.release.as_ref().unwrap();
    assert_eq!(release.dependencies.len(), 2);
    assert_eq!(release.dependencies[1].kind, "dev");
    assert_eq!(fetched.artifact.filename, "tinygem-0.2.0.gem");
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha256".into()
        }
    );
    assert_eq!(std::fs::read(&fetched.path).unwrap(), gem);

    // An older version's dependencies come from its own document.
    let meta = Registries::new(server.config())
        .metadata(&spec("gem:tinygem@0.1.0"))
        .unwrap();
    let release = meta.release.unwrap();
    assert_eq!(release.dependencies[0].requirement, ">= 1.8");
    let err = Registries::new(server.config())
        .metadata(&spec("gem:tinygem@0.3.0"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::VersionNotFound { .. }),
        "{err}"
    );
    let err = Registries::new(server.config())
        .metadata(&spec("gem:nogem"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
}

fn nuget_server(with_catalog: bool) -> (Server, Vec<u8>) {
    let server = Server::start();
    let nupkg = zip_of(&[
        ("Demo.Lib.nuspec", b"<package/>"),
        ("lib/net8.0/Demo.Lib.dll", b"MZ"),
    ]);
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&nupkg));
    let size = nupkg.len().to_string();
    let subs = [
        ("{{NUPKG_SHA512_BASE64}}", hash.as_str()),
        ("{{NUPKG_SIZE}}", size.as_str()),
    ];
    server.fixture("/nuget/v3/index.json", "nuget/index.json", &subs);
    server.fixture(
        "/nuget/v3-flatcontainer/demo.lib/index.json",
        "nuget/demo.lib-versions.json",
        &subs,
    );
    server.fixture(
        "/nuget/v3/registration5-semver1/demo.lib/index.json",
        "nuget/demo.lib-registration.json",
        &subs,
    );
    server.fixture(
        "/nuget/v3/registration5-semver1/demo.lib/page/1.0.0/2.0.0-beta.1.json",
        "nuget/demo.lib-page.json",
        &subs,
    );
    if with_catalog {
        server.fixture(
            "/nuget/v3/catalog0/data/2024.03.01.12.00.00/demo.lib.1.1.0.json",
            "nuget/demo.lib-1.1.0-catalog.json",
            &subs,
        );
    }
    server.route(
        "/nuget/v3-flatcontainer/demo.lib/1.1.0/demo.lib.1.1.0.nupkg",
        Reply::Body(nupkg.clone(), "application/octet-stream"),
    );
    (server, nupkg)
}

#[test]
fn nuget_follows_the_service_index_and_linked_pages_and_verifies_sha512() {
    let (server, nupkg) = nuget_server(true);
    let cache = TempDir::new("nuget");
    let fetched = server
        .fetcher(&cache)
        .fetch(&spec("nuget:Demo.Lib"))
        .unwrap();
    let meta = &fetched.metadata;
    assert_eq!(meta.name, "Demo.Lib");
    assert_eq!(
        meta.latest.as_deref(),
        Some("1.1.0"),
        "unlisted pre-release is not latest"
    );
    assert!(meta.versions[2].yanked && meta.versions[2].published.is_none());
    assert_eq!(meta.maintainers.len(), 2);
    assert_eq!(meta.license.as_deref(), Some("MIT"));
    let release = meta.release.as_ref().unwrap();
    assert_eq!(release.dependencies.len(), 2, "{:?}", release.dependencies);
    assert!(release.published.is_some());
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: "sha512".into()
        }
    );
    assert_eq!(std::fs::read(&fetched.path).unwrap(), nupkg);
    // Versions match case-insensitively, as NuGet's do.
    let meta = Registries::new(server.config())
        .metadata(&spec("nuget:demo.lib@1.1.0"))
        .unwrap();
    assert_eq!(meta.release.unwrap().version, "1.1.0");
}

#[test]
fn nuget_without_a_reachable_catalog_entry_downloads_unverified_and_says_so() {
    let (server, _) = nuget_server(false);
    let cache = TempDir::new("nuget-unverified");
    let fetched = server
        .fetcher(&cache)
        .fetch(&spec("nuget:Demo.Lib@1.1.0"))
        .unwrap();
    match &fetched.verified {
        VerifiedBy::Unverified { reason } => assert!(reason.contains("catalog"), "{reason}"),
        other => panic!("{other}"),
    }
    assert!(!fetched.verified.is_verified());
    let err = Registries::new(server.config())
        .metadata(&spec("nuget:Demo.Lib@3.0.0"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::VersionNotFound { .. }),
        "{err}"
    );
    let err = Registries::new(server.config())
        .metadata(&spec("nuget:Other"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
}
