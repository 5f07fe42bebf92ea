//! The registry's manifest against the artifact's, and dependencies from outside the
//! registry.

use super::{CLEARTEXT_DEPENDENCY, MANIFEST_CONFUSION, URL_DEPENDENCY};
use crate::ArtifactManifest;
use palisade_core::{DeclaredDependency, Finding, ReleaseInfo, truncate_chars};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many URL dependencies are listed one by one; the rest are counted.
const MAX_LISTED: usize = 10;

/// Findings for each difference between the registry's copy of the manifest and the
/// artifact's own: install scripts first, then dependencies.
pub fn manifest_confusion(release: &ReleaseInfo, artifact: &ArtifactManifest) -> Vec<Finding> {
    let mut findings = Vec::new();
    let registry: BTreeMap<&str, &str> = release
        .install_scripts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let own: BTreeMap<&str, &str> = artifact
        .install_scripts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let hooks: BTreeSet<&str> = registry.keys().chain(own.keys()).copied().collect();
    for hook in hooks {
        let (theirs, ours) = (registry.get(hook), own.get(hook));
        if theirs == ours {
            continue;
        }
        let show = |s: Option<&&str>| {
            s.map_or("nothing".to_string(), |s| {
                format!("`{}`", truncate_chars(s, 120))
            })
        };
        findings.push(
            MANIFEST_CONFUSION
                .finding(format!(
                    "install script `{hook}`: the artifact's manifest runs {}, the registry \
                     declares {}; scanners and reviewers reading the registry see a \
                     different install than the one that runs",
                    show(ours),
                    show(theirs)
                ))
                .at("manifest", None)
                .with_snippet(format!("{hook}: {}", ours.or(theirs).unwrap_or(&""))),
        );
    }
    let deps = |list: &[DeclaredDependency]| -> BTreeMap<String, String> {
        list.iter()
            .map(|d| (d.name.clone(), d.requirement.clone()))
            .collect()
    };
    let (registry, own) = (deps(&release.dependencies), deps(&artifact.dependencies));
    let hidden: Vec<String> = own
        .iter()
        .filter(|(name, req)| registry.get(*name) != Some(req))
        .map(|(name, req)| format!("{name} {req}"))
        .collect();
    let missing: Vec<String> = registry
        .iter()
        .filter(|(name, _)| !own.contains_key(*name))
        .map(|(name, req)| format!("{name} {req}"))
        .collect();
    if !hidden.is_empty() || !missing.is_empty() {
        let mut parts = Vec::new();
        if !hidden.is_empty() {
            parts.push(format!(
                "only in the artifact or different there: {}",
                hidden.join(", ")
            ));
        }
        if !missing.is_empty() {
            parts.push(format!("only in the registry: {}", missing.join(", ")));
        }
        findings.push(
            MANIFEST_CONFUSION
                .finding(format!(
                    "dependencies differ between the registry and the artifact's manifest ({}): \
                     the installer follows the artifact",
                    truncate_chars(&parts.join("; "), 400)
                ))
                .at("manifest", None),
        );
    }
    findings
}

/// Whether a requirement names a URL, a git repository, a code-host shorthand or a local
/// path instead of a version range.
pub fn url_requirement(requirement: &str) -> bool {
    let r = requirement.trim().to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "git+",
        "git://",
        "git@",
        "http://",
        "https://",
        "ftp://",
        "file:",
        "link:",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "ssh://",
        "../",
        "./",
        "/",
        "~/",
    ];
    if PREFIXES.iter().any(|p| r.starts_with(p)) || r.contains("://") {
        return true;
    }
    // npm's `user/repo` shorthand: a slash and no version operators or spaces.
    let shorthand = r.split('#').next().unwrap_or_default();
    shorthand.split('/').count() == 2
        && !shorthand.starts_with(['@', '^', '~', '>', '<', '=', '*'])
        && shorthand.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        && !shorthand.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Whether a requirement downloads over plain HTTP, or from a host written as an IP
/// address (no name a certificate could vouch for).
fn cleartext(requirement: &str) -> bool {
    let r = requirement.trim().to_ascii_lowercase();
    let r = r.strip_prefix("git+").unwrap_or(&r);
    // `git://` is as bare, but the code hosts stopped serving it: such an install fails.
    if r.starts_with("http://") || r.starts_with("ftp://") {
        return true;
    }
    let Some(rest) = r.split_once("://").map(|(_, rest)| rest) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.strip_prefix('[').map_or_else(
        || host.split(':').next().unwrap_or_default(),
        |v6| v6.split(']').next().unwrap_or_default(),
    );
    // Resolvers also take `3232235777`, `0xc0a80101` and `192.168.257` for addresses.
    let numeric = !host.is_empty()
        && (host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || host.starts_with("0x")
                && host
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b'x' || b == b'.'));
    numeric || host.parse::<std::net::IpAddr>().is_ok()
}

/// One finding per dependency taken from outside the registry, `at` naming the source.
pub fn url_dependencies(dependencies: &[DeclaredDependency], at: &str) -> Vec<Finding> {
    let mut external: Vec<(&DeclaredDependency, bool)> = dependencies
        .iter()
        .filter(|d| url_requirement(&d.requirement))
        .map(|d| (d, cleartext(&d.requirement)))
        .collect();
    // The graver ones first, so that the summary of the rest never hides one.
    external.sort_by_key(|&(_, cleartext)| !cleartext);
    let mut findings: Vec<Finding> = external
        .iter()
        .take(MAX_LISTED)
        .map(|&(d, cleartext)| {
            let (rule, how) = if cleartext {
                (
                    &CLEARTEXT_DEPENDENCY,
                    "without TLS or from a bare IP address: whoever holds that address, or \
                     the network path to it, decides what installs",
                )
            } else {
                (
                    &URL_DEPENDENCY,
                    "what it installs can change at any time and skips the registry's checks",
                )
            };
            rule.finding(format!(
                "dependency `{}` comes from `{}`, outside the registry, {how}",
                truncate_chars(&d.name, 100),
                truncate_chars(&d.requirement, 200)
            ))
            .at(at, None)
            .with_snippet(truncate_chars(
                &format!("{} {}", d.name, d.requirement),
                200,
            ))
        })
        .collect();
    if external.len() > MAX_LISTED {
        findings.push(
            URL_DEPENDENCY
                .finding(format!(
                    "{} more dependencies come from outside the registry",
                    external.len() - MAX_LISTED
                ))
                .at(at, None),
        );
    }
    findings
}
