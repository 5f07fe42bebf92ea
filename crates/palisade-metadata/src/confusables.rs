//! Characters that look or sit alike: the raw material of lookalike and keyboard typos.
//!
//! A squatter picks a name a tired reader or a clumsy typist will take for the real one:
//! Cyrillic `а` for Latin `a`, `rn` for `m`, `1` for `l`, or the key next to the right
//! one. These tables fold such names onto a common "skeleton" and tell which single
//! character swaps are of which kind.

/// The ASCII character `c` is usually taken for, or `c` itself.
pub fn fold_char(c: char) -> char {
    match c {
        // Fullwidth forms (U+FF01..U+FF5E) mirror ASCII at a fixed offset.
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFF01 + 0x21).map_or(c, |a| a.to_ascii_lowercase())
        }
        'а' | 'α' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ɑ' => 'a',
        'в' | 'ь' | 'β' => 'b',
        'с' | 'ϲ' | 'ç' | 'ć' | 'č' => 'c',
        'ԁ' | 'ď' | 'đ' => 'd',
        'е' | 'ε' | 'è' | 'é' | 'ê' | 'ë' | 'ё' | 'ē' | 'ę' => 'e',
        'ɡ' | 'ğ' => 'g',
        'һ' | 'н' => 'h',
        'і' | 'ι' | 'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ї' => 'i',
        'ј' | 'ϳ' => 'j',
        'κ' | 'к' => 'k',
        'ӏ' | 'ℓ' | 'ǀ' | 'ł' | '|' => 'l',
        'м' => 'm',
        'ո' | 'ñ' | 'ń' | 'η' | 'п' => 'n',
        'о' | 'ο' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' | 'ś' | 'š' | 'ş' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ù' | 'ú' | 'û' | 'ü' | 'μ' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' | 'ш' => 'w',
        'х' | 'χ' | '×' => 'x',
        'у' | 'ý' | 'ÿ' | 'γ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// The skeleton of an already lower-cased, separator-free name: every character folded
/// to its ASCII lookalike, then the lookalike classes merged (`1`, `i` and `l` become
/// `l`; `0` becomes `o`; `rn` becomes `m`; `vv` becomes `w`). Two names with the same
/// skeleton read the same at a glance.
pub fn skeleton(squashed: &str) -> String {
    let folded: String = squashed
        .chars()
        .map(|c| match fold_char(c) {
            '1' | 'i' | '!' => 'l',
            '0' => 'o',
            '5' => 's',
            other => other,
        })
        .collect();
    folded.replace("rn", "m").replace("vv", "w")
}

/// Whether one character substituted for the other reads alike (`l`/`1`, `o`/`0`...).
pub fn lookalike_pair(a: char, b: char) -> bool {
    a != b && skeleton(&a.to_string()) == skeleton(&b.to_string())
}

/// The position of a key on a QWERTY keyboard: row and x in quarter-key units, with the
/// rows staggered as on a real keyboard.
fn key_position(c: char) -> Option<(i32, i32)> {
    const ROWS: [(&str, i32); 4] = [
        ("1234567890-", 0),
        ("qwertyuiop", 2),
        ("asdfghjkl", 3),
        ("zxcvbnm", 5),
    ];
    ROWS.iter().enumerate().find_map(|(row, (keys, offset))| {
        keys.find(c.to_ascii_lowercase())
            .map(|col| (row as i32, col as i32 * 4 + offset))
    })
}

/// Whether the keys of `a` and `b` touch on a QWERTY keyboard, so that one is a likely
/// slip of the finger for the other.
pub fn keyboard_adjacent(a: char, b: char) -> bool {
    match (key_position(a), key_position(b)) {
        (Some((ra, xa)), Some((rb, xb))) => {
            let (dy, dx) = ((ra - rb).abs(), (xa - xb).abs());
            (dy == 0 && dx == 4) || (dy == 1 && dx <= 4)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_digit_lookalikes_share_a_skeleton() {
        assert_eq!(skeleton("rеquеsts"), skeleton("requests"));
        assert_eq!(skeleton("lodash"), skeleton("1odash"));
        assert_eq!(skeleton("colorarna"), skeleton("colorama"));
        assert_ne!(skeleton("requests"), skeleton("reqests"));
        assert_eq!(skeleton("ｒｅｑｕｅｓｔｓ"), "requests");
    }

    #[test]
    fn neighbouring_keys_are_adjacent_and_distant_keys_are_not() {
        assert!(keyboard_adjacent('a', 's'));
        assert!(keyboard_adjacent('a', 'q'));
        assert!(keyboard_adjacent('a', 'w'));
        assert!(keyboard_adjacent('n', 'j'));
        assert!(!keyboard_adjacent('a', 'd'));
        assert!(!keyboard_adjacent('q', 'p'));
        assert!(!keyboard_adjacent('a', 'é'));
        assert!(lookalike_pair('l', '1'));
        assert!(!lookalike_pair('a', 'b'));
    }
}
