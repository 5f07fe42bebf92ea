//! setup.py, scanned as text (it is never run): where it calls `setup(`, the literal
//! `name=` and `version=` it passes, and whether it installs its own command classes.
//! The patterns are the ones setuptools documents; code that builds its arguments at
//! run time yields no name, but setup.py itself is still reported.

use super::{CMDCLASS, SETUP_PY};
use crate::common::{Ctx, EntryExt, Identity, entry};
use crate::text::{is_ident_byte, line_start, quoted_at, skip_blanks};
use palisade_core::Phase;

/// Names the package from setup.py's literal arguments when nothing else did, and
/// reports setup.py and its `cmdclass`.
pub(super) fn scan(ctx: &Ctx, root: &str, id: &mut Identity) {
    let path = format!("{root}setup.py");
    let Some(file) = ctx.get(&path) else {
        return;
    };
    let data = file.data.as_slice();
    let call = find_call(data, "setup");
    if id.name.is_none() {
        let from = call.unwrap_or(0);
        let name = literal_kwarg(data, "name", from);
        if name.is_some() {
            id.manifest_path = Some(path.clone());
            id.set_name(name);
            id.set_version(literal_kwarg(data, "version", from));
        }
    }
    let mut point = entry(
        &SETUP_PY,
        Phase::Install,
        &path,
        "setup.py runs when pip builds or installs the source distribution".to_string(),
    )
    .runs(vec![path.clone()]);
    if let Some(at) = call {
        point = point.evidence(data, at);
    }
    id.entry_points.push(point);
    if let Some(at) = find_word(data, "cmdclass", 0) {
        let commands = dict_keys(data, at);
        let message = if commands.is_empty() {
            "setup.py passes its own command classes (cmdclass) to setuptools".to_string()
        } else {
            replaced_commands("setup.py", &commands)
        };
        id.entry_points
            .push(entry(&CMDCLASS, Phase::Install, &path, message).evidence(data, at));
    }
}

/// First occurrence of identifier `word` at or after `from` outside a `#` comment.
fn find_word(data: &[u8], word: &str, from: usize) -> Option<usize> {
    memchr::memmem::find_iter(&data[from.min(data.len())..], word.as_bytes())
        .map(|p| from + p)
        .find(|&at| {
            let before = at.checked_sub(1).map(|i| data[i]);
            let after = data.get(at + word.len()).copied();
            let in_comment = data[line_start(data, at)..at].contains(&b'#');
            !before.is_some_and(|b| is_ident_byte(b) || b == b'.')
                && !after.is_some_and(is_ident_byte)
                && !in_comment
        })
}

pub(super) fn replaced_commands(file: &str, commands: &[String]) -> String {
    let listed = crate::text::clip(&commands.join(", "), 160);
    if commands.len() == 1 {
        format!("{file} replaces the setuptools command {listed} with its own class")
    } else {
        format!("{file} replaces the setuptools commands {listed} with its own classes")
    }
}

/// The `setup(...)` call: preferably one starting a statement (`setup(` or
/// `setuptools.setup(` at the start of a line), else any call outside a comment, so a
/// docstring mentioning setup() is not taken for it.
fn find_call(data: &[u8], name: &str) -> Option<usize> {
    let calls = memchr::memmem::find_iter(data, name.as_bytes()).filter(|&at| {
        let before = at.checked_sub(1).map(|i| data[i]);
        let prefix = &data[line_start(data, at)..at];
        !before.is_some_and(is_ident_byte)
            && data.get(skip_blanks(data, at + name.len())) == Some(&b'(')
            && !prefix.contains(&b'#')
    });
    let mut first = None;
    for at in calls.take(10_000) {
        let prefix = &data[line_start(data, at)..at];
        let qualifier = &prefix[prefix
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count()..];
        let statement = qualifier.is_empty()
            || (qualifier.ends_with(b".")
                && qualifier.iter().all(|&b| b == b'.' || is_ident_byte(b)));
        if statement {
            return Some(at);
        }
        first.get_or_insert(at);
    }
    first
}

/// The string literal in `key = "..."` (a keyword argument), searching from `from`.
fn literal_kwarg<'d>(data: &'d [u8], key: &str, from: usize) -> Option<&'d str> {
    let mut from = from;
    while let Some(at) = find_word(data, key, from) {
        let eq = skip_blanks(data, at + key.len());
        if data.get(eq) == Some(&b'=')
            && data.get(eq + 1) != Some(&b'=')
            && let Some(value) = quoted_at(data, skip_blanks(data, eq + 1))
        {
            return Some(value);
        }
        from = at + key.len();
    }
    None
}

/// The quoted keys of the dict literal that follows `at`, within a short window.
fn dict_keys(data: &[u8], at: usize) -> Vec<String> {
    let window = &data[at..data.len().min(at + 600)];
    let Some(open) = window.iter().position(|&b| b == b'{') else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let mut i = open + 1;
    while i < window.len() && window[i] != b'}' && keys.len() < 16 {
        if let Some(key) = quoted_at(window, i) {
            let after = skip_blanks(window, i + key.len() + 2);
            if window.get(after) == Some(&b':') {
                keys.push(key.to_string());
            }
            i += key.len() + 2;
        } else {
            i += 1;
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_literals_skip_other_identifiers_and_comments() {
        let data = b"# name='no'\npackage_name = 'x'\nsetup(name = \"real\", version='2')";
        assert_eq!(literal_kwarg(data, "name", 0), Some("real"));
        assert_eq!(literal_kwarg(data, "version", 0), Some("2"));
    }

    #[test]
    fn the_setup_call_is_the_statement_not_a_mention() {
        let data =
            b"def setup(x):\n    \"\"\"Run setup() here\"\"\"\n\nsetuptools.setup(name='a')\n";
        let at = memchr::memmem::find(data, b"setuptools.setup").unwrap();
        assert_eq!(find_call(data, "setup"), Some(at + "setuptools.".len()));
        assert_eq!(find_call(b"x = 'setup()'", "setup"), Some(5));
    }

    #[test]
    fn cmdclass_keys_are_listed() {
        let data = b"setup(cmdclass={'install': A, \"develop\" : B})";
        assert_eq!(dict_keys(data, 6), vec!["install", "develop"]);
    }
}
