//! Small pieces every client uses: reading loosely typed JSON fields, people, version
//! lists and the not-found errors.

use crate::RegistryError;
use crate::error::nearby_versions;
use crate::http::Http;
use palisade_core::{Ecosystem, Maintainer, VersionInfo};
use serde_json::Value;

/// GETs JSON, turning a 404 into "package not found".
pub fn get_package_json(
    http: &Http,
    url: &str,
    ecosystem: Ecosystem,
    name: &str,
) -> Result<(Value, String), RegistryError> {
    http.get_json::<Value>(url)?
        .ok_or_else(|| RegistryError::PackageNotFound {
            ecosystem,
            name: name.to_string(),
            url: url.to_string(),
        })
}

pub fn version_not_found(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    versions: &[VersionInfo],
) -> RegistryError {
    let all: Vec<String> = versions.iter().map(|v| v.version.clone()).collect();
    RegistryError::VersionNotFound {
        ecosystem,
        name: name.to_string(),
        version: version.to_string(),
        nearby: nearby_versions(version, &all),
    }
}

/// A non-empty, trimmed string field.
pub fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A string, or the `field` of an object (npm writes `repository` and `license` both
/// ways, and `repository.url` may carry a `git+` prefix).
pub fn text_or_field(value: Option<&Value>, field: &str) -> Option<String> {
    match value? {
        Value::Object(map) => text(map.get(field)),
        other => text(Some(other)),
    }
}

/// A person as an object with `name`/`email`, or as the `Name <email> (url)` string npm
/// and others accept.
pub fn person(value: &Value) -> Option<Maintainer> {
    let maintainer = match value {
        Value::Object(map) => Maintainer {
            name: text(map.get("name")),
            email: text(map.get("email")),
        },
        Value::String(s) => {
            let (name, email) = match s.split_once('<') {
                Some((name, rest)) => (name, rest.split('>').next()),
                None => (s.split('(').next().unwrap_or(s), None),
            };
            let clean = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
            Maintainer {
                name: clean(name),
                email: email.and_then(clean),
            }
        }
        _ => return None,
    };
    (maintainer.name.is_some() || maintainer.email.is_some()).then_some(maintainer)
}

/// Every person of a JSON array.
pub fn people(value: Option<&Value>) -> Vec<Maintainer> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(person).collect())
        .unwrap_or_default()
}

/// Orders versions oldest first when every one has a publish time; otherwise keeps the
/// registry's order, which is the best information there is.
pub fn sort_by_time(versions: &mut [VersionInfo]) {
    if versions.iter().all(|v| v.published.is_some()) {
        versions.sort_by_key(|v| v.published);
    }
}

/// The earliest publish time.
pub fn first_published(versions: &[VersionInfo]) -> Option<i64> {
    versions.iter().filter_map(|v| v.published).min()
}

pub fn time(value: Option<&Value>) -> Option<i64> {
    value
        .and_then(Value::as_str)
        .and_then(palisade_core::time::parse_rfc3339)
}

/// The last path segment of a URL, without query or fragment.
pub fn filename_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn people_come_as_objects_or_strings() {
        let list = json!([
            {"name": "a", "email": "a@x"},
            "B Person <b@x> (https://b)",
            "C Only (https://c)",
            {"url": "nobody"},
            7
        ]);
        let found = people(Some(&list));
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].name.as_deref(), Some("B Person"));
        assert_eq!(found[1].email.as_deref(), Some("b@x"));
        assert_eq!(found[2].name.as_deref(), Some("C Only"));
    }

    #[test]
    fn filenames_ignore_queries() {
        assert_eq!(filename_of("http://h/a/b.tgz?x=/y"), "b.tgz");
    }
}
