use crate::http::Http;
use crate::{Registry, RegistryError};
use palisade_core::{Ecosystem, PackageMetadata};
pub struct RubyGems {
    _http: Http,
}
impl RubyGems {
    pub fn new(http: Http) -> Self {
        RubyGems { _http: http }
    }
}
impl Registry for RubyGems {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::RubyGems
    }
    fn metadata(&self, _: &str, _: Option<&str>) -> Result<PackageMetadata, RegistryError> {
        Err(RegistryError::Config("WIP".into()))
    }
}
