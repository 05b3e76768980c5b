//! The page spider is handed: only its `<a>` and `<base>` start tags,
//! copied byte for byte, in order.
//!
//! spider finds links by running lol_html over the body it gets, and on a
//! typical page most of that work goes to elements that are not links. The
//! consumer has the whole page already; spider only needs the tags it reads
//! links from. Copying them verbatim leaves quoting, entities and
//! attributes (`aria-hidden`) for spider to judge exactly as before.
//! Comments and raw-text elements are skipped, as an HTML tokenizer skips
//! them: a `<a href>` inside a `<script>` string is not a link.

use std::borrow::Cow;

use memchr::memchr;

/// Elements whose content is text, not markup, up to their end tag.
const RAW_TEXT: [&[u8]; 8] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
];

/// The `<a ...>` and `<base ...>` start tags of `html`, in order.
pub(crate) fn link_tags(html: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(offset) = memchr(b'<', &html[at..]) {
        let start = at + offset;
        let rest = &html[start + 1..];
        if rest.starts_with(b"!--") {
            at = match find(&html[start + 4..], b"-->") {
                Some(end) => start + 4 + end + 3,
                None => break,
            };
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !rest.first().is_some_and(u8::is_ascii_alphabetic) {
            at = start + 1;
            continue;
        }
        let name = &rest[..name_len];
        let Some(end) = tag_end(html, start + 1 + name_len) else {
            break;
        };
        if name.eq_ignore_ascii_case(b"a") || name.eq_ignore_ascii_case(b"base") {
            out.push(&html[start..end]);
        }
        at = end;
        if name.eq_ignore_ascii_case(b"plaintext") {
            break;
        }
        if RAW_TEXT.iter().any(|raw| name.eq_ignore_ascii_case(raw)) {
            at = match closing_tag(&html[at..], name) {
                Some(close) => at + close,
                None => break,
            };
        }
    }
    out
}

/// Whether `tag` (from `link_tags`) is a `<base>`.
pub(crate) fn is_base(tag: &[u8]) -> bool {
    tag.len() > 5 && tag[1..5].eq_ignore_ascii_case(b"base")
}

/// The raw value of a tag's `href` attribute (the first one, as HTML has
/// it), entities not decoded.
pub(crate) fn href(tag: &[u8]) -> Option<&[u8]> {
    attr(tag, b"href")
}

/// An `<a>` that spider leaves out (`a[href]:not([aria-hidden="true"])`).
pub(crate) fn is_hidden(tag: &[u8]) -> bool {
    attr(tag, b"aria-hidden") == Some(b"true")
}

/// The raw value of the first attribute `wanted` (ASCII lowercase) of a tag.
fn attr<'t>(tag: &'t [u8], wanted: &[u8]) -> Option<&'t [u8]> {
    let name_end = 1 + tag[1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let mut i = name_end;
    let end = tag.len().saturating_sub(1);
    while i < end {
        let b = tag[i];
        if b.is_ascii_whitespace() || b == b'/' {
            i += 1;
            continue;
        }
        let name_start = i;
        while i < end && !matches!(tag[i], b'=' | b'/') && !tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < end && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if i < end && tag[i] == b'=' {
            i += 1;
            while i < end && tag[i].is_ascii_whitespace() {
                i += 1;
            }
            match tag.get(i) {
                Some(&q @ (b'"' | b'\'')) if i < end => {
                    let start = i + 1;
                    let len = tag[start..end].iter().position(|&b| b == q)?;
                    i = start + len + 1;
                    &tag[start..start + len]
                }
                _ => {
                    let start = i;
                    while i < end && !tag[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    &tag[start..i]
                }
            }
        } else {
            &tag[i..i]
        };
        if name.eq_ignore_ascii_case(wanted) {
            return Some(value);
        }
    }
    None
}

/// An attribute value with its character references decoded, as a browser
/// reads it: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric
/// ones. spider takes values literally, so `?a=1&amp;b=2` must arrive as
/// `?a=1&b=2`. Other named references are left as written.
pub(crate) fn decode_value(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code).filter(|c| *c != '\0')?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// Just past the `>` that ends the tag whose attributes start at `from`;
/// a `>` inside a quoted attribute value does not end it.
fn tag_end(html: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    for (i, &b) in html.iter().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'>' => return Some(i + 1),
                // Quotes open a value only right after `=` (and spaces).
                b'"' | b'\'' if after_equals => quote = Some(b),
                b'=' => {
                    after_equals = true;
                    continue;
                }
                b if b.is_ascii_whitespace() && after_equals => continue,
                _ => {}
            },
        }
        after_equals = false;
    }
    None
}

/// Where `</name` starts in `text` (any case).
fn closing_tag(text: &[u8], name: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = memchr(b'<', &text[at..]) {
        let i = at + offset;
        let rest = &text[i + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name)
            && !rest
                .get(name.len() + 1)
                .is_some_and(u8::is_ascii_alphanumeric)
        {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::link_tags;

    use super::{decode_value, href, is_base, is_hidden};

    fn tags(html: &str) -> String {
        link_tags(html.as_bytes())
            .iter()
            .map(|t| format!("{}\n", String::from_utf8_lossy(t)))
            .collect()
    }

    #[test]
    fn reads_the_first_href_in_any_quoting() {
        let cases: [(&str, Option<&str>); 9] = [
            (r#"<a href="/x">"#, Some("/x")),
            (r#"<A class=c HREF = '/y z'>"#, Some("/y z")),
            ("<a\thref=/z?a=1&amp;b=2>", Some("/z?a=1&amp;b=2")),
            (
                r#"<a data-href="/no" href="/yes" href="/second">"#,
                Some("/yes"),
            ),
            (r#"<a title="href=/no">"#, None),
            ("<a hidden href>", Some("")),
            ("<a/href=/slash/>", Some("/slash/")),
            ("<a>", None),
            (r#"<base href="http://h/">"#, Some("http://h/")),
        ];
        for (tag, expected) in cases {
            let got = href(tag.as_bytes()).map(|v| std::str::from_utf8(v).unwrap());
            assert_eq!(got, expected, "{tag}");
        }
        assert!(is_base(b"<BASE href=x>") && !is_base(b"<a href=x>") && !is_base(b"<b>"));
        assert!(is_hidden(br#"<a aria-hidden="true" href=x>"#));
        assert!(!is_hidden(br#"<a aria-hidden="false" href=x>"#) && !is_hidden(b"<a href=x>"));
    }

    #[test]
    fn character_references_are_decoded_like_a_browser_does() {
        let cases = [
            ("/q?a=1&amp;b=2", "/q?a=1&b=2"),
            ("/s?q=&quot;x&quot;&#38;&#x26;&#X41;", "/s?q=\"x\"&&A"),
            ("/a&b=1&copy;&unknown;&", "/a&b=1&copy;&unknown;&"),
            ("/nul&#0;&#xZZ;", "/nul&#0;&#xZZ;"),
            ("plain", "plain"),
        ];
        for (raw, expected) in cases {
            assert_eq!(decode_value(raw), expected, "{raw}");
        }
    }

    #[test]
    fn keeps_link_and_base_tags_verbatim_and_in_order() {
        let page = r#"<html><head><BASE HREF='http://h/x/'><title>T</title></head>
<body><div class="c"><A HREF="/p/1" class=x>One</A> <a href=/p/2>Two</a>
<abbr title="a">no</abbr><area href="/no"><a>no href</a>
<a aria-hidden="true" href="/hidden">h</a></div></body></html>"#;
        assert_eq!(
            tags(page),
            "<BASE HREF='http://h/x/'>\n<A HREF=\"/p/1\" class=x>\n<a href=/p/2>\n<a>\n\
             <a aria-hidden=\"true\" href=\"/hidden\">\n"
        );
    }

    #[test]
    fn a_quoted_greater_than_does_not_end_the_tag() {
        assert_eq!(
            tags(r#"<a title="1 > 0" href='/a?x=<b>'>x</a><a href=/b>"#),
            "<a title=\"1 > 0\" href='/a?x=<b>'>\n<a href=/b>\n"
        );
        // A quote that is not a value's opening quote is just a character.
        assert_eq!(tags(r#"<a href=/it's>x</a>"#), "<a href=/it's>\n");
    }

    #[test]
    fn comments_and_raw_text_hide_their_tags() {
        let page = r#"<!-- <a href="/commented"> --><script>var s = '<a href="/script">';</script>
<style>a[href] { x: "<a href=/style>" }</style><textarea><a href="/ta"></textarea>
<TITLE><a href=/title></TITLE><script>"</scriptx><a href=/still-script>"</script ><a href="/real">"#;
        assert_eq!(tags(page), "<a href=\"/real\">\n");
    }

    #[test]
    fn unfinished_input_ends_cleanly() {
        assert_eq!(tags("<a href='/open"), "");
        assert_eq!(tags("<!-- never closed <a href=/x>"), "");
        assert_eq!(tags("<script><a href=/x>"), "");
        assert_eq!(tags("a < b and <3 <a href=/ok>"), "<a href=/ok>\n");
        assert_eq!(tags("<plaintext><a href=/x>"), "");
        assert_eq!(tags(""), "");
    }
}
