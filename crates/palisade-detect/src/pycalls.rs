//! Which functions of a Python module run when it is imported: the top-level functions
//! named on a line that runs at import time (called, given as a thread target, registered
//! with `atexit`), and the functions those name in turn. Malware keeps its payload in
//! `def run():` and calls `run()` on the last line; the body of `run` runs on import all
//! the same, and must weigh as import-time code.

use crate::pyblocks::{LineInfo, LineKind};
use std::collections::{BTreeMap, BTreeSet};

/// The definition lines (0-based, as in [`LineInfo::function`]) of the functions that run
/// at import time.
pub fn import_time_functions(data: &[u8], lines: &[LineInfo]) -> BTreeSet<u32> {
    let raw: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let defs: BTreeMap<&[u8], u32> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, line)| top_level_def_name(line).map(|name| (name, i as u32)))
        .collect();
    if defs.is_empty() {
        return BTreeSet::new();
    }
    let mut roots: BTreeSet<u32> = BTreeSet::new();
    let mut named_in: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for (line, info) in raw.iter().zip(lines) {
        if !info.kind.runs() || is_definition(line) {
            continue;
        }
        let named = references(line, &defs);
        if named.is_empty() {
            continue;
        }
        match (info.kind, info.function) {
            (LineKind::ModuleLevel, _) => roots.extend(named),
            (_, Some(function)) => named_in.entry(function).or_default().extend(named),
            _ => {}
        }
    }
    let mut reached = BTreeSet::new();
    let mut queue: Vec<u32> = roots.into_iter().collect();
    while let Some(function) = queue.pop() {
        if reached.insert(function)
            && let Some(next) = named_in.get(&function)
        {
            queue.extend(next.iter().copied().filter(|f| !reached.contains(f)));
        }
    }
    reached
}

fn is_definition(line: &[u8]) -> bool {
    let text = line.trim_ascii_start();
    text.starts_with(b"def ") || text.starts_with(b"async def ") || text.starts_with(b"class ")
}

/// The name defined by a `def` at column 0.
fn top_level_def_name(line: &[u8]) -> Option<&[u8]> {
    let rest = line
        .strip_prefix(b"def ")
        .or_else(|| line.strip_prefix(b"async def "))?
        .trim_ascii_start();
    let end = rest
        .iter()
        .position(|&b| !is_ident(b))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a function named (not called) at `before` is handed to something that runs
/// it: a thread or process target, a timer, `atexit.register`. A function merely passed
/// along (`tarball_cwd = _compose(pushd, tarball)`, a decorator's argument) does not run.
fn handed_to_a_runner(line: &[u8], before: &[u8]) -> bool {
    let contains = |needle: &[u8]| line.windows(needle.len()).any(|w| w == needle);
    before.ends_with(b"target=")
        || before.ends_with(b"target =")
        || before.ends_with(b"register(")
        || [
            &b"Timer("[..],
            b"start_new_thread(",
            b".submit(",
            b"run_in_executor(",
        ]
        .iter()
        .any(|runner| contains(runner))
}

/// The definition lines of the functions a line of code calls or hands to a runner,
/// outside strings and comments, as a bare name (not an attribute `x.run`).
fn references(line: &[u8], defs: &BTreeMap<&[u8], u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'#' => break,
            b'\'' | b'"' => {
                quote = Some(b);
                i += 1;
            }
            _ if is_ident(b) => {
                let start = i;
                while i < line.len() && is_ident(line[i]) {
                    i += 1;
                }
                let before = line[..start].trim_ascii_end();
                let attribute = before.ends_with(b".");
                let after = line[i..].trim_ascii_start();
                let called = after.starts_with(b"(");
                // The lookup first: most names are not the module's functions.
                if !attribute
                    && let Some(&def) = defs.get(&line[start..i])
                    && (called || handed_to_a_runner(line, before))
                {
                    out.push(def);
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyblocks::analyse_lines;

    fn reached(src: &str) -> BTreeSet<u32> {
        import_time_functions(src.as_bytes(), &analyse_lines(src.as_bytes()))
    }

    #[test]
    fn a_function_called_at_module_level_and_what_it_calls_run_on_import() {
        let src = "import os\n\
def helper():\n    os.system('x')\n\
def run():\n    helper()\n\
def unused():\n    pass\n\
run()\n";
        assert_eq!(reached(src), BTreeSet::from([1, 3]));
    }

    #[test]
    fn thread_targets_count_but_attributes_strings_and_main_guards_do_not() {
        let src = "import threading\n\
def steal():\n    pass\n\
def main():\n    pass\n\
def other():\n    pass\n\
threading.Thread(target=steal).start()\n\
obj.other()\n\
print('main()')\n\
if __name__ == '__main__':\n    main()\n";
        assert_eq!(reached(src), BTreeSet::from([1]));
    }

    #[test]
    fn keyword_arguments_of_the_same_name_are_not_references() {
        let src = "def run():\n    pass\nsetup(run=True)\n";
        assert!(reached(src).is_empty());
    }

    #[test]
    fn a_function_passed_along_does_not_run_but_one_given_to_a_timer_does() {
        // setuptools' vendored jaraco.context composes `tarball` at module level.
        let src = "def tarball(url):\n    pass\n\
def beacon():\n    pass\n\
tarball_cwd = _compose(pushd, tarball)\n\
threading.Timer(5, beacon).start()\n";
        assert_eq!(reached(src), BTreeSet::from([2]));
    }
}
