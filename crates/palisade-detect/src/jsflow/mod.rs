//! Does a JavaScript file run, as code, what it received from the network, or start a
//! file it wrote a response to? The code rules see `eval(res.data)` on one line; a
//! loader spreads the same over several:
//!
//! ```js
//! const r = await fetch(url);
//! const code = Buffer.from(await r.text(), 'base64').toString();
//! eval(code);
//! ```
//!
//! The reading follows names through the file, without a parser: a name bound to a
//! network call (`fetch`, `axios`, `got`, `http.get`, a blockchain read, or an alias of
//! one) or to an expression over such a name carries the response; so do the parameters
//! of a callback handed to such a call (`https.get(u, res => ...)`, `.then(r =>
//! r.text())`, `res.on('data', c => body += c)`), an array a carrier is pushed into, a
//! property assigned one, a `for await` over one, and the result of a function that
//! returns one. Each name is followed only in its scope: the `{}` block that declares
//! it (the function, for `var`), minus the functions whose parameters reuse the name.
//! The response is run when a carrier reaches the code argument of `eval`, `Function`,
//! `vm.run*`, `new vm.Script` or `Module._compile` (or an alias of one), or is written
//! to a path that is then started.
//!
//! Names it cannot follow make it answer no, so it confirms loaders rather than finds
//! them. The work is bounded by [`BUDGET_PER_BYTE`] over the whole reading; a file
//! where the followed names reach [`MAX_NAMES`] (a minified bundle reusing one-letter
//! names) is read on, but a run counts there only inside the function that fetched.

mod blocks;
mod carriers;
mod lexicon;
mod runs;
#[cfg(test)]
mod tests;
mod text;

use blocks::Blocks;
use carriers::{Carriers, MAX_NAMES};
use lexicon::*;
use palisade_core::LineIndex;
use regex::bytes::Regex;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use text::{WINDOW, arguments, depths, leading_name, skip_space, statement, trim};

/// Where a file runs a response as code (1-based lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteRun {
    pub fetched_line: u32,
    pub run_line: u32,
}

/// Where a file writes a response to a path and starts that path (1-based lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadRun {
    pub fetched_line: u32,
    pub written_line: u32,
    pub run_line: u32,
    /// The path as written (`target`, `p`).
    pub path: String,
}

/// What following a file's responses found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flows {
    pub remote_run: Option<RemoteRun>,
    pub download_run: Option<DownloadRun>,
}

/// Passes over the file's bindings: each pass follows the response one binding further.
const ROUNDS: usize = 6;
/// Bytes read per byte of the file, over the whole reading, with a floor for small
/// files: windows, right-hand sides and arguments all count.
const BUDGET_PER_BYTE: usize = 8;
const BUDGET_FLOOR: usize = 1 << 20;
/// Bytes of budget one use of a followed name costs (a walk up its blocks).
const USE_COST: usize = 64;

fn budget_for(data: &[u8]) -> usize {
    BUDGET_PER_BYTE * data.len().max(BUDGET_FLOOR / BUDGET_PER_BYTE)
}

/// The first place the file runs a response as code, if it does.
#[cfg(test)]
pub fn find_remote_run(data: &[u8]) -> Option<RemoteRun> {
    analyse(data).remote_run
}

/// Where the file runs a response as code, and where it starts a file it wrote a
/// response to.
pub fn analyse(data: &[u8]) -> Flows {
    let runs_code = SINK.is_match(data) || THEN_EVAL.is_match(data) || SINK_ALIAS.is_match(data);
    let drops = WRITE.is_match(data) && START.is_match(data);
    if !(runs_code || drops) || !(SOURCE.is_match(data) || SOURCE_ALIAS.is_match(data)) {
        return Flows::default();
    }
    let reader = Reader::new(data);
    let followed = reader.follow();
    // Each question about the runs gets a budget of its own: a file that spends the
    // following on decoys must still have its evaluators read.
    reader.refill();
    let remote_run = runs_code.then(|| reader.remote_run(&followed)).flatten();
    reader.refill();
    let download_run = drops.then(|| reader.download_run(&followed)).flatten();
    Flows {
        remote_run,
        download_run,
    }
}

/// Whether one of `offsets` (a `detached: true`) lies in the arguments of a process
/// start (`spawn(...)`, `fork(...)`) that runs when the file is loaded: at its top
/// level, or in functions it does not name (callbacks, immediately invoked ones), not
/// in a function it declares, assigns or defines as a method, which runs only when
/// called. Text in strings and comments is no start.
pub fn starts_on_load(data: &[u8], offsets: &[usize]) -> bool {
    let blocks = Blocks::new(data);
    offsets.iter().any(|&at| {
        let from = at.saturating_sub(START_REACH);
        let in_start = PROCESS_START.find_iter(&data[from..at]).any(|m| {
            let open = from + m.end();
            open + arguments(data, open, START_REACH).len() >= at
        });
        in_start && !blocks.is_inert(at) && blocks.named_function_around(at).is_none()
    })
}

/// Bytes between a process start's `(` and a `detached` option inside it.
const START_REACH: usize = 512;

/// One file being read, with what every question about it shares.
struct Reader<'a> {
    data: &'a [u8],
    blocks: Blocks<'a>,
    lines: LineIndex,
    /// Bytes left to read.
    budget: Cell<usize>,
    /// Names bound to a network library (`const nf = require('node-fetch')`).
    source_aliases: Option<Regex>,
    /// Names bound to an evaluator (`const E = eval`).
    /// With whether each is `Function` (which takes its code last).
    sink_aliases: Vec<(Vec<u8>, bool)>,
    /// Where each name is declared, with whether by `var`.
    declarations: BTreeMap<&'a [u8], Vec<(usize, bool)>>,
    /// The `(` of each `function name(`, by name (the first).
    function_heads: BTreeMap<&'a [u8], usize>,
    /// Functions looked up by name, and what was found.
    named_functions: RefCell<HashMap<Vec<u8>, Option<NamedFunction>>>,
}

/// A declared function's body and parameters.
type NamedFunction = (Range<usize>, Vec<Vec<u8>>);

/// The carriers, and whether they saturated.
struct Followed {
    carriers: Carriers,
    saturated: bool,
}

/// A `return` whose value a function's calls yield: where the value starts, the value,
/// the function's name and where its calls are followed.
type Return<'a> = (usize, &'a [u8], Vec<u8>, Range<usize>);

/// Names bound together from one value: the names, their scope, where the value starts,
/// and the value.
type Gathered<'a> = (Vec<&'a [u8]>, Range<usize>, usize, &'a [u8]);

/// A binding's kind: how its scope is found.
#[derive(Clone, Copy, PartialEq)]
enum Binds {
    /// `let` or `const`: the block.
    Block,
    /// `var`: the function.
    Function,
    /// A plain assignment: where the name was declared.
    Assigned,
    /// `obj.prop =`: the whole file, as objects travel.
    Property,
    /// `name = (...) => expression`: a function returning the expression.
    Returns,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        let blocks = Blocks::new(data);
        let live = |at: usize| !blocks.is_inert(at);
        let mut aliases: Vec<Vec<u8>> = Vec::new();
        for (at, c) in captures(&SOURCE_ALIAS, data) {
            if !live(at) {
                continue;
            }
            if let Some(name) = c.get(1).or(c.get(3)) {
                aliases.push(name.as_bytes().to_vec());
            }
            if let Some(names) = c.get(2).or(c.get(4)) {
                for part in names.as_bytes().split(|&b| b == b',') {
                    // `{ get: g }` and `{ get as g }` bind `g`.
                    let part = part.rsplit(|&b| b == b':').next().unwrap_or(part);
                    let bound = match memchr::memmem::rfind(part, b" as ") {
                        Some(i) => &part[i + 4..],
                        None => part,
                    };
                    let bound = leading_name(bound);
                    if !bound.is_empty() {
                        aliases.push(bound.to_vec());
                    }
                }
            }
        }
        aliases.sort();
        aliases.dedup();
        aliases.truncate(64);
        let source_aliases = (!aliases.is_empty()).then(|| {
            let names: Vec<String> = aliases
                .iter()
                .map(|a| regex::escape(&String::from_utf8_lossy(a)))
                .collect();
            Regex::new(&format!(
                r"(?-u)(?:^|[^\w$.])(?:{})\s*(?:\.\s*(?:get|post|request|put|stream|default)\s*)?\(",
                names.join("|")
            ))
            .expect("escaped names")
        });
        let sink_aliases = captures(&SINK_ALIAS, data)
            .filter(|&(at, _)| live(at))
            .filter_map(|(_, c)| {
                let function = c.get(2).is_some_and(|e| e.as_bytes() == b"Function");
                Some((c.get(1)?.as_bytes().to_vec(), function))
            })
            .take(64)
            .collect();
        let mut declarations: BTreeMap<&[u8], Vec<(usize, bool)>> = BTreeMap::new();
        for (at, c) in captures(&DECLARATION, data) {
            if let (Some(keyword), Some(name)) = (c.get(1), c.get(2)) {
                declarations
                    .entry(name.as_bytes())
                    .or_default()
                    .push((at + name.start(), keyword.as_bytes() == b"var"));
            }
        }
        let mut function_heads: BTreeMap<&[u8], usize> = BTreeMap::new();
        for (at, c) in captures(&FUNCTION_HEAD, data) {
            if let (Some(all), Some(name)) = (c.get(0), c.get(1)) {
                function_heads
                    .entry(name.as_bytes())
                    .or_insert(at + all.end() - 1);
            }
        }
        Reader {
            data,
            function_heads,
            lines: LineIndex::new(data),
            budget: Cell::new(budget_for(data)),
            blocks,
            source_aliases,
            sink_aliases,
            declarations,
            named_functions: RefCell::new(HashMap::new()),
        }
    }

    fn refill(&self) {
        self.budget.set(budget_for(self.data));
    }

    /// Takes `n` bytes of reading from the budget; false once it is spent.
    fn charge(&self, n: usize) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(n));
        left > 0
    }

    fn spent(&self) -> bool {
        self.budget.get() == 0
    }

    fn live(&self, at: usize) -> bool {
        !self.blocks.is_inert(at)
    }

    /// A network call in `text` (at `offset` in the file), as the offset of its `(`.
    fn source_in(&self, text: &[u8], offset: usize) -> Option<usize> {
        let found = |re: &Regex| {
            re.find_iter(text).find_map(|m| {
                let at = offset + m.end() - 1;
                let name = offset + m.start() + first_letter(m.as_bytes());
                (self.live(name) && !blocks::defines(&self.data[at..])).then_some(at)
            })
        };
        found(&SOURCE).or_else(|| self.source_aliases.as_ref().and_then(found))
    }

    /// The network call behind `text` (at `offset` in the file), when it holds one or a
    /// carrier.
    fn carried(&self, text: &[u8], offset: usize, carriers: &Carriers) -> Option<usize> {
        if !self.charge(text.len()) {
            return None;
        }
        self.source_in(text, offset).or_else(|| {
            carriers
                .occurrences(text, offset, &self.blocks)
                .find(|o| self.live(offset + o.at))
                .map(|o| o.origin)
        })
    }

    /// Where a name assigned at `at` lives: the scope of the nearest declaration before
    /// it whose scope holds it, else the block it is assigned in (a parameter's).
    fn declared_scope(&self, name: &[u8], at: usize) -> Range<usize> {
        let before = self
            .declarations
            .get(name)
            .into_iter()
            .flat_map(|d| d.iter().rev())
            .filter(|&&(pos, _)| pos < at)
            .take(DECLARATIONS_LOOKED_AT);
        for &(pos, var) in before {
            let scope = self.scope_of(pos, var);
            if scope.contains(&at) {
                return scope;
            }
        }
        self.blocks.innermost(at)
    }

    fn scope_of(&self, at: usize, var: bool) -> Range<usize> {
        if var {
            self.blocks.function_scope(at)
        } else {
            self.blocks.innermost(at)
        }
    }

    /// Every network call of the file, as the offset of its `(` (from there the chain
    /// after it, `.then(...)`, is read too).
    fn sources(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut collect = |re: &Regex| {
            for m in re.find_iter(self.data) {
                let at = m.end() - usize::from(m.as_bytes().ends_with(b"("));
                let name = m.start() + first_letter(m.as_bytes());
                if self.live(name) && !blocks::defines(&self.data[at..]) {
                    out.push(at);
                }
            }
        };
        collect(&SOURCE);
        if let Some(aliases) = &self.source_aliases {
            collect(aliases);
        }
        out
    }

    /// The parameters of the callbacks handed to the call whose arguments open at
    /// `from` (and to the calls chained on it), each with the callback's body.
    fn callbacks(&self, from: usize) -> Vec<(Vec<u8>, Range<usize>)> {
        if self.spent() {
            return Vec::new();
        }
        let window = statement(self.data, from, WINDOW);
        if !self.charge(window.len()) {
            return Vec::new();
        }
        let depths = depths(window);
        let mut out = Vec::new();
        for (at, c) in captures(&CALLBACK, window) {
            let (Some(head), Some(params)) = (c.get(0), (1..=3).find_map(|i| c.get(i))) else {
                continue;
            };
            // Only the call's own arguments (and those of the calls chained on it): a
            // callback nested deeper gets something else.
            let starts = if c.get(1).is_some() {
                at + params.start()
            } else {
                at + head.start()
            };
            if depths.get(starts).is_none_or(|&d| d > 1) || !self.live(from + starts) {
                continue;
            }
            let scope = self.callback_body(from + at + head.end());
            for param in params.as_bytes().split(|&b| b == b',') {
                out.push((leading_name(param).to_vec(), scope.clone()));
            }
        }
        // A function handed by name (`https.get(u, onResponse)`) gets the same.
        for m in NAMED_ARGUMENT.find_iter(window) {
            if !matches!(window.get(m.end()), Some(b',' | b')')) {
                continue;
            }
            let name = trim(&window[m.start() + 1..m.end()]);
            let at = m.start() + 1;
            if depths.get(at).is_none_or(|&d| d != 1) || !self.live(from + at) {
                continue;
            }
            if let Some((body, params)) = self.function_named(name) {
                out.extend(params.into_iter().map(|p| (p, body.clone())));
            }
        }
        out
    }

    /// The body and parameters of the function declared as `function name(...)`, looked
    /// up once per name.
    pub(super) fn function_named(&self, name: &[u8]) -> Option<NamedFunction> {
        if let Some(known) = self.named_functions.borrow().get(name) {
            return known.clone();
        }
        let found = self.find_function_named(name);
        self.named_functions
            .borrow_mut()
            .insert(name.to_vec(), found.clone());
        found
    }

    fn find_function_named(&self, name: &[u8]) -> Option<NamedFunction> {
        let &open = self.function_heads.get(name)?;
        let params = arguments(self.data, open + 1, WINDOW);
        let after = open + 1 + params.len() + 1;
        let brace = after + (self.data.len().saturating_sub(after))
            - skip_space(self.data.get(after..).unwrap_or_default()).len();
        let body = self.blocks.opened_at(brace)?;
        Some((body, blocks::names_of(params)))
    }

    /// A callback's body, from the end of its head (`r =>`, `function (r)`): its `{}`
    /// block, or an arrow's expression up to the end of its statement.
    fn callback_body(&self, head_end: usize) -> Range<usize> {
        let data = self.data;
        let rest = &data[head_end..];
        let brace = if data[..head_end].ends_with(b"=>") {
            let body = skip_space(rest);
            body.starts_with(b"{").then(|| data.len() - body.len())
        } else {
            memchr::memchr(b'{', &rest[..rest.len().min(256)]).map(|i| head_end + i)
        };
        match brace.and_then(|b| self.blocks.opened_at(b)) {
            Some(block) => block,
            None => {
                let body = statement(data, head_end, WINDOW).len();
                self.charge(body);
                head_end..head_end + body
            }
        }
    }

    fn follow(&self) -> Followed {
        let data = self.data;
        let mut carriers = Carriers::default();
        // The callbacks of the network calls, read once.
        let mut pending: Vec<(Vec<u8>, Range<usize>, usize)> = Vec::new();
        for at in self.sources() {
            for (name, scope) in self.callbacks(at) {
                pending.push((name, scope, at));
            }
        }
        let bindings = self.bindings();
        let returns: Vec<Return> = RETURN
            .find_iter(data)
            .filter(|m| self.live(m.end()) && !self.spent())
            .filter_map(|m| {
                let (body, function) = self.blocks.enclosing_function(m.end())?;
                let name = function.name.clone()?;
                let value = statement(data, m.end(), WINDOW);
                self.charge(value.len());
                // Its calls are followed where the function itself is visible.
                let scope = self.blocks.innermost(self.blocks.span(body).start);
                Some((m.end(), value, name, scope))
            })
            .collect();
        // Destructurings (`const { data, body: b } = ...`: the names bound) and gatherings
        // (`chunks.push(`, `for await (const c of`), read once.
        let destructured: Vec<Gathered> = captures(&DESTRUCTURING, data)
            .filter_map(|(at, c)| {
                let (all, names) = (c.get(0)?, c.get(1)?);
                let names = names
                    .as_bytes()
                    .split(|&b| b == b',')
                    .map(|part| {
                        // `{ body: text }` binds `text`; `{ data = 1 }` binds `data`.
                        let bound = part.rsplit(|&b| b == b':').next().unwrap_or(part);
                        trim(bound.split(|&b| b == b'=').next().unwrap_or(bound))
                    })
                    .collect();
                let rhs = at + all.end() - 1;
                Some((
                    names,
                    self.blocks.innermost(at),
                    rhs,
                    statement(data, rhs, WINDOW),
                ))
            })
            .collect();
        let gathered = captures(&GATHER, data).filter_map(|(at, c)| {
            let (all, name) = (c.get(0)?, c.get(1).or(c.get(2))?);
            let from = at + all.end();
            let scope = self.declared_scope(name.as_bytes(), at + name.start());
            let name = &data[at + name.start()..at + name.end()];
            Some((vec![name], scope, from, statement(data, from, WINDOW)))
        });
        let together: Vec<Gathered> = destructured.into_iter().chain(gathered).collect();
        let mut chained: HashSet<usize> = HashSet::new();
        let mut saturated = false;
        for _ in 0..ROUNDS {
            let before = carriers.len();
            let mut found = std::mem::take(&mut pending);
            // Callbacks chained on a carrier: `r.then(...)`, `res.on('data', ...)`,
            // `load().then(...)`.
            if !self.charge(data.len()) {
                break;
            }
            // Each use costs a walk up its blocks: charged, and cut off once spent.
            let occurrences: Vec<(usize, usize, usize)> = carriers
                .occurrences(data, 0, &self.blocks)
                .take_while(|_| self.charge(USE_COST))
                .map(|o| (o.at, o.len, o.origin))
                .collect();
            for (at, len, origin) in occurrences {
                if self.spent() {
                    break;
                }
                let mut end = at + len;
                if data[at..end].ends_with(b"(") {
                    end += arguments(data, end, WINDOW).len() + 1;
                }
                let next = skip_space(data.get(end..).unwrap_or_default());
                let chain = [&b".then"[..], b".on(", b".once(", b".catch"];
                if chain.iter().any(|c| next.starts_with(c)) && chained.insert(end) {
                    for (name, scope) in self.callbacks(end) {
                        found.push((name, scope, origin));
                    }
                }
            }
            for (name, binds, at, rhs) in &bindings {
                let Some(origin) = self.carried(rhs, *at, &carriers) else {
                    continue;
                };
                let text = &data[name.clone()];
                let (text, scope) = match binds {
                    Binds::Block => (text.to_vec(), self.blocks.innermost(name.start)),
                    Binds::Function => (text.to_vec(), self.blocks.function_scope(name.start)),
                    Binds::Assigned => (text.to_vec(), self.declared_scope(text, name.start)),
                    Binds::Property => (text.to_vec(), 0..data.len()),
                    Binds::Returns => ([text, b"("].concat(), self.blocks.innermost(name.start)),
                };
                found.push((text, scope, origin));
            }
            for (names, scope, at, value) in &together {
                if self.spent() {
                    break;
                }
                if let Some(origin) = self.carried(value, *at, &carriers) {
                    found.extend(names.iter().map(|n| (n.to_vec(), scope.clone(), origin)));
                }
            }
            // Functions that return a carrier make their calls network calls.
            for (at, value, name, scope) in &returns {
                if let Some(origin) = self.carried(value, *at, &carriers) {
                    found.push(([name.as_slice(), b"("].concat(), scope.clone(), origin));
                }
            }
            for (name, scope, origin) in found {
                carriers.add(&name, scope, origin);
            }
            carriers.rebuild();
            if carriers.len() >= MAX_NAMES {
                // Everything seems to carry the response: the reading has lost track
                // of the file (a minified bundle reusing one-letter names).
                saturated = true;
                break;
            }
            if carriers.len() == before || self.spent() {
                break;
            }
        }
        Followed {
            carriers,
            saturated,
        }
    }

    /// Every binding of the file: its name, kind, where its value starts, and the value.
    fn bindings(&self) -> Vec<(Range<usize>, Binds, usize, &'a [u8])> {
        let data = self.data;
        let mut out = Vec::new();
        for (re, property) in [(&*BINDING, false), (&*PROPERTY_BINDING, true)] {
            for (at, c) in captures(re, data) {
                let (Some(all), Some(name)) = (c.get(0), c.get(2)) else {
                    continue;
                };
                let rhs = at + all.end() - 1;
                let name = at + name.start()..at + name.end();
                if !self.live(name.start) || self.spent() {
                    continue;
                }
                let value = statement(data, rhs, WINDOW);
                self.charge(value.len());
                let mut binds = match c.get(1).map(|k| k.as_bytes()) {
                    _ if property => Binds::Property,
                    Some(b"var") => Binds::Function,
                    Some(_) => Binds::Block,
                    None => Binds::Assigned,
                };
                let mut start = rhs;
                if let Some(d) = DEFINITION.find(value) {
                    // A function bound to a name carries nothing until called; one whose
                    // body is an expression returns it.
                    if skip_space(&value[d.end()..]).starts_with(b"{") || property {
                        continue;
                    }
                    binds = Binds::Returns;
                    start = rhs + d.end();
                }
                out.push((name, binds, start, &data[start..rhs + value.len()]));
            }
        }
        out
    }
}

/// Where the first letter of a match is: the name it calls, past the byte before it.
fn first_letter(text: &[u8]) -> usize {
    text.iter().position(u8::is_ascii_alphabetic).unwrap_or(0)
}

/// Occurrences of a name looked at for its declaration.
const DECLARATIONS_LOOKED_AT: usize = 64;

/// Each match of `re` in `text` with its groups, and where it starts: found by the fast
/// search and only then taken apart, since groups over a whole file take the slow one.
fn captures<'t>(
    re: &'t Regex,
    text: &'t [u8],
) -> impl Iterator<Item = (usize, regex::bytes::Captures<'t>)> + 't {
    re.find_iter(text)
        .filter_map(move |m| Some((m.start(), re.captures(&text[m.range()])?)))
}
