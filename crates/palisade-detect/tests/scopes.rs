//! Where correlations look: every module-level hit counts (not only a rule's first), a
//! call inside a function is not module-level, and test files install nothing.

use palisade_archive::Unpacked;
use palisade_core::PackageFile;
use palisade_detect::{Engine, ScanOptions};
use std::time::{Duration, Instant};

fn rules_for(source: &str) -> Vec<String> {
    rules_for_file("pkg/__init__.py", source)
}

fn rules_for_file(path: &str, source: &str) -> Vec<String> {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    let unpacked = Unpacked {
        format: "directory".into(),
        files: vec![PackageFile {
            path: path.into(),
            data: source.as_bytes().to_vec(),
        }],
        ..Default::default()
    };
    let analysis = engine.analyse_unpacked(unpacked, Instant::now() + Duration::from_secs(30));
    analysis.findings.into_iter().map(|f| f.rule).collect()
}

#[test]
fn a_call_at_module_level_counts_after_the_import_that_names_it() {
    // The shape of a real recon package: `from urllib import request`, then a
    // module-level request.
    let rules = rules_for("from urllib import request\nk = request.urlopen(r)\n");
    assert!(
        rules.iter().any(|r| r == "correlate/import-time-network"),
        "{rules:?}"
    );
}

#[test]
fn the_same_call_inside_a_function_is_not_module_level() {
    let rules =
        rules_for("from urllib import request\ndef fetch(r):\n    return request.urlopen(r)\n");
    assert!(
        !rules.iter().any(|r| r == "correlate/import-time-network"),
        "{rules:?}"
    );
}

#[test]
fn a_dropper_writing_with_a_mode_keyword_is_a_dropper() {
    // The shape of a real payload package (ascii2text): download, write with
    // `open(path, mode='w')`, start, all at the top of `__init__.py`.
    let source = "from urllib import request\nfrom os import system\n\
                  if not isfile(path):\n    \
                  script = request.urlopen(u).read()\n    \
                  with open(path, mode='w', encoding='utf-8') as f:\n        f.write(script)\n    \
                  system(f'start {path}')\n";
    let rules = rules_for(source);
    assert!(
        rules.iter().any(|r| r == "correlate/download-write-run"),
        "{rules:?}"
    );
}

#[test]
fn a_test_writing_a_setup_py_with_an_install_override_installs_nothing() {
    // setuptools' own tests write such a setup.py into a temporary folder.
    let source = "setup_defines_subclass = \"\"\"\nfrom distutils.command.install import install as _install\n\
                  class install(_install):\n    pass\n\"\"\"\n\
                  def test_it(tmp_path):\n    (tmp_path / 'setup.py').write_text(setup_defines_subclass)\n";
    let in_test = rules_for_file("pkg/tests/test_core.py", source);
    assert!(
        !in_test
            .iter()
            .any(|r| r == "correlate/install-command-runs-code"),
        "{in_test:?}"
    );
}

#[test]
fn an_address_hidden_in_base64_is_reported_and_a_list_of_prefixes_is_not() {
    // async-dispatcher keeps its upload address as base64.
    let hidden = rules_for(
        "import base64\nu = base64.b64decode('aHR0cDovL2V4YW1wbGUucHl0aG9uYW55d2hlcmUuY29tL3VwbG9hZA==')\n",
    );
    assert!(
        hidden.iter().any(|r| r == "concealment/encoded-url"),
        "{hidden:?}"
    );
    // setuptools strips these prefixes from URLs: fragments, not an encoding.
    let prefixes =
        rules_for("NAME_REMOVE = (\"http://\", \"https://\", \"github.com/\", \"/raw/\")\n");
    assert!(
        !prefixes.iter().any(|r| r == "concealment/encoded-url"),
        "{prefixes:?}"
    );
}

#[test]
fn fetching_and_executing_in_one_function_is_a_download_cradle() {
    // crpt: the fetch and the exec are separate statements of one function.
    let source = "import urllib.request\ndef main():\n    response = urllib.request.urlopen(url)\n    \
                  code = response.read().decode()\n    exec(compile(code, path, 'exec'), {})\n";
    let rules = rules_for(source);
    assert!(
        rules
            .iter()
            .any(|r| r == "correlate/function-fetch-then-execute"),
        "{rules:?}"
    );
    // The same two capabilities in different functions are not the same code path.
    let apart = "import urllib.request\ndef get():\n    return urllib.request.urlopen(url).read()\n\
                 def run(code):\n    exec(code)\n";
    let rules = rules_for(apart);
    assert!(
        !rules
            .iter()
            .any(|r| r == "correlate/function-fetch-then-execute"),
        "{rules:?}"
    );
}
