//! Cutting evidence out of file contents: line numbers and short snippets, safe on
//! binary data and on multi-megabyte single-line files.

/// Where in a file something was seen, ready to put in a [`crate::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub line: u32,
    pub snippet: String,
}

impl Evidence {
    pub fn at_offset(data: &[u8], offset: usize) -> Evidence {
        Evidence {
            line: line_at_offset(data, offset),
            snippet: snippet_at_offset(data, offset),
        }
    }

    /// The same, with line numbers from an index of `data` built once for many hits.
    pub fn indexed(data: &[u8], index: &LineIndex, offset: usize) -> Evidence {
        Evidence {
            line: index.line(offset),
            snippet: snippet_at_offset(data, offset),
        }
    }
}

/// Where the lines of one text start, found once: line numbers of many offsets then
/// cost a binary search each instead of a count from the start of the text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(data: &[u8]) -> LineIndex {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', data).collect(),
        }
    }

    /// 1-based line number of the byte at `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&n| n < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

/// Longest snippet kept, in characters.
const SNIPPET_CHARS: usize = 160;

/// 1-based line number of the byte at `offset`.
pub fn line_at_offset(data: &[u8], offset: usize) -> u32 {
    let end = offset.min(data.len());
    let newlines = memchr::memchr_iter(b'\n', &data[..end]).count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// How far from the offset a line's start and end are looked for: the cost of a
/// snippet is bounded however long the line (minified code, hostile single-line files).
const LINE_SEARCH: usize = SNIPPET_CHARS * 4;

/// The line holding `offset`, trimmed, with control characters made visible and cut to
/// a readable window around the offset when the line is long.
pub fn snippet_at_offset(data: &[u8], offset: usize) -> String {
    let offset = offset.min(data.len());
    let search_from = offset.saturating_sub(LINE_SEARCH);
    let start = memchr::memrchr(b'\n', &data[search_from..offset])
        .map_or(search_from, |p| search_from + p + 1);
    let search_to = data.len().min(offset + LINE_SEARCH);
    let end = memchr::memchr(b'\n', &data[offset..search_to]).map_or(search_to, |p| offset + p);
    let line_is_cut = (start == search_from && search_from > 0 && data[search_from - 1] != b'\n')
        || (end == search_to && search_to < data.len());
    // Keep a window around the offset so that a hit deep in a minified line is visible.
    let window_start = if offset - start > SNIPPET_CHARS / 2 {
        offset - SNIPPET_CHARS / 4
    } else {
        start
    };
    let window_end = end.min(window_start + SNIPPET_CHARS * 4);
    let text = String::from_utf8_lossy(&data[window_start..window_end]);
    let mut out = String::new();
    if window_start > start || (line_is_cut && window_start == start && start > 0) {
        out.push('…');
    }
    out.push_str(&visible(text.trim()));
    let cut = truncate_chars(&out, SNIPPET_CHARS);
    if cut.len() < out.len() || window_end < end || (line_is_cut && window_end == end) {
        format!("{}…", cut.trim_end_matches('…'))
    } else {
        out
    }
}

/// The first `max` characters of `s`, on a character boundary.
pub fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '·',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        let data = b"a\nbb\nccc";
        assert_eq!(line_at_offset(data, 0), 1);
        assert_eq!(line_at_offset(data, 2), 2);
        assert_eq!(line_at_offset(data, 6), 3);
        assert_eq!(line_at_offset(data, 999), 3);
    }

    #[test]
    fn the_index_agrees_with_counting() {
        let data = b"a\nbb\n\nccc\n";
        let index = LineIndex::new(data);
        for offset in 0..=data.len() + 2 {
            assert_eq!(index.line(offset), line_at_offset(data, offset), "{offset}");
        }
    }

    #[test]
    fn snippet_is_the_trimmed_line() {
        let data = b"first\n    os.system('id')  \nlast";
        assert_eq!(snippet_at_offset(data, 12), "os.system('id')");
    }

    #[test]
    fn snippet_of_a_huge_single_line_is_a_short_window_around_the_hit() {
        let mut data = vec![b'a'; 10 * 1024 * 1024];
        let at = 5 * 1024 * 1024;
        data[at..at + 4].copy_from_slice(b"EVIL");
        let snippet = snippet_at_offset(&data, at);
        assert!(snippet.contains("EVIL"), "{snippet}");
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
    }

    #[test]
    fn snippets_of_many_hits_in_a_huge_line_cost_little() {
        let data = vec![b'x'; 8 * 1024 * 1024];
        let started = std::time::Instant::now();
        for i in 0..10_000 {
            let snippet = snippet_at_offset(&data, i * 800);
            assert!(snippet.chars().count() <= SNIPPET_CHARS + 2);
        }
        // Unbounded line searches take minutes here; bounded ones, milliseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn snippet_survives_binary_and_multibyte_text() {
        let data = "é\u{0}x\u{7}ü".repeat(200);
        let snippet = snippet_at_offset(data.as_bytes(), 301);
        assert!(!snippet.contains('\u{0}'));
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2);
    }
}
