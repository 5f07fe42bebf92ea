//! Go modules: a module zip (as served by the module proxy) holds every file under
//! `MODULE@VERSION/`, where MODULE is a path with slashes, case-encoded (`!a` for `A`);
//! a folder is recognised by its `go.mod`.
//!
//! Go has no install hooks, but two things run without being called: `func init()`,
//! which runs when any program importing the package starts, and cgo, which makes the
//! build invoke the C toolchain on the package's code and `#cgo` flags.

use crate::common::{Ctx, EntryExt, Identity, entry, manifest_bytes};
use crate::text::{is_ident_byte, line_start, lines};
use palisade_core::{Category, Ecosystem, EntryPoint, PackageFile, Phase, RuleInfo, Severity};

pub static INIT: RuleInfo = RuleInfo {
    id: "install/go-init",
    category: Category::ImportTime,
    severity: Severity::Info,
    summary: "A Go file declares `func init()`, which runs when a program using the package starts.",
    why: "init functions run before main in every binary that imports the package, without \
          any call from its users; malicious modules put their payload there. Honest \
          packages use them to register drivers and set defaults.",
    example: "func init() { go beacon() }",
    attack: Some("T1195.002"),
};

pub static CGO: RuleInfo = RuleInfo {
    id: "install/go-cgo",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "A Go file uses cgo, so building it runs the C toolchain on the package's code.",
    why: "`import \"C\"` compiles the C preamble with the system compiler, with flags from \
          `#cgo` directives, at build time; it also links native code that Go's own tooling \
          does not inspect.",
    example: "// #cgo LDFLAGS: -lfoo\nimport \"C\"",
    attack: Some("T1195.002"),
};

/// go.mod lines read before giving up on finding the `module` directive.
const MAX_GO_MOD_LINES: usize = 10_000;

/// A module zip: every file under one `MODULE@VERSION/` prefix.
pub(crate) fn module_zip(ctx: &Ctx) -> Option<Identity> {
    let first = &ctx.files.first()?.path;
    // The prefix ends after the first folder whose name holds '@'.
    let mut end = 0;
    let at_folder = first.split('/').find_map(|segment| {
        end += segment.len() + 1;
        (end <= first.len() && segment.contains('@')).then_some(end)
    })?;
    let prefix = &first[..at_folder];
    let (module, version) = prefix[..at_folder - 1].rsplit_once('@')?;
    let valid = !module.is_empty()
        && version.starts_with('v')
        && version[1..].starts_with(|c: char| c.is_ascii_digit())
        && !prefix.contains("!/")
        && ctx.files.iter().all(|f| f.path.starts_with(prefix));
    let go_mod = format!("{prefix}go.mod");
    if !valid || !(ctx.format == "zip" || ctx.exists(&go_mod)) {
        return None;
    }
    let format = if ctx.format == "zip" {
        "go module zip"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::Go), ctx.format_as(format), prefix);
    let module = decode_case(module);
    let version = decode_case(version);
    id.set_version(Some(&version));
    match ctx.get(&go_mod) {
        Some(file) => {
            read_go_mod(file, &mut id);
            if let Some(declared) = id.name.clone().filter(|d| *d != module) {
                let message = format!(
                    "go.mod declares module {declared} but the zip holds {module}@{version}"
                );
                id.mismatch(&go_mod, message);
            }
        }
        // Modules from before go.mod are served without one; the path names them.
        None => id.set_name(Some(&module)),
    }
    entry_points(ctx, prefix, &mut id);
    Some(id)
}

/// A module source folder (or archive) with `go.mod` at its root.
pub(crate) fn source(ctx: &Ctx, root: &str) -> Option<Identity> {
    let file = ctx.get(&format!("{root}go.mod"))?;
    let mut id = Identity::new(Some(Ecosystem::Go), ctx.format_as(ctx.format), root);
    read_go_mod(file, &mut id);
    entry_points(ctx, root, &mut id);
    Some(id)
}

fn read_go_mod(file: &PackageFile, id: &mut Identity) {
    id.manifest_path = Some(file.path.clone());
    let Some(data) = manifest_bytes(file, id) else {
        return;
    };
    let module = lines(data, MAX_GO_MOD_LINES).find_map(|(_, line)| {
        let line = String::from_utf8_lossy(line);
        let line = line.split("//").next().unwrap_or("").trim();
        let rest = line.strip_prefix("module")?;
        rest.starts_with([' ', '\t', '"'])
            .then(|| rest.trim().trim_matches('"').to_string())
    });
    match module {
        Some(module) => id.set_name(Some(&module)),
        None => id.unreadable(&file.path, "no `module` directive", None),
    }
}

/// Undoes the proxy's case encoding: `github.com/!azure` is `github.com/Azure`.
fn decode_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '!' {
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        } else {
            out.push(c);
        }
    }
    out
}

fn entry_points(ctx: &Ctx, root: &str, id: &mut Identity) {
    let mut files: Vec<&PackageFile> = ctx
        .under(root)
        .filter(|f| is_built(&f.path[root.len()..]))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    id.entry_points
        .extend(files.into_iter().filter_map(go_file));
}

/// Whether `go build` compiles the file: a `.go` file, not a test, not under
/// `testdata`, `vendor` or a folder the go tool ignores (`_x`, `.x`).
fn is_built(relative: &str) -> bool {
    let Some(name) = relative.strip_suffix(".go") else {
        return false;
    };
    !name.ends_with("_test")
        && !relative.contains("!/")
        && relative
            .split('/')
            .all(|part| !part.starts_with(['_', '.']) && part != "testdata" && part != "vendor")
}

/// At most one entry point per file: `init` when there is one (it runs on every
/// program start), else cgo.
fn go_file(file: &PackageFile) -> Option<EntryPoint> {
    let data = &file.data;
    let cgo = find_cgo(data);
    if let Some(at) = find_init(data) {
        let also = if cgo.is_some() {
            " (the file also uses cgo)"
        } else {
            ""
        };
        let message = format!(
            "{} declares func init(), run when a program importing the package starts{also}",
            file.file_name()
        );
        return Some(
            entry(&INIT, Phase::Import, &file.path, message)
                .evidence(data, at)
                .runs(vec![file.path.clone()]),
        );
    }
    let at = cgo?;
    let directive = find_directive(data).unwrap_or(at);
    let message = format!(
        "{} uses cgo: building it runs the C compiler on its preamble",
        file.file_name()
    );
    Some(
        entry(&CGO, Phase::Build, &file.path, message)
            .evidence(data, directive)
            .runs(vec![file.path.clone()]),
    )
}

/// Start of a top-level `func init()` declaration.
fn find_init(data: &[u8]) -> Option<usize> {
    lines(data, usize::MAX).find_map(|(offset, line)| {
        let rest = trim_start(line).strip_prefix(b"func")?;
        let rest = rest
            .strip_prefix(b" ")
            .or_else(|| rest.strip_prefix(b"\t"))?;
        let rest = trim_start(rest).strip_prefix(b"init")?;
        let rest = trim_start(rest).strip_prefix(b"(")?;
        trim_start(rest).starts_with(b")").then_some(offset)
    })
}

/// Start of the `import "C"` line, alone or inside an import block.
fn find_cgo(data: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(data, b"\"C\"").find_map(|at| {
        let start = line_start(data, at);
        let before = trim_start(&data[start..at]);
        let after = data.get(at + 3).copied();
        let alone = before.is_empty() || before == b"import" || before.starts_with(b"import ");
        let ends = after.is_none_or(|b| !is_ident_byte(b) && b != b',' && b != b'+');
        (alone && ends).then_some(start)
    })
}

/// Start of the first `#cgo` directive line.
fn find_directive(data: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(data, b"#cgo ").find_map(|at| {
        let start = line_start(data, at);
        let before = trim_start(&data[start..at]);
        matches!(before, b"" | b"//" | b"// " | b"*").then_some(start)
    })
}

fn trim_start(data: &[u8]) -> &[u8] {
    let skip = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &data[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_encoding_is_undone() {
        assert_eq!(
            decode_case("github.com/!azure/go-!a!p!i"),
            "github.com/Azure/go-API"
        );
    }

    #[test]
    fn init_and_cgo_are_found_at_their_lines() {
        let src = b"package x\n\n// #cgo LDFLAGS: -lm\nimport \"C\"\n\nfunc  init ( ) {}\n";
        let at = |s: &str| memchr::memmem::find(src, s.as_bytes());
        assert_eq!(find_init(src), at("func  init"));
        assert_eq!(find_cgo(src), at("import"));
        assert_eq!(find_directive(src), at("// #cgo"));
        assert_eq!(find_init(b"func initialise() {}\n// func init()"), None);
        assert_eq!(find_cgo(b"x := []string{\"C\", \"D\"}"), None);
    }

    #[test]
    fn tests_and_ignored_folders_are_not_built() {
        assert!(is_built("a/b.go"));
        assert!(!is_built("a/b_test.go"));
        assert!(!is_built("testdata/x.go"));
        assert!(!is_built("_examples/x.go"));
        assert!(!is_built("a/b.txt"));
    }
}
