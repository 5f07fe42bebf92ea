//! Where the followed responses are run: as code by an evaluator, or as a program or
//! module after being written to a file.

use super::carriers::standalone;
use super::lexicon::{SINK, START, THEN_EVAL, WRITE};
use super::text::{
    CODE_ARGUMENT, WINDOW, arguments, is_word, leading_name, split_arguments, trim, without_strings,
};
use super::{DownloadRun, Followed, Reader, RemoteRun};

impl Reader<'_> {
    /// The first place the file runs a carried response as code.
    pub(super) fn remote_run(&self, followed: &Followed) -> Option<RemoteRun> {
        let data = self.data;
        let mut sinks: Vec<(usize, usize, bool)> = SINK
            .find_iter(data)
            .filter(|m| self.live(m.end() - 1))
            .map(|m| {
                // `Function(a, b, body)` takes its code last, `compileFunction` first.
                let text = m.as_bytes();
                let function = memchr::memmem::find(text, b"Function").is_some()
                    && memchr::memmem::find(text, b"compileFunction").is_none();
                (m.start(), m.end(), function)
            })
            .collect();
        for (alias, function) in &self.sink_aliases {
            let call = [alias.as_slice(), b"("].concat();
            for at in memchr::memmem::find_iter(data, &call) {
                if standalone(data, at, &call) && self.live(at) {
                    sinks.push((at, at + call.len(), *function));
                }
            }
        }
        sinks.sort_unstable();
        // Functions that hand a parameter to an evaluator (`function run(s) {
        // eval(s) }`), with the parameter's place.
        let mut wrappers: Vec<(Vec<u8>, usize)> = Vec::new();
        for &(_, end, last_argument) in &sinks {
            // Names inside a string handed to `eval` are the evaluated code's, not
            // values: bundlers wrap every module in `eval("...")`.
            let args = arguments(data, end, CODE_ARGUMENT);
            let parts = split_arguments(args);
            let code = if last_argument {
                parts.last()
            } else {
                parts.first()
            };
            let Some(code) = code.cloned() else { continue };
            let text = without_strings(&args[code.clone()]);
            if let Some(origin) = self.carried(&text, end + code.start, &followed.carriers)
                && self.believed(followed, origin, end - 1)
            {
                return Some(RemoteRun {
                    fetched_line: self.lines.line(origin),
                    run_line: self.lines.line(end - 1),
                });
            }
            if let Some(wrapper) = self.wrapper(end - 1, &text)
                && !wrappers.contains(&wrapper)
            {
                wrappers.push(wrapper);
            }
            if self.spent() {
                return None;
            }
        }
        if let Some(run) = self.wrapped_run(followed, &wrappers) {
            return Some(run);
        }
        THEN_EVAL
            .find_iter(data)
            .filter(|m| self.live(m.start() + 1))
            .find_map(|m| {
                let window = m.start().saturating_sub(WINDOW);
                let chain_start = data[window..m.start()]
                    .iter()
                    .rposition(|&b| b == b';' || b == b'\n')
                    .map_or(window, |i| window + i + 1);
                let chain = &data[chain_start..m.start()];
                let origin = self.carried(chain, chain_start, &followed.carriers)?;
                self.believed(followed, origin, m.start())
                    .then(|| RemoteRun {
                        fetched_line: self.lines.line(origin),
                        run_line: self.lines.line(m.start()),
                    })
            })
    }

    /// The named function around a sink at `at` whose parameter is the sink's code
    /// (`code`, strings blanked), with the parameter's place.
    fn wrapper(&self, at: usize, code: &[u8]) -> Option<(Vec<u8>, usize)> {
        let (_, function) = self.blocks.enclosing_function(at)?;
        let name = function.name.clone()?;
        let index = function
            .params
            .iter()
            .position(|p| memchr::memmem::find_iter(code, p).any(|i| standalone(code, i, p)))?;
        Some((name, index))
    }

    /// A call of a wrapper with a carrier in the evaluated parameter's place, or a
    /// wrapper handed to `.then` on a carried chain.
    fn wrapped_run(&self, followed: &Followed, wrappers: &[(Vec<u8>, usize)]) -> Option<RemoteRun> {
        let data = self.data;
        for (name, index) in wrappers.iter().take(16) {
            let call = [name.as_slice(), b"("].concat();
            for at in memchr::memmem::find_iter(data, &call) {
                let end = at + call.len();
                let definition = super::blocks::defines(&data[end - 1..]);
                if !standalone(data, at, &call) || !self.live(at) || definition || self.spent() {
                    continue;
                }
                let args = arguments(data, end, CODE_ARGUMENT);
                let Some(place) = split_arguments(args).get(*index).cloned() else {
                    continue;
                };
                let text = without_strings(&args[place.clone()]);
                if let Some(origin) = self.carried(&text, end + place.start, &followed.carriers)
                    && self.believed(followed, origin, at)
                {
                    return Some(RemoteRun {
                        fetched_line: self.lines.line(origin),
                        run_line: self.lines.line(at),
                    });
                }
            }
            if *index != 0 {
                continue;
            }
            let then = [&b".then("[..], name, b")"].concat();
            for at in memchr::memmem::find_iter(data, &then) {
                let window = at.saturating_sub(WINDOW);
                let chain_start = data[window..at]
                    .iter()
                    .rposition(|&b| b == b';' || b == b'\n')
                    .map_or(window, |i| window + i + 1);
                if let Some(origin) =
                    self.carried(&data[chain_start..at], chain_start, &followed.carriers)
                    && self.believed(followed, origin, at)
                {
                    return Some(RemoteRun {
                        fetched_line: self.lines.line(origin),
                        run_line: self.lines.line(at),
                    });
                }
            }
        }
        None
    }

    /// Whether a run at `at` of what came from `origin` is to be believed. Not when the
    /// names saturated and the run is outside the function that fetched; not when the
    /// address fetched is what the function's caller passed and nothing in the file
    /// passes it one of its own: a module loader (SystemJS, RequireJS) fetches and runs
    /// what its user asks for, a loader in a package what the package names.
    fn believed(&self, followed: &Followed, origin: usize, at: usize) -> bool {
        let reach = !followed.saturated
            || self.blocks.enclosing_function(origin).map(|(i, _)| i)
                == self.blocks.enclosing_function(at).map(|(i, _)| i);
        reach && !self.caller_chosen(origin)
    }

    /// Whether the address of the network call at `origin` is a parameter of the named
    /// function around it (`function load(url) { fetch(url) ... }`, an XHR opened on
    /// one), and no call of that function in the file passes it a string.
    fn caller_chosen(&self, origin: usize) -> bool {
        let data = self.data;
        let address = |args: &[u8], place: usize| {
            split_arguments(args)
                .get(place)
                .map(|r| leading_name(&args[r.clone()]).to_vec())
        };
        // The named functions around the call, innermost first (an XHR's handler sits
        // inside the function that opened the request).
        let mut at = origin;
        let mut found = None;
        for _ in 0..4 {
            let Some((body, function)) = self.blocks.named_function_block(at) else {
                break;
            };
            let named = if data.get(origin) == Some(&b'(') {
                address(arguments(data, origin + 1, CODE_ARGUMENT), 0)
            } else {
                // `.responseText`: the address is the one the request was opened on.
                let body_text = &data[body.start..body.end.min(data.len())];
                memchr::memmem::find(body_text, b".open(")
                    .and_then(|i| address(arguments(data, body.start + i + 6, CODE_ARGUMENT), 1))
            };
            let place = named.and_then(|n| function.params.iter().position(|p| *p == n));
            if let Some(place) = place {
                found = Some((place, function));
                break;
            }
            at = body.start;
        }
        let Some((param, function)) = found else {
            return false;
        };
        let Some(name) = &function.name else {
            return false;
        };
        // A call in the file that passes anything but a name relayed from elsewhere (a
        // string, `process.env.U`, a decoding), or a name the file binds to one, chooses
        // the address itself.
        let call = [name.as_slice(), b"("].concat();
        !memchr::memmem::find_iter(data, &call)
            .take(64)
            .filter(|&at| standalone(data, at, &call) && self.live(at))
            .filter(|&at| !super::blocks::defines(&data[at + call.len() - 1..]))
            .any(|at| {
                let args = arguments(data, at + call.len(), CODE_ARGUMENT);
                split_arguments(args).get(param).is_some_and(|r| {
                    let arg = trim(&args[r.clone()]);
                    !arg.iter().all(|&b| is_word(b)) || self.bound_to_a_value(arg)
                })
            })
    }

    /// Whether the file declares `name` with a value of its own: a string, an
    /// environment variable, a decoding.
    fn bound_to_a_value(&self, name: &[u8]) -> bool {
        let Some(declared) = self.declarations.get(name) else {
            return false;
        };
        declared.iter().take(16).any(|&(at, _)| {
            let after = &self.data[at + name.len()..];
            let after = trim(after.get(..after.len().min(64)).unwrap_or_default());
            after.strip_prefix(b"=").is_some_and(|value| {
                let value = trim(value);
                [
                    &b"'"[..],
                    b"\"",
                    b"`",
                    b"process.env",
                    b"atob(",
                    b"Buffer.from(",
                ]
                .iter()
                .any(|p| value.starts_with(p))
            })
        })
    }

    /// The first path the file writes a carried response to and then starts: as a
    /// program (`spawn(p)`, `execFile(p)`) or as a module (`require(p)`).
    pub(super) fn download_run(&self, followed: &Followed) -> Option<DownloadRun> {
        let data = self.data;
        for w in WRITE.find_iter(data).filter(|w| self.live(w.end() - 1)) {
            let args = arguments(data, w.end(), WINDOW);
            let parts = split_arguments(args);
            let (Some(path), Some(rest)) = (parts.first(), parts.get(1)) else {
                continue;
            };
            let path_text = trim(&args[path.clone()]);
            if path_text.is_empty() || !path_text.iter().all(|&b| is_word(b)) {
                continue;
            }
            let Some(origin) = self.carried(
                &args[rest.start..],
                w.end() + rest.start,
                &followed.carriers,
            ) else {
                continue;
            };
            if !self.believed(followed, origin, w.start()) {
                continue;
            }
            let after = w.end() + args.len();
            for s in START.find_iter(&data[after..]) {
                if !self.charge(CODE_ARGUMENT) {
                    return None;
                }
                if !self.live(after + s.end() - 1) {
                    continue;
                }
                let start_args = arguments(data, after + s.end(), CODE_ARGUMENT);
                let Some(program) = split_arguments(start_args).first().cloned() else {
                    continue;
                };
                let program = &start_args[program];
                if memchr::memmem::find_iter(program, path_text)
                    .any(|at| standalone(program, at, path_text))
                {
                    return Some(DownloadRun {
                        fetched_line: self.lines.line(origin),
                        written_line: self.lines.line(w.end() - 1),
                        run_line: self.lines.line(after + s.end() - 1),
                        path: String::from_utf8_lossy(path_text).into_owned(),
                    });
                }
                if self.spent() {
                    return None;
                }
            }
        }
        None
    }
}
