//! Which package files an npm script command runs, read from the command line the way
//! a shell would split it: `node scripts/setup.js`, `sh ./install.sh`, `npm run build`
//! (followed into the `build` script), `cross-env X=1 node a`.
//!
//! This is static resolution, not a shell: commands built at run time are not followed.
//! It exists so that analysers can treat the resolved files as install-time code, which
//! weighs more than code that only runs when imported.

use crate::common::Ctx;
use crate::text::resolve;
use serde_json::{Map, Value};

/// Longest command read; scripts are one-liners, a longer one is mostly payload text.
pub(crate) const MAX_COMMAND_BYTES: usize = 8 * 1024;

/// How deep `npm run x` is followed into other scripts.
const MAX_DEPTH: usize = 4;

/// Programs that run the command that follows them.
const WRAPPERS: &[&str] = &[
    "env",
    "cross-env",
    "exec",
    "nohup",
    "sudo",
    "time",
    "command",
    "npx",
    "dotenv",
];

const NODE_EXTENSIONS: &[&str] = &["", ".js", ".cjs", ".mjs", "/index.js"];
const SCRIPT_EXTENSIONS: &[&str] = &[
    ".js", ".cjs", ".mjs", ".ts", ".sh", ".py", ".rb", ".pl", ".ps1", ".bat", ".cmd",
];

pub(crate) struct Resolver<'a> {
    ctx: &'a Ctx<'a>,
    root: &'a str,
    scripts: Option<&'a Map<String, Value>>,
}

impl<'a> Resolver<'a> {
    pub fn new(ctx: &'a Ctx<'a>, root: &'a str, scripts: Option<&'a Map<String, Value>>) -> Self {
        Resolver { ctx, root, scripts }
    }

    /// Package files `command` runs, in the order they appear.
    pub fn files_run_by(&self, command: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.command(command, 0, &mut out);
        out
    }

    fn command(&self, command: &str, depth: usize, out: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        for words in simple_commands(command) {
            self.simple_command(&words, depth, out);
        }
    }

    fn simple_command(&self, words: &[String], depth: usize, out: &mut Vec<String>) {
        let start = words
            .iter()
            .position(|w| !is_assignment(w) && !WRAPPERS.contains(&program(w)))
            .unwrap_or(words.len());
        let Some(first) = words.get(start) else {
            return;
        };
        let args = &words[start + 1..];
        match program(first) {
            "node" | "nodejs" | "bun" | "deno" | "ts-node" | "tsx" => self.node(args, out),
            "sh" | "bash" | "zsh" | "dash" => {
                if let Some(i) = args.iter().position(|a| a == "-c") {
                    if let Some(inner) = args.get(i + 1) {
                        self.command(inner, depth + 1, out);
                    }
                } else if let Some(script) = args.iter().find(|a| !a.starts_with('-')) {
                    self.file(script, &[""], out);
                }
            }
            "python" | "python3" | "python2" | "ruby" | "perl" | "php" | "pwsh" | "powershell" => {
                if let Some(script) = args.iter().find(|a| !a.starts_with('-')) {
                    self.file(script, &["", ".py"], out);
                }
            }
            "npm" | "pnpm" | "yarn" => self.run_script(args, depth, out),
            // node-gyp reads the package's binding.gyp and runs its command expansions.
            "node-gyp"
            | "node-gyp-build"
            | "node-gyp-build-optional-packages"
            | "node-pre-gyp"
            | "prebuild"
            | "cmake-js" => {
                for gyp in ["binding.gyp", "common.gypi"] {
                    self.file(gyp, &[""], out);
                }
            }
            _ if first.contains('/') => self.file(first, &[""], out),
            _ => {}
        }
        // Whatever else names a package file by path is likely read or run by it.
        for arg in args {
            let looks_like_path =
                arg.contains('/') || SCRIPT_EXTENSIONS.iter().any(|ext| arg.ends_with(ext));
            if looks_like_path {
                self.file(arg, &[""], out);
            }
        }
    }

    fn node(&self, args: &[String], out: &mut Vec<String>) {
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            match arg.as_str() {
                // Inline code: nothing to resolve; the message shows the command.
                "-e" | "--eval" | "-p" | "--print" => return,
                "-r" | "--require" | "--import" | "--loader" | "--experimental-loader" => {
                    if let Some(module) = args.get(i + 1) {
                        self.file(module, NODE_EXTENSIONS, out);
                    }
                    i += 2;
                }
                "run" if i == 0 => i += 1,
                arg if arg.starts_with('-') => i += 1,
                script => {
                    self.file(script, NODE_EXTENSIONS, out);
                    return;
                }
            }
        }
    }

    /// `npm run x`, `yarn x`: follow into script `x` with its `pre`/`post` scripts.
    fn run_script(&self, args: &[String], depth: usize, out: &mut Vec<String>) {
        let name = match args.first().map(String::as_str) {
            Some("run" | "run-script") => args.get(1),
            Some(_) => args.first(),
            None => None,
        };
        let Some(name) = name else {
            return;
        };
        for script in [format!("pre{name}"), name.clone(), format!("post{name}")] {
            let command = self
                .scripts
                .and_then(|s| s.get(&script))
                .and_then(Value::as_str);
            if let Some(command) = command {
                self.command(command, depth + 1, out);
            }
        }
    }

    fn file(&self, written: &str, extensions: &[&str], out: &mut Vec<String>) {
        for ext in extensions {
            if let Some(path) = resolve(self.root, &format!("{written}{ext}"))
                && self.ctx.exists(&path)
            {
                if !out.contains(&path) {
                    out.push(path);
                }
                return;
            }
        }
    }
}

/// The program's name without its folder: `./node_modules/.bin/node` runs node.
fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Splits a command line into simple commands (at `;`, `&`, `|`, newlines and
/// parentheses) of words, honouring quotes and backslashes.
pub(crate) fn simple_commands(command: &str) -> Vec<Vec<String>> {
    let mut end = command.len().min(MAX_COMMAND_BYTES);
    while !command.is_char_boundary(end) {
        end -= 1;
    }
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command[..end].chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                word.extend(chars.next());
                in_word = true;
            }
            (None, c) if c.is_whitespace() || ";&|()\n".contains(c) => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if (!c.is_whitespace() || c == '\n') && !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell() {
        let got = simple_commands("A=1 node 'a b.js' && echo \"x;y\" | sh -c 'rm -rf /'");
        assert_eq!(
            got,
            vec![
                vec!["A=1", "node", "a b.js"],
                vec!["echo", "x;y"],
                vec!["sh", "-c", "rm -rf /"],
            ]
        );
    }

    #[test]
    fn assignments_are_recognised() {
        assert!(is_assignment("NODE_ENV=production"));
        assert!(!is_assignment("--flag=1"));
        assert!(!is_assignment("a.js"));
    }
}
