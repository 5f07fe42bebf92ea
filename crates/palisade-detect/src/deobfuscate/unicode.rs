//! Python source written in look-alike letters. Python reads identifiers in NFKC form,
//! so `𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get(𝘶𝗿𝗹)` runs as `requests.get(url)`; scanners that read the bytes see
//! neither `requests` nor `get`. Folding the letters back gives the code Python runs.
//!
//! Only the Mathematical Alphanumeric Symbols block (bold, italic, script, fraktur,
//! double-struck, sans-serif and monospace Latin letters and digits) and the letter-like
//! symbols that fill its gaps are folded: those are what obfuscators use, and their
//! NFKC forms are plain ASCII.

use super::Decoded;

/// The step named in the evidence of folded text.
pub const UNICODE_FOLD: &str = "unicode fold (NFKC)";

/// Letters per style in the Mathematical Alphanumeric Symbols block: A–Z then a–z.
const LETTERS_PER_STYLE: u32 = 52;
const LATIN_FIRST: u32 = 0x1D400;
const LATIN_END: u32 = LATIN_FIRST + 13 * LETTERS_PER_STYLE;
const DIGITS_FIRST: u32 = 0x1D7CE;
const DIGITS_END: u32 = 0x1D800;

/// The ASCII character Python reads for `c`, when `c` is a look-alike letter or digit.
fn fold(c: char) -> Option<char> {
    let cp = c as u32;
    let ascii = |b: u32| char::from_u32(b);
    match cp {
        LATIN_FIRST..LATIN_END => {
            let position = (cp - LATIN_FIRST) % LETTERS_PER_STYLE;
            if position < 26 {
                ascii(u32::from(b'A') + position)
            } else {
                ascii(u32::from(b'a') + position - 26)
            }
        }
        0x1D6A4 => Some('i'),
        0x1D6A5 => Some('j'),
        DIGITS_FIRST..DIGITS_END => ascii(u32::from(b'0') + (cp - DIGITS_FIRST) % 10),
        // Letter-like symbols standing in for the block's reserved code points.
        _ => Some(match c {
            'ℎ' => 'h',
            'ℊ' | 'ℽ' => 'g',
            'ℯ' | 'ℇ' => 'e',
            'ℴ' => 'o',
            'ℬ' => 'B',
            'ℭ' | 'ℂ' => 'C',
            'ℰ' => 'E',
            'ℱ' => 'F',
            'ℋ' | 'ℌ' | 'ℍ' => 'H',
            'ℐ' | 'ℑ' => 'I',
            'ℒ' => 'L',
            'ℳ' => 'M',
            'ℕ' => 'N',
            'ℙ' => 'P',
            'ℚ' => 'Q',
            'ℛ' | 'ℜ' | 'ℝ' => 'R',
            'ℤ' | 'ℨ' => 'Z',
            _ => return None,
        }),
    }
}

/// The lines of `data` that hold look-alike letters, folded to the ASCII Python reads;
/// every other line is left empty, since it reads the same without folding. Line
/// breaks are kept, so line N of the result is line N of `data`.
pub fn fold_lookalike_letters(data: &[u8]) -> Option<Decoded> {
    // Characters of the block are four bytes starting F0 9D; most files have none. A
    // file with only letter-like symbols (`ℎ`, `ℝ`: E2 84) is maths, not obfuscation,
    // and is not folded; they fold only beside the block's letters.
    memchr::memmem::find(data, &[0xF0, 0x9D])?;
    let text = std::str::from_utf8(data).ok()?;
    let mut out = String::new();
    let mut first = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut folded = String::with_capacity(line.len());
        let mut changed = false;
        for c in line.chars() {
            match fold(c) {
                Some(ascii) => {
                    changed = true;
                    folded.push(ascii);
                }
                None => folded.push(c),
            }
        }
        if changed {
            first.get_or_insert(line_start);
            out.push_str(&folded);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
        line_start += line.len();
    }
    Some(Decoded {
        text: out.into_bytes(),
        chain: vec![UNICODE_FOLD.to_string()],
        offset: first?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_identifiers_fold_to_the_code_python_runs() {
        let source = "import os\n𝘳𝙚𝘀𝗽 = 𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get(𝘶𝗿𝗹)\nℎ𝟏 = 1\nos.exit()";
        let folded = fold_lookalike_letters(source.as_bytes()).unwrap();
        // Lines without look-alikes read the same unfolded and are left empty.
        assert_eq!(
            String::from_utf8(folded.text).unwrap(),
            "\nresp = requests.get(url)\nh1 = 1\n"
        );
        assert_eq!(folded.offset, "import os\n".len());
        assert_eq!(folded.chain, [UNICODE_FOLD]);
    }

    #[test]
    fn text_without_look_alike_letters_is_left_alone() {
        assert!(fold_lookalike_letters("π = 3.14  # ℎ alone is not enough\n".as_bytes()).is_none());
        assert!(fold_lookalike_letters(b"import os\n").is_none());
    }
}
