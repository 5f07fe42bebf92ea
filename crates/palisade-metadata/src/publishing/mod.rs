//! Publishing anomalies: what the registry's record of a package says about who
//! published it, when, and whether the registry and the artifact agree.
//!
//! Malicious packages are mostly new, have one or two versions, are published from
//! throw-away mail accounts and point at no repository, or at someone else's to borrow
//! its stars. Hijacked packages show a new publisher, or a release after years of
//! silence. npm's registry keeps its own copy of each manifest, which can disagree with
//! the `package.json` in the tarball ("manifest confusion"): tools that read one and
//! install the other miss install scripts and dependencies.
//!
//! Example: `colorsx` created 2 days ago with one version, maintained by
//! `x@mailinator.com`, repository `github.com/Marak/colors.js`.

mod manifest;
mod rules;
#[cfg(test)]
mod tests;

pub use manifest::{manifest_confusion, url_dependencies, url_requirement};
pub use rules::*;

use crate::MetadataContext;
use crate::popular::{list, normalise, squash};
use palisade_core::{Finding, Maintainer, PackageMetadata, time::format_rfc3339};
use std::collections::HashSet;
use std::sync::OnceLock;

const DAY: i64 = 86_400;
const AT: &str = "registry:metadata";

/// Every publishing finding for the context's metadata.
pub fn check(ctx: &MetadataContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(meta) = ctx.metadata else {
        findings.extend(
            ctx.artifact_manifest
                .map_or_else(Vec::new, |m| url_dependencies(&m.dependencies, "manifest")),
        );
        return findings;
    };
    findings.extend(new_package(ctx, meta));
    findings.extend(new_publisher(ctx, meta));
    findings.extend(dormant_revival(ctx, meta));
    findings.extend(disposable_emails(meta));
    findings.extend(repository(ctx, meta));
    if let Some(release) = &meta.release {
        // Only npm accepts a registry manifest separate from the tarball's; the other
        // registries derive their record from the uploaded artifact, where a
        // difference is one of spelling (`^0.1` against `0.1`), not confusion.
        if let Some(artifact) = ctx.artifact_manifest
            && ctx.ecosystem == palisade_core::Ecosystem::Npm
        {
            findings.extend(manifest_confusion(release, artifact));
        }
        findings.extend(url_dependencies(&release.dependencies, "registry:release"));
    }
    if let Some(artifact) = ctx.artifact_manifest {
        let registry: HashSet<_> = meta
            .release
            .iter()
            .flat_map(|r| r.dependencies.iter().map(|d| (&d.name, &d.requirement)))
            .collect();
        let own: Vec<_> = artifact
            .dependencies
            .iter()
            .filter(|d| !registry.contains(&(&d.name, &d.requirement)))
            .cloned()
            .collect();
        findings.extend(url_dependencies(&own, "manifest"));
    }
    findings
}

/// When the package was first published: the registry's creation time, else its
/// oldest version.
fn created(meta: &PackageMetadata) -> Option<i64> {
    meta.created
        .or_else(|| meta.versions.iter().filter_map(|v| v.published).min())
}

fn new_package(ctx: &MetadataContext, meta: &PackageMetadata) -> Option<Finding> {
    let age = ctx.now - created(meta)?;
    if age > ctx.thresholds.new_package_days * DAY {
        return None;
    }
    let versions = meta.versions.len();
    let few = if versions <= ctx.thresholds.few_versions {
        " and few versions"
    } else {
        ""
    };
    Some(
        NEW_PACKAGE
            .finding(format!(
                "`{}` was first published {} days ago and has {versions} version(s): most \
                 malicious packages are removed within days, so a new package{few} has no \
                 track record to trust",
                ctx.name,
                age.max(0) / DAY
            ))
            .at(AT, None),
    )
}

fn same_person(a: &Maintainer, b: &Maintainer) -> bool {
    let norm = |s: &Option<String>| s.as_deref().map(|s| s.trim().to_lowercase());
    match (norm(&a.email), norm(&b.email)) {
        (Some(x), Some(y)) => x == y,
        _ => norm(&a.name).is_some() && norm(&a.name) == norm(&b.name),
    }
}

fn who(m: &Maintainer) -> String {
    match (&m.name, &m.email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => "an unnamed account".into(),
    }
}

fn new_publisher(ctx: &MetadataContext, meta: &PackageMetadata) -> Option<Finding> {
    let release = meta.release.as_ref()?;
    let publisher = release.publisher.as_ref()?;
    let previous = ctx
        .previous_release
        .and_then(|r| r.publisher.as_ref().map(|p| (r, p)));
    let message = if let Some((prev, prev_publisher)) = previous {
        if same_person(publisher, prev_publisher) {
            return None;
        }
        format!(
            "version {} was published by {}, but the previous version {} by {}: a change of \
             hands is how hijacked accounts and handed-over packages ship malware",
            release.version,
            who(publisher),
            prev.version,
            who(prev_publisher)
        )
    } else if !meta.maintainers.is_empty()
        && !meta.maintainers.iter().any(|m| same_person(m, publisher))
    {
        format!(
            "version {} was published by {}, who is not among the listed maintainers",
            release.version,
            who(publisher)
        )
    } else {
        return None;
    };
    Some(NEW_PUBLISHER.finding(message).at("registry:release", None))
}

fn dormant_revival(ctx: &MetadataContext, meta: &PackageMetadata) -> Option<Finding> {
    let version = ctx
        .version
        .or(meta.release.as_ref().map(|r| r.version.as_str()))
        .or(meta.latest.as_deref())?;
    let published = meta
        .versions
        .iter()
        .find(|v| v.version == version)
        .and_then(|v| v.published)
        .or(meta.release.as_ref().and_then(|r| r.published))?;
    let before = meta
        .versions
        .iter()
        .filter(|v| v.version != version)
        .filter_map(|v| v.published)
        .filter(|&t| t < published)
        .max()?;
    let gap_days = (published - before) / DAY;
    (gap_days >= ctx.thresholds.dormant_days).then(|| {
        DORMANT_REVIVAL
            .finding(format!(
                "version {version} ({}) came {gap_days} days after the previous release \
                 ({}): a release after a long silence is a sign of a taken-over account \
                 or an abandoned name passed to someone new",
                format_rfc3339(published),
                format_rfc3339(before)
            ))
            .at("registry:release", None)
    })
}

/// Domains of throw-away and placeholder mail services (data/disposable-domains.txt).
fn disposable_domains() -> &'static HashSet<&'static str> {
    static DOMAINS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    DOMAINS.get_or_init(|| {
        include_str!("../../data/disposable-domains.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether the e-mail's domain, or a parent of it, is disposable or a placeholder.
pub fn disposable(email: &str) -> bool {
    let Some((_, domain)) = email.trim().rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let mut rest = domain.as_str();
    loop {
        if disposable_domains().contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) => rest = parent,
            None => return false,
        }
    }
}

fn disposable_emails(meta: &PackageMetadata) -> Vec<Finding> {
    let people = meta
        .maintainers
        .iter()
        .chain(meta.release.iter().filter_map(|r| r.publisher.as_ref()));
    let mut seen = HashSet::new();
    people
        .filter_map(|m| m.email.as_deref())
        .filter(|e| disposable(e) && seen.insert(e.to_ascii_lowercase()))
        .map(|email| {
            DISPOSABLE_EMAIL
                .finding(format!(
                    "maintainer e-mail {email} is at a throw-away or placeholder domain: \
                     nobody can be reached or held to account through it"
                ))
                .at(AT, None)
                .with_snippet(email.to_string())
        })
        .collect()
}

/// The repository's name: the last path segment, without `.git`.
fn repository_name(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?.trim_end_matches('/');
    let last = path.rsplit(['/', ':']).next()?;
    let last = last.strip_suffix(".git").unwrap_or(last);
    (!last.is_empty()).then_some(last)
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !matches!(*w, "python" | "node" | "js" | "lib" | "the"))
        .map(str::to_string)
        .collect()
}

fn repository(ctx: &MetadataContext, meta: &PackageMetadata) -> Option<Finding> {
    let Some(url) = meta.repository.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Some(
            NO_REPOSITORY
                .finding(format!(
                    "`{}` links to no source repository, so its published code cannot be \
                     compared with a public history",
                    ctx.name
                ))
                .at(AT, None),
        );
    };
    let repo = repository_name(url)?;
    let name = normalise(ctx.ecosystem, ctx.name);
    let (a, b) = (squash(&name), squash(&normalise(ctx.ecosystem, repo)));
    let related = a.contains(&b) || b.contains(&a) || {
        let theirs = words(url);
        words(&name).iter().any(|w| theirs.contains(w))
    };
    if related {
        return None;
    }
    let popular = list(ctx.ecosystem);
    let borrowed = popular
        .index_of(&normalise(ctx.ecosystem, repo))
        .map(|i| {
            format!(
                ", the name of popular `{}` ({})",
                popular.names[i as usize],
                popular.standing(i)
            )
        })
        .unwrap_or_default();
    Some(
        REPOSITORY_MISMATCH
            .finding(format!(
                "`{}` links to repository `{repo}`{borrowed}: a package pointing at another \
                 project's repository borrows its stars and reputation",
                ctx.name
            ))
            .at(AT, None)
            .with_snippet(url.to_string()),
    )
}
