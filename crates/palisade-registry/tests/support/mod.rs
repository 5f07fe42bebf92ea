//! A small threaded HTTP/1.1 server on loopback that plays the registries in tests.
//! Routes map a path (with query) to a reply; every request is counted per path, so a
//! test can prove that a cached artifact was not downloaded again.
#![allow(dead_code)]

use palisade_registry::{Cache, Endpoint, Fetcher, RegistryConfig};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server answers on one path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with a body and a content type.
    Body(Vec<u8>, &'static str),
    /// 200 with a body and no `Content-Length`; the end of the body is the connection's.
    Unsized(Vec<u8>),
    /// A bare status.
    Status(u16),
    /// A redirect to another path of this server.
    Redirect(String),
    /// The reply, after a pause.
    Slow(Duration, Box<Reply>),
    /// One reply per request in turn; the last repeats.
    Sequence(Vec<Reply>),
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
    user_agents: Vec<String>,
}

pub struct Server {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Server { base, state }
    }

    pub fn route(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), reply);
    }

    /// Serves a fixture file from `testdata/` with `{{BASE}}` replaced by this server's
    /// address and each `(placeholder, value)` substituted.
    pub fn fixture(&self, path: &str, file: &str, substitutions: &[(&str, &str)]) {
        let mut text = std::fs::read_to_string(testdata(file)).expect("fixture");
        text = text.replace("{{BASE}}", &self.base);
        for (placeholder, value) in substitutions {
            text = text.replace(placeholder, value);
        }
        self.route(path, Reply::Body(text.into_bytes(), "application/json"));
    }

    /// Serves a binary file from `testdata/`.
    pub fn file(&self, path: &str, file: &str) {
        let bytes = std::fs::read(testdata(file)).expect("fixture");
        self.route(path, Reply::Body(bytes, "application/octet-stream"));
    }

    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn user_agents(&self) -> Vec<String> {
        self.state.lock().unwrap().user_agents.clone()
    }

    /// A configuration pointing every endpoint at this server (under one prefix per
    /// endpoint, so a test cannot pass by hitting the wrong registry), with short
    /// timeouts and backoff.
    pub fn config(&self) -> RegistryConfig {
        let mut config = RegistryConfig::default();
        for (endpoint, key, _) in palisade_registry::DEFAULT_BASES {
            config
                .set_base(endpoint, &format!("{}/{key}", self.base))
                .unwrap();
        }
        config
            .set_base(Endpoint::Maven, &format!("{}/maven/maven2", self.base))
            .unwrap();
        config.timeout = Duration::from_secs(5);
        config.connect_timeout = Duration::from_secs(2);
        config.retry_base_delay = Duration::from_millis(10);
        config.max_retry_delay = Duration::from_millis(50);
        config
    }

    /// A fetcher over [`Server::config`] with a fresh cache directory.
    pub fn fetcher(&self, cache: &TempDir) -> Fetcher {
        Fetcher::new(self.config(), Cache::new(cache.path()))
    }
}

pub fn testdata(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(file)
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("user-agent")
        {
            state
                .lock()
                .unwrap()
                .user_agents
                .push(value.trim().to_string());
        }
    }
    let reply = {
        let mut state = state.lock().unwrap();
        let count = {
            let hits = state.hits.entry(path.clone()).or_insert(0);
            *hits += 1;
            *hits
        };
        match state.routes.get(&path) {
            Some(Reply::Sequence(replies)) => replies
                .get(count - 1)
                .or(replies.last())
                .cloned()
                .unwrap_or(Reply::Status(500)),
            Some(reply) => reply.clone(),
            None => Reply::Status(404),
        }
    };
    write_reply(stream, reply)
}

fn write_reply(mut stream: TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Body(body, content_type) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        Reply::Unsized(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
            )?;
            stream.write_all(&body)
        }
        Reply::Status(status) => write!(
            stream,
            "HTTP/1.1 {status} Status\r\nContent-Length: 0\r\nRetry-After: 0\r\nConnection: close\r\n\r\n"
        ),
        Reply::Redirect(location) => write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Reply::Slow(pause, reply) => {
            std::thread::sleep(pause);
            write_reply(stream, *reply)
        }
        Reply::Sequence(_) => write_reply(stream, Reply::Status(500)),
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "palisade-registry-{label}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    palisade_registry::digest::to_hex(&sha2::Sha256::digest(bytes))
}

/// A zip archive of the given files, as `.nupkg`, `.jar` and Go module zips are.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, content) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}
