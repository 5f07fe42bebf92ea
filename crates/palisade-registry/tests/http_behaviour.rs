//! How the clients behave when the network or the registry misbehaves: timeouts,
//! retries, malformed and oversized responses, redirects.

mod support;

use palisade_registry::{PackageSpec, Registries, RegistryError};
use std::time::{Duration, Instant};
use support::{Reply, Server, TempDir};

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

fn packument(server: &Server) -> Vec<u8> {
    std::fs::read_to_string(support::testdata("npm/left-pad.json"))
        .unwrap()
        .replace("{{BASE}}", &server.base)
        .into_bytes()
}

#[test]
fn a_slow_registry_times_out_and_is_named() {
    let server = Server::start();
    server.route(
        "/npm/left-pad",
        Reply::Slow(Duration::from_secs(3), Box::new(Reply::Status(200))),
    );
    let mut config = server.config();
    config.timeout = Duration::from_millis(300);
    config.retries = 1;
    let started = Instant::now();
    let err = Registries::new(config)
        .metadata(&spec("npm:left-pad"))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    match &err {
        RegistryError::Unreachable { url, cause } => {
            assert!(url.ends_with("/npm/left-pad"), "{url}");
            assert!(cause.contains("2 attempts"), "{cause}");
        }
        other => panic!("{other}"),
    }
    assert_eq!(server.hits("/npm/left-pad"), 2);
}

#[test]
fn a_503_is_retried_until_success() {
    let server = Server::start();
    let body = packument(&server);
    server.route(
        "/npm/left-pad",
        Reply::Sequence(vec![
            Reply::Status(503),
            Reply::Status(429),
            Reply::Body(body, "application/json"),
        ]),
    );
    let meta = Registries::new(server.config())
        .metadata(&spec("npm:left-pad"))
        .unwrap();
    assert_eq!(meta.latest.as_deref(), Some("1.3.0"));
    assert_eq!(server.hits("/npm/left-pad"), 3);
}

#[test]
fn retries_stop_after_the_configured_count_and_4xx_is_not_retried() {
    let server = Server::start();
    server.route("/npm/down", Reply::Status(502));
    server.route("/npm/forbidden", Reply::Status(403));
    let mut config = server.config();
    config.retries = 2;
    let registries = Registries::new(config);
    let err = registries.metadata(&spec("npm:down")).unwrap_err();
    assert!(err.to_string().contains("502"), "{err}");
    assert_eq!(server.hits("/npm/down"), 3);
    let err = registries.metadata(&spec("npm:forbidden")).unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 403, .. }),
        "{err}"
    );
    assert_eq!(server.hits("/npm/forbidden"), 1);
}

#[test]
fn malformed_json_names_the_url_and_position() {
    let server = Server::start();
    server.route(
        "/npm/broken",
        Reply::Body(
            b"{\n  \"name\": \"broken\",\n  oops\n}".to_vec(),
            "application/json",
        ),
    );
    let err = Registries::new(server.config())
        .metadata(&spec("npm:broken"))
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, RegistryError::Malformed { .. }), "{text}");
    assert!(
        text.contains("/npm/broken") && text.contains("line 3"),
        "{text}"
    );
}

#[test]
fn oversized_bodies_are_cut_off() {
    let server = Server::start();
    let big = vec![b' '; 64 * 1024];
    server.route(
        "/npm/declared",
        Reply::Body(big.clone(), "application/json"),
    );
    server.route("/npm/undeclared", Reply::Unsized(big));
    let mut config = server.config();
    config.metadata_limit = 16 * 1024;
    let registries = Registries::new(config);
    for name in ["declared", "undeclared"] {
        let err = registries
            .metadata(&spec(&format!("npm:{name}")))
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::TooLarge { limit: 16384, .. }),
            "{name}: {err}"
        );
    }

    // The artifact cap applies to downloads.
    let server = Server::start();
    server.route(
        "/npm/left-pad",
        Reply::Body(packument(&server), "application/json"),
    );
    server.route(
        "/left-pad/-/left-pad-1.3.0.tgz",
        Reply::Unsized(vec![0u8; 8192]),
    );
    let mut config = server.config();
    config.artifact_limit = 4096;
    let cache = TempDir::new("oversize");
    let err = palisade_registry::Fetcher::new(config, palisade_registry::Cache::new(cache.path()))
        .fetch(&spec("npm:left-pad@1.3.0"))
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
}

#[test]
fn redirects_are_followed_and_relative_urls_resolve_against_the_final_url() {
    let server = Server::start();
    let body = std::fs::read_to_string(support::testdata("npm/left-pad.json"))
        .unwrap()
        .replace("{{BASE}}", &server.base);
    server.route(
        "/npm/left-pad",
        Reply::Redirect("/mirror/v2/left-pad".into()),
    );
    server.route(
        "/mirror/v2/left-pad",
        Reply::Body(body.into_bytes(), "application/json"),
    );
    let meta = Registries::new(server.config())
        .metadata(&spec("npm:left-pad@1.2.0"))
        .unwrap();
    assert_eq!(
        meta.release.unwrap().artifacts[0].url,
        format!("{}/mirror/v2/left-pad/-/left-pad-1.2.0.tgz", server.base)
    );
}

#[test]
fn an_unreachable_registry_names_url_and_cause() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = palisade_registry::RegistryConfig::default();
    config
        .set_base(
            palisade_registry::Endpoint::PyPI,
            &format!("http://127.0.0.1:{port}"),
        )
        .unwrap();
    config.retries = 0;
    let err = Registries::new(config)
        .metadata(&spec("pypi:six"))
        .unwrap_err();
    match &err {
        RegistryError::Unreachable { url, cause } => {
            assert!(url.contains(&port.to_string()), "{url}");
            assert!(!cause.is_empty());
        }
        other => panic!("{other}"),
    }
}
