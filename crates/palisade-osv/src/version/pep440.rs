//! PEP 440, the version scheme of PyPI, with the normalisations of the `packaging`
//! library (`1.0-alpha1` = `1.0a1`, `1.0.post-1` = `1.0.post1`, `1.0c1` = `1.0rc1`,
//! leading `v`, any case) and its legacy fallback for strings that are not PEP 440.

use super::num::Num;
use super::{VersionError, check_length};
use std::cmp::Ordering;

/// Pre-release phase; the order is alpha < beta < release candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrePhase {
    Alpha,
    Beta,
    Rc,
}

/// A local version label segment: numeric segments sort above alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalSegment {
    Alpha(Box<str>),
    Numeric(Num),
}

/// A PEP 440 version, normalised.
#[derive(Debug, Clone)]
pub struct Pep440 {
    pub epoch: Num,
    pub release: Vec<Num>,
    pub pre: Option<(PrePhase, Num)>,
    pub post: Option<Num>,
    pub dev: Option<Num>,
    pub local: Vec<LocalSegment>,
}

/// A PyPI version: PEP 440, or a legacy (pre-PEP 440) string, which always sorts below
/// every PEP 440 version, as it did in `packaging` before legacy support was removed.
#[derive(Debug, Clone)]
pub enum PyPIVersion {
    Pep440(Pep440),
    Legacy(Vec<Box<str>>),
}

impl PyPIVersion {
    /// Parses a PEP 440 version (normalising alternative spellings).
    pub fn parse(input: &str) -> Result<PyPIVersion, VersionError> {
        check_length(input)?;
        parse_pep440(input).map(PyPIVersion::Pep440)
    }

    /// PEP 440 if possible, else the legacy form; never fails.
    pub fn parse_lenient(input: &str) -> PyPIVersion {
        let input = super::truncate(input);
        match parse_pep440(input) {
            Ok(v) => PyPIVersion::Pep440(v),
            Err(_) => PyPIVersion::Legacy(legacy_key(input)),
        }
    }

    /// True for pre-releases and developmental releases.
    pub fn is_prerelease(&self) -> bool {
        match self {
            PyPIVersion::Pep440(v) => v.pre.is_some() || v.dev.is_some(),
            PyPIVersion::Legacy(_) => false,
        }
    }
}

/// A cursor over the lower-cased input; every `eat_*` leaves the position unchanged
/// when it fails, which gives the backtracking of PEP 440's reference regex.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
    /// Where the last label with an implicit number ended: the regex lets such a label
    /// swallow one trailing separator (`1.0a-` is `1.0a0`).
    implicit_end: Option<usize>,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.rest().starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn eat_separator(&mut self) -> bool {
        self.eat("-") || self.eat("_") || self.eat(".")
    }

    fn eat_number(&mut self) -> Option<Num> {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        let num = Num::from_digits(&self.rest()[..n])?;
        self.pos += n;
        Some(num)
    }

    fn eat_any<'w>(&mut self, words: &[&'w str]) -> Option<&'w str> {
        words.iter().copied().find(|w| self.eat(w))
    }

    /// `[-_.]? WORD [-_.]? NUMBER?`, with an implicit number 0.
    fn eat_labelled<'w>(&mut self, words: &[&'w str]) -> Option<(&'w str, Num)> {
        let start = self.pos;
        self.eat_separator();
        let Some(word) = self.eat_any(words) else {
            self.pos = start;
            return None;
        };
        let after_word = self.pos;
        if self.eat_separator() {
            if let Some(n) = self.eat_number() {
                return Some((word, n));
            }
            self.pos = after_word;
        }
        let n = match self.eat_number() {
            Some(n) => n,
            None => {
                self.implicit_end = Some(self.pos);
                Num::zero()
            }
        };
        Some((word, n))
    }
}

fn parse_pep440(input: &str) -> Result<Pep440, VersionError> {
    let lowered = input.to_ascii_lowercase();
    let mut c = Cursor {
        s: lowered.trim(),
        pos: 0,
        implicit_end: None,
    };
    c.eat("v");
    let mut epoch = Num::zero();
    let mut release = vec![
        c.eat_number()
            .ok_or_else(|| VersionError::new(input, "does not start with a release number"))?,
    ];
    if c.eat("!") {
        epoch = release.pop().unwrap_or_else(Num::zero);
        release.push(
            c.eat_number()
                .ok_or_else(|| VersionError::new(input, "no release number after the epoch"))?,
        );
    }
    loop {
        let start = c.pos;
        if c.eat(".")
            && let Some(n) = c.eat_number()
        {
            release.push(n);
            continue;
        }
        c.pos = start;
        break;
    }
    // Longest spellings first, so that `alpha` is not read as `a` followed by junk.
    let pre = c
        .eat_labelled(&["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"])
        .map(|(word, n)| {
            let phase = match word {
                "alpha" | "a" => PrePhase::Alpha,
                "beta" | "b" => PrePhase::Beta,
                _ => PrePhase::Rc,
            };
            (phase, n)
        });
    let post = {
        let start = c.pos;
        if c.eat("-") {
            if let Some(n) = c.eat_number() {
                Some(n)
            } else {
                c.pos = start;
                c.eat_labelled(&["post", "rev", "r"]).map(|(_, n)| n)
            }
        } else {
            c.eat_labelled(&["post", "rev", "r"]).map(|(_, n)| n)
        }
    };
    let dev = c.eat_labelled(&["dev"]).map(|(_, n)| n);
    if c.implicit_end == Some(c.pos) {
        let start = c.pos;
        if !(c.eat_separator() && (c.rest().is_empty() || c.rest().starts_with('+'))) {
            c.pos = start;
        }
    }
    let mut local = Vec::new();
    if c.eat("+") {
        let label = c.rest();
        let parts: Vec<&str> = label.split(['-', '_', '.']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(VersionError::new(
                input,
                format!("invalid local version label `{label}`"),
            ));
        }
        local = parts
            .into_iter()
            .map(|p| match Num::from_digits(p) {
                Some(n) => LocalSegment::Numeric(n),
                None => LocalSegment::Alpha(p.into()),
            })
            .collect();
        c.pos = c.s.len();
    }
    if !c.rest().is_empty() {
        return Err(VersionError::new(
            input,
            format!("unexpected `{}` in a PEP 440 version", c.rest()),
        ));
    }
    // Trailing zeros do not count: 1.0 == 1.0.0.
    while release.len() > 1 && release.last().is_some_and(Num::is_zero) {
        release.pop();
    }
    Ok(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// The sort key of `packaging`'s `LegacyVersion` (`_legacy_cmpkey`).
fn legacy_key(input: &str) -> Vec<Box<str>> {
    let lowered = input.to_lowercase();
    let mut parts: Vec<Box<str>> = Vec::new();
    let mut push = |part: String| {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part.into());
    };
    for token in legacy_tokens(&lowered) {
        let token = match token {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        if token.is_empty() || token == "." {
            continue;
        }
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            push(format!("{token:0>8}"));
        } else {
            push(format!("*{token}"));
        }
    }
    push("*final".to_string());
    parts
}

/// Splits like `re.split(r"(\d+|[a-z]+|\.|-)", s)`: the matches and the text between.
fn legacy_tokens(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = |x: u8| -> u8 {
            if x.is_ascii_digit() {
                0
            } else if x.is_ascii_lowercase() {
                1
            } else if x == b'.' || x == b'-' {
                2
            } else {
                3
            }
        };
        let kind = class(b);
        let mut j = i + 1;
        if kind != 2 {
            while j < bytes.len() && class(bytes[j]) == kind {
                j += 1;
            }
        }
        // Runs of class 3 may split a multi-byte character only at char boundaries,
        // because every byte of a multi-byte character is in class 3.
        tokens.push(&s[i..j]);
        i = j;
    }
    tokens
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| super::num::cmp_padded(&self.release, &other.release))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| {
                // No post-release sorts before any post-release.
                self.post.cmp(&other.post)
            })
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            // No local label sorts first; then segment-wise, the longer label winning.
            .then_with(|| self.local.cmp(&other.local))
    }
}

/// `packaging`'s pre-release key: a dev release without pre or post sorts before every
/// pre-release of its release (1.0.dev0 < 1.0a0); no pre-release sorts after them all.
fn pre_key(v: &Pep440) -> (u8, Option<&(PrePhase, Num)>) {
    match (&v.pre, &v.post, &v.dev) {
        (None, None, Some(_)) => (0, None),
        (None, _, _) => (2, None),
        (Some(pre), _, _) => (1, Some(pre)),
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440 {}

impl Ord for PyPIVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PyPIVersion::Pep440(a), PyPIVersion::Pep440(b)) => a.cmp(b),
            (PyPIVersion::Legacy(_), PyPIVersion::Pep440(_)) => Ordering::Less,
            (PyPIVersion::Pep440(_), PyPIVersion::Legacy(_)) => Ordering::Greater,
            (PyPIVersion::Legacy(a), PyPIVersion::Legacy(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for PyPIVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PyPIVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PyPIVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PyPIVersion {
        PyPIVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn alternative_spellings_normalise() {
        assert_eq!(p("1.0-alpha1"), p("1.0a1"));
        assert_eq!(p("1.0.post-1"), p("1.0.post1"));
        assert_eq!(p("1.0-1"), p("1.0.post1"));
        assert_eq!(p("1.0c1"), p("1.0rc1"));
        assert_eq!(p("1.0PREVIEW2"), p("1.0rc2"));
        assert_eq!(p("v1.0"), p("1.0.0"));
        assert_eq!(p("1.0.DEV"), p("1.0.dev0"));
        assert_eq!(p("1.0-r"), p("1.0.post0"));
        assert_eq!(p("0!1.0"), p("1.0"));
    }

    #[test]
    fn ordering_follows_pep440() {
        let order = [
            "1.0.dev0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+5",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for pair in order.windows(2) {
            assert!(p(pair[0]) < p(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn malformed_versions_are_errors_and_legacy_sorts_below() {
        for bad in ["", "abc", "1.0+", "1.0+a..b", "1.0junk", "1!"] {
            let err = PyPIVersion::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        let legacy = PyPIVersion::parse_lenient("1.0-bulbasaur");
        assert!(matches!(legacy, PyPIVersion::Legacy(_)));
        assert!(legacy < p("0.0.1"));
    }
}
