use crate::http::Http;
use crate::{Registry, RegistryError};
use palisade_core::{Ecosystem, PackageMetadata};
pub struct NuGet {
    _http: Http,
}
impl NuGet {
    pub fn new(http: Http) -> Self {
        NuGet { _http: http }
    }
}
impl Registry for NuGet {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::NuGet
    }
    fn metadata(&self, _: &str, _: Option<&str>) -> Result<PackageMetadata, RegistryError> {
        Err(RegistryError::Config("WIP".into()))
    }
}
