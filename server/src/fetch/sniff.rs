//! What a body is: the content type's essence, and a look at the first bytes
//! when the label is missing or wrong.

/// `Text/HTML; charset=x` -> `text/html`.
pub(crate) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub(crate) fn is_html_type(essence: &str) -> bool {
    matches!(essence, "text/html" | "application/xhtml+xml")
}

/// Whether a body that is not labelled HTML starts like an HTML document.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = skip_bom_and_space(body);
    let head = &start[..start.len().min(64)];
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<title",
        b"<meta",
    ]
    .iter()
    .any(|tag| head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag))
}

/// Whether an unlabelled body is plainly not text: NUL bytes or the magic
/// numbers of common binary formats.
pub(crate) fn looks_binary(body: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"%PDF-",
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"\x1f\x8b",
    ];
    let head = &body[..body.len().min(1024)];
    let utf16_bom = head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff");
    MAGIC.iter().any(|m| head.starts_with(m)) || !utf16_bom && head.contains(&0)
}

fn skip_bom_and_space(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_helpers() {
        assert_eq!(essence("Text/HTML; charset=utf-8"), "text/html");
        assert!(is_html_type("application/xhtml+xml"));
        assert!(looks_like_html(b"\xef\xbb\xbf\n  <!DOCTYPE HTML><p>"));
        assert!(!looks_like_html(b"plain words <html>"));
        assert!(looks_binary(b"%PDF-1.7 ..."));
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"\xff\xfe<\0h\0"));
        assert!(!looks_binary(b"<p>hi</p>"));
    }
}
