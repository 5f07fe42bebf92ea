//! The patterns the flow reads JavaScript with. All ASCII (`(?-u)`), so that the fast
//! search runs on any bytes; groups are taken only from the matches it finds.

use regex::bytes::Regex;
use std::sync::LazyLock;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// Libraries whose default export or named functions make requests.
const NETWORK_LIBRARIES: &str = r"(?:node:)?(?:https?|http2)|node-fetch|cross-fetch|isomorphic-fetch|make-fetch-happen|axios|got|undici|needle|request|superagent|phin|bent|ky";

/// A call whose result (or callback argument) is what a server sent.
pub(super) static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?x-u)
        (?:^|[^\w$.])(?:fetch|axios|got|needle|superagent|request)\s*\(
        | (?:^|[^\w$])(?:axios|got|needle|superagent|request|https?|http2|client)\s*\.\s*(?:get|post|request|put|stream)\s*\(
        | \b(?:globalThis|window|self|global)\s*\.\s*fetch\s*\(
        | require\s*\(\s*['"](?:node:)?https?['"]\s*\)\s*\.\s*(?:get|request)\s*\(
        | \.response(?:Text)?\b
        | \.getSignaturesForAddress\s*\(
        | (?:^|[^\w$.])execSync\s*\(\s*['"`]\s*(?:curl|wget)\s"#,
    )
});

/// A name bound to a network library: `const nf = require('node-fetch')` (group 1),
/// `const { get } = require('https')` (group 2), and the `import` forms (3 and 4).
pub(super) static SOURCE_ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    let from = format!(r#"\s*\(\s*['"](?:{NETWORK_LIBRARIES})['"]\s*\)"#);
    regex(&format!(
        r#"(?-u)(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?(?:require|import){from}|(?:const|let|var)\s*\{{([^{{}}]{{1,200}})\}}\s*=\s*(?:await\s+)?(?:require|import){from}|import\s+([A-Za-z_$][\w$]*)\s+from\s*['"](?:{NETWORK_LIBRARIES})['"]|import\s*\{{([^{{}}]{{1,200}})\}}\s*from\s*['"](?:{NETWORK_LIBRARIES})['"]"#
    ))
});

/// Where code is run: the arguments start right after the match.
pub(super) static SINK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?x-u)
        (?:^|[^\w$.])eval\s*(?:\?\.\s*)?\(
        | \(\s*0\s*,\s*eval\s*\)\s*\(
        | \b(?:globalThis|window|global|self)\s*\.\s*eval\s*\(
        | (?:^|[^\w$.])(?:new\s+)?Function\s*\(
        | (?:^|[^\w$])(?:runInNewContext|runInThisContext|runInContext|compileFunction)\s*\(
        | \bnew\s+(?:[\w$]+\s*\.\s*)?Script\s*\(
        | \._compile\s*(?:\.\s*call\s*\(\s*[\w$.]+\s*,|\()",
    )
});

/// A name bound to an evaluator: `const E = eval`.
pub(super) static SINK_ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:(?:globalThis|window|global|self)\s*\.\s*)?(eval|Function)\s*[;,\n)]",
    )
});

/// `.then(eval)`: the response handed to the evaluator itself.
pub(super) static THEN_EVAL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?-u)\.then\s*\(\s*(?:eval|Function|new\s+Function|eval\s*\.\s*bind\s*\([^()]*\))\s*\)")
});

/// `name =`, `name +=`, `const name =` (keyword in group 1, name in 2), not `==`, `=>`.
pub(super) static BINDING: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?-u)(?:^|[^\w$.])(?:(const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*\+?=[^=>]")
});

/// `this.script =`, `state.code +=` (name in group 2).
pub(super) static PROPERTY_BINDING: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?-u)(?:^|[^\w$.])()((?:this|[A-Za-z_$][\w$]*)\.[A-Za-z_$][\w$]*)\s*\+?=[^=>]")
});

/// A declaration: keyword in group 1, name in group 2.
pub(super) static DECLARATION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u)(?:^|[^\w$.])(const|let|var)\s+([A-Za-z_$][\w$]*)"));

/// `const { data, body: b } = ...`: the destructured names.
pub(super) static DESTRUCTURING: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u)(?:const|let|var)\s*\{([^{}=]{1,300})\}\s*=[^=>]"));

/// An array gathering values (`chunks.push(`, group 1) or a loop over one (`for await
/// (const c of`, group 2): what follows is what it gathers.
pub(super) static GATHER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*\.\s*(?:push|unshift)\s*\(|\bfor\s*(?:await\s*)?\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s+of\b",
    )
});

/// A callback's parameters: `r =>`, `(err, res, body) =>`, `function (r)`.
pub(super) static CALLBACK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*=>|\(([^()]{0,160})\)\s*=>|function\s*[\w$]*\s*\(([^()]{0,160})\)",
    )
});

/// A right-hand side that defines a function rather than computing a value.
pub(super) static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)^\s*(?:async\s*)?(?:function\b[^{]{0,200}|\([^()]{0,200}\)\s*=>|[A-Za-z_$][\w$]*\s*=>)",
    )
});

pub(super) static RETURN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?-u)(?:^|[^\w$.])return\b"));

/// A write of data to a path: the path is the first argument.
pub(super) static WRITE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?-u)\b(?:writeFileSync|writeFile|appendFileSync|outputFileSync|outputFile)\s*\(")
});

/// A start of a program or module: the program is the first argument.
pub(super) static START: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)(?:^|[^\w$])(?:spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|require|execa)\s*\(",
    )
});

/// A name that may be passed bare as an argument: `(u, onResponse)`, `.then(run)`;
/// what follows it (`,` or `)`) is left for the next match.
pub(super) static NAMED_ARGUMENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u)[(,]\s*[A-Za-z_$][\w$]*\s*"));

/// A call that starts a process; its options follow in the arguments.
pub(super) static PROCESS_START: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)(?:^|[^\w$])(?:spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|execa)\s*\(",
    )
});

/// A function declaration's head: the name in group 1, up to its `(`.
pub(super) static FUNCTION_HEAD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u)\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\("));
