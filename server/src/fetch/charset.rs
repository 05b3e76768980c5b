//! Picking the character encoding of an HTML body and decoding it to UTF-8.
//!
//! Order, following the HTML standard rather than a plain header-first rule:
//! a byte-order mark wins (it is evidence in the bytes themselves, and servers
//! mislabel far more often than files carry a wrong BOM), then the
//! Content-Type charset, then a `<meta>` declaration near the start, then
//! UTF-8.

use encoding_rs::{CoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How far into the body to look for `<meta charset>`. The standard says
/// 1024 bytes; long head comments and inline scripts push real pages past
/// that, so a little more is read.
pub const META_SCAN_LIMIT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    Bom,
    Header,
    Meta,
    Default,
}

#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
}

/// Decodes `body`. `complete` is false when the body was cut off, so that a
/// character split by the cut is dropped instead of becoming U+FFFD.
pub fn decode_html(
    body: &[u8],
    content_type: Option<&str>,
    complete: bool,
    warnings: &mut Vec<String>,
) -> Decoded {
    let (encoding, source) = choose_encoding(body, content_type, warnings);
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut text = String::with_capacity(body.len() + body.len() / 4 + 16);
    let mut rest = body;
    let mut had_errors = false;
    loop {
        let (result, read, errors) = decoder.decode_to_string(rest, &mut text, complete);
        had_errors |= errors;
        rest = &rest[read..];
        match result {
            CoderResult::InputEmpty => break,
            CoderResult::OutputFull => text.reserve(rest.len() + 16),
        }
    }
    if had_errors {
        warnings.push(format!(
            "some bytes are not valid {} and were replaced with U+FFFD",
            encoding.name()
        ));
    }
    Decoded {
        text,
        encoding,
        source,
    }
}

pub fn choose_encoding(
    body: &[u8],
    content_type: Option<&str>,
    warnings: &mut Vec<String>,
) -> (&'static Encoding, CharsetSource) {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return (encoding, CharsetSource::Bom);
    }
    if let Some(label) = content_type.and_then(charset_param) {
        match Encoding::for_label(label.as_bytes()) {
            Some(encoding) => return (encoding, CharsetSource::Header),
            None => warnings.push(format!(
                "the Content-Type names an unknown charset {label:?}; ignored"
            )),
        }
    }
    if let Some(encoding) = sniff_meta_charset(&body[..body.len().min(META_SCAN_LIMIT)]) {
        return (encoding, CharsetSource::Meta);
    }
    (UTF_8, CharsetSource::Default)
}

/// The `charset` parameter of a Content-Type value, unquoted.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| {
                value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_string()
            })
            .filter(|v| !v.is_empty())
    })
}

/// A simplified version of the HTML standard's prescan: finds the first
/// `<meta charset=...>` or `<meta http-equiv="content-type" content="...;
/// charset=...">`, skipping comments and other tags.
pub fn sniff_meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < head.len() {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            i += find(&rest[4..], b"-->").map_or(head.len(), |end| 4 + end + 3);
        } else if starts_with_ignore_case(rest, b"<meta")
            && rest
                .get(5)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            let (attrs, len) = parse_attributes(&rest[5..]);
            if let Some(encoding) = meta_encoding(&attrs) {
                return Some(encoding);
            }
            i += 5 + len;
        } else if rest.starts_with(b"<")
            && rest
                .get(1)
                .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
        {
            // Another tag: step over it so attribute values cannot fake a meta.
            let (_, len) = parse_attributes(&rest[1..]);
            i += 1 + len;
        } else {
            i += 1;
        }
    }
    None
}

fn meta_encoding(attrs: &[(String, String)]) -> Option<&'static Encoding> {
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let label = match get("charset") {
        Some(label) => label.to_string(),
        None => {
            let is_content_type =
                get("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("content-type"));
            if !is_content_type {
                return None;
            }
            charset_from_meta_content(get("content")?)?
        }
    };
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    // A meta tag read as ASCII-compatible bytes cannot truthfully declare
    // UTF-16; the standard maps these as follows.
    Some(match encoding {
        e if e == UTF_16BE || e == UTF_16LE => UTF_8,
        e if e == X_USER_DEFINED => WINDOWS_1252,
        e => e,
    })
}

/// `text/html; charset=shift_jis` -> `shift_jis`.
fn charset_from_meta_content(content: &str) -> Option<String> {
    let lower = content.to_ascii_lowercase();
    let start = lower.find("charset")? + "charset".len();
    let rest = content[start..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let value = match rest.chars().next()? {
        quote @ ('"' | '\'') => rest[1..].split(quote).next()?,
        _ => rest
            .split(|c: char| c.is_ascii_whitespace() || c == ';')
            .next()?,
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// Reads `name=value` pairs up to the closing `>`; returns them (names
/// lower-cased) and the number of bytes consumed.
fn parse_attributes(input: &[u8]) -> (Vec<(String, String)>, usize) {
    let mut attrs = Vec::new();
    let mut i = 0;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    while i < input.len() {
        while i < input.len() && (input[i].is_ascii_whitespace() || input[i] == b'/') {
            i += 1;
        }
        if i >= input.len() {
            break;
        }
        if input[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < input.len()
            && !matches!(input[i], b'=' | b'>' | b'/')
            && !input[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = text(&input[name_start..i]).to_ascii_lowercase();
        while i < input.len() && input[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if input.get(i) == Some(&b'=') {
            i += 1;
            while i < input.len() && input[i].is_ascii_whitespace() {
                i += 1;
            }
            match input.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = input[start..]
                        .iter()
                        .position(|b| *b == quote)
                        .map_or(input.len(), |p| start + p);
                    value = text(&input[start..end]);
                    i = (end + 1).min(input.len());
                }
                _ => {
                    let start = i;
                    while i < input.len() && input[i] != b'>' && !input[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    value = text(&input[start..i]);
                }
            }
        }
        if !name.is_empty() && !attrs.iter().any(|(n, _)| *n == name) {
            attrs.push((name, value));
        }
    }
    (attrs, input.len())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
#[path = "charset_tests.rs"]
mod tests;
