//! OSV ecosystem strings to Palisade ecosystems.

use palisade_core::Ecosystem;

/// Maps an OSV ecosystem string to a Palisade ecosystem.
///
/// OSV ecosystems may carry a suffix after `:` (`Debian:11`, `Ubuntu:22.04:LTS`); only
/// the part before it names the ecosystem. Matching is on the OSV names only (ignoring
/// ASCII case), not on the short names Palisade's command line accepts, so that `pip`
/// in a record is not mistaken for PyPI. `None` for every other ecosystem.
pub fn osv_ecosystem(osv: &str) -> Option<Ecosystem> {
    let base = osv.split(':').next().unwrap_or(osv).trim();
    Ecosystem::ALL
        .into_iter()
        .find(|eco| eco.as_str().eq_ignore_ascii_case(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_osv_names_with_and_without_suffix() {
        assert_eq!(osv_ecosystem("PyPI"), Some(Ecosystem::PyPI));
        assert_eq!(osv_ecosystem("crates.io"), Some(Ecosystem::Crates));
        assert_eq!(osv_ecosystem("Maven:central"), Some(Ecosystem::Maven));
        assert_eq!(osv_ecosystem("npm"), Some(Ecosystem::Npm));
        assert_eq!(osv_ecosystem("Go"), Some(Ecosystem::Go));
        assert_eq!(osv_ecosystem("NuGet"), Some(Ecosystem::NuGet));
        assert_eq!(osv_ecosystem("RubyGems"), Some(Ecosystem::RubyGems));
        assert_eq!(osv_ecosystem("Debian:11"), None);
        assert_eq!(osv_ecosystem("pip"), None);
        assert_eq!(osv_ecosystem(""), None);
    }
}
