//! Fetches from the public registries. Opt-in (`PALISADE_LIVE=1`): it needs the network
//! and the registries' goodwill, neither of which a test run should assume.

mod support;

use palisade_registry::{Cache, Fetcher, PackageSpec, RegistryConfig, VerifiedBy};
use support::TempDir;

fn live_fetch(text: &str, algorithm: &str) {
    if std::env::var("PALISADE_LIVE").as_deref() != Ok("1") {
        eprintln!("skipped: set PALISADE_LIVE=1 to fetch {text} from the public registry");
        return;
    }
    let spec: PackageSpec = text.parse().unwrap();
    let cache = TempDir::new("live");
    let fetcher = Fetcher::new(
        RegistryConfig::load(None).unwrap(),
        Cache::new(cache.path()),
    );
    let fetched = fetcher
        .fetch(&spec)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(
        fetched.verified,
        VerifiedBy::Digest {
            algorithm: algorithm.into()
        }
    );
    assert_eq!(
        fetched.metadata.release.as_ref().unwrap().version,
        spec.version.clone().unwrap()
    );
    assert!(std::fs::metadata(&fetched.path).unwrap().len() > 0);
    assert!(fetcher.fetch(&spec).unwrap().from_cache);
    eprintln!(
        "{text}: {} bytes, sha256 {}, verified by {}",
        std::fs::metadata(&fetched.path).unwrap().len(),
        fetched.sha256,
        fetched.verified
    );
}

#[test]
fn live_npm() {
    live_fetch("npm:left-pad@1.3.0", "sha512");
}

#[test]
fn live_pypi() {
    live_fetch("pypi:six@1.17.0", "sha256");
}

#[test]
fn live_crates() {
    live_fetch("crates:itoa@1.0.11", "sha256");
}
