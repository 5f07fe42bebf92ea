//! Errors name the file and line; hostile inputs end in errors, not panics or loops;
//! requirements includes stop at cycles and depth; discovery is bounded and ordered.

use std::path::{Path, PathBuf};

use palisade_deps::{LockfileKind, collect, discover, parse_as, parse_file};

/// A fresh scratch folder under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("palisade-deps-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn syntax_errors_carry_file_and_line() {
    let cases: [(LockfileKind, &str, &str, usize); 5] = [
        (
            LockfileKind::NpmLock,
            "package-lock.json",
            "{\n  \"packages\": {\n    \"x\": oops\n  }\n}",
            3,
        ),
        (
            LockfileKind::CargoLock,
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \n",
            5,
        ),
        (
            LockfileKind::PnpmLock,
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {\n",
            4,
        ),
        (
            LockfileKind::Pom,
            "pom.xml",
            "<project>\n  <dependencies>\n  </dependency>\n</project>",
            3,
        ),
        (
            LockfileKind::GoMod,
            "go.mod",
            "module x\n\ngo 1.22\nfrobnicate all\n",
            4,
        ),
    ];
    for (kind, name, text, line) in cases {
        let err = parse_as(kind, Path::new(name), text).expect_err(name);
        assert_eq!(err.line, Some(line), "{name}: {err}");
        assert!(
            err.to_string().starts_with(&format!("{name}:{line}: ")),
            "{err}"
        );
    }
}

#[test]
fn unknown_names_and_missing_files_are_errors_naming_the_file() {
    let err = parse_file(Path::new("/nonexistent/dir/Cargo.lock")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/dir/Cargo.lock: cannot read"),
        "{err}"
    );
    let err = parse_file(Path::new("notes.md")).unwrap_err();
    assert!(err.reason.contains("not a known lockfile"), "{err}");
}

#[test]
fn oversized_text_is_refused() {
    let big = " ".repeat(palisade_deps::MAX_FILE_SIZE as usize + 1);
    let err = parse_as(LockfileKind::GradleLock, Path::new("gradle.lockfile"), &big).unwrap_err();
    assert!(err.reason.contains("MiB limit"), "{err}");
}

#[test]
fn hostile_shapes_fail_cleanly() {
    // Deep JSON nesting: serde_json's recursion limit turns it into an error.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_as(LockfileKind::NpmLock, Path::new("package-lock.json"), &deep).is_err());
    // Deep XML nesting is refused before it can grow the tree without bound.
    let xml = format!(
        "<project>{}{}</project>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let err = parse_as(LockfileKind::Pom, Path::new("pom.xml"), &xml).unwrap_err();
    assert!(err.reason.contains("nest deeper"), "{err}");
    // Self-referencing Maven properties end, unresolved.
    let pom = "<project><properties><a>${b}</a><b>${a}</b></properties><dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency></dependencies></project>";
    let deps = parse_as(LockfileKind::Pom, Path::new("pom.xml"), pom).unwrap();
    assert_eq!(deps[0].version, "");
    // A template element name is not XML.
    assert!(
        parse_as(
            LockfileKind::Pom,
            Path::new("pom.xml"),
            "<project><${x}>1</${x}></project>"
        )
        .is_err()
    );
}

#[test]
fn requirements_includes_survive_cycles_and_report_missing_files() {
    let s = Scratch::new("req");
    let top = s.write(
        "requirements.txt",
        "-r sub/dev.txt\n-c constraints.txt\nflask\n",
    );
    s.write(
        "sub/dev.txt",
        "--requirement=../requirements.txt\npytest==8.3.3\n",
    );
    s.write("constraints.txt", "flask==3.0.3\nnot-required==1.0\n");
    let deps = parse_file(&top).unwrap();
    let got: Vec<(&str, &str)> = deps
        .iter()
        .map(|d| (d.name.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [("flask", "3.0.3"), ("pytest", "8.3.3")],
        "the cycle ends; constraints only pin"
    );
    assert!(deps[1].source.ends_with("sub/dev.txt"));
    assert_eq!(deps[1].line, Some(2));

    let bad = s.write("bad-requirements.txt", "django==4.2\n\n-r missing.txt\n");
    let err = parse_file(&bad).unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.reason.contains("missing.txt"), "{err}");
}

#[test]
fn requirements_include_depth_is_bounded() {
    let s = Scratch::new("depth");
    for i in 0..40 {
        s.write(
            &format!("requirements-{i}.txt"),
            &format!("-r requirements-{}.txt\npkg{i}==1.0\n", i + 1),
        );
    }
    s.write("requirements-40.txt", "last==1.0\n");
    let err = parse_file(&s.0.join("requirements-0.txt")).unwrap_err();
    assert!(err.reason.contains("deeper than"), "{err}");
}

#[test]
fn discovery_skips_installed_trees_and_is_ordered() {
    let s = Scratch::new("discover");
    s.write(
        "web/package-lock.json",
        r#"{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}}"#,
    );
    s.write("web/node_modules/dep/package-lock.json", "{}");
    s.write(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n",
    );
    s.write("target/debug/Cargo.lock", "");
    s.write(".venv/lib/requirements.txt", "x==1\n");
    s.write("api/requirements.txt", "django==5.0\n");
    s.write("api/broken/go.mod", "this is not go\n");
    s.write("README.md", "# hi\n");
    let found: Vec<String> = discover(&s.0)
        .iter()
        .map(|p| p.strip_prefix(&s.0).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        found,
        [
            "Cargo.lock",
            "api/broken/go.mod",
            "api/requirements.txt",
            "web/package-lock.json"
        ]
    );

    let (deps, errors) = collect(&s.0);
    let names: Vec<&str> = deps.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        ["b", "django", "a"],
        "sorted by source, one bad file does not stop the rest"
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].file.ends_with("api/broken/go.mod") && errors[0].line == Some(1),
        "{}",
        errors[0]
    );
}

#[cfg(unix)]
#[test]
fn discovery_does_not_follow_links_out_of_the_tree() {
    let outside = Scratch::new("outside");
    let lock = outside.write("Cargo.lock", "version = 4\n");
    let s = Scratch::new("links");
    std::os::unix::fs::symlink(&outside.0, s.0.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(&lock, s.0.join("Cargo.lock")).unwrap();
    s.write("real/go.mod", "module x\n");
    std::os::unix::fs::symlink(s.0.join("real/go.mod"), s.0.join("go.mod")).unwrap();
    let found = discover(&s.0);
    let rel: Vec<_> = found
        .iter()
        .map(|p| p.strip_prefix(&s.0).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        rel,
        [PathBuf::from("go.mod"), PathBuf::from("real/go.mod")],
        "only links that stay inside"
    );
}

/// Every parser on every fixture, whole and cut at several points: errors are fine,
/// panics are not.
#[test]
fn no_parser_panics_on_any_fixture_or_its_truncations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/osv-scanner/fixtures");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path)
            } else {
                files.push(path)
            }
        }
    }
    assert!(files.len() > 150, "fixtures missing: {}", files.len());
    let mut runs = 0;
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let cuts = [
            text.len(),
            text.len() / 3,
            text.len() / 2,
            text.len() * 2 / 3,
            1,
        ];
        for cut in cuts {
            let cut = (0..=cut.min(text.len()))
                .rev()
                .find(|&c| text.is_char_boundary(c))
                .unwrap();
            for kind in LockfileKind::ALL {
                let _ = parse_as(kind, &file, &text[..cut]);
                runs += 1;
            }
        }
    }
    assert!(runs > 10_000);
}
