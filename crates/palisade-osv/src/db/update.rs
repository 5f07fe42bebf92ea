//! `palisade db update`: downloads the OSV project's per-ecosystem exports
//! (`{source}/{ecosystem}/all.zip`) and imports them. The source is configurable for
//! mirrors and air-gapped copies; tests serve a real `all.zip` from loopback.

use super::{Database, DbError, SourceReport};
use palisade_core::Ecosystem;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The OSV project's public export bucket: the one place its address is written.
pub const DEFAULT_SOURCE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Largest export accepted; the npm export, the biggest, is a few hundred MiB.
const MAX_DOWNLOAD: u64 = 4 << 30;

pub struct UpdateOptions {
    /// Base URL; `{source}/{ecosystem}/all.zip` is fetched for each ecosystem.
    pub source: String,
    pub ecosystems: Vec<Ecosystem>,
    /// Attempts per download on connect errors, timeouts and 5xx.
    pub attempts: u32,
    /// The HTTP agent: the caller's, configured like its other downloads (timeouts,
    /// trusted authorities behind a re-signing proxy); a plain one when `None`. It must
    /// return error statuses as responses.
    pub agent: Option<ureq::Agent>,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            source: std::env::var("PALISADE_OSV_SOURCE")
                .unwrap_or_else(|_| DEFAULT_SOURCE.to_string()),
            ecosystems: Ecosystem::ALL.to_vec(),
            attempts: 3,
            agent: None,
        }
    }
}

fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(1800)))
        .timeout_connect(Some(Duration::from_secs(15)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Downloads every requested export, then imports them all into `db` in one rebuild.
/// Any download failing stops the update before the database is touched.
pub fn update(
    db: &Path,
    options: &UpdateOptions,
    now: i64,
) -> Result<Vec<(PathBuf, SourceReport)>, DbError> {
    let agent = options.agent.clone().unwrap_or_else(plain_agent);
    let folder = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| DbError::io(folder, e))?;
    let mut downloads = Vec::new();
    let result = (|| {
        for ecosystem in &options.ecosystems {
            let url = format!(
                "{}/{}/all.zip",
                options.source.trim_end_matches('/'),
                ecosystem.as_str()
            );
            let target = folder.join(format!(
                ".osv-{}-{}.zip",
                ecosystem.as_str(),
                std::process::id()
            ));
            downloads.push(target.clone());
            download(&agent, &url, &target, options.attempts)?;
        }
        Database::import(db, &downloads, now)
    })();
    for file in &downloads {
        let _ = std::fs::remove_file(file);
    }
    result
}

fn download(agent: &ureq::Agent, url: &str, target: &Path, attempts: u32) -> Result<(), DbError> {
    let mut last = String::new();
    for attempt in 0..attempts.max(1) {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500 << attempt.min(6)));
        }
        match try_download(agent, url, target) {
            Ok(()) => return Ok(()),
            Err((retry, reason)) => {
                last = reason;
                if !retry {
                    break;
                }
            }
        }
    }
    Err(DbError::new(Path::new(url), last))
}

fn try_download(agent: &ureq::Agent, url: &str, target: &Path) -> Result<(), (bool, String)> {
    let response = agent
        .get(url)
        .call()
        .map_err(|e| (true, format!("unreachable: {e}")))?;
    let status = response.status().as_u16();
    if status != 200 {
        let retry = status >= 500 || status == 429;
        return Err((retry, format!("HTTP {status}")));
    }
    let mut body = response.into_body().into_reader().take(MAX_DOWNLOAD + 1);
    let mut file =
        std::fs::File::create(target).map_err(|e| (false, format!("{}: {e}", target.display())))?;
    let copied = std::io::copy(&mut body, &mut file)
        .map_err(|e| (true, format!("download cut short: {e}")))?;
    if copied > MAX_DOWNLOAD {
        return Err((false, format!("larger than {MAX_DOWNLOAD} bytes")));
    }
    file.flush().map_err(|e| (false, e.to_string()))
}
