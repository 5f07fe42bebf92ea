use crate::http::Http;
use crate::{Registry, RegistryError};
use palisade_core::{Ecosystem, PackageMetadata};
pub struct Maven {
    _http: Http,
}
impl Maven {
    pub fn new(http: Http) -> Self {
        Maven { _http: http }
    }
}
impl Registry for Maven {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Maven
    }
    fn metadata(&self, _: &str, _: Option<&str>) -> Result<PackageMetadata, RegistryError> {
        Err(RegistryError::Config("WIP".into()))
    }
}
