use encoding_rs::{SHIFT_JIS, UTF_8, UTF_16LE, WINDOWS_1252};

use super::*;

fn decode(body: &[u8], content_type: Option<&str>) -> (Decoded, Vec<String>) {
    let mut warnings = Vec::new();
    let decoded = decode_html(body, content_type, true, &mut warnings);
    (decoded, warnings)
}

#[test]
fn meta_charset_alone_decodes_windows_1252() {
    let body = b"<!doctype html><html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title>";
    let (decoded, warnings) = decode(body, Some("text/html"));
    assert!(
        decoded.text.contains("<title>Caf\u{e9}</title>"),
        "{}",
        decoded.text
    );
    assert_eq!(decoded.encoding, WINDOWS_1252);
    assert_eq!(decoded.source, CharsetSource::Meta);
    assert!(warnings.is_empty());
}

#[test]
fn http_equiv_content_type_is_read() {
    // "日本" in Shift_JIS.
    let body = b"<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=Shift_JIS'></head>\x93\xfa\x96\x7b";
    let (decoded, _) = decode(body, None);
    assert_eq!(decoded.encoding, SHIFT_JIS);
    assert!(decoded.text.ends_with("\u{65e5}\u{672c}"));
    let body = b"<meta http-equiv=content-type content=\"text/html;charset = iso-8859-1\">caf\xe9";
    let (decoded, _) = decode(body, None);
    // encoding_rs, like browsers, reads iso-8859-1 as windows-1252.
    assert_eq!(decoded.encoding, WINDOWS_1252);
    assert!(decoded.text.ends_with("caf\u{e9}"));
}

#[test]
fn header_charset_beats_meta() {
    let body = b"<meta charset=utf-8>caf\xe9";
    let (decoded, _) = decode(body, Some("text/html; charset=\"ISO-8859-1\""));
    assert_eq!(decoded.source, CharsetSource::Header);
    assert!(decoded.text.ends_with("caf\u{e9}"));
}

#[test]
fn bom_beats_header_and_is_removed() {
    let body = b"\xef\xbb\xbfcaf\xc3\xa9";
    let (decoded, _) = decode(body, Some("text/html; charset=windows-1252"));
    assert_eq!(
        (decoded.encoding, decoded.source),
        (UTF_8, CharsetSource::Bom)
    );
    assert_eq!(decoded.text, "caf\u{e9}");
    let body = b"\xff\xfec\x00a\x00f\x00\xe9\x00";
    let (decoded, _) = decode(body, None);
    assert_eq!(decoded.encoding, UTF_16LE);
    assert_eq!(decoded.text, "caf\u{e9}");
}

#[test]
fn default_is_utf8_with_a_warning_for_bad_bytes() {
    let (decoded, warnings) = decode(b"<p>caf\xc3\xa9</p>", Some("text/html"));
    assert_eq!(
        (decoded.encoding, decoded.source),
        (UTF_8, CharsetSource::Default)
    );
    assert_eq!(decoded.text, "<p>caf\u{e9}</p>");
    assert!(warnings.is_empty());
    let (decoded, warnings) = decode(b"<p>caf\xe9</p>", None);
    assert_eq!(decoded.text, "<p>caf\u{fffd}</p>");
    assert_eq!(
        warnings,
        ["some bytes are not valid UTF-8 and were replaced with U+FFFD"]
    );
}

#[test]
fn unknown_header_label_is_reported_and_skipped() {
    let mut warnings = Vec::new();
    let (encoding, source) = choose_encoding(
        b"<meta charset=koi8-r>",
        Some("text/html; charset=nonsense"),
        &mut warnings,
    );
    assert_eq!(encoding.name(), "KOI8-R");
    assert_eq!(source, CharsetSource::Meta);
    assert_eq!(
        warnings,
        ["the Content-Type names an unknown charset \"nonsense\"; ignored"]
    );
}

#[test]
fn meta_prescan_ignores_comments_attribute_values_and_far_away_tags() {
    assert_eq!(
        sniff_meta_charset(b"<!-- <meta charset=koi8-r> --><p>"),
        None
    );
    assert_eq!(
        sniff_meta_charset(b"<div title='<meta charset=koi8-r>'>"),
        None
    );
    assert_eq!(
        sniff_meta_charset(b"<meta name=viewport content=\"width=device-width\">"),
        None
    );
    assert_eq!(sniff_meta_charset(b"<meta charset=utf-16le>"), Some(UTF_8));
    assert_eq!(
        sniff_meta_charset(b"<meta/charset=windows-1252 />"),
        Some(WINDOWS_1252)
    );
    let mut far = vec![b' '; META_SCAN_LIMIT];
    far.extend_from_slice(b"<meta charset=windows-1252>caf\xe9");
    let (decoded, _) = decode(&far, None);
    assert_eq!(decoded.source, CharsetSource::Default);
}

#[test]
fn a_character_cut_by_truncation_is_dropped_not_replaced() {
    let mut warnings = Vec::new();
    let decoded = decode_html(
        b"caf\xc3",
        Some("text/html; charset=utf-8"),
        false,
        &mut warnings,
    );
    assert_eq!(decoded.text, "caf");
    assert!(warnings.is_empty());
}

#[test]
fn charset_parameter_parsing() {
    assert_eq!(
        charset_param("text/html; charset=UTF-8").as_deref(),
        Some("UTF-8")
    );
    assert_eq!(
        charset_param("text/html;charset=\"shift_jis\"").as_deref(),
        Some("shift_jis")
    );
    assert_eq!(
        charset_param("text/html; foo=bar; Charset = latin1 ").as_deref(),
        Some("latin1")
    );
    assert_eq!(charset_param("text/html"), None);
    assert_eq!(charset_param("text/html; charset="), None);
}
