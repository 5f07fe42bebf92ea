use palisade_core::{Category, RuleInfo, Severity};

pub static NEW_PACKAGE: RuleInfo = RuleInfo {
    id: "registry/new-package",
    category: Category::Metadata,
    severity: Severity::Low,
    summary: "The package was first published recently (30 days by default).",
    why: "Most malicious packages live for days before the registry removes them; a new \
          package has no history, users or reviews to vouch for it.",
    example: "`colorsx` was first published 2 days ago and has 1 version(s)",
    attack: Some("T1195.002"),
};

pub static NEW_PUBLISHER: RuleInfo = RuleInfo {
    id: "registry/new-publisher",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "This release was published by someone other than the previous release's \
              publisher, or by an account not among the maintainers.",
    why: "Hijacked accounts and packages handed over to strangers (event-stream) ship \
          their payload in the first release under the new hands.",
    example: "1.3.0 published by new-owner <x@mail.example>, 1.2.9 by the original author",
    attack: Some("T1195.002"),
};

pub static DORMANT_REVIVAL: RuleInfo = RuleInfo {
    id: "registry/dormant-revival",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "This release came after two years or more without one.",
    why: "Abandoned packages are taken over through expired maintainer domains or \
          handed-over names, and the first sign is a sudden release after years of \
          silence (ctx, the PyPI package, in 2022).",
    example: "0.2.2 published 2022-05-14, eight years after 0.1.2",
    attack: Some("T1195.002"),
};

pub static DISPOSABLE_EMAIL: RuleInfo = RuleInfo {
    id: "registry/disposable-email",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "A maintainer or the publisher uses a throw-away or placeholder e-mail \
              domain (mailinator, guerrillamail, example.com...).",
    why: "Maintainers of real projects keep a reachable address; throw-away accounts are \
          made to publish something and disappear.",
    example: "maintainer e-mail dev@mailinator.com",
    attack: Some("T1585"),
};

pub static NO_REPOSITORY: RuleInfo = RuleInfo {
    id: "registry/no-repository",
    category: Category::Metadata,
    severity: Severity::Info,
    summary: "The registry metadata links to no source repository.",
    why: "Without a repository the published code cannot be compared with a public \
          history; many honest packages omit it, so this only adds weight to others.",
    example: "no `repository` field in the registry metadata",
    attack: None,
};

pub static REPOSITORY_MISMATCH: RuleInfo = RuleInfo {
    id: "registry/repository-mismatch",
    category: Category::Metadata,
    severity: Severity::Low,
    summary: "The repository link names a project unrelated to the package's name.",
    why: "Malicious packages point at a popular project's repository to borrow its stars \
          and look established (starjacking); registries do not check the link.",
    example: "`reqeusts` links to repository `requests`, the name of popular `requests`",
    attack: Some("T1036"),
};

pub static MANIFEST_CONFUSION: RuleInfo = RuleInfo {
    id: "registry/manifest-confusion",
    category: Category::Metadata,
    severity: Severity::High,
    summary: "The registry's copy of the manifest disagrees with the manifest inside the \
              artifact: install scripts or dependencies differ.",
    why: "npm serves a manifest the publisher submits separately from the tarball; tools \
          that trust the registry's copy miss the install scripts and dependencies that \
          the installer takes from the tarball (manifest confusion).",
    example: "tarball package.json has `postinstall: node x.js`; the registry lists none",
    attack: Some("T1195.002"),
};

pub static CLEARTEXT_DEPENDENCY: RuleInfo = RuleInfo {
    id: "registry/cleartext-url-dependency",
    category: Category::Metadata,
    severity: Severity::High,
    summary: "A dependency is downloaded over plain HTTP or from a bare IP address.",
    why: "The installer fetches and runs whatever that address serves, unencrypted and \
          unsigned: its owner, or anyone on the network path, swaps the code at install \
          time. No registry serves packages so; \"remote dynamic dependencies\" keep a \
          payload's install script off the registry this way, behind a package that \
          itself holds nothing suspicious.",
    example: "dependency `ui-styles-pkg` = `http://packages.example.com/npm/unused-imports`",
    attack: Some("T1195.001"),
};

pub static URL_DEPENDENCY: RuleInfo = RuleInfo {
    id: "registry/url-dependency",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "A dependency is fetched from a URL, a git repository or a local path \
              instead of the registry.",
    why: "Such dependencies bypass the registry's malware checks and can change at any \
          time without a new version of this package; attackers hide payloads behind \
          them (`http://host/payload.tgz`).",
    example: "dependency `helper` = `git+https://example.org/x/helper.git`",
    attack: Some("T1195.001"),
};
