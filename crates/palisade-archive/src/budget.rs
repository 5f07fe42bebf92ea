use crate::limits::{Limit, Limits};
use palisade_core::Finding;
use std::cell::{Cell, RefCell};
use std::time::Instant;

/// What one package has spent of its [`Limits`], shared by every reader and nesting
/// level, plus the findings and errors collected on the way.
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    pub total_bytes: Cell<u64>,
    pub entries: Cell<u64>,
    deadline: Instant,
    /// The last limit a reader tripped; readers fail with an I/O error and set this, so
    /// that the cause survives whatever the archive library wraps the error in.
    pub tripped: Cell<Option<Limit>>,
    /// Set once a limit that stops everything was reached.
    pub stopped: Cell<Option<Limit>>,
    /// Name of the artifact, to prefix every error with.
    pub artifact: &'a str,
    pub findings: RefCell<Vec<Finding>>,
    pub errors: RefCell<Vec<String>>,
}

impl<'a> Budget<'a> {
    pub fn new(artifact: &'a str, limits: &'a Limits) -> Self {
        Budget {
            limits,
            total_bytes: Cell::new(0),
            entries: Cell::new(0),
            deadline: Instant::now() + limits.max_time,
            tripped: Cell::new(None),
            stopped: Cell::new(None),
            artifact,
            findings: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
        }
    }

    pub fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Counts one more entry; false (and the budget stops) when over the limit.
    pub fn take_entry(&self) -> bool {
        let n = self.entries.get() + 1;
        self.entries.set(n);
        if n > self.limits.max_entries {
            self.trip(Limit::Entries);
            return false;
        }
        if self.out_of_time() {
            self.trip(Limit::Time);
            return false;
        }
        true
    }

    pub fn trip(&self, limit: Limit) {
        self.tripped.set(Some(limit));
        if limit.stops_everything() && self.stopped.get().is_none() {
            self.stopped.set(Some(limit));
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.get().is_some()
    }

    /// Records a finding; one about the artifact as a whole (empty place) names it.
    pub fn finding(&self, mut finding: Finding) {
        if finding.path.as_deref() == Some("") {
            finding.path = Some(self.artifact.to_string());
        }
        self.findings.borrow_mut().push(finding);
    }

    /// Records an error, prefixed with the artifact's name so that it can be read alone.
    pub fn error(&self, place: &str, reason: impl std::fmt::Display) {
        let message = if place.is_empty() {
            format!("{}: {reason}", self.artifact)
        } else {
            format!("{}: {place}: {reason}", self.artifact)
        };
        self.errors.borrow_mut().push(message);
    }

    /// Reports a tripped limit as a finding at `place`; limits that stop everything are
    /// reported once.
    pub fn report_limit(&self, limit: Limit, place: &str) {
        use crate::rules;
        let (rule, message) = match limit {
            Limit::Ratio => (
                &rules::COMPRESSION_BOMB,
                format!(
                    "stream expands more than {}x (compression-ratio limit); reading stopped",
                    self.limits.max_ratio
                ),
            ),
            Limit::Depth => (
                &rules::NESTING_TOO_DEEP,
                format!(
                    "archive nested deeper than {} levels; kept unopened",
                    self.limits.max_depth
                ),
            ),
            other => (
                &rules::LIMIT_EXCEEDED,
                if other.stops_everything() {
                    format!("{other} limit reached; the rest of the package was not read")
                } else {
                    format!("{other} limit reached; this entry was not read")
                },
            ),
        };
        if limit.stops_everything() {
            let already = self
                .findings
                .borrow()
                .iter()
                .any(|f| f.rule == rule.id && f.message == message);
            if already {
                return;
            }
        }
        self.finding(rule.finding(message).at(place, None));
    }

    /// The limit tripped since the last call, if any.
    pub fn take_tripped(&self) -> Option<Limit> {
        self.tripped.take()
    }
}
