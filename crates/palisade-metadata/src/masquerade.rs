//! Masquerading: a name that borrows a well-known vendor's name (`aws-`, `azure-`,
//! `vmware`, `okta`, `paypal`...) published by someone with no visible tie to it.
//!
//! Malicious packages dress as official SDKs and tools so that a developer trusts them
//! on sight: the `VMConnect` package on PyPI posed as a VMware module. Without registry
//! metadata the name alone is only an informational hint; with it, the publisher's
//! e-mail domains, names and repository or home-page links are compared with the
//! vendor's domains and code-host organisations (data/vendors.txt).
//!
//! Example: `aws-credentials-helper` maintained by `dev@gmail.com`, repository on a
//! personal account: reported as masquerading as Amazon Web Services.

use crate::popular::is_popular;
use palisade_core::{Category, Ecosystem, Finding, PackageMetadata, RuleInfo, Severity};
use std::sync::OnceLock;

pub static MASQUERADE: RuleInfo = RuleInfo {
    id: "name/masquerade",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "The name uses a well-known vendor's name, but nothing in the registry \
              metadata ties the publisher to that vendor.",
    why: "Packages posing as official SDKs are trusted on sight (the fake VMware \
          `VMConnect` module on PyPI). Official packages are published from the vendor's \
          domains and organisations; community ones usually say so.",
    example: "`vmconnect` (VMware) maintained by someone@gmail.com, repository elsewhere",
    attack: Some("T1036"),
};

pub static VENDOR_NAME: RuleInfo = RuleInfo {
    id: "name/vendor-name",
    category: Category::Metadata,
    severity: Severity::Info,
    summary: "The name uses a well-known vendor's name; without registry metadata the \
              publisher could not be compared with the vendor.",
    why: "Borrowed vendor names are how packages pose as official; scan by registry name \
          to check who publishes it.",
    example: "`azure-keyvault-helper` scanned from a file",
    attack: Some("T1036"),
};

/// A vendor from data/vendors.txt.
#[derive(Debug)]
pub struct Vendor {
    pub name: String,
    pub tokens: Vec<String>,
    pub domains: Vec<String>,
    pub orgs: Vec<String>,
}

fn split_list(field: &str) -> Vec<String> {
    field
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The vendors, parsed on first use.
pub fn vendors() -> &'static [Vendor] {
    static VENDORS: OnceLock<Vec<Vendor>> = OnceLock::new();
    VENDORS.get_or_init(|| {
        include_str!("../data/vendors.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let fields: Vec<&str> = line.split('|').collect();
                let [name, tokens, domains, orgs] = fields.as_slice() else {
                    return None;
                };
                Some(Vendor {
                    name: name.trim().to_string(),
                    tokens: split_list(tokens),
                    domains: split_list(domains),
                    orgs: split_list(orgs),
                })
            })
            .collect()
    })
}

/// The words of a name: split at separators and lower-to-upper case changes
/// (`VMConnect` gives `vm`, `connect`), plus the whole name run together.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    words.push(current);
    words.push(
        name.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect(),
    );
    words.retain(|w| !w.is_empty());
    words
}

/// The vendor whose name `name` borrows, and the borrowed token.
pub fn vendor_in_name(name: &str) -> Option<(&'static Vendor, &'static str)> {
    let words = words(name);
    vendors().iter().find_map(|vendor| {
        vendor
            .tokens
            .iter()
            .find(|token| {
                words
                    .iter()
                    .any(|w| w == *token || (token.len() >= 5 && w.starts_with(token.as_str())))
            })
            .map(|token| (vendor, token.as_str()))
    })
}

fn host_and_org(url: &str) -> Option<(String, Option<String>)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest
        .strip_prefix("git@")
        .unwrap_or(rest)
        .to_ascii_lowercase();
    let (host, path) = rest.split_once(['/', ':']).unwrap_or((rest.as_str(), ""));
    let host = host.rsplit('@').next().unwrap_or(host).to_string();
    let org = path.split('/').find(|s| !s.is_empty()).map(str::to_string);
    Some((host, org))
}

fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// What in `metadata` ties the publisher to `vendor`, if anything.
fn tie(vendor: &Vendor, metadata: &PackageMetadata) -> Option<String> {
    let people = metadata
        .maintainers
        .iter()
        .chain(metadata.release.iter().filter_map(|r| r.publisher.as_ref()));
    for person in people {
        if let Some((_, domain)) = person.email.as_deref().and_then(|e| e.rsplit_once('@')) {
            let domain = domain.to_ascii_lowercase();
            if vendor.domains.iter().any(|d| domain_matches(&domain, d)) {
                return Some(format!("maintainer e-mail at {domain}"));
            }
        }
        let name = person
            .name
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if vendor
            .orgs
            .iter()
            .any(|o| name == *o || name.starts_with(&format!("{o}-")))
        {
            return Some(format!("maintainer account `{name}`"));
        }
    }
    for url in [&metadata.repository, &metadata.homepage]
        .into_iter()
        .flatten()
    {
        let Some((host, org)) = host_and_org(url) else {
            continue;
        };
        if vendor.domains.iter().any(|d| domain_matches(&host, d)) {
            return Some(format!("link to {host}"));
        }
        if let Some(org) = org.filter(|o| vendor.orgs.contains(o)) {
            return Some(format!("repository under `{org}`"));
        }
    }
    None
}

/// The masquerading finding for `name`, judged on `metadata` when there is some.
pub fn check(
    ecosystem: Ecosystem,
    name: &str,
    metadata: Option<&PackageMetadata>,
) -> Option<Finding> {
    // Popular packages bearing a vendor's name are the vendor's own or long trusted.
    if is_popular(ecosystem, name) {
        return None;
    }
    let (vendor, token) = vendor_in_name(name)?;
    let finding = match metadata {
        None => VENDOR_NAME.finding(format!(
            "`{name}` uses the name `{token}` of {}: check that {} really publishes it",
            vendor.name, vendor.name
        )),
        Some(metadata) => {
            if tie(vendor, metadata).is_some() {
                return None;
            }
            let emails: Vec<&str> = metadata
                .maintainers
                .iter()
                .filter_map(|m| m.email.as_deref())
                .collect();
            MASQUERADE.finding(format!(
                "`{name}` uses the name `{token}` of {}, but no maintainer e-mail, account or \
                 link points to {} ({}; e.g. {}): packages posing as official ones are \
                 trusted on sight",
                vendor.name,
                vendor.name,
                if emails.is_empty() {
                    "no maintainer e-mail".to_string()
                } else {
                    format!("maintainers {}", emails.join(", "))
                },
                vendor.domains.first().map_or("", String::as_str),
            ))
        }
    };
    Some(finding.at("name", None).with_snippet(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::Maintainer;

    fn metadata(email: &str, repository: &str) -> PackageMetadata {
        PackageMetadata {
            maintainers: vec![Maintainer {
                name: Some("someone".into()),
                email: Some(email.into()),
            }],
            repository: (!repository.is_empty()).then(|| repository.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn vendor_tokens_are_found_in_words_and_camel_case() {
        assert_eq!(vendor_in_name("VMConnect").unwrap().0.name, "VMware");
        assert_eq!(vendor_in_name("aws-credentials-helper").unwrap().1, "aws");
        assert_eq!(vendor_in_name("paypalCheckout").unwrap().0.name, "PayPal");
        assert!(vendor_in_name("laws-of-motion").is_none());
        assert!(vendor_in_name("strawsome").is_none());
        assert!(vendor_in_name("").is_none());
    }

    #[test]
    fn an_unrelated_publisher_is_reported_as_masquerading() {
        let meta = metadata("dev1234@gmail.com", "https://example.org/someone/vmconnect");
        let finding = check(Ecosystem::PyPI, "VMConnect", Some(&meta)).unwrap();
        assert_eq!(finding.rule, "name/masquerade");
        assert!(finding.message.contains("of VMware"), "{}", finding.message);
        assert!(finding.message.contains("dev1234@gmail.com"));
    }

    #[test]
    fn the_vendors_own_publisher_is_not_reported() {
        let by_mail = metadata("sdk-team@amazon.com", "");
        assert_eq!(
            check(Ecosystem::Npm, "aws-fancy-tool", Some(&by_mail)),
            None
        );
        let by_org = metadata(
            "x@gmail.com",
            "git+https://example.org/awslabs/aws-fancy-tool.git",
        );
        assert_eq!(check(Ecosystem::Npm, "aws-fancy-tool", Some(&by_org)), None);
        let by_subdomain = metadata("me@corp.vmware.com", "");
        assert_eq!(
            check(Ecosystem::PyPI, "vmware-helper", Some(&by_subdomain)),
            None
        );
    }

    #[test]
    fn without_metadata_only_an_informational_hint_and_popular_names_are_exempt() {
        let hint = check(Ecosystem::PyPI, "azure-keyvault-helper", None).unwrap();
        assert_eq!(hint.rule, "name/vendor-name");
        assert_eq!(hint.severity, Severity::Info);
        assert_eq!(check(Ecosystem::PyPI, "azure-core", None), None);
        assert_eq!(check(Ecosystem::Npm, "left-pad-ish", None), None);
    }
}
