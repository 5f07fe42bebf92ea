use crate::http::Http;
use crate::{Registry, RegistryError};
use palisade_core::{Ecosystem, PackageMetadata};
pub struct GoProxy {
    _http: Http,
}
impl GoProxy {
    pub fn new(http: Http) -> Self {
        GoProxy { _http: http }
    }
}
impl Registry for GoProxy {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Go
    }
    fn metadata(&self, _: &str, _: Option<&str>) -> Result<PackageMetadata, RegistryError> {
        Err(RegistryError::Config("WIP".into()))
    }
}
pub fn escape_module_path(p: &str) -> String {
    p.to_string()
}
