//! The one way this crate talks HTTP: a blocking `ureq` agent behind a counting
//! semaphore, with retries on transient failures and a byte cap on every body.
//!
//! Transient means the request might succeed if asked again: connect errors, timeouts,
//! 429 and 5xx. A 4xx other than 429 is the registry's answer and is never retried.

use crate::{RegistryConfig, RegistryError};
use std::io::{Read, Seek, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use ureq::ResponseExt;

/// A successful response: the final URL (after redirects, for resolving relative URLs
/// found in the body) and the body.
#[derive(Debug)]
pub struct Fetched {
    pub url: String,
    pub body: Vec<u8>,
}

/// Shared HTTP client. Cloning shares the agent (its connection pool), the semaphore
/// and the list of bases found unreachable.
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
    permits: Arc<Semaphore>,
    config: Arc<RegistryConfig>,
    unreachable: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("user_agent", &self.config.user_agent)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
enum Attempt<T> {
    Done(T),
    NotFound,
    /// Worth another try; the delay the server asked for, if any.
    Transient(String, Option<Duration>),
}

impl Http {
    pub fn new(config: RegistryConfig) -> Self {
        let agent = agent(&config);
        Http {
            agent,
            permits: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config: Arc::new(config),
            unreachable: Arc::default(),
        }
    }

    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Remembers that `base` could not be reached even after retries, so that a client
    /// with another source (the crate index) stops paying the retries on every request.
    pub fn mark_unreachable(&self, base: &str) {
        let mut set = self.unreachable.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(base.to_string());
    }

    pub fn is_unreachable(&self, base: &str) -> bool {
        let set = self.unreachable.lock().unwrap_or_else(|e| e.into_inner());
        set.contains(base)
    }

    /// GETs a metadata document, capped at the metadata limit. `None` on 404/410.
    pub fn get(&self, url: &str, accept: &str) -> Result<Option<Fetched>, RegistryError> {
        let limit = self.config.metadata_limit;
        self.with_retries(url, accept, |response, final_url| {
            let mut body = Vec::new();
            read_capped(response, url, limit, &mut body)?;
            Ok(Fetched {
                url: final_url,
                body,
            })
        })
    }

    /// GETs a JSON document and parses it. `None` on 404/410. A parse failure names the
    /// URL and the line and column.
    pub fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<Option<(T, String)>, RegistryError> {
        let Some(fetched) = self.get(url, "application/json")? else {
            return Ok(None);
        };
        let value = serde_json::from_slice(&fetched.body)
            .map_err(|e| RegistryError::malformed(&fetched.url, e))?;
        Ok(Some((value, fetched.url)))
    }

    /// Streams an artifact into `file` (truncated first, and again before each retry),
    /// capped at the artifact limit. `None` on 404/410.
    pub fn download(
        &self,
        url: &str,
        file: &mut std::fs::File,
        path: &std::path::Path,
    ) -> Result<Option<()>, RegistryError> {
        let limit = self.config.artifact_limit;
        self.with_retries(url, "*/*", |response, _| {
            file.set_len(0)
                .and_then(|_| file.rewind())
                .map_err(|e| RegistryError::io(path, e))?;
            read_capped(response, url, limit, file)?;
            file.flush().map_err(|e| RegistryError::io(path, e))
        })
    }

    /// Runs one GET with the retry policy. `read` consumes a 2xx body; its
    /// `Unreachable` errors (a body cut short, a read timeout) count as transient.
    fn with_retries<T>(
        &self,
        url: &str,
        accept: &str,
        mut read: impl FnMut(&mut ureq::http::Response<ureq::Body>, String) -> Result<T, RegistryError>,
    ) -> Result<Option<T>, RegistryError> {
        let attempts = self.config.retries.saturating_add(1);
        let mut last_cause = String::new();
        let mut server_delay = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(self.backoff(attempt, server_delay.take()));
            }
            let outcome = {
                let _permit = self.permits.acquire();
                self.attempt(url, accept, &mut read)?
            };
            match outcome {
                Attempt::Done(value) => return Ok(Some(value)),
                Attempt::NotFound => return Ok(None),
                Attempt::Transient(cause, retry_after) => {
                    last_cause = cause;
                    server_delay = retry_after;
                }
            }
        }
        Err(RegistryError::Unreachable {
            url: url.to_string(),
            cause: if attempts > 1 {
                format!("{last_cause} (after {attempts} attempts)")
            } else {
                last_cause
            },
        })
    }

    fn attempt<T>(
        &self,
        url: &str,
        accept: &str,
        read: &mut impl FnMut(&mut ureq::http::Response<ureq::Body>, String) -> Result<T, RegistryError>,
    ) -> Result<Attempt<T>, RegistryError> {
        let mut response = match self.agent.get(url).header("Accept", accept).call() {
            Ok(response) => response,
            Err(error) => {
                return match error {
                    ureq::Error::Timeout(_)
                    | ureq::Error::ConnectionFailed
                    | ureq::Error::HostNotFound
                    | ureq::Error::Io(_)
                    | ureq::Error::Protocol(_) => Ok(Attempt::Transient(error.to_string(), None)),
                    other => Err(RegistryError::Unreachable {
                        url: url.to_string(),
                        cause: other.to_string(),
                    }),
                };
            }
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => {
                let final_url = response.get_uri().to_string();
                match read(&mut response, final_url) {
                    Ok(value) => Ok(Attempt::Done(value)),
                    Err(RegistryError::Unreachable { cause, .. }) => {
                        Ok(Attempt::Transient(cause, None))
                    }
                    Err(other) => Err(other),
                }
            }
            404 | 410 => Ok(Attempt::NotFound),
            429 | 500..=599 => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                Ok(Attempt::Transient(
                    format!("HTTP status {status}"),
                    retry_after,
                ))
            }
            _ => Err(RegistryError::Status {
                url: url.to_string(),
                status,
            }),
        }
    }

    /// Exponential backoff from the base delay, or the server's own delay, both capped.
    fn backoff(&self, attempt: u32, server: Option<Duration>) -> Duration {
        let delay = server.unwrap_or_else(|| {
            self.config
                .retry_base_delay
                .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        });
        delay.min(self.config.max_retry_delay)
    }
}

/// An HTTP agent with the configuration's timeouts, user agent and trusted authorities,
/// for other downloads that should behave like the registry clients (the advisory
/// database's exports). Statuses are returned, not turned into errors.
pub fn agent(config: &RegistryConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(config.timeout))
        .timeout_connect(Some(config.connect_timeout))
        .user_agent(config.user_agent.as_str())
        .max_redirects(10)
        .tls_config(tls_config(config))
        .build()
        .into()
}

/// The TLS set-up: the configured CA bundle when it loads, else the built-in roots.
/// [`RegistryConfig::load`] has already refused a bundle that does not load.
fn tls_config(config: &RegistryConfig) -> ureq::tls::TlsConfig {
    let builder = ureq::tls::TlsConfig::builder();
    match config.ca_bundle.as_deref().map(load_ca_bundle) {
        Some(Ok(certs)) => builder.root_certs(ureq::tls::RootCerts::from(certs)),
        _ => builder,
    }
    .build()
}

/// The certificates of a PEM bundle; an error when it cannot be read or holds none.
pub fn load_ca_bundle(
    path: &std::path::Path,
) -> Result<Vec<ureq::tls::Certificate<'static>>, RegistryError> {
    let pem = std::fs::read(path).map_err(|e| RegistryError::io(path, e))?;
    let certs: Vec<_> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(RegistryError::Config(format!(
            "{}: no PEM certificates in the CA bundle",
            path.display()
        )));
    }
    Ok(certs)
}

/// Copies a body into `sink`, refusing it as soon as it passes `limit` (and before
/// reading when the declared length already does).
fn read_capped(
    response: &mut ureq::http::Response<ureq::Body>,
    url: &str,
    limit: u64,
    sink: &mut impl Write,
) -> Result<u64, RegistryError> {
    let too_large = || RegistryError::TooLarge {
        url: url.to_string(),
        limit,
    };
    if response.body().content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut reader = response
        .body_mut()
        .as_reader()
        .take(limit.saturating_add(1));
    let copied = std::io::copy(&mut reader, sink).map_err(|e| RegistryError::Unreachable {
        url: url.to_string(),
        cause: format!("reading the body: {e}"),
    })?;
    if copied > limit {
        return Err(too_large());
    }
    Ok(copied)
}

/// A counting semaphore: at most `n` requests of one client are in flight.
#[derive(Debug)]
struct Semaphore {
    available: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Semaphore);

impl Semaphore {
    fn new(n: usize) -> Self {
        Semaphore {
            available: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        // A poisoned lock only means another thread panicked while holding a counter;
        // the counter itself is still meaningful.
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        while *available == 0 {
            available = self
                .freed
                .wait(available)
                .unwrap_or_else(|e| e.into_inner());
        }
        *available -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut available = self.0.available.lock().unwrap_or_else(|e| e.into_inner());
        *available += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semaphore_never_lets_more_than_n_through() {
        let semaphore = Arc::new(Semaphore::new(2));
        let inside = Arc::new(Mutex::new((0usize, 0usize)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let semaphore = Arc::clone(&semaphore);
                let inside = Arc::clone(&inside);
                std::thread::spawn(move || {
                    let _permit = semaphore.acquire();
                    {
                        let mut g = inside.lock().unwrap();
                        g.0 += 1;
                        g.1 = g.1.max(g.0);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    inside.lock().unwrap().0 -= 1;
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(inside.lock().unwrap().1, 2);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mut config = RegistryConfig::default();
        config.retry_base_delay = Duration::from_millis(100);
        config.max_retry_delay = Duration::from_millis(350);
        let http = Http::new(config);
        assert_eq!(http.backoff(1, None), Duration::from_millis(100));
        assert_eq!(http.backoff(2, None), Duration::from_millis(200));
        assert_eq!(http.backoff(3, None), Duration::from_millis(350));
        assert_eq!(
            http.backoff(1, Some(Duration::from_secs(9))),
            Duration::from_millis(350)
        );
    }
}
